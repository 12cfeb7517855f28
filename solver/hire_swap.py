"""A pool member taking sessions as they stand: the hire search's first, cheap move.

A trial hire could be placed by CP-SAT steps alone, but those find such exchanges slowly (measured
on the demo with 17 of 25 facilitators: a Berlin trainer's group gained 6,142 in 1.5 s and 12,634
in 15 s). Giving the member every session of the groups they could help that they are free for and
cheaper at is immediate; it is only a proposal, which the hire search has the independent checker
confirm (``solver.hire_search.checked_swap``).
"""

from __future__ import annotations

import dataclasses

from solver.candidates import Candidates
from solver.plan import Plan, PlannedSession, session_prices


def swapped_in(
    cand: Candidates, plan: Plan, member: str, groups: set[str]
) -> dict[tuple[int, int], str]:
    """Sessions of ``groups`` (section index, session index in ``plan``) that ``member`` could
    take from their facilitator as they stand, for less: free then (available, no other session
    within their buffer, their daily maximum kept), most saved first; a program that wants one
    facilitator per section gets them for a whole section or not at all.
    """
    f = cand.problem.facilitators[member]
    booked = [
        (x.start, x.end) for s in plan.sections for x in s.sessions if x.facilitator == member
    ]
    day_minutes: dict = {}
    for start, end in booked:
        day = cand.grid.local_date(start, f.timezone)
        day_minutes[day] = day_minutes.get(day, 0) + end - start
    options = []  # (gain, section index, session indexes)
    for k, section in enumerate(plan.sections):
        if section.group not in groups or section.fixed_id or section.previous_id:
            continue
        gains = [_gain(cand, section, x, member) for x in section.sessions]
        if cand.groups[section.group].program.same_facilitator:
            options.append((sum(gains), k, list(range(len(gains)))))
        else:
            options += [(g, k, [j]) for j, g in enumerate(gains)]
    swaps: dict[tuple[int, int], str] = {}
    for gain, k, indexes in sorted(options, key=lambda o: (-o[0], o[1], o[2])):
        if gain <= 0:
            break
        sessions = [plan.sections[k].sessions[j] for j in indexes]
        if not all(_free(cand, f, x, booked, day_minutes) for x in sessions):
            continue
        for j, x in zip(indexes, sessions, strict=True):
            swaps[k, j] = member
            booked.append((x.start, x.end))
            day = cand.grid.local_date(x.start, f.timezone)
            day_minutes[day] = day_minutes.get(day, 0) + x.minutes
    return swaps


def _gain(cand: Candidates, section, x: PlannedSession, member: str) -> int:
    """What the session's price loses, in cents, when ``member`` teaches it."""
    now = session_prices(cand, section, x)
    theirs = session_prices(cand, section, dataclasses.replace(x, facilitator=member))
    return sum(now.values()) - sum(theirs.values())


def _free(cand: Candidates, f, x: PlannedSession, booked, day_minutes) -> bool:
    """Whether facilitator ``f`` can take session ``x`` besides the ``booked`` ones."""
    if x.facilitator == f.id or not cand.facilitator_free(f.id, x.start, x.minutes):
        return False
    buffer = f.buffer_minutes
    if any(x.start < end + buffer and start < x.end + buffer for start, end in booked):
        return False
    day = cand.grid.local_date(x.start, f.timezone)
    limit = f.max_minutes_per_day
    return limit is None or day_minutes.get(day, 0) + x.minutes <= limit


def with_swaps(plan: Plan, swaps: dict[tuple[int, int], str]) -> Plan:
    """``plan`` with each swapped session taught by its new facilitator."""
    sections = list(plan.sections)
    for k in {k for k, _ in swaps}:
        sessions = [
            dataclasses.replace(x, facilitator=swaps[k, j]) if (k, j) in swaps else x
            for j, x in enumerate(sections[k].sessions)
        ]
        sections[k] = dataclasses.replace(sections[k], sessions=sessions)
    return Plan(sections)
