"""Forms of the sites area: a site, a room, a closure, and the confirmation of a deletion."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SubmitField
from wtforms.validators import InputRequired, Length, ValidationError

from scheduler.forms.fields import (
    NONE_CHOICE,
    InRange,
    LineField,
    MoneyField,
    Required,
    WholeNumberField,
    key_field,
    strip,
    text_field,
)
from scheduler.forms.timezones import TimezoneField
from scheduler.sites import closed_days

#: Upper bounds keep values inside the database columns (NUMERIC(10, 2), 32-bit integers).
MAX_CAPACITY = 10_000
MAX_HOURLY_COST = 99_999_999
#: A closure longer than a year is more likely a mistyped year than a real shutdown.
MAX_CLOSURE_DAYS = 366

#: The country choice that takes the site's time zone's country, and the one of no holidays.
FROM_TIMEZONE = "auto"
NO_HOLIDAYS = ""


def country_choices() -> list[tuple[str, str]]:
    """The choices of a site's holidays: from its time zone, none, or a country by name."""
    countries = [(code, f"{name} ({code})") for code, name in closed_days.country_names().items()]
    return [
        (FROM_TIMEZONE, "The country of the time zone"),
        (NO_HOLIDAYS, "None: no public holidays"),
        *countries,
    ]


class SiteForm(FlaskForm):
    """A site: where cohorts meet, in its own time zone, closed on its country's holidays."""

    key = key_field()
    name = text_field("Name", 200)
    timezone = TimezoneField()
    country = SelectField("Public holidays of", default=FROM_TIMEZONE, validate_choice=False)
    subdivision = LineField(
        "Region or state",
        filters=[strip],
        validators=[Length(max=40, message="Region or state must be at most 40 characters.")],
    )
    address = text_field("Street address", 300, required=False)
    submit = SubmitField("Save site")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()

    def chosen_country(self) -> str | None:
        """The country code whose holidays apply ("" for none), None if the time zone is not
        valid yet (its own field says why)."""
        if self.country.data == FROM_TIMEZONE:
            zone = self.timezone.data
            return closed_days.default_country(zone) if zone and not self.timezone.errors else None
        return self.country.data

    def validate_country(self, field) -> None:
        if field.data not in (FROM_TIMEZONE, NO_HOLIDAYS, *closed_days.country_names()):
            raise ValidationError(f"'{field.data}' is not a country with known public holidays.")

    def validate_subdivision(self, field) -> None:
        country = self.chosen_country()
        if not field.data or country is None or self.country.errors:
            return
        if not country:
            raise ValidationError("Choose the country first: the region is one of its parts.")
        code = closed_days.subdivision_code(country, field.data)
        if code is None:
            raise ValidationError(_unknown_subdivision(country, field.data))
        field.data = code

    def values(self) -> dict:
        """The fields as keyword arguments of ``operations.create_site``/``update_site``."""
        return {
            "key": self.key.data,
            "name": self.name.data,
            "timezone": self.timezone.data,
            "address": self.address.data or "",
            "country": self.chosen_country() or "",
            "subdivision": self.subdivision.data or "",
        }


def subdivision_list(country: str) -> str:
    """The regions of ``country`` as the form lists them: "BB (Brandenburg), BE (Berlin)..."."""
    parts = closed_days.subdivisions(country)
    return ", ".join(code if code == part else f"{code} ({part})" for code, part in parts.items())


def _unknown_subdivision(country: str, text: str) -> str:
    name = closed_days.country_names()[country]
    listed = subdivision_list(country)
    if not listed:
        return f"{name} has no regions with holidays of their own: leave this empty."
    return f"'{text}' is not a region of {name}. Leave it empty or write one of: {listed}."


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


class ClosureForm(FlaskForm):
    """Days nobody trains, at one site or across the whole organisation."""

    name = text_field("What", 200, message="Say what closes, such as Company shutdown.")
    site_id = SelectField("Where", coerce=int, default=NONE_CHOICE, validate_choice=False)
    start = DateField("First day", validators=[InputRequired("Enter the first day.")])
    end = DateField("Last day", validators=[InputRequired("Enter the last day.")])
    submit = SubmitField("Add closure")

    def __init__(self, *args, sites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.site_id.choices = [(NONE_CHOICE, "The whole organisation")] + [
            (site.id, site.name) for site in sites
        ]

    def validate_site_id(self, field) -> None:
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError("Choose the whole organisation or one of the sites.")

    def validate_end(self, field) -> None:
        if self.start.data and field.data:
            if field.data < self.start.data:
                raise ValidationError("The last day cannot be before the first day.")
            if (field.data - self.start.data).days >= MAX_CLOSURE_DAYS:
                raise ValidationError(f"A closure is at most {MAX_CLOSURE_DAYS} days long.")

    def values(self) -> dict:
        """The fields as keyword arguments of ``operations.create_closure``."""
        return {
            "name": self.name.data,
            "site_id": self.site_id.data or None,
            "start": self.start.data,
            "end": self.end.data,
        }
