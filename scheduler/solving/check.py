"""The data check of a period: what no solver run can schedule, and where to fix it.

``solver.explain`` states each reason in the coordinator's words already ("no qualified
facilitator: nobody has skill 'pos'"); this module adds the pages where the data behind each
reason is edited. It also counts the days each cohort could attend that are public holidays or
closures (the ``x-closed-days`` the mapping puts on the cohort's entry), and says so next to a
timing reason, which ``solver.explain`` states without knowing why the days are blocked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from scheduler.extensions import db
from scheduler.models import Cohort, PlanningPeriod
from scheduler.planning.mapping import period_problem
from solver import parse_problem
from solver.problem import Problem

Link = tuple[str, str]  # (label, URL)


@dataclass
class Blocker:
    """A cohort that cannot be scheduled, why, and the pages to fix it on."""

    cohort_key: str
    learners: int
    reasons: list[str]
    links: list[Link] = field(default_factory=list)


@dataclass(frozen=True)
class LostDays:
    """The days a cohort could attend (its weekdays between its earliest start and deadline,
    within the period) that are public holidays or closures at its site."""

    cohort_key: str
    possible: int
    lost: dict[date, str]  # date: what closes it

    def describe(self) -> str:
        """ "2 of its 45 possible days are holidays or closures: Christmas Day (Fri 25 Dec)..." """
        names = ", ".join(f"{name} ({day:%a %d %b})" for day, name in self.lost.items())
        return (
            f"{len(self.lost)} of its {self.possible} possible days "
            f"{'is a holiday or closure' if len(self.lost) == 1 else 'are holidays or closures'}"
            f": {names}"
        )


@dataclass
class CheckResult:
    blockers: list[Blocker] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # the data is not even a valid problem
    left_out: list[dict] = field(default_factory=list)  # cohorts without learners yet
    cohorts: int = 0
    lost_days: list[LostDays] = field(default_factory=list)  # cohorts that lose any day

    @property
    def days_lost_summary(self) -> str:
        """ "3 cohorts lose 4 of their 20 possible days to holidays and closures" ("" if none)."""
        if not self.lost_days:
            return ""
        cohorts = len(self.lost_days)
        lost = sum(len(item.lost) for item in self.lost_days)
        possible = sum(item.possible for item in self.lost_days)
        who = "1 cohort loses" if cohorts == 1 else f"{cohorts} cohorts lose"
        their = "its" if cohorts == 1 else "their"
        return f"{who} {lost} of {their} {possible} possible days to holidays and closures"

    @property
    def clear(self) -> bool:
        """Nothing blocks a plan."""
        return not self.blockers and not self.errors


def check_period(period: PlanningPeriod) -> CheckResult:
    """What cannot be scheduled in ``period`` whatever the solver does."""
    from solver.explain import explain  # loads OR-Tools

    document = period_problem(period)
    result = CheckResult(left_out=document.get("x-left-out", []), cohorts=len(document["cohorts"]))
    problem, errors = parse_problem(document)
    if problem is None:
        result.errors = errors
        return result
    result.lost_days = lost_days(problem, document)
    lost_by_cohort = {item.cohort_key: item for item in result.lost_days}
    ids = {entry["id"]: entry["x-id"] for entry in document["cohorts"]}
    cohorts = _cohorts(list(ids.values()))
    for entry in explain(problem):
        cohort = cohorts.get(ids.get(entry["cohort"]))
        reasons = list(entry["reasons"])
        lost = lost_by_cohort.get(entry["cohort"])
        if lost is not None and any(word in " ".join(reasons) for word in TIMING_WORDS):
            reasons.append(lost.describe())
        result.blockers.append(
            Blocker(
                cohort_key=entry["cohort"],
                learners=entry["learners"],
                reasons=reasons,
                links=fix_links(cohort, reasons) if cohort else [],
            )
        )
    return result


#: Words of ``solver.explain``'s reasons about time, where blocked days may be the cause.
TIMING_WORDS = ("hours", "free", "spaced")


def lost_days(problem: Problem, document: dict) -> list[LostDays]:
    """For every cohort, the possible days it loses to holidays and closures (only those
    that lose any), in the document's order."""
    out = []
    for entry in document["cohorts"]:
        closed = {date.fromisoformat(d): name for d, name in entry.get("x-closed-days", {}).items()}
        if not closed:
            continue
        cohort = problem.cohorts[entry["id"]]
        day = max(cohort.earliest, problem.horizon_start)
        last = min(cohort.deadline, problem.horizon_end)
        possible = []
        while day <= last:
            if day.weekday() in cohort.hours.days:
                possible.append(day)
            day += timedelta(days=1)
        lost = {d: closed[d] for d in possible if d in closed}
        if lost:
            out.append(LostDays(cohort.id, len(possible), lost))
    return out


def fix_links(cohort: Cohort, reasons: list[str]) -> list[Link]:
    """The pages where the data behind ``reasons`` is edited, the cohort's own page first."""
    text = " ".join(reasons)
    links = [(f"Cohort {cohort.key}", url_for("cohorts.show", cohort_id=cohort.id))]
    if "facilitator" in text:
        links.append(("Facilitators and their skills", url_for("facilitators.index")))
    if "room" in text and cohort.site_id is not None:
        links.append(
            (f"Rooms at {cohort.site.name}", url_for("sites.show", site_id=cohort.site_id))
        )
    if "seats" in text or "skill" in text or "spaced" in text:
        links.append(
            (
                f"Program {cohort.program.name}",
                url_for("programs.edit", program_id=cohort.program_id),
            )
        )
    if "hours" in text or "deadline" in text:
        links.append(("Cohort dates and hours", url_for("cohorts.edit", cohort_id=cohort.id)))
    if "holidays or closures" in text or "holiday or closure" in text:
        if cohort.site_id is not None:
            links.append(
                (
                    f"Public holidays of {cohort.site.name}",
                    url_for("sites.edit", site_id=cohort.site_id),
                )
            )
        links.append(("Closures", url_for("sites.closures")))
    return links


def _cohorts(ids: list[int]) -> dict[int, Cohort]:
    query = (
        select(Cohort)
        .where(Cohort.id.in_(ids))
        .options(selectinload(Cohort.program), selectinload(Cohort.site))
    )
    return {cohort.id: cohort for cohort in db.session.scalars(query)}
