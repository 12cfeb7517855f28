"""Forms of the scenarios area: a scenario's name, one small form per kind of change, promotion.

Every change form offers choices from the scenario's own copy (``util.document_choices``) and
turns its fields into a change object with ``change()`` (see ``scheduler.scenarios.changes``).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SubmitField, TimeField
from wtforms.validators import InputRequired, ValidationError

from scheduler.forms.fields import (
    InRange,
    MoneyField,
    MultiCheckboxField,
    Required,
    WholeNumberField,
    choices,
    slugify,
    text_field,
)
from scheduler.scenarios.changes import weekly_ranges
from solver.problem import WEEKDAYS

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ALL_COHORTS = ""


class ScenarioForm(FlaskForm):
    """A new scenario: its name."""

    name = text_field("Scenario name", 200)
    submit = SubmitField("Create scenario")


class ActionForm(FlaskForm):
    """A button that changes state (Solve, Remove a change): its only field is the CSRF token."""


class RemoveChangeForm(FlaskForm):
    position = WholeNumberField("Change", validators=[Required(), InRange(0)])


class CompareForm(FlaskForm):
    """Which scenarios to put side by side with the current plan (a GET form, no token)."""

    class Meta:
        csrf = False

    ids = MultiCheckboxField("Scenarios", coerce=int)


class ChangeForm(FlaskForm):
    """The base of the change forms: ``offer(choices)`` fills the selects, ``change()`` reads."""

    kind = ""

    def offer(self, offered: dict[str, list[tuple[str, str]]]) -> None:
        """Fill the select fields from the scenario's copy."""

    def change(self) -> dict:
        raise NotImplementedError


class AddFacilitatorForm(ChangeForm):
    kind = "add_facilitator"
    name = text_field("Name", 120, message="Name the hypothetical facilitator, e.g. New hire 1.")
    skills = MultiCheckboxField("Skills", validators=[InputRequired("Tick at least one skill.")])
    site = SelectField("Home site", validators=[InputRequired("Choose a site.")])
    hourly_rate = MoneyField("Hourly rate")
    days = MultiCheckboxField(
        "Weekly availability: days",
        choices=choices(zip(WEEKDAYS, DAY_NAMES, strict=True)),
        default=list(WEEKDAYS[:5]),
        validators=[InputRequired("Tick at least one day.")],
    )
    start = TimeField("From", validators=[InputRequired("Enter when the day starts.")])
    end = TimeField("To", validators=[InputRequired("Enter when the day ends.")])
    submit = SubmitField("Add facilitator")

    def offer(self, offered):
        self.skills.choices = choices(offered["skills"])
        self.site.choices = choices(offered["sites"])
        self._taken = {key for key, _ in offered["facilitators"]}

    def validate_end(self, field):
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError("The day must end after it starts.")

    def change(self) -> dict:
        base = f"new-{slugify(self.name.data) or 'facilitator'}"
        key, n = base, 2
        while key in self._taken:
            key, n = f"{base}-{n}", n + 1
        return {
            "kind": self.kind,
            "id": key,
            "name": self.name.data,
            "skills": list(self.skills.data),
            "site": self.site.data,
            "hourly_rate": float(self.hourly_rate.data),
            "weekly": weekly_ranges(
                self.days.data, f"{self.start.data:%H:%M}", f"{self.end.data:%H:%M}"
            ),
        }


class RemoveFacilitatorForm(ChangeForm):
    kind = "remove_facilitator"
    facilitator = SelectField("Facilitator", validators=[InputRequired("Choose a facilitator.")])
    submit = SubmitField("Remove facilitator")

    def offer(self, offered):
        self.facilitator.choices = choices(offered["facilitators"])
        self._names = dict(offered["facilitators"])

    def change(self) -> dict:
        key = self.facilitator.data
        return {"kind": self.kind, "facilitator": key, "name": self._names.get(key, key)}


class MoveDeadlineForm(ChangeForm):
    kind = "move_deadline"
    cohort = SelectField("Cohort")
    days = WholeNumberField("Days (negative: earlier)", validators=[Required(), InRange(-366, 366)])
    submit = SubmitField("Move deadline")

    def offer(self, offered):
        self.cohort.choices = choices([(ALL_COHORTS, "Every cohort"), *offered["cohorts"]])

    def validate_days(self, field):
        if field.data == 0:
            raise ValidationError("Move the deadline by at least one day.")

    def change(self) -> dict:
        return {"kind": self.kind, "cohort": self.cohort.data or None, "days": self.days.data}


class CloseSiteForm(ChangeForm):
    kind = "close_site"
    site = SelectField("Site", validators=[InputRequired("Choose a site.")])
    start = DateField("First closed day", validators=[InputRequired("Enter the first day.")])
    end = DateField("Last closed day", validators=[InputRequired("Enter the last day.")])
    submit = SubmitField("Close site")

    def offer(self, offered):
        self.site.choices = choices(offered["room_sites"])
        self._names = dict(offered["room_sites"])

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError("The last closed day cannot be before the first.")

    def change(self) -> dict:
        return {
            "kind": self.kind,
            "site": self.site.data,
            "site_name": self._names.get(self.site.data, self.site.data),
            "start": self.start.data.isoformat(),
            "end": self.end.data.isoformat(),
        }


class MakeVirtualForm(ChangeForm):
    kind = "make_virtual"
    program = SelectField("Program", validators=[InputRequired("Choose a program.")])
    submit = SubmitField("Switch to virtual")

    def offer(self, offered):
        self.program.choices = choices(offered["programs"])
        self._names = dict(offered["programs"])

    def change(self) -> dict:
        key = self.program.data
        return {"kind": self.kind, "program": key, "program_name": self._names.get(key, key)}


class AddLearnersForm(ChangeForm):
    kind = "add_learners"
    cohort = SelectField("Cohort", validators=[InputRequired("Choose a cohort.")])
    count = WholeNumberField("Learners to add", validators=[Required(), InRange(1, 10_000)])
    submit = SubmitField("Add learners")

    def offer(self, offered):
        self.cohort.choices = choices(offered["cohorts"])

    def change(self) -> dict:
        return {"kind": self.kind, "cohort": self.cohort.data, "count": self.count.data}


class SeatCostForm(ChangeForm):
    kind = "seat_cost"
    program = SelectField("Program", validators=[InputRequired("Choose a program.")])
    amount = MoneyField("Seat cost per learner per session")
    submit = SubmitField("Change seat cost")

    def offer(self, offered):
        self.program.choices = choices(offered["programs"])
        self._names = dict(offered["programs"])

    def change(self) -> dict:
        key = self.program.data
        return {
            "kind": self.kind,
            "program": key,
            "program_name": self._names.get(key, key),
            "amount": float(self.amount.data),
        }


class TravelCostForm(ChangeForm):
    kind = "travel_cost"
    percent = WholeNumberField(
        "Travel costs, as a percentage of today's",
        default=100,
        validators=[Required(), InRange(0, 1000, "%")],
    )
    submit = SubmitField("Change travel costs")

    def change(self) -> dict:
        return {"kind": self.kind, "percent": self.percent.data}


CHANGE_FORMS: dict[str, type[ChangeForm]] = {
    form.kind: form
    for form in (
        AddFacilitatorForm,
        RemoveFacilitatorForm,
        MoveDeadlineForm,
        CloseSiteForm,
        MakeVirtualForm,
        AddLearnersForm,
        SeatCostForm,
        TravelCostForm,
    )
}


class PromoteForm(FlaskForm):
    """Promotion: every real data change ticked to confirm it."""

    confirmed = MultiCheckboxField("Confirm each change", coerce=int)
    submit = SubmitField("Promote: make these changes real")
