"""Forms of the learners area."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SubmitField

from scheduler.forms.fields import chosen_id, email_field, key_field, optional_select, text_field
from scheduler.forms.timezones import TimezoneField


class LearnerForm(FlaskForm):
    """One learner: who they are, where they work and who their manager is."""

    key = key_field("Employee id", "Enter the employee id (from HR).", strict=False)
    name = text_field("Name", 200)
    email = email_field(required_message="Enter the learner's e-mail address.")
    team = text_field("Team", 120, required=False)
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
