"""Reads of the coordinators' reports: published versions, the cost report of one, the cost
model of every program and the pilot comparison of two groups of cohorts.

Pages cost a fixed number of queries: the documents of a version are read (and priced) once per
process, later requests only look up names and fixed costs, one query per kind of row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import defer, joinedload

from scheduler.extensions import db
from scheduler.models import (
    Cohort,
    CohortMember,
    Facilitator,
    Program,
    Room,
    ScheduledSection,
    ScheduledSession,
    ScheduleVersion,
    SectionSeat,
    Site,
    User,
    VersionStatus,
)
from scheduler.reports import costmodel
from scheduler.reports.costs import (
    TRAINING,
    VIRTUAL,
    Breakdown,
    Spend,
    Use,
    breakdown_of,
    breakdowns_of,
)
from scheduler.team.util import NO_VALUE, FollowUpProgress, follow_up_progress

LIGHT_VERSION = (defer(ScheduleVersion.problem_json), defer(ScheduleVersion.schedule_json))


# --- Versions -------------------------------------------------------------------------------


def published_versions() -> list[ScheduleVersion]:
    """The published version of every period, newest period first (documents not loaded)."""
    return list(
        db.session.scalars(
            select(ScheduleVersion)
            .where(ScheduleVersion.status == VersionStatus.PUBLISHED)
            .options(*LIGHT_VERSION, joinedload(ScheduleVersion.period))
            .order_by(ScheduleVersion.published_at.desc(), ScheduleVersion.id.desc())
        )
    )


def version_light(version_id: int) -> ScheduleVersion | None:
    """A version without its documents (they load on first access, when not priced yet)."""
    return db.session.scalar(
        select(ScheduleVersion)
        .where(ScheduleVersion.id == version_id)
        .options(*LIGHT_VERSION, joinedload(ScheduleVersion.period))
    )


# --- Cost report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line of a cost table: money per component (in currency units), learners, and the
    fixed development cost where it applies."""

    label: str
    components: dict[str, float]
    fixed: float
    learners: int
    sessions: int
    hours: float

    @property
    def training(self) -> float:
        return round(sum(self.components.values()), 2)

    @property
    def total(self) -> float:
        return round(self.training + self.fixed, 2)

    @property
    def per_learner(self) -> float | None:
        return round(self.training / self.learners, 2) if self.learners else None

    @property
    def per_learner_with_fixed(self) -> float | None:
        return round(self.total / self.learners, 2) if self.learners else None


@dataclass(frozen=True)
class Utilisation:
    label: str
    used_hours: float
    offered_hours: float | None

    @property
    def share(self) -> float | None:
        if not self.offered_hours:
            return None
        return self.used_hours / self.offered_hours


@dataclass(frozen=True)
class CostReport:
    version: ScheduleVersion
    total: Line
    programs: list[Line]
    sites: list[Line]
    reported: dict
    greedy: float | None
    facilitators: list[Utilisation]
    rooms: list[Utilisation]
    seats_offered: int

    @property
    def saving(self) -> float | None:
        """The solver's saving against the greedy plan, on the solver's own total."""
        if self.greedy is None:
            return None
        return round(self.greedy - self.version.total_cost, 2)

    @property
    def saving_share(self) -> float | None:
        return self.saving / self.greedy if self.greedy else None

    @property
    def seat_fill(self) -> float | None:
        return self.total.learners / self.seats_offered if self.seats_offered else None

    @staticmethod
    def overall(uses: list[Utilisation]) -> float | None:
        """Hours used over hours offered, counting only those with availability set."""
        counted = [use for use in uses if use.offered_hours]
        offered = sum(use.offered_hours for use in counted)
        return sum(use.used_hours for use in counted) / offered if offered else None


def _line(label: str, spend: Spend, fixed: float = 0.0) -> Line:
    return Line(
        label=label,
        components={c: spend.cents[c] / 100 for c in TRAINING},
        fixed=fixed,
        learners=spend.learners,
        sessions=spend.sessions,
        hours=round(spend.minutes / 60, 2),
    )


def cost_report(version: ScheduleVersion) -> CostReport:
    """The cost report of ``version`` (see ``scheduler.reports.costs``)."""
    breakdown = breakdown_of(version)
    programs = _by_key(Program, breakdown.by_program)
    sites = _by_key(Site, [key for key in breakdown.by_site if key != VIRTUAL])
    program_lines = [
        _line(
            programs[key].name if key in programs else key,
            spend,
            programs[key].fixed_development_cost if key in programs else 0.0,
        )
        for key, spend in sorted(breakdown.by_program.items())
    ]
    site_lines = [
        _line(sites[key].name if key in sites else (key or "Virtual (online)"), spend)
        for key, spend in sorted(breakdown.by_site.items())
    ]
    fixed = sum(line.fixed for line in program_lines)
    return CostReport(
        version=version,
        total=_line("All programs", breakdown.total, fixed),
        programs=program_lines,
        sites=site_lines,
        reported=breakdown.reported,
        greedy=version.greedy_cost,
        facilitators=_uses(breakdown.facilitators, _facilitator_names(breakdown)),
        rooms=_uses(breakdown.rooms, _room_names(breakdown)),
        seats_offered=breakdown.seats_offered,
    )


def _by_key(model, keys: Iterable[str]) -> dict:
    keys = list(keys)
    if not keys:
        return {}
    return {row.key: row for row in db.session.scalars(select(model).where(model.key.in_(keys)))}


def _facilitator_names(breakdown: Breakdown) -> dict[str, str]:
    keys = [use.key for use in breakdown.facilitators]
    if not keys:
        return {}
    rows = db.session.execute(
        select(Facilitator.key, User.name)
        .join(User, User.id == Facilitator.user_id)
        .where(Facilitator.key.in_(keys))
    )
    return dict(rows.all())


def _room_names(breakdown: Breakdown) -> dict[str, str]:
    keys = [use.key for use in breakdown.rooms]
    if not keys:
        return {}
    rows = db.session.execute(
        select(Room.key, Room.name, Site.name)
        .join(Site, Site.id == Room.site_id)
        .where(Room.key.in_(keys))
    )
    return {key: f"{room}, {site}" for key, room, site in rows}


def _uses(uses: list[Use], names: dict[str, str]) -> list[Utilisation]:
    return [
        Utilisation(
            label=names.get(use.key, use.key),
            used_hours=round(use.used_minutes / 60, 2),
            offered_hours=None
            if use.offered_minutes is None
            else round(use.offered_minutes / 60, 2),
        )
        for use in uses
    ]


# --- Cost model -----------------------------------------------------------------------------


def program_actuals() -> dict[str, Spend]:
    """Training spend and learners per program key over every period's published version."""
    found: dict[str, Spend] = {}
    for breakdown in breakdowns_of(published_versions()):
        for key, spend in breakdown.by_program.items():
            total = found.setdefault(key, Spend())
            total.learners += spend.learners
            for component in TRAINING:
                total.add(component, spend.cents[component])
    return found


def program_options(
    program: Program, actual: Spend | None, classroom_share: float
) -> costmodel.ProgramModel:
    """A program's three cost lines: its own figures where entered or measured, else the rate
    card's defaults (flagged as such)."""
    il_fixed, il_variable = costmodel.RATE_CARD["instructor_led"]
    ml_fixed, ml_variable = costmodel.RATE_CARD["microlearning"]
    learners = actual.learners if actual else 0
    instructor_led = costmodel.Option(
        name="Instructor-led",
        fixed=program.fixed_development_cost or il_fixed,
        per_learner=(actual.training_cents / 100 / learners) if learners else il_variable,
        fixed_is_default=not program.fixed_development_cost,
        per_learner_is_default=not learners,
    )
    microlearning = costmodel.Option(
        name="Microlearning",
        fixed=ml_fixed
        if program.microlearning_fixed_cost is None
        else program.microlearning_fixed_cost,
        per_learner=(
            ml_variable
            if program.microlearning_learner_cost is None
            else program.microlearning_learner_cost
        ),
        fixed_is_default=program.microlearning_fixed_cost is None,
        per_learner_is_default=program.microlearning_learner_cost is None,
    )
    return costmodel.ProgramModel(
        program_id=program.id,
        program=program.name,
        learners=learners,
        options=(
            instructor_led,
            microlearning,
            costmodel.blended(instructor_led, microlearning, classroom_share),
        ),
    )


def cost_models(classroom_share: float) -> list[costmodel.ProgramModel]:
    """Every program's cost model, by name."""
    actuals = program_actuals()
    programs = db.session.scalars(select(Program).order_by(Program.name, Program.id))
    return [program_options(p, actuals.get(p.key), classroom_share) for p in programs]


# --- Pilot comparison -------------------------------------------------------------------------


@dataclass(frozen=True)
class PilotGroup:
    """One side of a pilot: its cohorts, their learners and how they are doing."""

    cohorts: list[Cohort]
    learners: int
    seated: int
    hours: float  # instructor-led hours scheduled, all learners together
    progress: list[FollowUpProgress]

    @property
    def hours_per_learner(self) -> float | None:
        return round(self.hours / self.seated, 2) if self.seated else None

    @property
    def completion(self) -> float | None:
        due = sum(p.due for p in self.progress)
        return sum(p.done for p in self.progress) / due if due else None

    @property
    def quiz_score(self) -> float | None:
        scores = [p.quiz_score for p in self.progress if p.quiz_score is not None]
        return sum(scores) / len(scores) if scores else None

    def check_ins(self, which: str) -> str:
        """How many learners answered the 30- or 90-day check-in, and their mean confidence."""
        texts = [getattr(p, f"check_in_{which}") for p in self.progress]
        scores = [int(t.split("/")[0]) for t in texts if t.endswith("/5")]
        answered = len(scores) + texts.count("done")
        if not answered:
            return NO_VALUE
        mean = f", mean confidence {sum(scores) / len(scores):.1f}/5" if scores else ""
        return f"{answered} of {self.learners} answered{mean}"


def cohort_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Cohort.id, Cohort.key, Program.name)
        .join(Program, Program.id == Cohort.program_id)
        .order_by(Program.name, Cohort.key)
    )
    return [(id_, f"{key} ({program})") for id_, key, program in rows]


def pilot_group(cohort_ids: list[int]) -> PilotGroup:
    """The pilot figures of the cohorts ``cohort_ids`` (a fixed number of queries)."""
    cohorts = list(
        db.session.scalars(
            select(Cohort)
            .where(Cohort.id.in_(cohort_ids))
            .options(joinedload(Cohort.program))
            .order_by(Cohort.key)
        )
    )
    members = select(CohortMember.learner_id).where(CohortMember.cohort_id.in_(cohort_ids))
    learners = db.session.scalar(
        select(func.count(func.distinct(CohortMember.learner_id))).where(
            CohortMember.cohort_id.in_(cohort_ids)
        )
    )
    seats = (
        select(SectionSeat.learner_id, ScheduledSession.start, ScheduledSession.end)
        .join(ScheduledSection, ScheduledSection.id == SectionSeat.section_id)
        .join(ScheduleVersion, ScheduleVersion.id == ScheduledSection.version_id)
        .join(ScheduledSession, ScheduledSession.section_id == ScheduledSection.id)
        .where(
            ScheduleVersion.status == VersionStatus.PUBLISHED,
            SectionSeat.cohort_id.in_(cohort_ids),
        )
    )
    seated: set[int] = set()
    seconds = 0.0
    for learner_id, start, end in db.session.execute(seats):
        seated.add(learner_id)
        seconds += (end - start).total_seconds()
    progress = follow_up_progress(members, [], "UTC", datetime.now(UTC))
    return PilotGroup(
        cohorts=cohorts,
        learners=learners or 0,
        seated=len(seated),
        hours=round(seconds / 3600, 2),
        progress=list(progress.values()),
    )
