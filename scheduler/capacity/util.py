"""Reads of the capacity area: choices for the form, the pool as the solver reads it, and a
finished plan's answer as the result page shows it."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import CapacityPlan, PlanningPeriod, PoolCandidate, Program, Site
from solver.schedule import parse_utc

WORK_DAYS = ("mon", "tue", "wed", "thu", "fri")
DAY_START_HOUR, DAY_HOURS = 9, 8


def skills(period: PlanningPeriod) -> list[str]:
    """The skills the period's programs need (all programs when the period names none)."""
    programs = period.programs or db.session.scalars(select(Program)).all()
    return sorted({p.skill for p in programs if p.skill})


def site_choices() -> list[tuple[int, str]]:
    """Every site as ``(id, name)``, by name."""
    return [(s.id, s.name) for s in db.session.scalars(select(Site).order_by(Site.name))]


def plans_of(period: PlanningPeriod) -> list[CapacityPlan]:
    """The period's capacity plans, newest first."""
    return list(
        db.session.scalars(
            select(CapacityPlan)
            .where(CapacityPlan.period_id == period.id)
            .order_by(CapacityPlan.created_at.desc(), CapacityPlan.id.desc())
        )
    )


def weekly_hours(hours: int) -> dict[str, list[list[str]]]:
    """``hours`` a week as weekly availability: whole days of 09:00–17:00 from Monday, then the
    rest from 09:00 on the next day (20 hours: Monday, Tuesday, and Wednesday 09:00–13:00)."""
    weekly, left = {}, hours
    for day in WORK_DAYS:
        if left <= 0:
            break
        today = min(left, DAY_HOURS)
        weekly[day] = [[f"{DAY_START_HOUR:02d}:00", f"{DAY_START_HOUR + today:02d}:00"]]
        left -= today
    return weekly


def member_id(candidate: PoolCandidate, k: int) -> str:
    """The pool member id of the ``k``-th person (from 1) of a row."""
    return f"pool-{candidate.position}.{k}"


def pool_entries(plan: CapacityPlan, timezone: str) -> list[dict]:
    """The plan's pool as the problem's ``hiring_pool`` (one entry per person of each row)."""
    entries = []
    for c in plan.candidates:
        for k in range(1, c.count + 1):
            entries.append(
                {
                    "id": member_id(c, k),
                    "name": f"Hire {c.position}.{k} ({c.skill})",
                    "skills": [c.skill],
                    "site": c.site.key if c.site else None,
                    "timezone": c.site.timezone if c.site else timezone,
                    "weekly": weekly_hours(c.weekly_hours),
                    "hourly_rate": c.hourly_rate,
                    "weekly_cost": c.weekly_cost,
                    "onboarding_cost": c.onboarding_cost,
                    "earliest_start": c.earliest_start.isoformat() if c.earliest_start else None,
                }
            )
    return entries


@dataclass
class HireRow:
    """One hire as the result page lists it."""

    id: str
    skill: str
    site: str
    start: date
    weeks: int
    sessions: int
    onboarding: float
    weekly: float


@dataclass
class DeadlineGroupRow:
    """One deadline group of the sensitivity table: the cohorts of a program due on one date,
    and the re-solve rows (or the reason there is none) with their deadline a week later and a
    week earlier; ``note`` says why the group was not examined at all."""

    program: str
    deadline: date
    cohorts: int
    learners: int
    left_out: int
    later: dict | None = None
    earlier: dict | None = None
    note: str = ""


def deadline_group_rows(table: dict) -> list[DeadlineGroupRow]:
    """The ``deadline_group`` rows of a sensitivity table folded into one row per group, in the
    table's order (the examined groups first, those mattering most first)."""
    groups: dict[tuple[str, str], DeadlineGroupRow] = {}
    for row in table.get("rows", []):
        if row.get("kind") != "deadline_group":
            continue
        g = row["group"]
        key = (g["deadline"], g["program"])
        if key not in groups:
            groups[key] = DeadlineGroupRow(
                program=g["program_name"],
                deadline=date.fromisoformat(g["deadline"]),
                cohorts=len(g["cohorts"]),
                learners=g["learners"],
                left_out=g["left_out"],
            )
        group = groups[key]
        if row.get("days", 0) > 0:
            group.later = row
        elif row.get("days", 0) < 0:
            group.earlier = row
        else:
            group.note = row["note"]
    return list(groups.values())


@dataclass
class Answer:
    """A finished plan's answer: the hires, the cost, the plan's summary and the sensitivity."""

    hires: list[HireRow]
    cost: dict[str, float]
    status: str
    sections: int
    placed: int
    unscheduled: int
    last_day: date | None
    sensitivity: dict = field(default_factory=dict)

    @property
    def overall_rows(self) -> list[dict]:
        """The sensitivity rows that are not about one deadline group."""
        return [r for r in self.sensitivity.get("rows", []) if r.get("kind") != "deadline_group"]

    @property
    def deadline_groups(self) -> list[DeadlineGroupRow]:
        """The sensitivity's deadline groups, one row each (see :func:`deadline_group_rows`)."""
        return deadline_group_rows(self.sensitivity)

    @property
    def headline(self) -> str:
        """How many, with which skill, where: "2 hires: 1 × pos at Manchester, ..."."""
        if not self.hires:
            return "No hire needed: the current facilitators can train every learner they can."
        kinds = Counter((h.skill, h.site) for h in self.hires)
        listed = ", ".join(f"{n} × {skill} at {site}" for (skill, site), n in kinds.items())
        n = len(self.hires)
        return f"{n} hire{'s' if n != 1 else ''}: {listed}"


def answer(plan: CapacityPlan) -> Answer | None:
    """The answer of a finished plan, or None when it has none."""
    if not plan.result_json:
        return None
    result = json.loads(plan.result_json)
    schedule = result["schedule"]
    rows = {member_id(c, k): c for c in plan.candidates for k in range(1, c.count + 1)}
    hires = []
    for h in schedule.get("hires", []):
        row = rows.get(h["id"])
        hires.append(
            HireRow(
                id=h["id"],
                skill=row.skill if row else ", ".join(h.get("skills", [])),
                site=row.site.name if row and row.site else "no home site (virtual)",
                start=date.fromisoformat(h["from"]),
                weeks=h["weeks"],
                sessions=h.get("sessions", 0),
                onboarding=h["cost"]["onboarding"],
                weekly=h["cost"]["weekly"],
            )
        )
    placed = sum(p["learners"] for s in schedule["sections"] for p in s["cohorts"])
    ends = [parse_utc(x["end"]) for s in schedule["sections"] for x in s["sessions"]]
    last = max((e for e in ends if e is not None), default=None)
    return Answer(
        hires=hires,
        cost=schedule["cost"],
        status=schedule["status"],
        sections=len(schedule["sections"]),
        placed=placed,
        unscheduled=sum(u["learners"] for u in schedule["unscheduled"]),
        last_day=_local_day(last, plan.period.timezone) if last else None,
        sensitivity=result.get("sensitivity") or {},
    )


def _local_day(instant, timezone: str) -> date:
    return instant.astimezone(ZoneInfo(timezone)).date()
