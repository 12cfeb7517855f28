"""Writes of the facilitators area: profiles with their accounts, skills and travel costs."""

from __future__ import annotations

import secrets

from blinker import Namespace
from sqlalchemy import func, select

from scheduler.audit import operations as audit
from scheduler.auth.operations import create_user, end_all_sessions
from scheduler.extensions import db
from scheduler.forms.fields import slugify
from scheduler.forms.saving import FieldError, flush_or_refuse
from scheduler.models import Facilitator, FacilitatorSkill, Role, TravelCost, User

PROFILE_FIELDS = (
    "key",
    "site_id",
    "timezone",
    "hourly_rate",
    "session_fee",
    "if_need_be_cost",
    "max_minutes_per_day",
    "buffer_minutes",
)
ACCOUNT_CLASH = "Another account was just saved with this e-mail or id."

signals = Namespace()
#: A facilitator's personal meeting room changed: the joining link of their virtual sessions
#: (without a section link) is out of date. Sent in the caller's transaction.
meeting_room_changed = signals.signal("meeting-room-changed")


def temporary_password() -> str:
    """A random first password for the coordinator to pass on (about 96 bits)."""
    return secrets.token_urlsafe(12)


def create_facilitator(values: dict, password: str) -> Facilitator:
    """Create the facilitator's user account and profile together.

    Raises ``FieldError`` when the e-mail or the facilitator id is taken; the caller rolls
    back, so neither the account nor the profile is kept.
    """
    _check_unique(None, values)
    user = create_user(
        values["email"], values["name"], Role.FACILITATOR, password, values["timezone"]
    )
    facilitator = Facilitator(user=user)
    db.session.add(facilitator)
    _apply(facilitator, values)
    flush_or_refuse(ACCOUNT_CLASH)
    audit.record_changes(facilitator, None)
    return facilitator


def update_facilitator(facilitator: Facilitator, values: dict) -> Facilitator:
    """Change the profile and the account's name, e-mail and time zone."""
    _check_unique(facilitator, values)
    before = audit.snapshot(facilitator)
    room = facilitator.meeting_url
    facilitator.user.name = values["name"]
    facilitator.user.email = values["email"]
    facilitator.user.timezone = values["timezone"]
    _apply(facilitator, values)
    flush_or_refuse(ACCOUNT_CLASH)
    audit.record_changes(facilitator, before)
    if facilitator.meeting_url != room:
        meeting_room_changed.send(facilitator)
    return facilitator


def set_enabled(facilitator: Facilitator, enabled: bool) -> None:
    """Let the facilitator sign in again, or stop them; disabling ends their sessions at once."""
    before = audit.snapshot(facilitator)
    facilitator.user.is_enabled = enabled
    if not enabled:
        end_all_sessions(facilitator.user)
    db.session.flush()
    audit.record_changes(facilitator, before)


def _check_unique(facilitator: Facilitator | None, values: dict) -> None:
    same_email = select(User.id).where(func.lower(User.email) == values["email"].lower())
    same_key = select(Facilitator.id).where(Facilitator.key == values["key"])
    if facilitator is not None:
        same_email = same_email.where(User.id != facilitator.user_id)
        same_key = same_key.where(Facilitator.id != facilitator.id)
    if db.session.scalar(same_email) is not None:
        raise FieldError("email", f"{values['email']} is already used by another account.")
    if db.session.scalar(same_key) is not None:
        raise FieldError(
            "key", f"Facilitator id {values['key']} is already used by another facilitator."
        )


def _apply(facilitator: Facilitator, values: dict) -> None:
    for name in PROFILE_FIELDS:
        setattr(facilitator, name, values[name])
    facilitator.meeting_url = values.get("meeting_url", "")
    set_skills(facilitator, values["skills"])
    _set_travel_costs(facilitator, values["travel_costs"])


def set_skills(facilitator: Facilitator, skills: list[str]) -> None:
    """Make the facilitator's skills exactly ``skills``, each stored as its slug.

    Slugs ("point-of-sale") are what programs' required skills are stored as too, so the
    two match however either was typed.
    """
    wanted = list(dict.fromkeys(slug for slug in map(slugify, skills) if slug))
    # Keep the rows of skills that stay: deleting and re-inserting the same skill in one
    # flush would break the (facilitator, skill) unique constraint, as inserts go first.
    kept = [row for row in facilitator.skills if row.skill in wanted]
    present = {row.skill for row in kept}
    facilitator.skills = kept + [
        FacilitatorSkill(skill=skill) for skill in wanted if skill not in present
    ]


def _set_travel_costs(facilitator: Facilitator, costs: dict[int, float]) -> None:
    rows = {row.site_id: row for row in facilitator.travel_costs}
    for site_id, cost in costs.items():
        if site_id in rows:
            rows[site_id].cost = cost
        else:
            rows[site_id] = TravelCost(site_id=site_id, cost=cost)
    facilitator.travel_costs = [row for site_id, row in rows.items() if site_id in costs]
