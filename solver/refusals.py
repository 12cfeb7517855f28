"""Why a move is refused, in the coordinator's words.

The checker speaks to engineers: a violation sits at the path of one session of a clashing pair
(``sections[3].sessions[1]``) and names the other in its message, ids throughout, sessions from 0.
A coordinator who moved a session needs to read what is **in the way**: the other session (its
program's name, section, session number from 1 and local time with the zone), the facilitator's
or room's name, the cohort's dates. One function per rule turns a violation into that sentence,
given the moved documents and which session was moved.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from solver.localtime import to_local
from solver.schedule import parse_utc
from solver.scheduled import Violation

_SESSION = re.compile(r"sections\[(\d+)\]\.sessions\[(\d+)\]")


@dataclass(frozen=True)
class SessionRef:
    """One session of the moved schedule, with what it takes to name it."""

    section: dict
    session: dict

    @property
    def key(self) -> tuple[str, int]:
        return self.section["id"], self.session["index"]


class Wording:
    """The moved documents, read once, and how to name what they contain."""

    def __init__(self, problem: dict, schedule: dict, moved: tuple[str, int]):
        self.problem, self.schedule, self.moved = problem, schedule, moved
        self.zone = problem.get("timezone", "UTC")
        self.by_id = {
            kind: {entry.get("id"): entry for entry in problem.get(kind) or []}
            for kind in ("programs", "facilitators", "rooms", "cohorts")
        }

    def name(self, kind: str, key: str | None) -> str:
        """A facilitator's, room's, program's or cohort's name (its key when it has none)."""
        entry = self.by_id[kind].get(key) or {}
        return str(entry.get("name") or key or "nobody")

    def refs(self, violation: Violation) -> list[SessionRef]:
        """The sessions a violation mentions: its path's first, then its message's."""
        out = []
        for match in _SESSION.finditer(f"{violation['path']} {violation['message']}"):
            section, session = int(match[1]), int(match[2])
            sections = self.schedule.get("sections") or []
            if section < len(sections) and session < len(sections[section].get("sessions", [])):
                ref = SessionRef(sections[section], sections[section]["sessions"][session])
                if ref not in out:
                    out.append(ref)
        return out

    def in_the_way(self, violation: Violation) -> SessionRef | None:
        """The mentioned session that is not the moved one (None when only the moved one is)."""
        return next((r for r in self.refs(violation) if r.key != self.moved), None)

    def subject(self, violation: Violation) -> SessionRef | None:
        """The moved session when the violation mentions it, else the first one it mentions."""
        refs = self.refs(violation)
        return next((r for r in refs if r.key == self.moved), refs[0] if refs else None)

    def when(self, ref: SessionRef, zone: str | None = None) -> str:
        """The session's local day and times with the zone named (see ``span``)."""
        return span(
            parse_utc(ref.session["start"]), parse_utc(ref.session["end"]), zone or self.zone
        )

    def session_words(self, ref: SessionRef) -> str:
        """The session as people know it: "Till basics section S3, session 2, Tue 8 Dec
        09:00–12:00 (Europe/Paris)"."""
        program = self.name("programs", ref.section.get("program"))
        return (
            f"{program} section {ref.section['id']}, session {ref.session['index'] + 1}, "
            f"{self.when(ref)}"
        )

    def cohorts_of(self, ref: SessionRef | None) -> list[str]:
        return [part["cohort"] for part in (ref.section.get("cohorts") if ref else None) or []]


def span(start: datetime, end: datetime, zone: str) -> str:
    """A local day and time range with its zone: "Tue 8 Dec 09:00–12:00 (Europe/Paris)"."""
    first, last = to_local(start, zone), to_local(end, zone)
    day = f"{first:%a} {first.day} {first:%b}"
    until = (
        f"{last:%H:%M}"
        if last.date() == first.date()
        else f"{last:%a} {last.day} {last:%b} {last:%H:%M}"
    )
    return f"{day} {first:%H:%M}–{until} ({zone})"


def refusals(
    problem: dict, schedule: dict, violations: list[Violation], moved: tuple[str, int]
) -> list[str]:
    """One sentence per distinct reason the moved ``schedule`` is refused, in rule order.

    ``problem`` and ``schedule`` are the moved documents (``solver.moves.moved_documents``),
    ``moved`` the (section id, session index from 0) that was moved."""
    words = Wording(problem, schedule, moved)
    out: list[str] = []
    for violation in violations:
        sentence = WORDING.get(violation["rule"], _other)(words, violation)
        if sentence not in out:
            out.append(sentence)
    return out


def problem_refusals(errors: list[dict]) -> list[str]:
    """Errors of the problem with the moved session fixed: only the new placement causes them."""
    return [f"This change is not possible: {_plain(error['message'])}." for error in errors]


#: The validator's words for engineers, and the coordinator's.
_PLAIN = (("the horizon", "the planning period"), ("slot grid", "grid of start times"))


def _plain(message: str) -> str:
    message = _unpathed(message)
    for engineer, coordinator in _PLAIN:
        message = message.replace(engineer, coordinator)
    return message


# --- one function per rule ----------------------------------------------------------------------


def facilitator_double_booked(w: Wording, v: Violation) -> str:
    """The facilitator teaches another session then, or too close to it for their break."""
    subject, other = w.subject(v), w.in_the_way(v)
    key = (subject.session.get("facilitator") if subject else None) or ""
    person = w.name("facilitators", key)
    buffer = (w.by_id["facilitators"].get(key) or {}).get("buffer_minutes") or 0
    rest = f" (and needs {buffer} minutes between sessions)" if buffer else ""
    if other is None:
        return f"{person} is already teaching then{rest}."
    return f"{person} is teaching {w.session_words(other)}{rest}."


def room_double_booked(w: Wording, v: Violation) -> str:
    """The room holds another session then."""
    subject, other = w.subject(v), w.in_the_way(v)
    room = w.name("rooms", subject.session.get("room") if subject else None)
    if other is None:
        return f"Room {room} is already booked then."
    return f"Room {room} is taken by {w.session_words(other)}."


def learner_conflict(w: Wording, v: Violation) -> str:
    """Learners of the section (shared learners or a conflict group) are in another session."""
    other = w.in_the_way(v)
    if other is None:
        return "Some of the learners have another session then."
    cohorts = ", ".join(w.name("cohorts", c) for c in w.cohorts_of(other))
    return f"Some of the learners are also in cohort {cohorts}, which has {w.session_words(other)}."


def facilitator_unavailable(w: Wording, v: Violation) -> str:
    """The facilitator's availability does not cover the session, in their own zone."""
    subject = w.subject(v)
    key = subject.session.get("facilitator") if subject else None
    zone = (w.by_id["facilitators"].get(key) or {}).get("timezone")
    when = w.when(subject, zone) if subject else "then"
    return f"{w.name('facilitators', key)} is not available {when}."


def room_unavailable(w: Wording, v: Violation) -> str:
    """The room's availability (closures and holidays included) does not cover the session."""
    subject = w.subject(v)
    key = subject.session.get("room") if subject else None
    entry = w.by_id["rooms"].get(key) or {}
    if subject is None:
        return f"Room {w.name('rooms', key)} is not available then."
    zone = entry.get("timezone") or w.zone
    day = to_local(parse_utc(subject.session["start"]), zone).date().isoformat()
    closed = (entry.get("x-closed-days") or {}).get(day)
    because = f" (closed: {closed})" if closed else ""
    return f"Room {w.name('rooms', key)} is not available {w.when(subject, zone)}{because}."


def facilitator_daily_maximum(w: Wording, v: Violation) -> str:
    """The facilitator would teach more minutes in a day than their maximum."""
    subject = w.subject(v)
    key = subject.session.get("facilitator") if subject else None
    found = re.search(r"teaches (\d+) minutes on (\S+) \(([^)]+)\), more than (\d+)", v["message"])
    if found is None:
        return f"{w.name('facilitators', key)} would teach more than their daily maximum."
    day = datetime.fromisoformat(found[2])
    return (
        f"{w.name('facilitators', key)} would teach {found[1]} minutes on "
        f"{day:%a} {day.day} {day:%b}, more than their daily maximum of {found[4]}."
    )


def facilitator_skill(w: Wording, v: Violation) -> str:
    """The facilitator does not list the program's skill."""
    subject = w.subject(v)
    key = subject.session.get("facilitator") if subject else None
    program = w.by_id["programs"].get(subject.section.get("program") if subject else None) or {}
    return (
        f"{w.name('facilitators', key)} does not teach {program.get('name', 'this program')} "
        f"(it needs the skill {program.get('skill')!r})."
    )


def same_facilitator(w: Wording, v: Violation) -> str:
    """The program keeps one facilitator for all the sessions of a section."""
    subject = w.subject(v)
    if subject is None:
        return "This program keeps one facilitator for all the sessions of a section."
    others = [
        s for s in subject.section["sessions"] if (subject.section["id"], s["index"]) != w.moved
    ]
    program = w.name("programs", subject.section.get("program"))
    if not others:
        return f"{program} keeps one facilitator for all the sessions of a section."
    other = others[0]
    return (
        f"{program} keeps one facilitator for all the sessions of a section: "
        f"{w.name('facilitators', other.get('facilitator'))} teaches session "
        f"{other['index'] + 1} of section {subject.section['id']}."
    )


def room_capacity(w: Wording, v: Violation) -> str:
    """The room seats fewer than the section's learners."""
    subject = w.subject(v)
    key = subject.session.get("room") if subject else None
    seats = (w.by_id["rooms"].get(key) or {}).get("capacity")
    learners = (
        sum(p.get("learners", 0) for p in subject.section.get("cohorts") or []) if subject else 0
    )
    return f"Room {w.name('rooms', key)} seats {seats}; the section has {learners} learners."


def room_site(w: Wording, v: Violation) -> str:
    """The room is not where the section's learners are."""
    subject = w.subject(v)
    key = subject.session.get("room") if subject else None
    return f"Room {w.name('rooms', key)} is not at the learners' site."


def cohort_rule(sentence: str) -> Callable[[Wording, Violation], str]:
    """A rule about one of the section's cohorts: ``sentence`` with {when} and {cohort}."""

    def word(w: Wording, v: Violation) -> str:
        subject = w.subject(v)
        found = re.search(r"cohort '([^']+)'", v["message"])
        cohort = w.by_id["cohorts"].get(found[1] if found else None) or {}
        dates = f"{cohort.get('earliest', 'the start')} to {cohort.get('deadline', 'the end')}"
        return sentence.format(
            when=w.when(subject, cohort.get("timezone")) if subject else "Then",
            cohort=w.name("cohorts", found[1] if found else None),
            dates=dates,
        )

    return word


def _neighbour(w: Wording, v: Violation) -> SessionRef | None:
    """For the spacing rules (at the later session's path, the earlier one named by its index
    in the message): whichever of the two sessions is not the moved one."""
    later = w.subject(v)
    found = re.search(r"session (\d+)", v["message"].split(" starts ")[-1].split(" days ")[-1])
    if later is None or found is None:
        return None
    if later.key != w.moved:
        return later
    earlier = [s for s in later.section["sessions"] if s.get("index") == int(found[1])]
    return SessionRef(later.section, earlier[0]) if earlier else None


def gap_days(w: Wording, v: Violation) -> str:
    """Consecutive sessions of a section keep the program's spacing in days."""
    other = _neighbour(w, v)
    found = re.search(r"(-?\d+) days after .* needs (\d+) to (\d+)", v["message"])
    if other is None or found is None:
        return "The days between this session and the one before or after it break the program's spacing."
    return (
        f"Session {other.session['index'] + 1} of this section is {w.when(other)}: "
        f"the program needs {found[2]} to {found[3]} days between sessions, this would be "
        f"{abs(int(found[1]))}."
    )


def session_order(w: Wording, v: Violation) -> str:
    """A section's sessions stay in order, each starting after the previous one ends."""
    other = _neighbour(w, v)
    if other is None:
        return "Sessions must stay in order: one would start before the previous one ends."
    return (
        f"Sessions must stay in order: session {other.session['index'] + 1} of this section is "
        f"{w.when(other)}."
    )


def horizon(w: Wording, v: Violation) -> str:
    """Sessions stay within the planning period."""
    subject = w.subject(v)
    when = w.when(subject) if subject else "It"
    period = w.problem.get("horizon", {})
    return f"{when} is outside the planning period ({period.get('start')} to {period.get('end')})."


def slot_grid(w: Wording, v: Violation) -> str:
    """Sessions start on the period's grid of start times."""
    minutes = w.problem.get("slot_minutes", 30)
    return f"Start times must be on the period's {minutes}-minute grid of start times."


def fixed_session(w: Wording, v: Violation) -> str:
    """Pinned and locked sessions stay where they are."""
    other = w.in_the_way(v)
    if other is None:
        return "It would change a pinned or locked session."
    return f"{w.session_words(other)} is pinned or locked and would change."


def _fixed_words(text: str) -> Callable[[Wording, Violation], str]:
    return lambda w, v: text


def _other(w: Wording, v: Violation) -> str:
    return f"Not allowed: {_unpathed(v['message'])}."


def _unpathed(message: str) -> str:
    """A checker message with its session paths counted from 1."""
    return _SESSION.sub(lambda m: f"section {int(m[1]) + 1} session {int(m[2]) + 1}", message)


WORDING: dict[str, Callable[[Wording, Violation], str]] = {
    "facilitator_double_booked": facilitator_double_booked,
    "room_double_booked": room_double_booked,
    "learner_conflict": learner_conflict,
    "facilitator_unavailable": facilitator_unavailable,
    "room_unavailable": room_unavailable,
    "facilitator_daily_maximum": facilitator_daily_maximum,
    "facilitator_skill": facilitator_skill,
    "same_facilitator": same_facilitator,
    "room_capacity": room_capacity,
    "room_site": room_site,
    "section_site": _fixed_words("The section's sessions would be at different sites."),
    "facilitator_missing": _fixed_words("Every session needs a facilitator."),
    "room_missing": _fixed_words("An in-person session needs a room."),
    "room_not_allowed": _fixed_words("A virtual session has no room."),
    "cohort_hours": cohort_rule("{when} is outside the attendance hours of cohort {cohort}."),
    "cohort_unavailable": cohort_rule("{when} falls in a blocked period of cohort {cohort}."),
    "cohort_dates": cohort_rule("{when} is outside the dates of cohort {cohort} ({dates})."),
    "gap_days": gap_days,
    "session_order": session_order,
    "horizon": horizon,
    "slot_grid": slot_grid,
    "fixed_session": fixed_session,
}
