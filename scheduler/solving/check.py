"""The data check of a period: what no solver run can schedule, and where to fix it.

``solver.explain`` states each reason in the coordinator's words already ("no qualified
facilitator: nobody has skill 'pos'"); this module adds the pages where the data behind each
reason is edited.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from scheduler.extensions import db
from scheduler.models import Cohort, PlanningPeriod
from scheduler.planning.mapping import period_problem
from solver import parse_problem

Link = tuple[str, str]  # (label, URL)


@dataclass
class Blocker:
    """A cohort that cannot be scheduled, why, and the pages to fix it on."""

    cohort_key: str
    learners: int
    reasons: list[str]
    links: list[Link] = field(default_factory=list)


@dataclass
class CheckResult:
    blockers: list[Blocker] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # the data is not even a valid problem
    left_out: list[dict] = field(default_factory=list)  # cohorts without learners yet
    cohorts: int = 0

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
    ids = {entry["id"]: entry["x-id"] for entry in document["cohorts"]}
    cohorts = _cohorts(list(ids.values()))
    for entry in explain(problem):
        cohort = cohorts.get(ids.get(entry["cohort"]))
        result.blockers.append(
            Blocker(
                cohort_key=entry["cohort"],
                learners=entry["learners"],
                reasons=entry["reasons"],
                links=fix_links(cohort, entry["reasons"]) if cohort else [],
            )
        )
    return result


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
    return links


def _cohorts(ids: list[int]) -> dict[int, Cohort]:
    query = (
        select(Cohort)
        .where(Cohort.id.in_(ids))
        .options(selectinload(Cohort.program), selectinload(Cohort.site))
    )
    return {cohort.id: cohort for cohort in db.session.scalars(query)}
