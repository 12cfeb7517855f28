"""Forms of the facilitators area: the profile (with its account) and travel costs."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from scheduler.forms.fields import (
    MoneyField,
    SlugListField,
    check_meeting_link,
    chosen_id,
    email_field,
    key_field,
    optional_select,
    text_field,
)
from scheduler.forms.timezones import TimezoneField
from scheduler.models import Site

TRAVEL_PREFIX = "travel_"


class FacilitatorForm(FlaskForm):
    """A facilitator's account details and teaching profile."""

    name = text_field("Name", 200)
    email = email_field(required_message="Enter the facilitator's e-mail address.")
    key = key_field("Facilitator id", strict=False)
    skills = SlugListField("Skills")
    site_id = optional_select("Home site")
    timezone = TimezoneField("Time zone")
    hourly_rate = MoneyField("Hourly rate", default=0)
    session_fee = MoneyField("Session fee", default=0)
    if_need_be_cost = MoneyField("Cost of an if-need-be hour", default=0)
    max_minutes_per_day = IntegerField(
        "Most teaching minutes a day",
        validators=[
            Optional(),
            NumberRange(1, 1440, "Most teaching minutes a day must be from 1 to 1440."),
        ],
        invalid_value_message="Most teaching minutes a day must be a whole number.",
    )
    buffer_minutes = IntegerField(
        "Buffer between sessions (minutes)",
        default=0,
        validators=[
            InputRequired("Enter the buffer between sessions in minutes (0 if none)."),
            NumberRange(0, 240, "Buffer between sessions must be from 0 to 240 minutes."),
        ],
        invalid_value_message="Buffer between sessions must be a whole number of minutes.",
    )
    meeting_url = text_field("Personal meeting room", 500, required=False)
    submit = SubmitField("Save facilitator")

    def validate_meeting_url(self, field) -> None:
        check_meeting_link(field)

    def travel_fields(self) -> list:
        """The travel-cost fields, one per site."""
        return [field for field in self if field.name.startswith(TRAVEL_PREFIX)]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        home = f"{TRAVEL_PREFIX}{self.site_id.data}"
        if self.site_id.data and home in self and self[home].data is not None:
            self[home].errors.append("Leave this blank: it is the facilitator's home site.")
            valid = False
        return valid

    def values(self) -> dict:
        """The profile as entered: account fields, profile fields, skills, travel costs."""
        return {
            "name": self.name.data,
            "email": self.email.data,
            "key": self.key.data,
            "skills": list(self.skills.data or []),
            "site_id": chosen_id(self.site_id.data),
            "timezone": self.timezone.data,
            "hourly_rate": float(self.hourly_rate.data),
            "session_fee": float(self.session_fee.data),
            "if_need_be_cost": float(self.if_need_be_cost.data),
            "max_minutes_per_day": self.max_minutes_per_day.data,
            "buffer_minutes": self.buffer_minutes.data,
            "meeting_url": self.meeting_url.data or "",
            "travel_costs": {
                int(field.name.removeprefix(TRAVEL_PREFIX)): float(field.data)
                for field in self.travel_fields()
                if field.data is not None
            },
        }


class NewFacilitatorForm(FacilitatorForm):
    """A new facilitator: the profile plus the first password of their account."""

    password = PasswordField(
        "Password",
        validators=[
            Optional(strip_whitespace=False),
            Length(min=10, max=200, message="The password must be 10 to 200 characters."),
        ],
    )
    submit = SubmitField("Create facilitator")


def with_travel_costs(form_class: type[FacilitatorForm], sites: list[Site]) -> type:
    """``form_class`` with one optional travel-cost field per site (blank = no cost)."""
    fields = {
        f"{TRAVEL_PREFIX}{site.id}": MoneyField(f"Travel cost to {site.name}", required=False)
        for site in sites
    }
    return type(form_class.__name__, (form_class,), fields)


class AccountForm(FlaskForm):
    """The disable/enable button (the form carries only the CSRF token)."""

    submit = SubmitField("Save")
