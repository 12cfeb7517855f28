"""iCalendar documents (RFC 5545) of published sessions, and the iTIP methods (RFC 5546).

Every event names its session by the session's ``uid`` (the same in every version of the plan)
and carries its SEQUENCE, so a calendar client updates the event in place when it moves. Times
are written in one zone (the reader's), with that zone's VTIMEZONE, so a session after a
daylight-saving change keeps its wall-clock time in every client.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress

from scheduler.database import utcnow
from scheduler.text import printable

PRODID = "-//Cohort scheduler//Calendar//EN"


@dataclass(frozen=True)
class Person:
    """An organizer or attendee: an address and a display name."""

    email: str
    name: str
    role: str = "REQ-PARTICIPANT"  # CHAIR for the facilitator


@dataclass(frozen=True)
class CalendarEvent:
    """What a calendar shows of one session (built from the rows by ``util.event_of``)."""

    uid: str
    sequence: int
    start: datetime  # UTC, aware
    end: datetime
    summary: str
    location: str
    description: str
    last_modified: datetime
    cancelled: bool = False
    attendees: tuple[Person, ...] = field(default=())


def calendar_bytes(
    events: Iterable[CalendarEvent],
    *,
    zone: str,
    method: str = "PUBLISH",
    organizer: Person,
    name: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """An iCalendar document of ``events`` in ``zone`` with each zone's VTIMEZONE.

    ``method`` is PUBLISH for downloads and feeds (no ATTENDEE, as RFC 5546 requires),
    REQUEST for invitations and CANCEL for withdrawn ones (with ATTENDEE).
    """
    events = list(events)
    stamp = now or utcnow()
    tz = ZoneInfo(zone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", printable(name))
        calendar.add("x-wr-timezone", zone)
    for item in events:
        calendar.add_component(_event(item, tz, method, organizer, stamp))
    document = calendar.to_ical()
    if not events:
        return document
    first = min(item.start for item in events).astimezone(tz).year
    last = max(item.end for item in events).astimezone(tz).year
    # The VTIMEZONE goes in before the first event, which is where clients expect it.
    at = document.index(b"BEGIN:VEVENT\r\n")
    return document[:at] + vtimezone(zone, first, last) + document[at:]


@lru_cache(maxsize=128)
def vtimezone(zone: str, first_year: int, last_year: int) -> bytes:
    """The VTIMEZONE of ``zone`` with its transitions from the year before ``first_year`` to the
    year after ``last_year`` (empty for UTC, which needs none).

    Computing and writing it is most of the cost of an invitation (a publish writes thousands),
    and it is the same text for every calendar in that zone and years, hence the cache.
    """
    calendar = Calendar()
    event = Event()
    event.add("dtstart", datetime(first_year, 7, 1, 12, tzinfo=ZoneInfo(zone)))
    calendar.add_component(event)
    calendar.add_missing_timezones(date(first_year - 1, 1, 1), date(last_year + 2, 1, 1))
    return b"".join(component.to_ical() for component in calendar.walk("VTIMEZONE"))


def _event(item: CalendarEvent, tz: ZoneInfo, method: str, organizer: Person, stamp) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("sequence", item.sequence)
    event.add("dtstamp", stamp)
    event.add("last-modified", item.last_modified)
    event.add("dtstart", item.start.astimezone(tz))
    event.add("dtend", item.end.astimezone(tz))
    # Names come from the database; one with a line break must not break the whole calendar.
    event.add("summary", printable(item.summary))
    event.add("location", printable(item.location))
    event.add("description", printable(item.description, lines=True))
    event.add("status", "CANCELLED" if item.cancelled or method == "CANCEL" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(organizer, organizer=True))
    if method in ("REQUEST", "CANCEL"):
        for person in item.attendees:
            event.add("attendee", _address(person))
    return event


def _address(person: Person, organizer: bool = False) -> vCalAddress:
    address = vCalAddress(f"mailto:{printable(person.email)}")
    address.params["CN"] = printable(person.name)
    if not organizer:
        address.params["ROLE"] = person.role
        address.params["PARTSTAT"] = "NEEDS-ACTION"
        address.params["RSVP"] = "TRUE"
    return address
