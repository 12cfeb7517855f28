"""Forms of the planning area: a planning period and its scope."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SubmitField
from wtforms.validators import InputRequired, ValidationError

from scheduler.forms.fields import (
    InRange,
    MoneyField,
    MultiCheckboxField,
    Required,
    WholeNumberField,
    text_field,
)
from scheduler.forms.timezones import TimezoneField

MAX_PERIOD_DAYS = 366
SLOT_CHOICES = (5, 10, 15, 20, 30, 60)


class PeriodForm(FlaskForm):
    """A planning period: dates, zone, programs in scope and how long the solver may search."""

    name = text_field("Name", 200)
    start = DateField("First day", validators=[InputRequired("Enter the first day.")])
    end = DateField("Last day", validators=[InputRequired("Enter the last day.")])
    timezone = TimezoneField("Time zone")
    program_ids = MultiCheckboxField("Programs", coerce=int)
    cohort_ids = MultiCheckboxField("Only these cohorts", coerce=int)
    time_limit_seconds = WholeNumberField(
        "Solver time limit (seconds)", default=60, validators=[Required(), InRange(5, 3600)]
    )
    slot_minutes = WholeNumberField(
        "Start times every (minutes)", default=30, validators=[Required(), InRange(5, 60)]
    )
    change_cost = MoneyField("Cost of moving a published session", default=50)
    submit = SubmitField("Save period")

    def validate_end(self, field) -> None:
        if self.start.data and field.data:
            if field.data < self.start.data:
                raise ValidationError("The last day cannot be before the first day.")
            if (field.data - self.start.data).days >= MAX_PERIOD_DAYS:
                raise ValidationError(f"A period is at most {MAX_PERIOD_DAYS} days long.")

    def validate_slot_minutes(self, field) -> None:
        if field.data is not None and field.data not in SLOT_CHOICES:
            allowed = ", ".join(str(m) for m in SLOT_CHOICES)
            raise ValidationError(f"Start times every {allowed} minutes.")

    def values(self) -> dict:
        return {
            "name": self.name.data,
            "start": self.start.data,
            "end": self.end.data,
            "timezone": self.timezone.data,
            "program_ids": list(self.program_ids.data or []),
            "cohort_ids": list(self.cohort_ids.data or []),
            "time_limit_seconds": self.time_limit_seconds.data,
            "slot_minutes": self.slot_minutes.data,
            "change_cost": float(self.change_cost.data),
        }
