"""The CP-SAT variables of a schedule, the hint that fills them and the plan read back from them.

A *candidate section* is a possible section of one group (program + site, or program + virtual) with
a presence literal. Each cohort of the group has a membership literal and a learner count in it, so
merging (two cohorts in one section) and splitting (one cohort over several sections) are both just
values of these variables. Each session of a candidate section has an integer start whose domain is
the pre-filtered grid starts, a day index channelled from it, and one literal per facilitator and
room that could take it; the rules in :mod:`solver.rules` link them. All money is integer cents.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from ortools.sat.python import cp_model

from solver import rules
from solver.candidates import Candidates, Group
from solver.deadline import Deadline
from solver.plan import Plan, PlannedSection, PlannedSession
from solver.pricing import cents


@dataclass
class SessionVars:
    """Variables of one session of a candidate section."""

    index: int
    minutes: int
    domain: list[int]  # allowed starts, sorted
    start: cp_model.IntVar
    day: cp_model.IntVar
    facilitators: dict[str, cp_model.IntVar] = field(default_factory=dict)
    rooms: dict[str, cp_model.IntVar] = field(default_factory=dict)
    # literal per facilitator: the session touches that facilitator's if_need_be time
    reluctant: dict[str, cp_model.IntVar] = field(default_factory=dict)
    # (minute of a DST change, literal: the session starts after it), for the day channel
    clock_changes: list[tuple[int, cp_model.IntVar]] = field(default_factory=list)
    # literal per (facilitator, local day index): the facilitator teaches it that day
    teaching_day: dict[tuple[str, int], cp_model.IntVar] = field(default_factory=dict)


@dataclass
class SectionVars:
    """Variables of one candidate section."""

    name: str
    group: Group
    present: cp_model.IntVar
    members: dict[str, cp_model.IntVar]  # cohort -> takes part
    learners: dict[str, cp_model.IntVar]  # cohort -> learners in the section
    sessions: list[SessionVars]
    fixed_id: str | None = None
    previous_id: str | None = None
    # conflict key -> (literal: the section holds one of its cohorts, those cohorts)
    in_conflict: dict[str, tuple[cp_model.IntVar, list[str]]] = field(default_factory=dict)

    @property
    def interchangeable(self) -> bool:
        """Generic sections of a group can swap places; fixed or previous ones cannot."""
        return self.fixed_id is None and self.previous_id is None

    @property
    def size(self) -> cp_model.LinearExpr:
        return sum(self.learners.values())


@dataclass
class KeptSession:
    """A session of ``previous`` and the literal telling whether it is kept as it was."""

    section: SectionVars
    index: int
    start: int
    facilitator: str | None
    room: str | None
    literal: cp_model.IntVar


class ScheduleModel:
    """The whole CP-SAT model of one problem."""

    def __init__(
        self, cand: Candidates, plan: Plan | None = None, deadline: Deadline | None = None
    ) -> None:
        """Build the model; raises ``TimeUp`` between rules once ``deadline`` has passed."""
        self.cand = cand
        self.problem = cand.problem
        self.grid = cand.grid
        self.model = cp_model.CpModel()
        self.sections: list[SectionVars] = []
        self.costs: dict[str, list[cp_model.LinearExprT]] = defaultdict(list)
        self.fixed: list[tuple[cp_model.IntVar, str]] = []  # (assumption literal, description)
        self.kept: list[KeptSession] = []
        self.change_sessions = 0
        self._create_sections(plan or Plan())
        for rule in rules.ALL_RULES:
            if deadline is not None:
                deadline.check()
            rule(self)
        self.model.minimize(self.objective)

    @property
    def objective(self) -> cp_model.LinearExprT:
        """The total cost in cents."""
        # Integer cents: CP-SAT would scale a float objective and the costs would drift.
        changes = cents(self.problem.change_cost) * self.change_sessions
        return sum(sum(terms) for terms in self.costs.values()) + changes

    # -- variables ---------------------------------------------------------------------------

    def _create_sections(self, plan: Plan) -> None:
        fixed_parts: dict[str, dict[str, int]] = {}
        fixed_starts: dict[str, dict[int, int]] = defaultdict(dict)
        for fx in self.problem.fixed:
            fixed_parts[fx.section] = {p.cohort: p.learners for p in fx.cohorts}
            fixed_starts[fx.section][fx.session] = self.grid.minute(fx.start)
        for sid, parts in fixed_parts.items():
            group = self.cand.groups[self.cand.group_of[next(iter(parts))]]
            self._section(f"fixed:{sid}", group, list(parts), fixed_starts[sid], fixed_id=sid)
        for sid, group, cohorts, starts in self._previous_sections(set(fixed_parts)):
            self._section(f"previous:{sid}", group, cohorts, starts, previous_id=sid)
        generic_in_plan: dict[str, int] = defaultdict(int)
        for s in plan.sections:
            if not s.fixed_id and not s.previous_id:
                generic_in_plan[s.group] += 1
        for group in self.cand.groups.values():
            count = max(group.sections, generic_in_plan[group.key])
            for k in range(count):
                if self._section(f"{group.key}#{k}", group, group.cohorts, {}) is None:
                    break  # the others would be empty too

    def _previous_sections(self, fixed_ids: set[str]):
        """Designated candidate sections for the sections of ``previous`` that can still exist."""
        for sec in (self.problem.previous or {}).get("sections") or []:
            sid = sec.get("id")
            cohorts = [p.get("cohort") for p in sec.get("cohorts") or []]
            groups = {self.cand.group_of.get(c) for c in cohorts}
            if sid in fixed_ids or len(groups) != 1 or None in groups:
                continue
            group = self.cand.groups[groups.pop()]
            starts = {}
            for x in sec.get("sessions") or []:
                try:
                    starts[x["index"]] = self.grid.minute(datetime.fromisoformat(x["start"]))
                except (KeyError, TypeError, ValueError):
                    continue
            yield sid, group, group.cohorts, starts

    def _section(self, name, group, cohorts, extra_starts, *, fixed_id=None, previous_id=None):
        """Create a candidate section over ``cohorts``; None when it could never be held."""
        m, cand = self.model, self.cand
        nsessions = len(group.program.sessions)
        if fixed_id is None:
            cohorts = [
                c for c in cohorts if all(cand.cohort_starts[(c, i)] for i in range(nsessions))
            ]
        sessions = []
        for i, minutes in enumerate(group.program.sessions):
            domain = {extra_starts[i]} if i in extra_starts else set()
            for c in cohorts:
                domain.update(cand.cohort_starts[(c, i)])
            if not domain:
                return None
            domain = sorted(domain)
            start = m.new_int_var_from_domain(
                cp_model.Domain.from_values(domain), f"{name}.{i}.start"
            )
            days = sorted({self.grid.day_index(t) for t in domain})
            day = m.new_int_var_from_domain(cp_model.Domain.from_values(days), f"{name}.{i}.day")
            clock_changes = self._channel_day(start, day, domain)
            x = SessionVars(i, minutes, domain, start, day, clock_changes=clock_changes)
            self._resource_options(name, group, x)
            sessions.append(x)
        members, learners = {}, {}
        for c in cohorts:
            size = self.problem.cohorts[c].size
            members[c] = m.new_bool_var(f"{name}.{c}.in")
            learners[c] = m.new_int_var(0, size, f"{name}.{c}.learners")
        section = SectionVars(
            name, group, m.new_bool_var(f"{name}.present"), members, learners, sessions,
            fixed_id, previous_id,
        )  # fmt: skip
        self.sections.append(section)
        return section

    def _channel_day(self, start, day, domain: list[int]) -> list[tuple[int, cp_model.IntVar]]:
        """Post ``day`` = local date index of ``start`` as linear constraints.

        Local wall-clock minutes = start + UTC offset, and the offset only changes at a DST change:
        one literal per change inside the domain (start >= change) keeps the channel linear, where a
        (start, day) table would make presolve expand every value."""
        m = self.model
        base, changes = self.grid.clock_offsets()
        wall: cp_model.LinearExprT = start + base
        literals = []
        for at, delta in changes:
            if domain[-1] < at:
                continue
            if domain[0] >= at:
                wall += delta
                continue
            after = m.new_bool_var(f"{start.name}.after.{at}")
            m.add(start >= at).only_enforce_if(after)
            m.add(start <= at - 1).only_enforce_if(after.negated())
            wall += delta * after
            literals.append((at, after))
        m.add(wall - 1440 * day >= 0)
        m.add(wall - 1440 * day <= 1439)
        return literals

    def _resource_options(self, name: str, group: Group, x: SessionVars) -> None:
        """A literal for each facilitator who may teach the session and room that may host it: the
        qualified ones bookable at one of its starts at least."""
        m, cand = self.model, self.cand
        for f in cand.qualified[group.program.id]:
            if not cand.facilitator_starts(f, x.minutes).isdisjoint(x.domain):
                x.facilitators[f] = m.new_bool_var(f"{name}.{x.index}.by.{f}")
        for r in cand.rooms_for(group):
            room = self.problem.rooms[r]
            if room.capacity >= group.program.seats[0] and not cand.room_starts(
                r, x.minutes
            ).isdisjoint(x.domain):
                x.rooms[r] = m.new_bool_var(f"{name}.{x.index}.in.{r}")

    # -- reading a solution back -------------------------------------------------------------

    def plan(self, value) -> Plan:
        """The plan held by a solution; ``value`` maps a variable to its value."""
        plan = Plan()
        for s in self.sections:
            if not value(s.present):
                continue
            parts = {c: int(value(n)) for c, n in s.learners.items() if value(n) > 0}
            sessions = []
            for x in s.sessions:
                f = next(f for f, lit in x.facilitators.items() if value(lit))
                room = next((r for r, lit in x.rooms.items() if value(lit)), None)
                sessions.append(PlannedSession(x.index, int(value(x.start)), x.minutes, f, room))
            plan.sections.append(
                PlannedSection(s.group.key, parts, sessions, s.fixed_id, s.previous_id)
            )
        return plan
