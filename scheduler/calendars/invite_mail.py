"""The e-mails of invitations: one iTIP message per session, and a plain summary beside them.

RFC 5546 makes every iTIP message describe one UID, and Outlook, Gmail and Alpine read only the
first event of a message, so each session a person is invited to, updated about or withdrawn
from is a message of its own. When one publish sends someone several, a plain summary (no
calendar) lists them all with local times and zone, so the inbox makes sense at a glance.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from scheduler.calendars.ics import CalendarEvent, Person, calendar_bytes
from scheduler.mail.compose import compose
from scheduler.mail.operations import queue_message


class Change(enum.StrEnum):
    """Why a person gets a message about a session."""

    NEW = "Invitation"  # never invited, or invited again after a cancellation
    UPDATE = "Updated"  # the time, room or facilitator they were sent changed
    CANCEL = "Cancelled"  # they no longer attend it


@dataclass
class Notice:
    """One iTIP message to send: its event and, for an update, what changed in words."""

    change: Change
    event: CalendarEvent
    changes: list[str] = field(default_factory=list)
    # The person's answer page ("I'll be there" / "I can't make it"), on a REQUEST.
    answer_link: str = ""

    @property
    def method(self) -> str:
        return "CANCEL" if self.change == Change.CANCEL else "REQUEST"


@dataclass(frozen=True)
class Shown:
    """What a person's calendar shows of a session: to say later what changed."""

    start: datetime
    end: datetime
    location: str
    facilitator: str


def changes_between(before: Shown, after: Shown, zone: str) -> list[str]:
    """What changed from ``before`` to ``after`` in words, times in ``zone``:
    "moved from Mon 7 Dec 09:00 to Wed 9 Dec 12:00 (Europe/Paris)", "new room: ...",
    "new facilitator: ..."."""
    found = []
    if before.start != after.start:
        found.append(f"moved from {moment(before.start, zone)} to {moment(after.start, zone)}")
        if after.end - after.start != before.end - before.start:
            found[-1] += f", now until {clock(after.end, zone)}"
        found[-1] += f" ({zone})"
    elif before.end != after.end:
        found.append(
            f"now ends at {clock(after.end, zone)} instead of {clock(before.end, zone)} ({zone})"
        )
    if before.location != after.location:
        noun = "place" if after.location == "Online" or before.location == "Online" else "room"
        found.append(f"new {noun}: {after.location}")
    if before.facilitator != after.facilitator:
        found.append(f"new facilitator: {after.facilitator or 'to be confirmed'}")
    return found or ["details updated"]


def moment(instant: datetime, zone: str) -> str:
    """``instant`` as a reader says it: "Mon 7 Dec 09:00" in ``zone``."""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def clock(instant: datetime, zone: str) -> str:
    return f"{instant.astimezone(ZoneInfo(zone)):%H:%M}"


def when(event: CalendarEvent, zone: str) -> str:
    """ "Tue 16 Mar 2027 09:00-11:00 GMT (Europe/London)": the zone's abbreviation shows which
    side of a daylight-saving change it is, its name where it is."""
    local = event.start.astimezone(ZoneInfo(zone))
    return (
        f"{local:%a} {local.day} {local:%b %Y %H:%M}-{clock(event.end, zone)} "
        f"{local.tzname()} ({zone})"
    )


def queue_notices(
    *,
    email: str,
    name: str,
    zone: str,
    period_name: str,
    notices: list[Notice],
    organizer: Person,
    now: datetime,
) -> int:
    """Queue one message per notice (sessions in time order) and, when there are several, a
    plain summary first; return the number of messages queued."""
    notices = sorted(notices, key=lambda n: (n.event.start, n.event.uid))
    count = 0
    if len(notices) > 1:
        subject = f"Your training in {period_name}: {_counts(notices)}"
        queue_message(compose(email, subject, summary_text(name, period_name, notices, zone)))
        count += 1
    for notice in notices:
        ics = calendar_bytes(
            [notice.event], zone=zone, method=notice.method, organizer=organizer, now=now
        )
        subject = notice_subject(notice, zone)
        body = notice_text(name, notice, zone)
        queue_message(compose(email, subject, body, calendar=ics, method=notice.method))
        count += 1
    return count


def notice_subject(notice: Notice, zone: str) -> str:
    """The subject of the message about one session ("Updated: Fire safety, now 9 March ...")."""
    return f"{notice.change}: {notice.event.summary}, {_subject_time(notice, zone)}"


def _subject_time(notice: Notice, zone: str) -> str:
    local = notice.event.start.astimezone(ZoneInfo(zone))
    prefix = "now " if notice.change == Change.UPDATE else ""
    return f"{prefix}{moment(notice.event.start, zone)} {local.tzname()}"


def _counts(notices: list[Notice]) -> str:
    words = {Change.NEW: "new", Change.UPDATE: "changed", Change.CANCEL: "cancelled"}
    counted = [
        f"{sum(n.change == change for n in notices)} {word}"
        for change, word in words.items()
        if any(n.change == change for n in notices)
    ]
    return ", ".join(counted) + " session" + ("s" if len(notices) > 1 else "")


def notice_text(name: str, notice: Notice, zone: str) -> str:
    """The plain-text part of one invitation, update or cancellation."""
    event = notice.event
    opening = {
        Change.NEW: f"You are invited to {event.summary}.",
        Change.UPDATE: f"{event.summary} has changed: {'; '.join(notice.changes)}.",
        Change.CANCEL: f"{event.summary} is no longer in your schedule; it is cancelled for you.",
    }[notice.change]
    lines = [f"Hello {name},", "", opening, "", f"When: {when(event, zone)}"]
    lines.append(f"Where: {event.location}")
    if notice.change == Change.CANCEL:
        lines += ["", "Your calendar app removes it with the attached cancellation."]
    else:
        lines += ["", "Your calendar app shows the attached invitation; it updates in place."]
    if notice.answer_link:
        lines += ["", *answer_lines(notice.answer_link)]
    return "\n".join(lines) + "\n"


def answer_lines(link: str) -> list[str]:
    """How to answer by link, for mail clients that do not send calendar replies."""
    return [
        "Will you be there? Answer here (no password needed; these links are yours alone):",
        f"I'll be there: {link}/yes",
        f"I can't make it: {link}/no",
    ]


def summary_text(name: str, period_name: str, notices: list[Notice], zone: str) -> str:
    """The plain summary sent beside several notices: every session, with what happened."""
    opening = (
        f"You are invited to {len(notices)} training sessions in {period_name}."
        if all(n.change == Change.NEW for n in notices)
        else f"Your training sessions in {period_name} changed."
    )
    lines = [
        f"Hello {name},",
        "",
        f"{opening} Each one below comes in its own e-mail with a calendar invitation (or "
        "cancellation) for your calendar app; this one has none.",
    ]
    for change, heading in (
        (Change.NEW, "New"),
        (Change.UPDATE, "Changed"),
        (Change.CANCEL, "Cancelled"),
    ):
        shown = [n for n in notices if n.change == change]
        if not shown:
            continue
        lines += ["", f"{heading}:"]
        for notice in shown:
            lines.append(f"- {notice.event.summary}: {when(notice.event, zone)}")
            lines.append(f"  {notice.event.location}")
            if notice.changes:
                lines.append(f"  {'; '.join(notice.changes)}")
    lines += ["", f"Times are in your time zone, {zone}."]
    return "\n".join(lines) + "\n"
