"""A small published plan for the calendar tests, and the checks every produced calendar must
pass: three independent parsers plus the project's own rules.

The organisation: one two-session program, a London cohort of three learners taught by Ana
(London) and a Leeds cohort of one taught by Ben (Leeds; he lives in New York); the second
London session is on 30 March 2027, after the clocks go forward (28 March). The London site
has a street address, Leeds has none.
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
    london = create_site(
        name="London", timezone="Europe/London", address="1 Example Street, London EC1A 1AA"
    )
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


def check_calendar(data: bytes, *, plain: bool = False, libical: bool = True) -> icalendar.Calendar:
    """Assert ``data`` is a calendar every parser accepts and that follows our own rules; an
    iTIP message (REQUEST, CANCEL) also passes ``check_itip``. ``plain``: a calendar with no
    METHOD (a team's feed), which may name ATTENDEEs. ``libical=False`` leaves libical to a
    batch (``check_outbox``)."""
    calendar = icalendar.Calendar.from_ical(data)
    assert calendar.get("PRODID") and str(calendar.get("VERSION")) == "2.0"
    if plain:
        assert b"METHOD:" not in data
    else:
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
        assert event.decoded("LAST-MODIFIED") <= event.decoded("DTSTAMP")
        if calendar.get("METHOD") == "PUBLISH":
            assert event.get("ATTENDEE") is None, "RFC 5546: no ATTENDEE in a PUBLISH"
    if calendar.get("METHOD") in ("REQUEST", "CANCEL"):
        check_itip(calendar, data)
    # The `ical` package (Home Assistant's parser; strict on types, lenient on the rules above).
    parsed = IcsCalendarStream.calendar_from_ics(data.decode())
    assert len(parsed.events) == len(events)
    # libical (Evolution's parser), through GObject introspection in the system Python;
    # test_libical_is_available reports (as a skip) when it cannot be loaded here.
    if libical and libical_available()[0]:
        check_with_libical(data, len(events))
    return calendar


def check_itip(calendar: icalendar.Calendar, data: bytes) -> None:
    """The RFC 5546 rules that Outlook, Gmail and Apple Calendar act on: one METHOD, one UID per
    message, ORGANIZER, DTSTAMP and SEQUENCE on each event, ATTENDEEs, RSVP asked only in a
    REQUEST, and a CANCEL that says CANCELLED and rings no alarm."""
    assert data.count(b"\r\nMETHOD:") == 1, "one METHOD"
    method = str(calendar["METHOD"])
    events = calendar.walk("VEVENT")
    assert events, "an iTIP message with no event"
    uids = {str(event["UID"]) for event in events}
    assert len(uids) == 1, f"{method} with {len(uids)} UIDs: {sorted(uids)}"
    for event in events:
        for name in ("UID", "SEQUENCE", "DTSTAMP", "ORGANIZER"):
            assert event.get(name) is not None, f"{name} missing in a {method}"
        assert attendees_of(event), f"no ATTENDEE in a {method}"
        if method == "CANCEL":
            assert event["STATUS"] == "CANCELLED"
            assert not event.walk("VALARM"), "an alarm on a cancelled event"
            for attendee in attendees_of(event):
                assert "RSVP" not in attendee.params, "RSVP asked in a CANCEL"
        else:
            assert event["STATUS"] == "CONFIRMED"


def attendees_of(event) -> list:
    found = event.get("ATTENDEE")
    if found is None:
        return []
    return list(found) if isinstance(found, list) else [found]


def check_message(row_or_text, *, libical: bool = True) -> list[icalendar.Calendar]:
    """Check every calendar of an outbox message (inline part and attachment): each passes
    ``check_calendar``, the part's ``method=`` is the calendar's METHOD, and both are the same
    calendar. Returns the parsed calendars (none for a plain message)."""
    return [calendar for _, calendar in _checked_parts(row_or_text, libical)]


def _checked_parts(row_or_text, libical: bool) -> list[tuple[bytes, icalendar.Calendar]]:
    text = row_or_text if isinstance(row_or_text, str) else row_or_text.content
    message: Message = email.message_from_string(text)
    inline = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    attached = [p for p in message.walk() if p.get_content_type() == "application/ics"]
    assert len(inline) == len(attached) <= 1
    calendars = []
    for part in inline:
        data = part.get_payload(decode=True)
        calendar = check_calendar(data, libical=libical)
        assert part.get_param("method") == calendar["METHOD"]
        assert attached[0].get_payload(decode=True) == data
        calendars.append((data, calendar))
    return calendars


def check_outbox(rows) -> dict[str, int]:
    """Check every message of ``rows`` with ``check_message``, libical in one process for all;
    return how many messages of each METHOD ("" for plain mail) there were."""
    counted: dict[str, int] = {}
    documents, sizes = [], []
    for row in rows:
        parts = _checked_parts(row, libical=False)
        method = str(parts[0][1]["METHOD"]) if parts else ""
        counted[method] = counted.get(method, 0) + 1
        for data, calendar in parts:
            documents.append(data.decode())
            sizes.append(len(calendar.walk("VEVENT")))
    if documents and libical_available()[0]:
        result = subprocess.run(
            [_system_python(), str(LIBICAL_SCRIPT), "--many"],
            input=json.dumps(documents).encode(),
            capture_output=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr.decode()
        for report, size in zip(json.loads(result.stdout), sizes, strict=True):
            assert report == {"events": size, "errors": []}, report
    return counted


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
