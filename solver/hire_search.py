"""Capacity planning on larger problems: hires searched as neighbourhoods of the engine's plan.

One CP-SAT model of a whole period with a hire literal per pool member does not improve in time
beyond a few cohorts (the demo, 60 cohorts, 20 s: no hire, and 0.9 % dearer than not having a pool
at all; bench/results/log.md). So above ``POOL_MODEL_COHORTS`` capacity planning starts from the
engine's own answer with nobody hired and moves from one valid plan to a cheaper one:

- first the fill (:mod:`solver.hire_fill`): the learners the plan leaves out placed the greedy way
  with the whole pool free to teach them, then new hires that do not pay dropped;
- each pool member is ranked by what they could save: for every session of a program they could
  teach, its fees and travel above theirs, plus the unscheduled cost of those programs' cohorts,
  less what hiring them costs; only members who could pay for themselves are tried, most first;
- a trial adds one member as a facilitator (the current plan stays valid: one more person only adds
  options) and runs neighbourhood steps (:func:`solver.lns.step`) on the groups they could help
  most, warm-started from the current plan;
- the trial's price is its plan's cost plus hiring, the hire starting the week of their first
  taught session; it is kept only when that is cheaper than the best so far;
- a kept hire is available from that week only, so no later step can make them start earlier (and
  cost more weeks); each hire is then tried dropped, their sections re-placed without them;
- the time left goes to the engine's neighbourhood search (:func:`solver.lns.search`) over the plan
  with its hires, and afterwards hires who teach nothing are let go and each hire starts the week
  of their first session, which can only lower the price.

Every plan on the way passes the checker with its hires, and the first is the no-hire answer, so
the answer is never dearer than the no-hire solve it starts from.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from solver import candidates, lns
from solver.candidates import Candidates
from solver.capacity import hired_document
from solver.deadline import Deadline
from solver.hire_fill import fill_hires
from solver.hire_swap import swapped_in, with_swaps
from solver.hiring import hire_cents, staffed, week_of, week_start
from solver.plan import Plan, PlannedSession, price, session_prices
from solver.pricing import unscheduled_cents
from solver.problem import Problem

# The most CP-SAT seconds of one step of a hire trial (one group). Measured on the demo (17 of 25
# facilitators, a Berlin trainer offered): the Berlin POS group alone saved 6,142 in 1.5 s,
# 6,986 in 5 s and 12,634 in 15 s; steps over it with a second group saved 738 in 1.6 s.
HIRE_STEP_SECONDS = 5.0
# Groups where a member could save less than this share of their total are not stepped on.
MIN_GROUP_SHARE = 0.05
# A trial gets an even share of the hire stage's time left, within these limits.
MIN_TRIAL_SECONDS, MAX_TRIAL_SECONDS = 1.0, 6.0
# Share of the time left after the no-hire solve that trying hires (and drops) may take; the rest
# goes to the neighbourhood search over the plan with its hires.
HIRE_SHARE = 0.7

log_ = logging.getLogger(__name__)

Report = Callable[[float], None]  # the price (plan + hiring) of a new best answer


@dataclass
class Staffing:
    """A valid plan and its hires (pool member -> week index they start), with its price."""

    cand: Candidates  # the problem with the hires as facilitators, each from their start week
    plan: Plan
    starts: dict[str, int]
    total: float  # the plan's cost plus hiring
    trials: list[str] = field(default_factory=list)  # what was tried, in order, for the record


def hired_problem(problem: Problem, starts: dict[str, int]) -> Problem:
    """The problem with the pool members of ``starts`` as facilitators, each available from the
    week they start (and never before their earliest start); the pool stays listed."""
    later = {}
    for f, week in starts.items():
        member = problem.hiring_pool[f]
        begin = max(week_start(problem, week), member.earliest_start or problem.horizon_start)
        later[f] = dataclasses.replace(member, earliest_start=begin)
    limited = dataclasses.replace(problem, hiring_pool={**problem.hiring_pool, **later})
    return dataclasses.replace(staffed(limited, set(starts)), hiring_pool=problem.hiring_pool)


def first_weeks(cand: Candidates, plan: Plan) -> dict[str, int]:
    """Per pool member teaching in ``plan``, the week of their first session (problem's zone,
    as the checker counts weeks)."""
    problem, first = cand.problem, {}
    for section in plan.sections:
        for x in section.sessions:
            if x.facilitator in problem.hiring_pool:
                week = week_of(problem, cand.grid.local_date(x.start))
                first[x.facilitator] = min(first.get(x.facilitator, week), week)
    return first


def earliest_week(problem: Problem, member: str) -> int:
    """The first week a pool member may start."""
    earliest = problem.hiring_pool[member].earliest_start
    return max(0, week_of(problem, earliest)) if earliest else 0


def hiring_price(problem: Problem, starts: dict[str, int]) -> float:
    """What hiring ``starts`` costs: onboarding and every week from each start to the horizon's
    end (``solver.hiring.hire_cents``, the checker's own arithmetic)."""
    return (
        sum(
            hire_cents(problem, problem.hiring_pool[f], week_start(problem, w))
            for f, w in starts.items()
        )
        / 100
    )


def priced(problem: Problem, cand: Candidates, plan: Plan) -> Staffing | None:
    """``plan`` with the hires it uses, each from the week of their first session; None when a
    session would fall before a member's earliest start week (time zones can put a session at
    the start of their availability on the day before in the problem's zone)."""
    starts = first_weeks(cand, plan)
    if any(w < earliest_week(problem, f) for f, w in starts.items()):
        return None
    total = price(cand, plan)["total"] + hiring_price(problem, starts)
    return Staffing(cand, plan, starts, round(total, 2))


def restaffed(problem: Problem, state: Staffing) -> Staffing:
    """``state`` with its candidates rebuilt for its hires' start weeks (after a change of hires)."""
    cand = candidates.build(hired_problem(problem, state.starts))
    return dataclasses.replace(state, cand=cand)


# --- ranking ------------------------------------------------------------------------------------


def what_they_could_save(cand_all: Candidates, plan: Plan, member: str) -> dict[str, float]:
    """Per group the pool member could teach, the most hiring them could save there: each of its
    sessions' fees and travel above what the member would cost, and its cohorts' unscheduled
    cost. ``cand_all`` holds the whole pool as facilitators."""
    problem = cand_all.problem
    groups = {
        key: 0
        for key, g in cand_all.groups.items()
        if member in cand_all.qualified.get(g.program.id, ())
    }
    for section in plan.sections:
        if section.group not in groups:
            continue
        for x in section.sessions:
            now = session_prices(cand_all, section, x)
            theirs = session_prices(
                cand_all, section, PlannedSession(x.index, x.start, x.minutes, member, x.room)
            )
            gain = sum(now[k] - theirs[k] for k in ("facilitators", "travel", "preferences"))
            groups[section.group] += max(0, gain)
    placed = plan.placed_by_cohort()
    for key in groups:
        for c in cand_all.groups[key].cohorts:
            cohort = problem.cohorts[c]
            groups[key] += unscheduled_cents(cohort, max(cohort.size - placed.get(c, 0), 0))
    return {key: cents / 100 for key, cents in groups.items() if cents > 0}


def worth_trying(problem: Problem, cand_all: Candidates, state: Staffing, tried: set[str]):
    """Pool members not hired nor tried, who could save more than they cost, most first (ties by
    id, so runs repeat): ``[(member, {group: saving})]``."""
    ranked = []
    for member in sorted(problem.hiring_pool):
        if member in state.starts or member in tried:
            continue
        saving = what_they_could_save(cand_all, state.plan, member)
        cost = hiring_price(problem, {member: earliest_week(problem, member)})
        if sum(saving.values()) > cost:
            ranked.append((sum(saving.values()) - cost, member, saving))
    ranked.sort(key=lambda item: (-item[0], item[1]))
    return [(member, saving) for _, member, saving in ranked]


# --- the swap, as the checker sees it ------------------------------------------------------------


_SESSION_PATH = re.compile(r"^sections\[(\d+)\]\.sessions\[(\d+)\]")


def checked_swap(problem: Problem, cand: Candidates, plan: Plan, swaps) -> Plan:
    """``plan`` with the ``swaps`` the independent checker accepts: a section with a session it
    objects to keeps its facilitators, for up to three rounds; ``plan`` itself when the checker
    objects to something no swap explains."""
    from solver.check import check

    swaps = dict(swaps)
    for _ in range(3):
        if not swaps:
            return plan
        proposal = with_swaps(plan, swaps)
        found = priced(problem, cand, proposal)
        if found is None:
            return plan
        index = {id(s): k for k, s in enumerate(proposal.sections)}
        ordered = Plan(list(proposal.sections))  # to_document sorts what it is given
        doc = hired_document(problem, cand, ordered, found.starts)
        violations = check(problem, doc)
        if not violations:
            return proposal
        wrong = set()
        for v in violations:
            m = _SESSION_PATH.match(v["path"])
            k = index[id(ordered.sections[int(m[1])])] if m else None
            if k is None or not any(key[0] == k for key in swaps):
                return plan
            wrong.add(k)
        swaps = {key: f for key, f in swaps.items() if key[0] not in wrong}
    return plan


# --- the search ---------------------------------------------------------------------------------


@dataclass
class Search:
    """What the hire stage works with: the problem, the whole pool as facilitators, time, workers
    and how to run a CP-SAT step (cancellable)."""

    problem: Problem
    cand_all: Candidates
    deadline: Deadline
    workers: int
    run: Callable
    report: Report

    def improve(self, cand: Candidates, plan: Plan, saving: dict[str, float], end) -> Plan:
        """One-group neighbourhood steps within ``plan`` until ``end``, each group's share of the
        time in proportion to what it could save, in passes over the steps CP-SAT did not prove
        optimal (as the engine's sweep); the cheapest plan."""
        total = sum(saving.values())
        order = [k for k in sorted(saving, key=lambda k: (-saving[k], k))]
        order = [k for k in order if saving[k] >= MIN_GROUP_SHARE * total]
        while order:
            unproven = []
            for k, key in enumerate(order):
                # Keep back a moment for building the model, as LNS does with its measured
                # overhead.
                budget = end.earlier(lns.MIN_STEP_SECONDS / 2)
                share = budget.left() * saving[key] / sum(saving[j] for j in order[k:])
                seconds = min(HIRE_STEP_SECONDS, max(lns.MIN_SWEEP_STEP_SECONDS, share))
                seconds = min(seconds, budget.left())
                if seconds < lns.MIN_SWEEP_STEP_SECONDS:
                    return plan
                result, proven = lns.step(
                    cand, plan, {key}, seconds, self.workers, budget, self.run
                )
                if result is not None:
                    plan = result
                if not proven:
                    unproven.append(key)
            order = unproven
        return plan

    def try_hire(self, state: Staffing, member: str, saving: dict[str, float], end) -> Staffing:
        """``state`` with ``member`` hired, when that is cheaper: at once when the sessions they
        can take as they stand pay for them, else after steps on the groups they could help most;
        else ``state``, or a cheaper plan found on the way without them."""
        starts = {**state.starts, member: earliest_week(self.problem, member)}
        cand = candidates.build(hired_problem(self.problem, starts))
        swaps = swapped_in(cand, state.plan, member, set(saving))
        plan = checked_swap(self.problem, cand, state.plan, swaps)
        state.trials.append(f"hire {member}")
        found = priced(self.problem, cand, plan)
        # The swap alone paying leaves the steps' time to other members and to the final search
        # (measured on M at 20 s: a hire trial with steps took 3-6 s of a 7 s hire stage).
        if found is None or found.total >= state.total - 0.005:
            found = priced(self.problem, cand, self.improve(cand, plan, saving, end))
        log_.debug(
            "hire %s: %s (hiring %s) against %s", member, found and found.total,
            found and hiring_price(self.problem, found.starts), state.total,
        )  # fmt: skip
        if found is None or found.total >= state.total - 0.005:
            return state
        found.trials = state.trials
        return restaffed(self.problem, found)

    def try_drop(self, state: Staffing, member: str, end: Deadline) -> Staffing:
        """``state`` without ``member`` when re-placing their sections without them is cheaper."""
        theirs = [
            s for s in state.plan.sections if any(x.facilitator == member for x in s.sessions)
        ]
        if any(s.fixed_id or s.previous_id for s in theirs):
            return state  # kept sections stay as they are: the hire stays too
        starts = {f: w for f, w in state.starts.items() if f != member}
        cand = candidates.build(hired_problem(self.problem, starts))
        kept = Plan([s for s in state.plan.sections if not any(s is t for t in theirs)])
        freed: dict[str, float] = {}  # time by learners to re-place
        for s in theirs:
            freed[s.group] = freed.get(s.group, 0.0) + s.size
        plan = self.improve(cand, kept, freed, end)
        state.trials.append(f"drop {member}")
        found = priced(self.problem, cand, plan)
        log_.debug("drop %s: %s against %s", member, found and found.total, state.total)
        if found is None or found.total >= state.total - 0.005:
            return state
        found.trials = state.trials
        return restaffed(self.problem, found)

    def hires(self, state: Staffing) -> Staffing:
        """Try hires most promising first (re-ranked after each kept one), then drops, within the
        hire stage's share of the time."""
        end = self.deadline.sooner(HIRE_SHARE * self.deadline.left())
        before = state.total
        state = fill_hires(self.problem, state, end, self.cand_all)
        if state.total < before:
            self.report(state.total)
        tried: set[str] = set()
        while not end.passed():
            ranked = worth_trying(self.problem, self.cand_all, state, tried)
            if not ranked:
                break
            member, saving = ranked[0]
            tried.add(member)
            # The most promising member gets half of what is left (they pay most often), the
            # next half of the rest, and so on.
            share = min(MAX_TRIAL_SECONDS, max(MIN_TRIAL_SECONDS, end.left() / min(len(ranked), 2)))
            before = state.total
            state = self.try_hire(state, member, saving, end.sooner(share))
            if state.total < before:
                self.report(state.total)
        # A hire kept earlier may have become redundant with a later one; one hire alone was kept
        # because it paid, and re-placing its sessions is slow (demo, 20 s: 228,089 against
        # 103,333 after 1 s), so only then.
        for member in sorted(state.starts) if len(state.starts) > 1 else []:
            if end.passed():
                break
            before = state.total
            state = self.try_drop(state, member, end.sooner(MAX_TRIAL_SECONDS))
            if state.total < before:
                self.report(state.total)
        return state

    def polish(self, state: Staffing, stop: threading.Event | None) -> Staffing:
        """The engine's neighbourhood search over the plan with its hires until the deadline;
        then each hire starts the week of their first session, and one teaching nothing goes."""
        if self.deadline.left() < lns.MIN_STEP_SECONDS:
            return state
        hiring = hiring_price(self.problem, state.starts)

        def improved(plan: Plan, cost: float) -> None:
            self.report(round(cost + hiring, 2))

        outcome = lns.search(
            state.cand, state.plan, self.deadline, workers=self.workers, improved=improved,
            stop=stop, run=self.run,
        )  # fmt: skip
        found = priced(self.problem, state.cand, outcome.plan)
        if found is None or found.total >= state.total - 0.005:
            return state
        found.trials = state.trials
        if found.total < round(outcome.cost + hiring, 2) - 0.005:
            self.report(found.total)  # a hire let go or starting later
        return found


def search_hires(
    problem: Problem,
    plan: Plan,
    deadline: Deadline,
    *,
    workers: int,
    report: Report,
    run: Callable,
    stop: threading.Event | None = None,
    cand_all: Candidates | None = None,
) -> Staffing:
    """The cheapest plan with hires found from ``plan`` (nobody hired) by ``deadline``."""
    cand = candidates.build(hired_problem(problem, {}))
    state = Staffing(cand, plan, {}, round(price(cand, plan)["total"], 2))
    if deadline.left() < lns.MIN_STEP_SECONDS:
        return state
    cand_all = cand_all or candidates.build(staffed(problem))
    search = Search(problem, cand_all, deadline.with_stop(stop), workers, run, report)
    state = search.hires(state)
    return search.polish(state, stop)
