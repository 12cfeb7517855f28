"""A schedule in model terms (sections, sessions in model minutes) and its v1 document.

Both the greedy baseline and the CP-SAT model produce a :class:`Plan`; one function prices it and one
turns it into the public ``cohort-scheduler/schedule/v1`` document, so both answers are reported
the same way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from solver.candidates import Candidates
from solver.pricing import (
    cents,
    facilitator_items,
    reluctance_cents,
    room_cents,
    seat_cents,
    unscheduled_cents,
)
from solver.problem import SCHEDULE_FORMAT, Problem

COST_KEYS = ("facilitators", "travel", "rooms", "seats", "preferences", "unscheduled", "changes")


@dataclass
class PlannedSession:
    """One session of a section: start in model minutes, who teaches it and where."""

    index: int
    start: int
    minutes: int
    facilitator: str
    room: str | None

    @property
    def end(self) -> int:
        return self.start + self.minutes


@dataclass
class PlannedSection:
    """A section: which learners of which cohorts, and its sessions in order."""

    group: str
    parts: dict[str, int]  # cohort id -> learners
    sessions: list[PlannedSession] = field(default_factory=list)
    fixed_id: str | None = None
    previous_id: str | None = None

    @property
    def size(self) -> int:
        return sum(self.parts.values())


@dataclass
class Plan:
    """A whole schedule in model terms."""

    sections: list[PlannedSection] = field(default_factory=list)
    # cohorts the greedy never tried to place because the deadline passed (or cancel)
    unreached: set[str] = field(default_factory=set)
    # every fixed section passed the engine's own tests (greedy._fixed_section_fits)
    fixed_fit: bool = False

    def placed(self, cohort: str) -> int:
        """Learners of ``cohort`` placed in any section."""
        return sum(s.parts.get(cohort, 0) for s in self.sections)

    def placed_by_cohort(self) -> dict[str, int]:
        """Learners placed per cohort, in one pass (``placed`` per cohort is quadratic: 10,000
        cohorts in 5,000 sections)."""
        out: dict[str, int] = {}
        for s in self.sections:
            for c, n in s.parts.items():
                out[c] = out.get(c, 0) + n
        return out


def session_prices(
    cand: Candidates, section: PlannedSection, session: PlannedSession
) -> dict[str, int]:
    """The cost items of one session in cents (seats and unscheduled are priced per section and
    cohort), from :mod:`solver.pricing` like the model's objective, so the two agree."""
    problem, f, minutes = cand.problem, session.facilitator, session.minutes
    group = cand.groups[section.group]
    pay, travel = facilitator_items(problem.facilitators[f], group.program, group.site, minutes)
    prices = {"facilitators": pay, "travel": travel, "rooms": 0, "preferences": 0}
    if session.room is not None:
        prices["rooms"] = room_cents(problem.rooms[session.room], minutes)
    if cand.reluctant.get(f) and cand.reluctantly(f, session.start, minutes):
        prices["preferences"] = reluctance_cents(problem.facilitators[f])
    return prices


def kept_previous_sessions(cand: Candidates, plan: Plan) -> tuple[int, int]:
    """``(kept, total)`` sessions of ``problem.previous``: kept means a section with the same id has
    the session of the same index at the same start, facilitator and room."""
    published = _published(cand)
    if not published:
        return 0, 0
    # Compared in model minutes: reading a start is one parse, writing one back as text was
    # most of pricing a re-plan of 10,000 cohorts.
    now = {
        (s.fixed_id or s.previous_id, x.index): (x.start, x.facilitator, x.room)
        for s in plan.sections
        for x in s.sessions
    }
    kept = sum(1 for key, where in published if now.get(key) == where)
    return kept, len(published)


def _published(cand: Candidates) -> list[tuple[tuple, tuple]]:
    """Each session of ``problem.previous`` as ((section id, index), (start in model minutes,
    facilitator, room)), read once: a re-plan prices several plans against the same 25,000
    sessions on 10,000 cohorts. Kept with the document it was read from."""
    previous = cand.problem.previous or {}
    if cand._published is not None and cand._published[0] is previous:
        return cand._published[1]
    read = [
        ((sec.get("id"), x.get("index")),
         (_minute(cand, x.get("start")), x.get("facilitator"), x.get("room")))
        for sec in previous.get("sections") or []
        for x in sec.get("sessions") or []
    ]  # fmt: skip
    cand._published = (previous, read)
    return read


def _minute(cand: Candidates, text: Any) -> int | None:
    try:
        return cand.grid.text_minute(str(text))
    except (TypeError, ValueError):
        return None


def price(cand: Candidates, plan: Plan) -> dict[str, float]:
    """The cost breakdown of a plan, as in the schedule document (``total`` included)."""
    problem = cand.problem
    cost = dict.fromkeys(COST_KEYS, 0)
    for section in plan.sections:
        program = cand.groups[section.group].program
        cost["seats"] += len(section.sessions) * seat_cents(program, section.size)
    _add_sessions(cand, cost, plan)
    placed = plan.placed_by_cohort()
    for c in problem.cohorts.values():
        cost["unscheduled"] += unscheduled_cents(c, max(c.size - placed.get(c.id, 0), 0))
    kept, total = kept_previous_sessions(cand, plan)
    cost["changes"] = (total - kept) * cents(problem.change_cost)
    out = {"total": sum(cost.values()) / 100, **{k: v / 100 for k, v in cost.items()}}
    seated = sum(s.size for s in plan.sections)
    trained = sum(cost[k] for k in ("facilitators", "travel", "rooms", "seats")) / 100
    out["per_trained_learner"] = round(trained / seated, 2) if seated else 0.0
    return out


def _add_sessions(cand: Candidates, cost: dict[str, int], plan: Plan) -> None:
    """Add the items of every session of ``plan`` to ``cost``: each facilitator's items priced
    once per group and length, each room's once per length, times the sessions of each
    (pricing 25,000 sessions one by one was a tenth of the first schedule's time on 10,000
    cohorts), and the if-need-be windows looked at only for those who have one."""
    problem, reluctant = cand.problem, cand.reluctant
    taught = Counter((x.facilitator, s.group, x.minutes) for s in plan.sections for x in s.sessions)
    for (f, key, minutes), n in taught.items():
        group = cand.groups[key]
        pay, travel = facilitator_items(problem.facilitators[f], group.program, group.site, minutes)
        cost["facilitators"] += pay * n
        cost["travel"] += travel * n
    booked = Counter(
        (x.room, x.minutes) for s in plan.sections for x in s.sessions if x.room is not None
    )
    for (r, minutes), n in booked.items():
        cost["rooms"] += room_cents(problem.rooms[r], minutes) * n
    for s in plan.sections:
        for x in s.sessions:
            if reluctant.get(x.facilitator) and cand.reluctantly(x.facilitator, x.start, x.minutes):
                cost["preferences"] += reluctance_cents(problem.facilitators[x.facilitator])


def group_totals(cand: Candidates, plan: Plan) -> dict[str, float]:
    """Each group's part of ``price(cand, plan)["total"]`` without changes: its sections' costs
    and the unscheduled cost of its cohorts."""
    totals: dict[str, int] = dict.fromkeys(cand.groups, 0)
    placed: dict[str, int] = {}  # one pass, not plan.placed per cohort: L has 1,000 cohorts
    for section in plan.sections:
        program = cand.groups[section.group].program
        totals[section.group] += len(section.sessions) * seat_cents(program, section.size)
        for session in section.sessions:
            totals[section.group] += sum(session_prices(cand, section, session).values())
        for c, n in section.parts.items():
            placed[c] = placed.get(c, 0) + n
    for c in cand.problem.cohorts.values():
        if c.id in cand.group_of:
            left = max(c.size - placed.get(c.id, 0), 0)
            totals[cand.group_of[c.id]] += unscheduled_cents(c, left)
    return {key: value / 100 for key, value in totals.items()}


def section_ids(problem: Problem, plan: Plan) -> list[str]:
    """Stable ids: a fixed or previous section keeps its id, the others get S1, S2, ... (never an
    id of a previous section, so a new section is not mistaken for a kept one)."""
    taken = {s.fixed_id or s.previous_id for s in plan.sections} - {None}
    taken |= {str(sec.get("id")) for sec in (problem.previous or {}).get("sections") or []}
    ids, n = [], 0
    for s in plan.sections:
        if s.fixed_id or s.previous_id:
            ids.append(s.fixed_id or s.previous_id)
            continue
        n += 1
        while f"S{n}" in taken:
            n += 1
        ids.append(f"S{n}")
    return ids


def to_document(
    cand: Candidates,
    plan: Plan,
    *,
    status: str,
    reasons: dict[str, list[str]],
    solver: dict[str, Any],
    lower_bound: float | None,
) -> dict[str, Any]:
    """The v1 schedule document of a plan; ``reasons`` explains each unscheduled cohort."""
    problem, grid = cand.problem, cand.grid
    plan.sections.sort(key=lambda s: (s.sessions[0].start if s.sessions else 0, s.group))
    sections = []
    for sid, s in zip(section_ids(problem, plan), plan.sections, strict=True):
        sections.append(
            {
                "id": sid,
                "program": cand.groups[s.group].program.id,
                "cohorts": [{"cohort": c, "learners": n} for c, n in s.parts.items()],
                "size": s.size,
                "sessions": [
                    {
                        "index": x.index,
                        "start": grid.iso(x.start),
                        "end": grid.iso(x.end),
                        "facilitator": x.facilitator,
                        "room": x.room,
                    }
                    for x in s.sessions
                ],
            }
        )
    unscheduled = []
    placed = plan.placed_by_cohort()
    for c in problem.cohorts.values():
        left = c.size - placed.get(c.id, 0)
        if left > 0:
            unscheduled.append(
                {"cohort": c.id, "learners": left, "reasons": reasons.get(c.id) or []}
            )
    return {
        "format": SCHEDULE_FORMAT,
        "status": status,
        "cost": price(cand, plan),
        "lower_bound": None if lower_bound is None else round(lower_bound, 2),
        "sections": sections,
        "unscheduled": unscheduled,
        "errors": [],
        "solver": solver,
    }
