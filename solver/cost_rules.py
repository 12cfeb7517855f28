"""Cost rules and redundant cost cuts, posted on a :class:`solver.model.ScheduleModel`.

Each cost rule adds integer-cent terms to ``sm.costs[category]`` (the categories of ``cost`` in the
schedule document), priced by :mod:`solver.pricing` like every other part of the engine, so the
objective and the reported cost agree. The capacity cuts change no solution; they only tighten the LP bound.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING

from solver.pricing import cents, facilitator_items, room_cents, seat_cents
from solver.timegrid import intersect

if TYPE_CHECKING:
    from solver.model import ScheduleModel


def facilitator_capacity(sm: ScheduleModel) -> None:
    """Redundant cut: a facilitator cannot teach more minutes than they are bookable within the
    horizon (and than their daily maximum allows). Without it the LP bound lets the cheapest
    facilitator teach everything at once, and the reported gap would mean little."""
    grid = sm.grid
    horizon = [(0, grid.end)]
    for f in sm.problem.facilitators.values():
        terms = [
            x.minutes * lit
            for s in sm.sections
            for x in s.sessions
            for g, lit in x.facilitators.items()
            if g == f.id
        ]
        if not terms:
            continue
        windows = intersect(sm.cand.bookable[f.id], horizon)
        limit = sum(b - a for a, b in windows)
        if f.max_minutes_per_day is not None:
            limit = min(limit, f.max_minutes_per_day * len(grid.days) + 1440)
        sm.model.add(sum(terms) <= limit)


def room_capacity(sm: ScheduleModel) -> None:
    """Redundant cut: a room cannot host more minutes than it is open within the horizon."""
    horizon = [(0, sm.grid.end)]
    terms = defaultdict(list)
    for s in sm.sections:
        for x in s.sessions:
            for r, lit in x.rooms.items():
                terms[r].append(x.minutes * lit)
    for r, items in terms.items():
        limit = sum(b - a for a, b in intersect(sm.cand.room_bookable[r], horizon))
        sm.model.add(sum(items) <= limit)


def facilitator_cost(sm: ScheduleModel) -> None:
    """Each session costs its facilitator's hourly_rate × hours + session_fee, plus travel_cost to
    the site when an in-person session is away from the facilitator's own site."""
    for s in sm.sections:
        site = s.group.site
        for x in s.sessions:
            for f, lit in x.facilitators.items():
                fac = sm.problem.facilitators[f]
                pay, travel = facilitator_items(fac, s.group.program, site, x.minutes)
                sm.costs["facilitators"].append(pay * lit)
                if travel:
                    sm.costs["travel"].append(travel * lit)


def room_cost(sm: ScheduleModel) -> None:
    """Each in-person session costs its room's hourly_cost × hours."""
    for s in sm.sections:
        for x in s.sessions:
            for r, lit in x.rooms.items():
                sm.costs["rooms"].append(room_cents(sm.problem.rooms[r], x.minutes) * lit)


def seat_cost(sm: ScheduleModel) -> None:
    """Each learner placed costs the program's seat_cost for every session of the section."""
    for s in sm.sections:
        per_learner = seat_cents(s.group.program, 1) * len(s.sessions)
        sm.costs["seats"].append(per_learner * s.size)


def change_cost(sm: ScheduleModel) -> None:
    """Each session of the previous schedule that is not kept at the same start, facilitator and
    room costs change_cost."""
    previous = sm.problem.previous or {}
    sm.change_sessions = sum(
        len(sec.get("sessions") or []) for sec in previous.get("sections") or []
    )
    if not sm.change_sessions or sm.problem.change_cost <= 0:
        return
    for kept in kept_sessions(sm, "kept"):
        sm.costs["changes"].append(-cents(sm.problem.change_cost) * kept.literal)


def kept_sessions(sm: ScheduleModel, prefix: str) -> list:
    """For each session of the previous schedule that could stay where it was, a literal true
    when it does (same start, facilitator and room); added to ``sm.kept`` and returned.

    A section of the previous plan lives on as its designated section or, when a session of it
    is fixed (a manual move), as that fixed section: its sessions still at their old place are
    kept, as cost.changed_sessions counts them. The change cost and the repair's levels both
    read these literals."""
    from solver.model import KeptSession

    m = sm.model
    designated = {
        s.previous_id or s.fixed_id: s for s in sm.sections if s.previous_id or s.fixed_id
    }
    made = []
    for sec in (sm.problem.previous or {}).get("sections") or []:
        s = designated.get(sec.get("id"))
        for x in sec.get("sessions") or [] if s else []:
            i, f, r = x.get("index"), x.get("facilitator"), x.get("room")
            if not isinstance(i, int) or not 0 <= i < len(s.sessions):
                continue
            session = s.sessions[i]
            start = _minute(sm, x.get("start"))
            if (
                start is None
                or start not in session.domain
                or f not in session.facilitators
                or (r is not None and r not in session.rooms)
            ):
                continue  # it cannot stay: no literal (it would be false anyway)
            kept = m.new_bool_var(f"{prefix}.{s.name}.{i}")
            m.add_implication(kept, s.present)
            m.add(session.start == start).only_enforce_if(kept)
            m.add_implication(kept, session.facilitators[f])
            if r is not None:
                m.add_implication(kept, session.rooms[r])
            made.append(KeptSession(s, i, start, f, r, kept))
    sm.kept.extend(made)
    return made


def _minute(sm: ScheduleModel, text) -> int | None:
    try:
        return sm.grid.minute(datetime.fromisoformat(text))
    except (TypeError, ValueError):
        return None
