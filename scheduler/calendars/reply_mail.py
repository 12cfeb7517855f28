"""What an iMIP message in the organiser's mailbox says: one attendee's answer to one invitation.

Clients wrap the same iTIP calendar differently: Outlook sends a multipart/alternative whose
last part is ``text/calendar; method=REPLY``, Gmail adds the same calendar as an ``invite.ics``
attachment (``application/ics``), Apple Calendar sends a ``text/calendar`` part (sometimes
labelled ``application/octet-stream`` with an ``.ics`` name). The first part that parses as a
calendar with a METHOD is the message's; anything else is ``NotAReply`` with the reason, so
the reader can file it for a person to look at.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from email.message import Message
from email.utils import getaddresses

import icalendar

#: What RFC 5546 lets an attendee send the organiser: an answer, or a proposed new time.
REPLY = "REPLY"
COUNTER = "COUNTER"
#: Content types a calendar may come in; other parts count only with an ``.ics`` file name.
CALENDAR_TYPES = ("text/calendar", "application/ics", "text/x-vcalendar")


class NotAReply(ValueError):
    """A message that is not a readable iMIP REPLY or COUNTER (the text says why)."""


@dataclass(frozen=True)
class ReplyMessage:
    """One attendee's iMIP message about one invitation."""

    method: str  # REPLY or COUNTER
    uid: str
    attendee: str  # the ATTENDEE's address, lower case, without "mailto:"
    partstat: str  # the ATTENDEE's PARTSTAT, upper case ("" when none was given)
    sequence: int | None  # the SEQUENCE answered; None when the client left it out
    sender: str  # the From address, lower case ("" when there is none)


def parse_reply(raw: bytes) -> ReplyMessage:
    """Read ``raw`` (a whole RFC 5322 message) as an iMIP REPLY or COUNTER; raise ``NotAReply``
    when it is not one (no calendar, another METHOD, no UID or no single ATTENDEE)."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    calendar = _calendar_of(message)
    method = str(calendar.get("METHOD", "")).strip().upper()
    if method not in (REPLY, COUNTER):
        raise NotAReply(f"the calendar's METHOD is {method or 'missing'}, not REPLY or COUNTER")
    event = _event_of(calendar)
    sender = _sender(message)
    attendee = _attendee_of(event, sender)
    address = _address(attendee)
    if not address:
        raise NotAReply("the ATTENDEE has no e-mail address")
    return ReplyMessage(
        method=method,
        uid=str(event["UID"]).strip(),
        attendee=address,
        partstat=str(attendee.params.get("PARTSTAT", "")).strip().upper(),
        sequence=_sequence(event),
        sender=sender,
    )


def _calendar_of(message: Message) -> icalendar.Calendar:
    errors = []
    for part in message.walk():
        if part.is_multipart() or not _is_calendar(part):
            continue
        data = part.get_payload(decode=True)
        if not data:
            continue
        try:
            calendar = icalendar.Calendar.from_ical(data)
        except ValueError as error:
            errors.append(str(error))
            continue
        if calendar.get("METHOD") is not None:
            return calendar
    if errors:
        raise NotAReply(f"the calendar could not be read ({errors[0][:200]})")
    raise NotAReply("no calendar with a METHOD in the message")


def _is_calendar(part: Message) -> bool:
    if part.get_content_type() in CALENDAR_TYPES:
        return True
    name = part.get_filename() or part.get_param("name") or ""
    return isinstance(name, str) and name.lower().endswith(".ics")


def _event_of(calendar: icalendar.Calendar):
    """The event answered: a reply about one occurrence (RECURRENCE-ID) is about the same
    invitation, but the master is preferred when both are there."""
    events = calendar.walk("VEVENT")
    if not events:
        raise NotAReply("the calendar has no VEVENT")
    uids = {str(event.get("UID", "")).strip() for event in events}
    if len(uids) != 1 or not next(iter(uids)):
        raise NotAReply("the calendar does not name exactly one UID")
    masters = [event for event in events if event.get("RECURRENCE-ID") is None]
    return (masters or events)[0]


def _attendee_of(event, sender: str):
    """The one ATTENDEE who answers. RFC 5546 puts exactly one in a REPLY; some clients copy
    the whole list, and then the sender's own entry is the answer."""
    found = event.get("ATTENDEE")
    attendees = found if isinstance(found, list) else [found] if found is not None else []
    if len(attendees) == 1:
        return attendees[0]
    own = [attendee for attendee in attendees if _address(attendee) == sender]
    if len(own) == 1:
        return own[0]
    raise NotAReply(f"the event names {len(attendees)} ATTENDEEs and none is the sender alone")


def _address(attendee) -> str:
    """``mailto:Lea@Example.com`` -> ``lea@example.com``; Apple writes ``MAILTO:``, and some
    clients put the address only in an EMAIL parameter."""
    value = str(attendee).strip()
    if value.lower().startswith("mailto:"):
        value = value[len("mailto:") :]
    elif "@" not in value:
        value = str(attendee.params.get("EMAIL", ""))
    return value.strip().lower()


def _sequence(event) -> int | None:
    value = event.get("SEQUENCE")
    if value is None:
        return None
    try:
        return int(str(value).strip())
    except ValueError as error:
        raise NotAReply(f"SEQUENCE is not a number ({str(value)[:40]!r})") from error


def _sender(message: Message) -> str:
    addresses = [address for _, address in getaddresses(message.get_all("From", []))]
    return addresses[0].strip().lower() if len(addresses) == 1 else ""
