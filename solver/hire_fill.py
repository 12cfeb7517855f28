"""A fast construction of hires: the learners a plan leaves out placed greedily with the pool.

Trying pool members one at a time (``solver.hire_search``) only moves sessions that are already
placed, and gets few trials in its time; when the engine's plan leaves many learners unplaced
(generated M, seed 12, 20 s: 236 of them), their unscheduled cost dwarfs any hire and nothing in
that search places them. This stage does what a coordinator would: keep every section of the plan
as it is and place the learners left out the greedy way (:func:`solver.greedy.place_section`),
with every facilitator *and* every pool member free to teach them; the pool members the new
sections use are the hires, each from the week of their first session. Then each hire is tried
dropped (the one teaching fewest learners first), their sections placed again without them, and
kept dropped when that is cheaper. The answer is kept only when its plan plus hiring is cheaper
than the search's best, and it always passes the independent checker first.
"""

from __future__ import annotations

from solver import candidates
from solver.bookings import Calendar
from solver.candidates import Candidates
from solver.check import check
from solver.deadline import Deadline
from solver.greedy import form_sections, place_section, urgency
from solver.hiring import staffed
from solver.plan import Plan, PlannedSection


def filled(cand: Candidates, plan: Plan, deadline: Deadline) -> Plan:
    """``plan`` with its sections as they are and the learners it leaves out placed in new
    sections the greedy way (most urgent first, earliest slot, cheapest free facilitator of
    ``cand``), as far as ``deadline`` allows."""
    cal = Calendar(cand)
    for section in plan.sections:
        for x in section.sessions:
            cal.book(section.parts, x)
    placed = plan.placed_by_cohort()
    remaining = {c.id: c.size - placed.get(c.id, 0) for c in cand.problem.cohorts.values()}
    pending = [
        (group, parts)
        for group in cand.groups.values()
        if any(remaining.get(c, 0) > 0 for c in group.cohorts)
        for parts in form_sections(cand, group, remaining)
        if sum(parts.values()) >= group.program.seats[0]
    ]
    pending.sort(key=lambda gp: urgency(cand, gp[1]))
    out = Plan(list(plan.sections))
    for group, parts in pending:
        if deadline.passed():
            break
        sessions = place_section(cand, cal, group, parts, book=True)
        if sessions is None:
            continue
        out.sections.append(PlannedSection(group.key, parts, sessions))
    return out


def learners_taught(plan: Plan, members) -> dict[str, int]:
    """Per member of ``members`` teaching in ``plan``, the learners of their sections."""
    taught: dict[str, int] = {}
    for section in plan.sections:
        for f in {x.facilitator for x in section.sessions} & set(members):
            taught[f] = taught.get(f, 0) + section.size
    return taught


def fill_hires(problem, state, deadline: Deadline, cand_all: Candidates | None = None):
    """``state`` (a ``hire_search.Staffing``) with the learners it leaves out placed with hires
    from the whole pool, then hires that do not pay dropped one at a time (fewest learners taught
    first); ``state`` itself unless that is cheaper and checker clean."""
    from solver.hire_search import priced, restaffed

    cand_all = cand_all or candidates.build(staffed(problem))
    kept_hires = set(state.starts)
    # Hires already made keep teaching what they teach; anyone may take the new sections.
    found = priced(problem, cand_all, filled(cand_all, state.plan, deadline))
    state.trials.append("fill")
    best = None
    if found is not None and found.total < state.total - 0.005:
        best = _clean(problem, restaffed(problem, found))
    if best is None:
        return state
    best.trials = state.trials
    return _dropped(problem, best, kept_hires, deadline)


def _dropped(problem, state, keep: set[str], deadline: Deadline):
    """``state`` with each new hire (not in ``keep``) dropped when placing their sections again
    without them (with the other facilitators and hires) is cheaper; fewest learners first."""
    from solver.hire_search import hired_problem, priced, restaffed

    taught = learners_taught(state.plan, set(state.starts) - keep)
    for member in sorted(taught, key=lambda f: (taught[f], f)):
        if deadline.passed():
            break
        starts = {f: w for f, w in state.starts.items() if f != member}
        cand = candidates.build(hired_problem(problem, starts))
        kept = Plan([
            s for s in state.plan.sections if all(x.facilitator != member for x in s.sessions)
        ])  # fmt: skip
        found = priced(problem, cand, filled(cand, kept, deadline))
        state.trials.append(f"fill without {member}")
        if found is None or found.total >= state.total - 0.005:
            continue
        found = _clean(problem, restaffed(problem, found))
        if found is not None:
            found.trials = state.trials
            state = found
    return state


def _clean(problem, state):
    """``state`` when the independent checker accepts its plan with its hires, else None."""
    from solver.capacity import hired_document

    doc = hired_document(problem, state.cand, Plan(list(state.plan.sections)), state.starts)
    return None if check(problem, doc) else state
