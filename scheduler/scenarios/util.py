"""Reads of the scenarios area: a scenario's problem (its copy with the changes applied, validated)
and the period's scenarios. The side-by-side figures are in ``scheduler.scenarios.comparison``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import defer

from scheduler.caching import cached_value, digest
from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.jobs.util import heartbeat_cutoff, heartbeat_stopped
from scheduler.models import PlanningPeriod, Scenario, ScheduleVersion, Site, VersionStatus
from scheduler.scenarios import changes as kinds
from solver import parse_problem


@dataclass(frozen=True)
class ScenarioProblem:
    """A scenario's problem document and what is wrong with it, each error naming its change."""

    document: dict | None
    errors: list[str]

    @property
    def valid(self) -> bool:
        return self.document is not None and not self.errors


def scenario_problem(base: dict, changes: list[dict]) -> ScenarioProblem:
    """``base`` with ``changes`` applied in order, checked by the solver's validator.

    The copy is validated before any change and after each one, so an error the data already had
    is reported as the period's, and a new one names the change that caused it (the first
    change after which it appears)."""
    seen = {_key(e) for e in _errors(base)}
    errors = [f"The period's data: {e['path']}: {e['message']}" for e in _errors(base)]
    document = base
    for number, change in enumerate(changes, start=1):
        label = f"Change {number} ({kinds.describe(change)})"
        try:
            document = kinds.apply(document, change)
        except kinds.ChangeError as error:
            errors.append(f"{label}: {error}")
            continue
        for error in _errors(document):
            if _key(error) not in seen:
                seen.add(_key(error))
                errors.append(f"{label}: {error['path']}: {error['message']}")
    return ScenarioProblem(document, errors)


def _errors(document: dict) -> list[dict]:
    problem, errors = parse_problem(document)
    return [] if problem is not None else errors


def _key(error: dict) -> tuple[str, str]:
    return error["path"], error["message"]


def problem_of(scenario: Scenario) -> ScenarioProblem:
    """The scenario's current problem (see ``scenario_problem``), built once per content.

    Every page of a scenario needs it, and building it validates the copy once more per change
    (0.03-0.15 s on the demo on a quiet machine, 0.6 s at load 13), so it is cached under the
    digests of the copy and the changes it follows from, never the scenario's id: SQLite gives
    a deleted scenario's id to the next one, and a scenario changed by any path is a new key."""
    content = (
        "scenarios/problem",
        digest(scenario.base_json),
        digest(scenario.changes_json or "[]"),
    )
    return cached_value(content, lambda: scenario_problem(scenario.base, scenario.changes))


#: Beyond its time limit, how long a solve may still take (building and checking the problem, a
#: queue busy with other solves) before its worker counts as lost.
LOST_AFTER = timedelta(minutes=10)


def solve_lost(scenario: Scenario, now: datetime | None = None) -> bool:
    """Whether the scenario's queued or running solve can no longer finish: a running one whose
    heartbeat stopped (``scheduler.jobs.util``), or one still unfinished ``LOST_AFTER`` past the
    period's time limit (a queued one no worker took)."""
    if not scenario.status.active:
        return False
    if heartbeat_stopped(scenario, heartbeat_cutoff(now)):
        return True
    since = scenario.started_at or scenario.queued_at
    if since is None:
        return False
    limit = timedelta(seconds=scenario.period.time_limit_seconds) + LOST_AFTER
    return (now or utcnow()) - since > limit


def scenarios_of(period: PlanningPeriod) -> list[Scenario]:
    """The period's scenarios, newest first, without their documents."""
    return list(
        db.session.scalars(
            select(Scenario)
            .where(Scenario.period_id == period.id)
            .options(
                defer(Scenario.base_json),
                defer(Scenario.schedule_json),
                defer(Scenario.solved_problem_json),
            )
            .order_by(Scenario.created_at.desc(), Scenario.id.desc())
        )
    )


def current_plan(period: PlanningPeriod) -> ScheduleVersion | None:
    """The real period's current plan: its published version, else its newest draft."""
    return db.session.scalar(
        select(ScheduleVersion)
        .where(
            ScheduleVersion.period_id == period.id,
            ScheduleVersion.status.in_([VersionStatus.PUBLISHED, VersionStatus.DRAFT]),
        )
        .order_by(
            (ScheduleVersion.status == VersionStatus.PUBLISHED).desc(),
            ScheduleVersion.number.desc(),
        )
        .limit(1)
    )


def site_names(keys: list[str] | None = None) -> dict[str, str]:
    """Site names by key (all sites, or those of ``keys``)."""
    query = select(Site.key, Site.name).order_by(Site.name)
    if keys is not None:
        query = query.where(Site.key.in_(keys))
    return dict(db.session.execute(query).all())


def document_choices(document: dict) -> dict[str, list[tuple[str, str]]]:
    """What a change form offers, from the scenario's own copy: its facilitators, cohorts,
    programs, skills and the sites of its rooms (keys with names)."""
    sites = site_names()
    room_sites = sorted({room["site"] for room in document.get("rooms", [])})
    skills = sorted(
        {p["skill"] for p in document.get("programs", []) if p.get("skill")}
        | {s for f in document.get("facilitators", []) for s in f.get("skills", [])}
    )
    return {
        "facilitators": [(f["id"], f.get("name") or f["id"]) for f in document["facilitators"]],
        "cohorts": [(c["id"], f"{c['id']} ({c['program']})") for c in document["cohorts"]],
        "programs": [(p["id"], p.get("name") or p["id"]) for p in document["programs"]],
        "skills": [(s, s) for s in skills],
        "room_sites": [(key, sites.get(key, key)) for key in room_sites],
        "sites": sorted(sites.items(), key=lambda item: item[1]),
    }
