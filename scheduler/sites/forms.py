"""Forms of the sites area: a site, a room, and the confirmation of a deletion."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SubmitField

from scheduler.forms.fields import (
    InRange,
    MoneyField,
    Required,
    WholeNumberField,
    key_field,
    text_field,
)
from scheduler.forms.timezones import TimezoneField

#: Upper bounds keep values inside the database columns (NUMERIC(10, 2), 32-bit integers).
MAX_CAPACITY = 10_000
MAX_HOURLY_COST = 99_999_999


class SiteForm(FlaskForm):
    """A site: where cohorts meet, in its own time zone."""

    key = key_field()
    name = text_field("Name", 200)
    timezone = TimezoneField()
    address = text_field("Street address", 300, required=False)
    submit = SubmitField("Save site")

    def values(self) -> dict:
        """The fields as keyword arguments of ``operations.create_site``/``update_site``."""
        return {
            "key": self.key.data,
            "name": self.name.data,
            "timezone": self.timezone.data,
            "address": self.address.data or "",
        }


class RoomForm(FlaskForm):
    """A training room at a site."""

    key = key_field()
    name = text_field("Name", 200)
    capacity = WholeNumberField("Capacity", validators=[Required(), InRange(1, MAX_CAPACITY)])
    hourly_cost = MoneyField("Hourly cost", default=0, maximum=MAX_HOURLY_COST)
    submit = SubmitField("Save room")

    def values(self) -> dict:
        """The fields as keyword arguments of ``operations.create_room``/``update_room``."""
        return {
            "key": self.key.data,
            "name": self.name.data,
            "capacity": self.capacity.data,
            "hourly_cost": float(self.hourly_cost.data),
        }
