"""iCalendar documents (RFC 5545) of published sessions, and the iTIP methods (RFC 5546).

Every event names its session by the session's ``uid`` (the same in every version of the plan)
and carries its SEQUENCE, so a calendar client updates the event in place when it moves. Times
are written in one zone (the reader's), with that zone's VTIMEZONE, so a session after a
daylight-saving change keeps its wall-clock time in every client.

An iTIP message (METHOD REQUEST or CANCEL) describes exactly one UID: RFC 5546 requires it, and
Outlook, Gmail and Alpine act on the first event only, so ``calendar_bytes`` refuses more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vCalAddress

from scheduler.database import utcnow
from scheduler.text import printable

PRODID = "-//Cohort scheduler//Calendar//EN"
#: The methods of an iTIP message: one UID each, with ATTENDEEs.
ITIP_METHODS = ("REQUEST", "CANCEL")


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
    alarm_minutes: int = 0  # a display alarm this long before the start; 0: none
    transparent: bool = False  # shown as free time (follow-up steps), not busy
    url: str = ""  # the joining link of a virtual session (URL and CONFERENCE, RFC 7986)


def calendar_bytes(
    events: Iterable[CalendarEvent],
    *,
    zone: str,
    method: str | None = "PUBLISH",
    organizer: Person,
    name: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """An iCalendar document of ``events`` in ``zone`` with each zone's VTIMEZONE.

    ``method`` is PUBLISH for downloads and feeds (no ATTENDEE, as RFC 5546 requires),
    REQUEST for an invitation and CANCEL for a withdrawn one (with ATTENDEE, one UID), or None
    for a plain calendar that is no iTIP message (a team's feed, which names its attendees).
    """
    events = list(events)
    if method in ITIP_METHODS and len({item.uid for item in events}) != 1:
        raise ValueError(f"an iTIP {method} describes exactly one UID, not {len(events)} events")
    stamp = now or utcnow()
    tz = ZoneInfo(zone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", text(name))
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


def text(value: str, *, lines: bool = False) -> str:
    """The one place where words (names, titles, rooms, addresses) enter a calendar: every
    SUMMARY, LOCATION, DESCRIPTION, CN and calendar name passes through here. Names come from
    the database; one with a line break or other control character must not break the calendar
    (icalendar refuses it), so they are made printable (``lines``: a DESCRIPTION keeps its breaks)."""
    return printable(value, lines=lines)


def _event(
    item: CalendarEvent, tz: ZoneInfo, method: str | None, organizer: Person, stamp
) -> Event:
    cancelled = item.cancelled or method == "CANCEL"
    event = Event()
    event.add("uid", item.uid)
    event.add("sequence", item.sequence)
    event.add("dtstamp", stamp)
    # A version published "later" than this document (clock skew, a step dated ahead) would
    # make LAST-MODIFIED lie after DTSTAMP, which strict clients reject.
    event.add("last-modified", min(item.last_modified, stamp))
    event.add("dtstart", item.start.astimezone(tz))
    event.add("dtend", item.end.astimezone(tz))
    event.add("summary", text(item.summary))
    event.add("location", text(item.location))
    event.add("description", text(item.description, lines=True))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if item.transparent else "OPAQUE")
    event.add("organizer", _address(organizer))
    if item.url:
        event.add("url", item.url)
        conference = {"VALUE": "URI", "FEATURE": ["AUDIO", "VIDEO"], "LABEL": "Join online"}
        event.add("conference", item.url, parameters=conference)
    if method != "PUBLISH":
        for person in item.attendees:
            event.add("attendee", _attendee(person, method))
    if item.alarm_minutes > 0 and not cancelled:
        event.add_component(_alarm(item))
    return event


def _alarm(item: CalendarEvent) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text(item.summary))
    alarm.add("trigger", timedelta(minutes=-item.alarm_minutes))
    return alarm


def _address(person: Person) -> vCalAddress:
    address = vCalAddress(f"mailto:{text(person.email)}")
    address.params["CN"] = text(person.name)
    return address


def _attendee(person: Person, method: str | None) -> vCalAddress:
    """An ATTENDEE: asked to answer (``RSVP=TRUE``) only in a REQUEST; a CANCEL or a plain
    calendar only names them."""
    address = _address(person)
    address.params["ROLE"] = person.role
    if method == "REQUEST":
        address.params["PARTSTAT"] = "NEEDS-ACTION"
        address.params["RSVP"] = "TRUE"
    return address
