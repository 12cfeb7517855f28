"""Store a schedule version: the solver's documents verbatim, and the same schedule as rows.

The solver counts learners per cohort and section; the app must name them. Seats go to the
same learners as in the published version where a section is kept (a re-plan should not
reshuffle people between groups), then to the cohort's other learners in key order.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from scheduler.extensions import db
from scheduler.models import (
    CohortMember,
    Learner,
    PlanningPeriod,
    ScheduledSection,
    ScheduledSession,
    ScheduleVersion,
    SectionCohort,
    SectionSeat,
    User,
    VersionOrigin,
    VersionStatus,
)


def published_version(period: PlanningPeriod) -> ScheduleVersion | None:
    """The period's published schedule, if any."""
    return db.session.scalar(
        select(ScheduleVersion).where(
            ScheduleVersion.period_id == period.id,
            ScheduleVersion.status == VersionStatus.PUBLISHED,
        )
    )


def session_uid(period: PlanningPeriod, section_key: str, position: int) -> str:
    """The name of a session in every version of its period (calendar invites update by it)."""
    return f"period-{period.id}-section-{section_key}-session-{position}@cohort-scheduler"


def store_version(
    period: PlanningPeriod,
    problem: dict,
    schedule: dict,
    *,
    origin: VersionOrigin,
    created_by: User | None = None,
    based_on: ScheduleVersion | None = None,
    greedy_cost: float | None = None,
    note: str = "",
) -> ScheduleVersion:
    """Add a draft version of ``period`` made of ``problem`` and ``schedule`` (not committed)."""
    number = (
        db.session.scalar(
            select(func.max(ScheduleVersion.number)).where(ScheduleVersion.period_id == period.id)
        )
        or 0
    ) + 1
    version = ScheduleVersion(
        period=period,
        number=number,
        origin=origin,
        based_on=based_on,
        period_version=period.version,
        problem_json=json.dumps(problem, sort_keys=True),
        schedule_json=json.dumps(schedule, sort_keys=True),
        solver_status=schedule["status"],
        total_cost=schedule["cost"]["total"],
        greedy_cost=greedy_cost,
        note=note,
        created_by_id=created_by.id if created_by else None,
    )
    db.session.add(version)
    _add_rows(version, period, problem, schedule)
    db.session.flush()
    return version


def problem_of(version: ScheduleVersion) -> dict:
    return json.loads(version.problem_json)


def schedule_of(version: ScheduleVersion) -> dict:
    return json.loads(version.schedule_json)


def _add_rows(version: ScheduleVersion, period, problem: dict, schedule: dict) -> None:
    ids = _database_ids(problem)
    previous_seats = _seats_by_section(published_version(period))
    cohort_ids = [ids["cohorts"][c["cohort"]] for s in schedule["sections"] for c in s["cohorts"]]
    learners = _learners_by_cohort(cohort_ids)
    seats_max = {p["id"]: p["seats"][1] for p in problem["programs"]}
    taken: dict[int, set[int]] = defaultdict(set)
    pending: list[tuple[ScheduledSection, int, int]] = []
    for entry in schedule["sections"]:
        section = ScheduledSection(
            key=entry["id"],
            program_id=ids["programs"][entry["program"]],
            seats_max=seats_max[entry["program"]],
        )
        version.sections.append(section)
        for part in entry["cohorts"]:
            cohort_id = ids["cohorts"][part["cohort"]]
            section.cohorts.append(SectionCohort(cohort_id=cohort_id, learners=part["learners"]))
            # Learners who sat in this section before keep their seat.
            kept = [
                learner
                for learner in previous_seats.get((entry["id"], cohort_id), [])
                if learner in learners[cohort_id] and learner not in taken[cohort_id]
            ][: part["learners"]]
            for learner in kept:
                section.seats.append(SectionSeat(learner_id=learner, cohort_id=cohort_id))
            taken[cohort_id].update(kept)
            pending.append((section, cohort_id, part["learners"] - len(kept)))
        for item in entry["sessions"]:
            section.sessions.append(_session(period, entry["id"], item, ids))
    for section, cohort_id, count in pending:
        free = [learner for learner in learners[cohort_id] if learner not in taken[cohort_id]]
        for learner in free[:count]:
            section.seats.append(SectionSeat(learner_id=learner, cohort_id=cohort_id))
        taken[cohort_id].update(free[:count])


def _session(period, section_key: str, item: dict, ids: dict) -> ScheduledSession:
    return ScheduledSession(
        position=item["index"],
        start=datetime.fromisoformat(item["start"]),
        end=datetime.fromisoformat(item["end"]),
        facilitator_id=ids["facilitators"].get(item["facilitator"]),
        room_id=ids["rooms"].get(item["room"]) if item.get("room") else None,
        uid=session_uid(period, section_key, item["index"]),
    )


def _database_ids(problem: dict) -> dict[str, dict[str, int]]:
    """Each kind's external key → database id, from the ``x-id`` the mapping put in the problem."""
    return {
        kind: {entry["id"]: entry["x-id"] for entry in problem.get(kind, [])}
        for kind in ("programs", "cohorts", "facilitators", "rooms")
    }


def _learners_by_cohort(cohort_ids: list[int]) -> dict[int, list[int]]:
    """Each cohort's learner ids, in learner-key order (the order seats are handed out)."""
    rows = db.session.execute(
        select(CohortMember.cohort_id, CohortMember.learner_id)
        .where(CohortMember.cohort_id.in_(set(cohort_ids)))
        .join(CohortMember.learner)
        .order_by(CohortMember.cohort_id, Learner.key)
    )
    out: dict[int, list[int]] = defaultdict(list)
    for cohort_id, learner_id in rows:
        out[cohort_id].append(learner_id)
    return out


def _seats_by_section(version: ScheduleVersion | None) -> dict[tuple[str, int], list[int]]:
    """(section key, cohort id) → learner ids seated there in ``version``."""
    if version is None:
        return {}
    sections = db.session.scalars(
        select(ScheduledSection)
        .where(ScheduledSection.version_id == version.id)
        .options(selectinload(ScheduledSection.seats))
    )
    out: dict[tuple[str, int], list[int]] = defaultdict(list)
    for section in sections:
        for seat in section.seats:
            out[(section.key, seat.cohort_id)].append(seat.learner_id)
    return out
