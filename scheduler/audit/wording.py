"""How the audit log words a change: an object as readable fields (a snapshot), and what differs
between two snapshots as "room: Paris A → Paris B".

Fields come from the model's columns, so a column added later is audited without touching this
module; a foreign key shows the name of what it points to, times show in the object's zone.
Lists kept in other tables (a program's sessions, a facilitator's skills) are the ``EXTRAS``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import inspect

from scheduler.extensions import db
from scheduler.models import (
    AvailabilityKind,
    AvailabilityRule,
    Cohort,
    Facilitator,
    MicroLesson,
    PlanningPeriod,
    Program,
    SequenceTemplate,
)

#: Columns that are bookkeeping, not something a person changed.
SKIPPED = {"id", "created_at", "version", "password_hash", "session_version", "user_id"}
#: Longest value shown; a lesson's whole text would drown the log.
LONGEST = 120
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Shown:
    """A field's value as people read it; ``zone`` is said once for both sides of a change."""

    text: str
    zone: str = ""

    def __str__(self) -> str:
        return f"{self.text} {self.zone}" if self.zone else self.text


Snapshot = dict[str, Shown]


def label_of(entity) -> str:
    """What the log calls ``entity``: "program Fire safety", "room Thames (London)"."""
    noun = NOUNS.get(type(entity), type(entity).__name__.lower())
    return f"{noun} {name_of(entity)}"


def name_of(entity) -> str:
    if isinstance(entity, Facilitator):
        return entity.user.name if entity.user is not None else entity.key
    if isinstance(entity, Cohort):
        return entity.key
    site = getattr(entity, "site", None) if type(entity).__name__ == "Room" else None
    name = getattr(entity, "name", None) or getattr(entity, "title", None) or entity.key
    return f"{name} ({site.name})" if site is not None else name


def snapshot(entity) -> Snapshot:
    """Every field a person can change on ``entity``, as shown in the log."""
    mapper = inspect(type(entity))
    zone = zone_of(entity)
    targets = {
        column.key: relationship.mapper.class_
        for relationship in mapper.relationships
        if relationship.direction.name == "MANYTOONE"
        for column in relationship.local_columns
    }
    fields: Snapshot = {}
    for attribute in mapper.column_attrs:
        key = attribute.key
        if key in SKIPPED:
            continue
        value = getattr(entity, key)
        if key in targets and value is not None:
            target = db.session.get(targets[key], value)
            fields[key.removesuffix("_id").replace("_", " ")] = Shown(
                name_of(target) if target is not None else str(value)
            )
        else:
            fields[key.replace("_", " ")] = shown(value, zone)
    for label, extra in EXTRAS.get(type(entity), {}).items():
        fields[label] = extra(entity)
    return fields


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """The fields that differ, as "label: old → new", in the order of ``after``."""
    lines = []
    for label in dict.fromkeys([*after, *before]):
        old, new = before.get(label, Shown("none")), after.get(label, Shown("none"))
        if old == new:
            continue
        if old.zone and old.zone == new.zone:
            lines.append(f"{label}: {_short(old.text)} → {_short(new.text)} {new.zone}")
        else:
            lines.append(f"{label}: {_short(str(old))} → {_short(str(new))}")
    return lines


def _short(text: str) -> str:
    # Compared whole (a change at the end of a long list counts), shown cut short.
    return text if len(text) <= LONGEST else text[: LONGEST - 1] + "…"


def shown(value, zone: str = "UTC") -> Shown:
    """One value in people's words; an instant in ``zone``."""
    if value is None or value == "":
        return Shown("none")
    if isinstance(value, bool):
        return Shown("yes" if value else "no")
    if isinstance(value, enum.Enum):
        return Shown(str(value.value).replace("_", " "))
    if isinstance(value, datetime):
        return Shown(when(value, zone), zone)
    if isinstance(value, date):
        return Shown(f"{value:%a} {value.day} {value:%b %Y}")
    if isinstance(value, time):
        return Shown(f"{value:%H:%M}")
    if isinstance(value, int | float | Decimal):  # 2500, 2500.0 and Decimal("2500") alike
        return Shown(f"{float(value):,.2f}".removesuffix(".00"))
    return Shown(" ".join(str(value).split()))


def when(instant: datetime, zone: str) -> str:
    """ "Mon 7 Dec 09:00": an instant on the wall clock of ``zone`` (named by the caller)."""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def zone_of(entity) -> str:
    zone = getattr(entity, "timezone", None)
    if zone is None and getattr(entity, "site", None) is not None:
        zone = entity.site.timezone
    return zone or "UTC"


def availability(rules: list[AvailabilityRule], zone: str) -> Snapshot:
    """An owner's availability as fields: weekly hours, then each kind of dated window."""
    weekly = sorted(
        (r.weekday, r.start_time, r.end_time) for r in rules if r.kind == AvailabilityKind.WEEKLY
    )
    fields = {
        "weekly hours": Shown(
            ", ".join(
                f"{WEEKDAYS[day]} {start:%H:%M}–{'24:00' if end == time() else f'{end:%H:%M}'}"
                for day, start, end in weekly
            )
            or "none"
        )
    }
    for kind in (
        AvailabilityKind.UNAVAILABLE,
        AvailabilityKind.AVAILABLE,
        AvailabilityKind.IF_NEED_BE,
    ):
        windows = sorted((r.start, r.end, r.note) for r in rules if r.kind == kind)
        text = ", ".join(
            f"{when(start, zone)} – {when(end, zone)}" + (f" ({note})" if note else "")
            for start, end, note in windows
        )
        fields[WINDOW_LABELS[kind]] = Shown(text, zone) if text else Shown("none")
    return fields


WINDOW_LABELS = {
    AvailabilityKind.UNAVAILABLE: "blocked periods",
    AvailabilityKind.AVAILABLE: "extra windows",
    AvailabilityKind.IF_NEED_BE: "if-need-be windows",
}

NOUNS = {
    PlanningPeriod: "period",
    SequenceTemplate: "follow-up template",
    MicroLesson: "lesson",
}


def _listed(items) -> Shown:
    return shown(", ".join(items))


EXTRAS = {
    Program: {
        "sessions": lambda p: _listed(f"{s.title} ({s.duration_minutes} min)" for s in p.sessions),
    },
    Facilitator: {
        "name": lambda f: shown(f.user.name),
        "e-mail": lambda f: shown(f.user.email),
        "may sign in": lambda f: shown(f.user.is_enabled),
        "skills": lambda f: _listed(sorted(s.skill for s in f.skills)),
        "travel costs": lambda f: _listed(
            sorted(f"{name_of(t.site)} {shown(t.cost)}" for t in f.travel_costs if t.site)
        ),
    },
    Cohort: {
        "blocked periods": lambda c: Shown(
            ", ".join(
                f"{when(b.start, c.timezone)} – {when(b.end, c.timezone)}"
                + (f" ({b.reason})" if b.reason else "")
                for b in sorted(c.blocks, key=lambda b: b.start)
            )
            or "none",
            c.timezone if c.blocks else "",
        ),
    },
    PlanningPeriod: {
        "programs": lambda p: _listed(program.name for program in p.programs),
        "cohorts": lambda p: _listed(cohort.key for cohort in p.cohorts),
    },
    MicroLesson: {"questions": lambda lesson: shown(str(len(lesson.questions)))},
    SequenceTemplate: {
        "steps": lambda t: _listed(
            f"day {s.day_offset} {s.kind.value}"
            for s in sorted(t.steps, key=lambda s: s.day_offset)
        ),
    },
}
