"""Time zone names: one meaning of "a known time zone" for forms, imports and availability.

Names are matched without regard to case ("europe/london" is Europe/London) and stored in
the tz database's own spelling, so the same zone is never saved two ways.
"""

from __future__ import annotations

import difflib
from functools import cache
from zoneinfo import available_timezones

from markupsafe import Markup
from wtforms import StringField
from wtforms.validators import Length, ValidationError

from scheduler.forms.fields import OneLine, Required, strip

#: Shown when nothing close to the typed name exists.
EXAMPLE_ZONES = "such as Europe/London or America/New_York"


@cache
def timezone_names() -> tuple[str, ...]:
    """Every IANA time zone name this machine knows, sorted (offered next to zone fields)."""
    return tuple(sorted(available_timezones()))


@cache
def timezone_options() -> Markup:
    """The ``<option>`` of every zone name, for a ``<datalist>``: built once per process, as the
    ~600 options would otherwise cost each page with a zone field a millisecond to render."""
    return Markup("").join(Markup('<option value="{}">').format(name) for name in timezone_names())


@cache
def _names_by_lower_case() -> dict[str, str]:
    return {name.lower(): name for name in timezone_names()}


def canonical_timezone(name: str | None) -> str | None:
    """The IANA spelling of ``name`` ("europe/paris" gives "Europe/Paris"), or None if unknown."""
    return _names_by_lower_case().get((name or "").strip().lower())


def closest_timezone(name: str) -> str | None:
    """The known zone most like a mistyped ``name`` ("Europe/Lodnon"), if one is close."""
    close = difflib.get_close_matches(name.strip().lower(), _names_by_lower_case(), n=1)
    return _names_by_lower_case()[close[0]] if close else None


def unknown_timezone_hint(name: str) -> str:
    """What to write instead of the unknown zone ``name``: a suggestion or examples."""
    close = closest_timezone(name)
    if close:
        return f"Did you mean {close}?"
    return f"Pick one from the list, {EXAMPLE_ZONES}."


class KnownTimezone:
    """The value must be an IANA time zone name; it is replaced by its tz-database spelling."""

    def __call__(self, form, field) -> None:
        if not field.data:
            return
        name = canonical_timezone(field.data)
        if name is None:
            raise ValidationError(
                f"{field.label.text} '{field.data}' is not a known time zone. "
                + unknown_timezone_hint(field.data)
            )
        field.data = name


class TimezoneField(OneLine, StringField):
    """A time zone typed as text; templates offer the known names with ``timezone_options()``."""

    def __init__(self, label: str = "Time zone", **kwargs):
        too_long = Length(max=64, message=f"{label} must be at most 64 characters.")
        kwargs.setdefault("validators", [Required(), too_long, KnownTimezone()])
        kwargs.setdefault("filters", [strip])
        super().__init__(label, **kwargs)
