"""Forms of the cohorts area: the cohort itself, its blocked periods and its members."""

from __future__ import annotations

from datetime import time

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from scheduler.forms.fields import (
    IdListField,
    MoneyField,
    MultiCheckboxField,
    SlugListField,
    choices,
    chosen_id,
    key_field,
    optional_select,
    text_field,
)
from scheduler.forms.timezones import TimezoneField

WEEKDAYS = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
]
WEEKDAY_CHOICES = choices(WEEKDAYS)
TIME_FORMATS = ["%H:%M", "%H:%M:%S"]
MAX_HEADCOUNT = 100_000


class CohortForm(FlaskForm):
    """A cohort: which program, where, when its learners can attend and by when."""

    key = key_field("Cohort id", strict=False)
    program_id = SelectField("Program", coerce=int)
    site_id = optional_select("Site")
    timezone = TimezoneField("Time zone")
    hours_days = MultiCheckboxField(
        "Attendance days", choices=WEEKDAY_CHOICES, default=["mon", "tue", "wed", "thu", "fri"]
    )
    hours_from = TimeField(
        "Attendance from",
        format=TIME_FORMATS,
        default=time(9, 0),
        validators=[InputRequired("Enter the time attendance starts, e.g. 09:00.")],
    )
    hours_to = TimeField(
        "Attendance to",
        format=TIME_FORMATS,
        default=time(17, 0),
        validators=[InputRequired("Enter the time attendance ends, e.g. 17:00.")],
    )
    earliest = DateField("Earliest start", validators=[Optional()])
    deadline = DateField("Deadline", validators=[Optional()])
    mergeable = BooleanField("May be merged with other cohorts of the same program", default=True)
    splittable = BooleanField("May be split into several sections", default=True)
    unscheduled_cost = MoneyField("Cost of leaving a learner untrained", default=10000)
    headcount = IntegerField(
        "Headcount",
        validators=[
            Optional(),
            NumberRange(1, MAX_HEADCOUNT, f"Headcount must be from 1 to {MAX_HEADCOUNT:,}."),
        ],
        invalid_value_message="Headcount must be a whole number.",
    )
    conflict_groups = SlugListField("Conflict groups")
    submit = SubmitField("Save cohort")

    def set_choices(
        self,
        programs: list,
        sites: list,
        in_person_program_ids: set[int],
    ) -> None:
        """Offer these programs and sites; in-person programs make the site required."""
        self.program_id.choices = programs
        self.site_id.choices = sites
        self.in_person_program_ids = in_person_program_ids

    def validate_site_id(self, field) -> None:
        if not field.data and self.program_id.data in self.in_person_program_ids:
            raise ValidationError("Choose a site: this program is taught in person.")

    def validate_hours_days(self, field) -> None:
        if not field.data:
            raise ValidationError("Tick at least one attendance day.")

    def validate_hours_to(self, field) -> None:
        if self.hours_from.data and field.data and field.data <= self.hours_from.data:
            raise ValidationError("Attendance must end after it starts.")

    def validate_deadline(self, field) -> None:
        if self.earliest.data and field.data and field.data < self.earliest.data:
            raise ValidationError("The deadline cannot be before the earliest start.")

    def validate_conflict_groups(self, field) -> None:
        if len(",".join(field.data or [])) > 400:
            raise ValidationError("Conflict groups must be at most 400 characters in all.")

    def values(self) -> dict:
        """The cohort's attributes as entered."""
        return {
            "key": self.key.data,
            "program_id": self.program_id.data,
            "site_id": chosen_id(self.site_id.data),
            "timezone": self.timezone.data,
            # Keep Monday-first order whatever order the browser sent the boxes in.
            "hours_days": ",".join(day for day, _ in WEEKDAYS if day in self.hours_days.data),
            "hours_from": self.hours_from.data,
            "hours_to": self.hours_to.data,
            "earliest": self.earliest.data,
            "deadline": self.deadline.data,
            "mergeable": self.mergeable.data,
            "splittable": self.splittable.data,
            "unscheduled_cost": float(self.unscheduled_cost.data),
            "headcount": self.headcount.data,
            "conflict_groups": ",".join(self.conflict_groups.data or []),
        }


class BlockForm(FlaskForm):
    """A period when the cohort cannot attend, in the cohort's local time."""

    start = DateTimeLocalField(
        "From", validators=[InputRequired("Enter when the blocked period starts.")]
    )
    end = DateTimeLocalField(
        "Until", validators=[InputRequired("Enter when the blocked period ends.")]
    )
    reason = text_field("Reason", 200, required=False)
    submit = SubmitField("Block this period")

    def validate_end(self, field) -> None:
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError("The blocked period must end after it starts.")


class MemberIdsForm(FlaskForm):
    """Learners ticked in a list, to add to or remove from the cohort."""

    learner_ids = IdListField("Learners")

    def validate_learner_ids(self, field) -> None:
        if not field.data:
            raise ValidationError("Tick at least one learner.")


class PasteMembersForm(FlaskForm):
    """Employee ids pasted from a spreadsheet, one a line or separated by commas."""

    employee_ids = TextAreaField(
        "Employee ids",
        validators=[InputRequired("Paste at least one employee id.")],
    )
    submit = SubmitField("Add these learners")
