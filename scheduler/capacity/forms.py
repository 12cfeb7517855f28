"""The capacity-planning form: the pool of facilitators the solver may hire, one kind per row.

A row with no skill chosen is left out, so the coordinator fills as many rows as they need; a row
with a skill must say its weekly hours (the other amounts default to 0).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, SelectField, SubmitField
from wtforms.validators import Optional

from scheduler.forms.fields import InRange, MoneyField, Required, WholeNumberField

MAX_ROWS = 10
ROWS_SHOWN = 4
MAX_PER_ROW = 10
MAX_WEEKLY_HOURS = 60
MAX_TIME_LIMIT = 3600


class PoolRowForm(Form):
    """One kind of possible hire; a plain ``Form``: the enclosing form carries the CSRF token."""

    skill = SelectField("Skill", choices=[], validate_choice=True, default="")
    site = SelectField("Home site", coerce=int, choices=[], validate_choice=True, default=0)
    count = WholeNumberField(
        "Up to", default=1, validators=[Optional(), InRange(1, MAX_PER_ROW, " people")]
    )
    weekly_hours = WholeNumberField(
        "Hours a week", validators=[Optional(), InRange(1, MAX_WEEKLY_HOURS, " hours")]
    )
    hourly_rate = MoneyField("Hourly rate", required=False)
    weekly_cost = MoneyField("Cost per week", required=False)
    onboarding_cost = MoneyField("Onboarding cost", required=False)
    earliest_start = DateField("Can start on", validators=[Optional()])

    @property
    def chosen(self) -> bool:
        """Whether the row describes a possible hire (a skill is chosen)."""
        return bool(self.skill.data)


class CapacityForm(FlaskForm):
    """The pool of possible hires and how long the solver may take."""

    rows = FieldList(FormField(PoolRowForm), min_entries=ROWS_SHOWN, max_entries=MAX_ROWS)
    time_limit = WholeNumberField(
        "Time limit (seconds)",
        default=60,
        validators=[Required(), InRange(5, MAX_TIME_LIMIT, " seconds")],
    )
    submit = SubmitField("Plan capacity")

    def set_choices(self, skills: list[str], sites: list[tuple[int, str]]) -> None:
        """The skills the period's programs need and the organisation's sites."""
        for entry in self.rows:
            entry.form.skill.choices = [("", "— none —"), *((s, s) for s in skills)]
            entry.form.site.choices = [(0, "— no home site (virtual) —"), *sites]

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then: at least one row, and hours on every chosen row."""
        valid = super().validate(extra_validators)
        chosen = [entry.form for entry in self.rows if entry.form.chosen]
        if not chosen:
            self.form_errors.append("Choose a skill in at least one row.")
            return False
        for row in chosen:
            if row.weekly_hours.data is None and not row.weekly_hours.errors:
                row.weekly_hours.errors = [*row.weekly_hours.errors, "Hours a week is required."]
                valid = False
        return valid

    def chosen_rows(self) -> list[PoolRowForm]:
        """The rows that describe a possible hire, in the order shown."""
        return [entry.form for entry in self.rows if entry.form.chosen]
