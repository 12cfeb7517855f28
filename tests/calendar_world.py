"""A small published plan for the calendar tests, and the checks every produced calendar must
pass: three independent parsers plus the project's own rules.

The organisation: one two-session program, a London cohort of three learners taught by Ana
(London) and a Leeds cohort of one taught by Ben (Leeds); the second London session is on
30 March 2027, after the clocks go forward (28 March).
"""

from __future__ import annotations

import email
import functools
import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from email.message import Message
from pathlib import Path

import icalendar
from ical.calendar_stream import IcsCalendarStream

from scheduler.extensions import db
from scheduler.models import OutboxMessage, PlanningPeriod, Role, User
from scheduler.planning.publishing import publish
from tests.drafts import Planned, store_draft, utc
from tests.factories import (
    create_cohort,
    create_facilitator,
    create_learner,
    create_program,
    create_room,
    create_site,
    create_user,
)

LIBICAL_SCRIPT = Path(__file__).with_name("libical_parse.py")


@dataclass
class World:
    period: PlanningPeriod
    coordinator: User
    objects: dict

    def __getitem__(self, name: str):
        return self.objects[name]


def make_world() -> World:
    """The organisation and its period (nothing published yet); committed."""
    london = create_site(name="London", timezone="Europe/London")
    leeds = create_site(name="Leeds", timezone="Europe/London")
    program = create_program(name="Fire safety", sessions=(120, 120))
    learners = [
        create_learner(london, name=name, email=f"{address}@example.com")
        for name, address in (("Léa Martin", "lea"), ("Mo Haddad", "mo"), ("Zoe Price", "zoe"))
    ]
    sam = create_learner(leeds, name="Sam Ito", email="sam@example.com", timezone="Europe/Dublin")
    coordinator = create_user(Role.COORDINATOR, email="coord@example.com")
    objects = {
        "program": program,
        "london": create_cohort(program, london, learners=learners, key="fire-london"),
        "leeds": create_cohort(program, leeds, learners=[sam], key="fire-leeds"),
        "ana": create_facilitator(
            create_user(Role.FACILITATOR, name="Ana Duarte", email="ana@example.com"), london
        ),
        "ben": create_facilitator(
            create_user(Role.FACILITATOR, name="Ben Okafor", email="ben@example.com"),
            leeds,
            timezone="America/New_York",
        ),
        "thames": create_room(london, name="Thames room"),
        "aire": create_room(leeds, name="Aire room"),
        "learners": learners,
        "sam": sam,
    }
    period = PlanningPeriod(
        name="Spring", start=date(2027, 3, 15), end=date(2027, 4, 30), timezone="Europe/London"
    )
    db.session.add(period)
    db.session.commit()
    return World(period, coordinator, objects)


def first_plan(w: World) -> list[Planned]:
    return [
        Planned(
            "S1",
            w["program"],
            [(w["london"], 3)],
            [
                (utc(2027, 3, 16, 9), w["ana"], w["thames"]),
                (utc(2027, 3, 30, 8), w["ana"], w["thames"]),  # 09:00 BST
            ],
        ),
        Planned(
            "S2",
            w["program"],
            [(w["leeds"], 1)],
            [
                (utc(2027, 3, 17, 9), w["ben"], w["aire"]),
                (utc(2027, 3, 24, 9), w["ben"], w["aire"]),
            ],
        ),
    ]


def publish_plan(w: World, sections: list[Planned]):
    """Store ``sections`` as a draft and publish it (the invites are queued by the hook)."""
    draft = store_draft(w.period, sections)
    db.session.commit()
    publish(draft, w.coordinator)
    return draft


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))


def calendar_parts(row_or_text) -> list[tuple[str, bytes]]:
    """The (method, ics bytes) of every text/calendar part of an outbox message."""
    text = row_or_text if isinstance(row_or_text, str) else row_or_text.content
    message: Message = email.message_from_string(text)
    return [
        (part.get_param("method"), part.get_payload(decode=True))
        for part in message.walk()
        if part.get_content_type() == "text/calendar"
    ]


def check_calendar(data: bytes) -> icalendar.Calendar:
    """Assert ``data`` is a calendar every parser accepts and that follows our own rules."""
    calendar = icalendar.Calendar.from_ical(data)
    assert calendar.get("PRODID") and str(calendar.get("VERSION")) == "2.0"
    assert calendar.get("METHOD") in ("PUBLISH", "REQUEST", "CANCEL")
    zones = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    events = calendar.walk("VEVENT")
    for event in events:
        for name in ("UID", "DTSTAMP", "SEQUENCE", "LAST-MODIFIED", "SUMMARY", "ORGANIZER"):
            assert event.get(name) is not None, f"{name} missing"
        assert event.decoded("DTEND") > event.decoded("DTSTART")
        for name in ("DTSTART", "DTEND"):
            tzid = event[name].params.get("TZID")
            if tzid is not None:
                assert tzid in zones, f"{name} TZID={tzid} has no VTIMEZONE"
            else:
                assert event.decoded(name).utcoffset().total_seconds() == 0
        if calendar["METHOD"] == "CANCEL":
            assert event["STATUS"] == "CANCELLED"
        if calendar["METHOD"] in ("REQUEST", "CANCEL"):
            assert event.get("ATTENDEE") is not None
    # The `ical` package (Home Assistant's parser; strict on types, lenient on the rules above).
    parsed = IcsCalendarStream.calendar_from_ics(data.decode())
    assert len(parsed.events) == len(events)
    # libical (Evolution's parser), through GObject introspection in the system Python;
    # test_libical_is_available reports (as a skip) when it cannot be loaded here.
    if libical_available()[0]:
        check_with_libical(data, len(events))
    return calendar


def check_with_libical(data: bytes, events: int) -> None:
    result = subprocess.run(
        [_system_python(), str(LIBICAL_SCRIPT)], input=data, capture_output=True, timeout=60
    )
    assert result.returncode == 0, result.stderr.decode() + result.stdout.decode()
    report = json.loads(result.stdout)
    assert report["events"] == events, report
    assert report["errors"] == [], report


def _system_python() -> str:
    return "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable


@functools.cache
def libical_available() -> tuple[bool, str]:
    """Whether the system Python can load libical (Debian: gir1.2-ical-3.0 + python3-gi)."""
    try:
        result = subprocess.run(
            [_system_python(), str(LIBICAL_SCRIPT), "--probe"], capture_output=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, str(error)
    return result.returncode == 0, result.stderr.decode().strip()[-300:]
