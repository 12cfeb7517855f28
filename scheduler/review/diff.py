"""What publishing a draft changes compared with the published schedule, session by session.

Sessions are matched by section key and position: the solver keeps a section's id across
re-plans, so "section S4, session 2" names the same meeting in both versions. A session is
moved when its time, facilitator or room differs. People are affected when their own list of
sessions differs, which also catches a learner moved to another section whose sessions did not
change, and leaves out everyone whose week is exactly as before.

Pure: it works on :class:`Session` values, built from the database rows by ``review.util``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

SessionKey = tuple[str, int]  # (section key, position)


@dataclass(frozen=True)
class Person:
    """Someone a change concerns; compared by kind and id, shown by name."""

    id: int
    name: str


@dataclass(frozen=True)
class Session:
    """One session as the people in it see it."""

    section: str
    position: int
    program: str
    start: datetime
    end: datetime
    facilitator: Person | None
    room: str | None  # its name; None when virtual
    learners: frozenset[Person] = field(default_factory=frozenset)

    @property
    def key(self) -> SessionKey:
        return (self.section, self.position)

    @property
    def placement(self) -> tuple:
        """What the people in it notice: when, who teaches, where."""
        return (self.start, self.end, self.facilitator, self.room)


@dataclass(frozen=True)
class Move:
    old: Session
    new: Session


@dataclass
class Diff:
    added: list[Session]
    moved: list[Move]
    cancelled: list[Session]
    unchanged: int
    facilitators: list[Person]  # whose sessions change, by name
    learners: list[Person]

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.moved) + len(self.cancelled)


def diff(published: Iterable[Session], draft: Iterable[Session]) -> Diff:
    """The changes from ``published`` (empty when nothing is published) to ``draft``."""
    before = {s.key: s for s in published}
    after = {s.key: s for s in draft}
    moved = [
        Move(before[key], after[key])
        for key in sorted(before.keys() & after.keys())
        if before[key].placement != after[key].placement
    ]
    return Diff(
        added=_in_order(after[key] for key in after.keys() - before.keys()),
        moved=sorted(moved, key=lambda m: (m.new.start, m.new.key)),
        cancelled=_in_order(before[key] for key in before.keys() - after.keys()),
        unchanged=len(before.keys() & after.keys()) - len(moved),
        facilitators=_affected(before.values(), after.values(), _facilitators_of),
        learners=_affected(before.values(), after.values(), lambda s: s.learners),
    )


def _in_order(sessions: Iterable[Session]) -> list[Session]:
    return sorted(sessions, key=lambda s: (s.start, s.key))


def _facilitators_of(session: Session) -> Iterable[Person]:
    return [session.facilitator] if session.facilitator else []


def _affected(before: Iterable[Session], after: Iterable[Session], people_of) -> list[Person]:
    """People whose own sessions (which, when, with whom, where) differ between the versions."""
    old, new = _timetables(before, people_of), _timetables(after, people_of)
    changed = {person for person in old.keys() | new.keys() if old.get(person) != new.get(person)}
    return sorted(changed, key=lambda p: (p.name.casefold(), p.id))


def _timetables(sessions: Iterable[Session], people_of) -> dict[Person, set]:
    out: dict[Person, set] = defaultdict(set)
    for session in sessions:
        for person in people_of(session):
            out[person].add((session.key, session.placement))
    return out
