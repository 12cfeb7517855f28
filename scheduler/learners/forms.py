"""Forms of the learners area."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, SubmitField
from wtforms.validators import Email, Length

from scheduler.learners.fields import (
    TimezoneField,
    chosen_id,
    optional_select,
    required_text,
    strip,
    strip_lower,
)


class LearnerForm(FlaskForm):
    """One learner: who they are, where they work and who their manager is."""

    key = StringField(
        "Employee id",
        validators=required_text("Employee id", 64, "Enter the employee id (from HR)."),
        filters=[strip],
    )
    name = StringField("Name", validators=required_text("Name", 200), filters=[strip])
    email = EmailField(
        "E-mail",
        validators=[
            *required_text("E-mail", 254, "Enter the learner's e-mail address."),
            Email("Enter a valid e-mail address, e.g. name@example.com."),
        ],
        filters=[strip_lower],
    )
    team = StringField(
        "Team",
        validators=[Length(max=120, message="Team must be at most 120 characters.")],
        filters=[strip],
    )
    manager_id = optional_select("Manager")
    timezone = TimezoneField("Time zone")
    site_id = optional_select("Site")
    submit = SubmitField("Save learner")

    def set_choices(self, managers: list, sites: list) -> None:
        """Offer these managers and sites (each list already includes its "none" entry)."""
        self.manager_id.choices = managers
        self.site_id.choices = sites

    def values(self) -> dict:
        """The learner's attributes as entered."""
        return {
            "key": self.key.data,
            "name": self.name.data,
            "email": self.email.data,
            "team": self.team.data or "",
            "manager_id": chosen_id(self.manager_id.data),
            "timezone": self.timezone.data,
            "site_id": chosen_id(self.site_id.data),
        }


class DeleteForm(FlaskForm):
    """A delete button (the form carries only the CSRF token)."""

    submit = SubmitField("Delete")
