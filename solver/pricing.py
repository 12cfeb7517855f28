"""What each cost item is worth, in integer cents: the one price list of the engine.

The model, the plan's price, the greedy baseline and both lower bounds price a session, a seat or
a learner left out here and nowhere else. ``solver.cost`` recomputes every item on its own from the
documented rule (in ``Decimal``), so the checker does not trust this module; tests compare the two.

Amounts in a valid problem are whole cents (``solver.limits``), so every item is exact in
integers; the only rounding is a rate per hour over a session's minutes, half up to the cent,
as ``solver.cost`` rounds it.
"""

from __future__ import annotations

from solver.problem import Cohort, Facilitator, Program, Room


def cents(amount: float) -> int:
    """A validated amount (whole cents, at most 10^8) as an integer number of cents."""
    return round(amount * 100)


def hourly(rate: float, minutes: int) -> int:
    """``rate`` per hour for ``minutes``, in cents, rounded half up."""
    return (cents(rate) * minutes * 2 + 60) // 120


def facilitator_items(
    facilitator: Facilitator, program: Program, site: str | None, minutes: int
) -> tuple[int, int]:
    """A session's facilitator price in cents, as its two cost items ``(facilitators, travel)``:
    hourly_rate × hours + session_fee, and travel_cost to ``site`` when an in-person session is
    away from the facilitator's own site (a site missing from the table costs nothing)."""
    return pay_cents(facilitator, minutes), travel_cents(facilitator, program, site)


def pay_cents(facilitator: Facilitator, minutes: int) -> int:
    """What the facilitator is paid for one session of ``minutes``: rate and fee."""
    return hourly(facilitator.hourly_rate, minutes) + cents(facilitator.session_fee)


def travel_cents(facilitator: Facilitator, program: Program, site: str | None) -> int:
    """The facilitator's travel to ``site`` for one in-person session away from their own
    site (a site missing from their table costs nothing)."""
    if program.in_person and facilitator.site != site:
        return cents(facilitator.travel_cost.get(site or "", 0.0))
    return 0


def facilitator_cents(
    facilitator: Facilitator, program: Program, site: str | None, minutes: int
) -> int:
    """A session's facilitator price in cents: fee, hours and travel (``facilitator_items``)."""
    pay, travel = facilitator_items(facilitator, program, site, minutes)
    return pay + travel


def reluctance_cents(facilitator: Facilitator) -> int:
    """What a session in one of the facilitator's if-need-be windows adds, in cents."""
    return cents(facilitator.if_need_be_cost)


def room_cents(room: Room, minutes: int) -> int:
    """A session's room: hourly_cost × hours, in cents."""
    return hourly(room.hourly_cost, minutes)


def seat_cents(program: Program, learners: int) -> int:
    """One session of a section of ``learners``: seat_cost each, in cents."""
    return cents(program.seat_cost) * learners


def unscheduled_cents(cohort: Cohort, learners: int) -> int:
    """``learners`` of the cohort left without a section: unscheduled_cost each, in cents."""
    return cents(cohort.unscheduled_cost) * learners
