"""Every cost of a schedule, recomputed from the problem's raw data (the issue's definitions).

Each cost *item* (one session's facilitator fee, one session's room, one section-session's seats,
one cohort's unscheduled learners, ...) is rounded to the cent, half up, before items are summed.
Rounding per item, in ``Decimal``, is what lets an integer-cents model and this recomputation agree
to the cent on any instance size; ``to_cents`` is public so the model can round the same way.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from solver.hiring import hiring_cents
from solver.localtime import intervals, merge, subtract, to_local, touches
from solver.problem import Facilitator, Problem
from solver.schedule import COST_COMPONENTS, TRAINING_COMPONENTS, parse_utc
from solver.scheduled import PlacedSchedule, PlacedSession, read_schedule


def to_cents(amount: float | Decimal) -> int:
    """An amount of money as whole cents, rounded half up."""
    value = amount if isinstance(amount, Decimal) else Decimal(repr(amount))
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def hourly_cents(rate: float, minutes: int, fee: float = 0.0) -> int:
    """``rate`` per hour for ``minutes`` plus a fixed ``fee``, as one item in cents."""
    return to_cents(Decimal(repr(rate)) * minutes / 60 + Decimal(repr(fee)))


def recompute_cost(problem: Problem, schedule: dict[str, Any]) -> dict[str, float]:
    """The cost object a schedule should report: every component, the total and
    per_trained_learner, recomputed from the problem and the schedule's sections."""
    return cost_of(problem, read_schedule(problem, schedule), schedule.get("sections"))


def cost_of(problem: Problem, placed: PlacedSchedule, raw_sections: Any = None) -> dict[str, float]:
    """The cost object of an already read schedule (see ``recompute_cost``)."""
    learners = sum(section.learners for section in placed.sections)
    return cost_from_cents(cost_cents(problem, placed), learners)


def cost_cents(problem: Problem, placed: PlacedSchedule) -> dict[str, int]:
    """Every cost component of a read schedule in whole cents (``cost_of`` before formatting)."""
    cents = dict.fromkeys(COST_COMPONENTS, 0)
    for session in placed.sessions:
        for component, amount in session_cents(problem, session).items():
            cents[component] += amount
    for section in placed.sections:
        if section.program is not None:
            cents["seats"] += len(section.sessions) * to_cents(
                Decimal(repr(section.program.seat_cost)) * section.learners
            )
    cents["unscheduled"] = unscheduled_cents(problem, placed)
    cents["changes"] = changed_sessions(problem, placed) * to_cents(problem.change_cost)
    if problem.hiring_pool:  # only then: documents without a pool keep their exact form
        cents["hiring"] = hiring_cents(problem, placed.hires)
    return cents


def cost_from_cents(cents: dict[str, int], placed_learners: int) -> dict[str, float]:
    """The cost object (components, total, per_trained_learner) of components in cents."""
    cost = {"total": sum(cents.values()) / 100, **{k: v / 100 for k, v in cents.items()}}
    training = sum(cents[k] for k in TRAINING_COMPONENTS) / 100
    cost["per_trained_learner"] = round(training / placed_learners, 2) if placed_learners else 0.0
    return cost


def session_cents(problem: Problem, session: PlacedSession) -> dict[str, int]:
    """Facilitator, travel, room and preference items of one session, in cents."""
    out = {"facilitators": 0, "travel": 0, "rooms": 0, "preferences": 0}
    facilitator = problem.facilitators.get(session.facilitator)
    room = problem.rooms.get(session.room)
    if facilitator is not None:
        out["facilitators"] = hourly_cents(
            facilitator.hourly_rate, session.minutes, facilitator.session_fee
        )
        site = session_site(problem, session)
        if site is not None and site != facilitator.site:
            out["travel"] = to_cents(facilitator.travel_cost.get(site, 0.0))
        if in_if_need_be(facilitator, session):
            out["preferences"] = to_cents(facilitator.if_need_be_cost)
    if room is not None:
        out["rooms"] = hourly_cents(room.hourly_cost, session.minutes)
    return out


def session_site(problem: Problem, session: PlacedSession) -> str | None:
    """Where an in-person session takes place: its room's site, else its cohorts' site;
    ``None`` for a virtual session (virtual sessions never cost travel)."""
    program = session.section.program
    if program is None or not program.in_person:
        return None
    if session.room in problem.rooms:
        return problem.rooms[session.room].site
    sites = sorted(
        problem.cohorts[part.cohort].site or "" for part in session.section.parts
    )  # sorted: deterministic when cohorts disagree (a violation of its own)
    return sites[0] if sites else None


def in_if_need_be(facilitator: Facilitator, session: PlacedSession) -> bool:
    """Whether a session lies, even partly, in one of the facilitator's if-need-be windows."""
    availability = facilitator.availability
    if not availability.if_need_be:
        return False
    reluctant = subtract(
        intervals(availability.if_need_be), merge(intervals(availability.unavailable))
    )
    start, end = (to_local(t, facilitator.timezone) for t in (session.start, session.end))
    return touches(reluctant, start, end)


def unscheduled_cents(problem: Problem, placed: PlacedSchedule) -> int:
    """Each cohort's learners not placed in any section, at its unscheduled_cost each."""
    seated: dict[str, int] = {}
    for section in placed.sections:
        for part in section.parts:
            seated[part.cohort] = seated.get(part.cohort, 0) + part.learners
    return sum(
        to_cents(
            Decimal(repr(cohort.unscheduled_cost)) * max(0, cohort.size - seated.get(cohort.id, 0))
        )
        for cohort in problem.cohorts.values()
    )


def changed_sessions(problem: Problem, placed: PlacedSchedule) -> int:
    """Sessions of ``previous`` not kept at the same start, facilitator and room.

    A previous session is matched by its section id and session index: the app keeps section ids
    stable between runs, the solver reuses them for sections it keeps."""
    now = {(s.section.id, s.index): (s.start, s.facilitator, s.room) for s in placed.sessions}
    return sum(now.get(key) != before for key, before in previous_placements(problem))


def previous_placements(problem: Problem) -> list[tuple[tuple[str, Any], tuple]]:
    """Each session of ``previous`` as ((section id, index), (start, facilitator, room))."""
    return [
        (
            (str(section.get("id")), session.get("index")),
            (parse_utc(session.get("start")), session.get("facilitator"), session.get("room")),
        )
        for section in (problem.previous or {}).get("sections") or []
        for session in section.get("sessions") or []
    ]
