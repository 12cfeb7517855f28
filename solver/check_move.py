"""The checker's own rules on the part of a schedule that moving one session can change.

The move assistant tries dozens of placements of one session; running the whole checker on each
would read and check every other session again. This module runs the SAME rule functions
(``solver.check``'s groups) on less, and answers exactly what the whole checker would answer:

- the rest of the schedule (every other section) is checked once, with the moved section's own
  fixed entries left out: a violation there stays whatever the move, so no move is valid;
- each placement is then checked on the moved section alone for the rules that read one section
  (``SECTION_RULES``), and on the moved section plus every section sharing a facilitator, a room
  or learners with it for the rules about what sessions share (``SHARED_RESOURCE_RULES``);
- rules that read only which cohorts sit in which section (``COMPOSITION_RULES``) cannot change
  and are checked once; the cost is recomputed from the cents that changed (the session's own
  items and its change against ``previous``), and its bounds checked with ``bound_violations``.

tests/solver/test_check_move.py compares this with the whole checker on every placement of
random problems. ``read_and_check`` reads the documents once for the many sessions of one draft.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from solver.check import (
    COMPOSITION_RULES,
    SECTION_RULES,
    SHARED_RESOURCE_RULES,
    bound_violations,
)
from solver.cost import (
    cost_cents,
    cost_from_cents,
    previous_placements,
    session_cents,
    to_cents,
)
from solver.problem import FixedSession, Problem
from solver.scheduled import (
    PlacedSchedule,
    PlacedSection,
    PlacedSession,
    Violation,
    read_schedule,
)
from solver.validate import parse_problem


def rest_violations(problem: Problem, placed: PlacedSchedule, section: PlacedSection) -> list:
    """What the whole checker finds that no move of a session of ``section`` can mend: the
    composition rules on the whole schedule, every other rule but the cost on the other sections
    (with the fixed entries of ``section`` left out)."""
    others = dataclasses.replace(placed, sections=[s for s in placed.sections if s is not section])
    unpinned = dataclasses.replace(
        problem, fixed=tuple(f for f in problem.fixed if f.section != section.id)
    )
    found = [v for rule in COMPOSITION_RULES for v in rule(problem, placed)]
    found += [
        v for rule in (*SECTION_RULES, *SHARED_RESOURCE_RULES) for v in rule(unpinned, others)
    ]
    return found


class MoveCheck:
    """One session of a read schedule, ready to have placements checked (see the module).

    ``problem`` is the problem the moved documents are checked against (its ``previous`` the
    published schedule, if any); the schedule must have no reading problems and
    ``rest_violations`` must be empty for the answers to be the whole checker's."""

    def __init__(
        self,
        problem: Problem,
        placed: PlacedSchedule,
        session: PlacedSession,
        facts: Facts | None = None,
    ):
        self.problem, self.placed, self.session = problem, placed, session
        facts = facts or Facts.of(problem, placed)
        self.cents, self.learners = facts.cents, facts.learners
        self.change_cents = to_cents(problem.change_cost)
        key = (session.section.id, session.index)
        self.previous = [before for k, before in previous_placements(problem) if k == key]
        self.pins = tuple(
            f for f in problem.fixed if f.section == key[0] and f.session != session.index
        )
        # Sections by the facilitators and rooms their sessions use, and those sharing learners.
        self.by_facilitator: dict[str, set[int]] = defaultdict(set)
        self.by_room: dict[str, set[int]] = defaultdict(set)
        self.by_learners: set[int] = set()
        for k, section in enumerate(placed.sections):
            if section is session.section:
                self.position = k
        keys = facts.keys[self.position]
        for k, section in enumerate(placed.sections):
            if k == self.position:
                continue
            for other in section.sessions:
                self.by_facilitator[other.facilitator or ""].add(k)
                self.by_room[other.room or ""].add(k)
            if keys & facts.keys[k]:
                self.by_learners.add(k)

    def violations(
        self, start: datetime, facilitator: str | None, room: str | None
    ) -> tuple[list[Violation], dict[str, float]]:
        """(what the whole checker finds, the recomputed cost) once the session is at ``start``
        with ``facilitator`` and ``room`` and pinned there."""
        moved_section, moved = self._moved(start, facilitator, room)
        cost = self._cost(moved)
        pin = FixedSession(
            section=moved_section.id,
            cohorts=tuple(moved_section.parts),
            session=moved.index,
            start=start,
            facilitator=facilitator,
            room=room,
        )
        # Only the moved section's entries (the others were checked with the rest), the move
        # replacing an older entry of the session (``solver.moves.moved_documents``).
        problem = dataclasses.replace(self.problem, fixed=(*self.pins, pin))
        alone = dataclasses.replace(self.placed, sections=[moved_section])
        found = [v for rule in SECTION_RULES for v in rule(problem, alone)]
        if not found:
            sections = self._sharing(moved_section)
            shared = dataclasses.replace(self.placed, sections=sections)
            # Only their cohorts: learner_conflict reads every cohort's learners otherwise.
            cohorts = {c for section in sections for c in section.cohort_ids}
            problem = dataclasses.replace(
                problem, cohorts={k: v for k, v in problem.cohorts.items() if k in cohorts}
            )
            found = [v for rule in SHARED_RESOURCE_RULES for v in rule(problem, shared)]
        # A move drops the schedule's own lower bound (``solver.moves.move_violations``).
        bounds = dict(self.placed.bounds, lower_bound=None)
        found += bound_violations(bounds, cost["total"])
        return found, cost

    def _moved(self, start, facilitator, room) -> tuple[PlacedSection, PlacedSession]:
        """A copy of the session's section with the session moved (its sessions point to it)."""
        old = self.session.section
        section = dataclasses.replace(old, sessions=[])
        moved = None
        for s in old.sessions:
            if s is self.session:
                end = start + (s.end - s.start)
                moved = dataclasses.replace(
                    s, section=section, start=start, end=end, facilitator=facilitator, room=room
                )
                section.sessions.append(moved)
            else:
                section.sessions.append(dataclasses.replace(s, section=section))
        assert moved is not None
        return section, moved

    def _sharing(self, section: PlacedSection) -> list[PlacedSection]:
        """The moved section and every section sharing a facilitator, room or learners with it,
        in schedule order."""
        positions = set(self.by_learners)
        for s in section.sessions:
            if s.facilitator is not None:
                positions |= self.by_facilitator.get(s.facilitator, set())
            if s.room is not None:
                positions |= self.by_room.get(s.room, set())
        positions.add(self.position)
        return [
            section if k == self.position else self.placed.sections[k] for k in sorted(positions)
        ]

    def _cost(self, moved: PlacedSession) -> dict[str, float]:
        """The schedule's cost object with the session moved: its own items and its change."""
        cents: dict[str, Any] = dict(self.cents)
        for component, amount in session_cents(self.problem, self.session).items():
            cents[component] -= amount
        for component, amount in session_cents(self.problem, moved).items():
            cents[component] += amount
        was = (self.session.start, self.session.facilitator, self.session.room)
        now = (moved.start, moved.facilitator, moved.room)
        changed = sum((now != before) - (was != before) for before in self.previous)
        cents["changes"] += changed * self.change_cents
        return cost_from_cents(cents, self.learners)


@dataclass(frozen=True)
class Facts:
    """What every move of a schedule's sessions starts from: its cost in cents, its learners
    placed, and each section's learner keys (learner ids and conflict groups)."""

    cents: dict[str, int]
    learners: int
    keys: list[set[str]]

    @classmethod
    def of(cls, problem: Problem, placed: PlacedSchedule) -> Facts:
        return cls(
            cost_cents(problem, placed),
            sum(section.learners for section in placed.sections),
            [_learner_keys(problem, section.cohort_ids) for section in placed.sections],
        )


@dataclass(frozen=True)
class ReadDocuments:
    """A problem read with its ``previous``, a schedule read against it, whether the schedule
    passes every rule but the cost ones (then no section has a broken rest), and its facts."""

    problem: Problem
    placed: PlacedSchedule
    whole_valid: bool
    facts: Facts


#: Documents read and checked lately, by the text of the documents: the assistant is asked about
#: one session after another of the same draft, which need not be read and checked again.
_RECENT: OrderedDict[str, ReadDocuments | None] = OrderedDict()
_RECENT_SIZE = 4
_RECENT_LOCK = threading.Lock()


def read_and_check(doc: dict, schedule_doc: dict) -> ReadDocuments | None:
    """The problem document ``doc`` and the schedule read and checked, or None when the problem
    has errors; remembered for the last few documents. Nothing returned is modified by the
    assistant (moves are checked on copies)."""
    try:
        key = hashlib.sha256(json.dumps([doc, schedule_doc]).encode()).hexdigest()
    except (TypeError, ValueError):
        key = None  # not plain JSON: read it every time
    with _RECENT_LOCK:
        if key in _RECENT:
            _RECENT.move_to_end(key)
            return _RECENT[key]
    problem, errors = parse_problem(doc)
    found = None
    if not errors:
        placed = read_schedule(problem, schedule_doc)
        rules = (*COMPOSITION_RULES, *SECTION_RULES, *SHARED_RESOURCE_RULES)
        valid = not placed.problems and not any(True for r in rules for _ in r(problem, placed))
        found = ReadDocuments(problem, placed, valid, Facts.of(problem, placed))
    if key is not None:
        with _RECENT_LOCK:
            _RECENT[key] = found
            while len(_RECENT) > _RECENT_SIZE:
                _RECENT.popitem(last=False)
    return found


def forget() -> None:
    """Forget the documents read lately (a benchmark measures a first reading this way)."""
    with _RECENT_LOCK:
        _RECENT.clear()


def _learner_keys(problem: Problem, cohort_ids: Iterable[str]) -> set[str]:
    """The learner ids and conflict groups of some cohorts (as ``learner_conflict`` keys them)."""
    keys: set[str] = set()
    for c in cohort_ids:
        cohort = problem.cohorts.get(c)
        if cohort is not None:
            keys |= {f"learner {x}" for x in cohort.learners}
            keys |= {f"group {g}" for g in cohort.conflict_groups}
    return keys
