"""Scenarios side by side: the figures of each plan, from its own problem and schedule documents.

The same two functions compute them for a scenario's result and for the period's current plan
alike: ``priced``, everything the two documents alone say (the reports area's breakdown: the
solver's own pricing, item by item), and ``labelled``, which adds what the programs in the
database say, through the reports area's cost model (``scheduler.reports.costmodel``): the
microlearning follow-up and the blended alternative. Program names and microlearning costs are
read once per comparison.

The first step is the costly one (the breakdown parses the problem and prices every session) and
a stored result never changes, so pages price each pair of stored documents once
(``stored_priced``, cached by their digests); the second is one query per page, so a program's
costs changed in the database show at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from scheduler.caching import cached_value, digest
from scheduler.extensions import db
from scheduler.models import PlanningPeriod, Program, Scenario
from scheduler.reports import costmodel
from scheduler.reports.costs import Spend, compute_breakdown
from scheduler.reports.util import program_options
from scheduler.scenarios.util import current_plan


@dataclass(frozen=True)
class Figures:
    """What one plan costs and achieves; money in currency units."""

    label: str
    training_cost: float  # facilitators + travel + rooms + seats
    learners: int  # in the plan's cohorts
    trained: int  # placed in a section, every session by their cohort's deadline
    last_finish: str | None  # the local date the last session ends
    facilitator_hours: float
    facilitator_offered_hours: float  # of those with availability set
    travel: float
    rooms: float
    room_hours: float
    microlearning: float  # the follow-up's per-learner cost for everyone trained
    blended: float  # the cost model's blended alternative for the same learners
    solver_total: float  # the schedule's own total (with unscheduled learners' cost)

    @property
    def per_trained_learner(self) -> float | None:
        return round(self.training_cost / self.trained, 2) if self.trained else None

    @property
    def utilisation(self) -> float | None:
        if not self.facilitator_offered_hours:
            return None
        return self.facilitator_hours / self.facilitator_offered_hours


@dataclass(frozen=True)
class Priced:
    """What a plan's two documents alone say (no database): its figures without their label,
    microlearning follow-up and blended alternative, and the spend per program those two need."""

    figures: Figures
    by_program: dict[str, Spend]


def priced(problem: dict, schedule: dict) -> Priced:
    """Price the plan ``schedule`` of ``problem`` (see ``Priced``)."""
    breakdown = compute_breakdown(problem, schedule)
    total = breakdown.total
    counted = [u for u in breakdown.facilitators if u.offered_minutes]
    plain = Figures(
        label="",
        training_cost=total.training_cents / 100,
        learners=sum(c.get("size", len(c.get("learners", []))) for c in problem.get("cohorts", [])),
        trained=total.learners,
        last_finish=_last_finish(schedule, problem["timezone"]),
        facilitator_hours=round(sum(u.used_minutes for u in counted) / 60, 2),
        facilitator_offered_hours=round(sum(u.offered_minutes for u in counted) / 60, 2),
        travel=total.cents["travel"] / 100,
        rooms=total.cents["rooms"] / 100,
        room_hours=round(sum(u.used_minutes for u in breakdown.rooms) / 60, 2),
        microlearning=0.0,
        blended=0.0,
        solver_total=float(schedule["cost"]["total"]),
    )
    return Priced(plain, breakdown.by_program)


def stored_priced(problem_json: str, schedule_json: str) -> Priced:
    """``priced`` of two stored documents, computed once per content: the key is their digests
    (the key prefix covers the engine whose pricing it is), so a new result, or a scenario deleted and another
    made with its id, is priced afresh."""
    content = ("scenarios/priced", digest(problem_json), digest(schedule_json))
    return cached_value(
        content, lambda: priced(json.loads(problem_json), json.loads(schedule_json))
    )


def labelled(label: str, plan: Priced, programs: dict[str, Program]) -> Figures:
    """A priced plan's figures under ``label``, with the follow-up and the blended alternative
    of the programs as the database has them now."""
    microlearning = blended = 0.0
    for key, spend in plan.by_program.items():
        if key not in programs or not spend.learners:
            continue
        il, ml, bl = program_options(
            programs[key], spend, costmodel.DEFAULT_CLASSROOM_SHARE
        ).options
        microlearning += ml.per_learner * spend.learners
        blended += bl.cost(spend.learners)
    return replace(
        plan.figures, label=label, microlearning=round(microlearning, 2), blended=round(blended, 2)
    )


def _last_finish(schedule: dict, timezone: str) -> str | None:
    ends = [
        datetime.fromisoformat(session["end"])
        for section in schedule.get("sections", [])
        for session in section["sessions"]
    ]
    return max(ends).astimezone(ZoneInfo(timezone)).date().isoformat() if ends else None


def programs_of(*plans: Priced) -> dict[str, Program]:
    """The programs these plans spent on, by key, in one query."""
    keys = {key for plan in plans for key in plan.by_program}
    if not keys:
        return {}
    return {p.key: p for p in db.session.scalars(select(Program).where(Program.key.in_(keys)))}


def scenario_figures(scenario: Scenario) -> Figures | None:
    """The figures of a scenario's last good result, or None before its first."""
    if not scenario.schedule_json:
        return None
    plan = stored_priced(scenario.solved_problem_json, scenario.schedule_json)
    return labelled(scenario.name, plan, programs_of(plan))


# --- the table ----------------------------------------------------------------------------------

#: (label, how to read it off ``Figures``, kind, lower is better)
ROWS = (
    ("Training cost", lambda f: f.training_cost, "money", True),
    ("Cost per trained learner", lambda f: f.per_trained_learner, "money", True),
    ("Learners trained by their deadline", lambda f: f.trained, "count", False),
    ("Learners left unscheduled", lambda f: f.learners - f.trained, "count", True),
    ("Last cohort finishes", lambda f: f.last_finish, "date", True),
    ("Facilitator utilisation", lambda f: f.utilisation, "share", False),
    ("Facilitator hours", lambda f: f.facilitator_hours, "hours", None),
    ("Travel", lambda f: f.travel, "money", True),
    ("Rooms", lambda f: f.rooms, "money", True),
    ("Room hours", lambda f: f.room_hours, "hours", None),
    ("Microlearning follow-up", lambda f: f.microlearning, "money", True),
    ("Blended alternative (cost model)", lambda f: f.blended, "money", True),
    ("Solver's total (with unscheduled learners)", lambda f: f.solver_total, "money", True),
)


@dataclass(frozen=True)
class Cell:
    value: object
    kind: str
    verdict: str  # "better", "worse", "same" or "" (the reference column, or no judgement)


@dataclass(frozen=True)
class Comparison:
    columns: list[Figures]
    has_plan: bool  # the first column is the period's current plan
    unsolved: list[str]  # chosen scenarios without a result yet

    def rows(self) -> list[tuple[str, list[Cell]]]:
        """Each row's cells, judged against the first column."""
        out = []
        for label, read, kind, lower_better in ROWS:
            values = [read(f) for f in self.columns]
            cells = [Cell(values[0], kind, "")] if values else []
            for value in values[1:]:
                verdict = _verdict(_shown(values[0], kind), _shown(value, kind), lower_better)
                cells.append(Cell(value, kind, verdict))
            out.append((label, cells))
        return out

    def chart_data(self) -> dict:
        """The numbers the page's charts draw (the same as the table's)."""
        return {
            "labels": [f.label for f in self.columns],
            "money": [
                {"label": label, "values": [read(f) or 0 for f in self.columns]}
                for label, read, kind, _ in ROWS
                if kind == "money" and label != "Cost per trained learner"
            ],
            "learners": [
                {"label": "Trained by their deadline", "values": [f.trained for f in self.columns]},
                {"label": "Unscheduled", "values": [f.learners - f.trained for f in self.columns]},
            ],
        }


def _shown(value, kind: str):
    """A value as precise as the table shows it: a difference nobody can see is no difference."""
    if value is None or kind not in ("money", "share", "hours"):
        return value
    return round(value, {"money": 2, "share": 3, "hours": 1}[kind])


def _verdict(reference, value, lower_better: bool | None) -> str:
    if lower_better is None or reference is None or value is None:
        return ""
    if value == reference:
        return "same"
    return "better" if (value < reference) == lower_better else "worse"


def compare(period: PlanningPeriod, scenario_ids: list[int]) -> Comparison:
    """The period's current plan (if any) and the chosen scenarios' results, side by side."""
    plan = current_plan(period)
    scenarios = list(
        db.session.scalars(
            select(Scenario)
            .where(Scenario.period_id == period.id, Scenario.id.in_(scenario_ids))
            .order_by(Scenario.id)
        )
    )
    sources = []
    if plan is not None:
        label = f"Current plan (version {plan.number}, {plan.status.value})"
        sources.append((label, plan.problem_json, plan.schedule_json))
    solved = [s for s in scenarios if s.schedule_json]
    sources += [(s.name, s.solved_problem_json, s.schedule_json) for s in solved]
    plans = [(label, stored_priced(problem, schedule)) for label, problem, schedule in sources]
    programs = programs_of(*(result for _, result in plans))
    return Comparison(
        columns=[labelled(label, result, programs) for label, result in plans],
        has_plan=plan is not None,
        unsolved=[s.name for s in scenarios if not s.schedule_json],
    )
