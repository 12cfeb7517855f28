"""Measure what the break-on-save check costs a save on the demo (issue 17).

    SCHEDULER_DATABASE_URL=sqlite:////tmp/demo.db flask --app scheduler db upgrade
    SCHEDULER_DATABASE_URL=sqlite:////tmp/demo.db flask --app scheduler demo
    python -m bench.breaks --database sqlite:////tmp/demo.db --repeat 5

On the demo's published plans, it times (in-process, no web request) one mapping + checker pass
of every published version (``session_problems``, done twice per save: before and after the
change), and a whole preview of a change that breaks sessions (a facilitator with Mondays only
from 13:00), rolled back each time. Prints the medians as Markdown.
"""

from __future__ import annotations

import argparse
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--repair-seconds", type=float, default=0, help="also time a repair")
    args = parser.parse_args()

    from sqlalchemy import select

    from scheduler import create_app
    from scheduler.availability.operations import save_facilitator_availability
    from scheduler.availability.util import AvailabilityPlan, WeeklyRange
    from scheduler.breaks.util import preview_breaks, published_versions, session_problems
    from scheduler.extensions import db
    from scheduler.models import BrokenSession, Facilitator, ScheduledSession

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database, "TRUSTED_HOSTS": None})
    with app.app_context():
        versions = published_versions()
        sessions = sum(_count(v) for v in versions)
        check_times, preview_times = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            for version in published_versions():
                session_problems(version)
            check_times.append(time.perf_counter() - started)
        busiest = db.session.scalar(
            select(Facilitator)
            .join(ScheduledSession, ScheduledSession.facilitator_id == Facilitator.id)
            .limit(1)
        )
        plan = AvailabilityPlan(
            timezone=busiest.timezone,
            weekly=tuple(WeeklyRange(day, 13 * 60, 17 * 60) for day in range(5)),
            windows=(),
        )
        found = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            found = preview_breaks(lambda: save_facilitator_availability(busiest, plan))
            preview_times.append(time.perf_counter() - started)
            db.session.rollback()
        deletions = _deletion_previews(args.repeat)
        assert db.session.scalars(select(BrokenSession)).all() == []
        repaired = _repair(busiest, plan, args.repair_seconds) if args.repair_seconds else None
    print(f"Published versions: {len(versions)}, sessions: {sessions}; repeat {args.repeat}\n")
    print("| step | median (ms) |")
    print("|---|---|")
    print(f"| check every published plan (mapping + solver.check) | {_ms(check_times)} |")
    print(f"| preview of a change breaking {len(found)} sessions | {_ms(preview_times)} |")
    for label, (count, times) in deletions.items():
        print(f"| confirm page of {label} (preview, {count} sessions broken) | {_ms(times)} |")
    if repaired is not None:
        seconds, levels = repaired
        print(
            f"\nRepair of that change ({args.repair_seconds:g} s limit): {seconds:.1f} s, {levels}"
        )


def _deletion_previews(repeat: int) -> dict[str, tuple[int, list[float]]]:
    """Time the previews the delete/disable confirm pages run: the busiest room deleted, the
    largest cohort deleted (its learners' cancellations built too), its facilitator disabled."""
    from sqlalchemy import func, select

    from scheduler.breaks.util import preview_breaks
    from scheduler.cohorts.operations import delete_cohort
    from scheduler.extensions import db
    from scheduler.facilitators.operations import set_enabled
    from scheduler.models import Cohort, Facilitator, Room, ScheduledSession, SectionSeat
    from scheduler.sites.operations import delete_room

    def busiest(model, column):
        key = select(column).group_by(column).order_by(func.count().desc()).limit(1)
        return db.session.get(model, db.session.scalar(key))

    room = busiest(Room, ScheduledSession.room_id)
    cohort = busiest(Cohort, SectionSeat.cohort_id)
    teacher = busiest(Facilitator, ScheduledSession.facilitator_id)
    changes = {
        f"deleting room {room.name}": lambda: delete_room(room),
        f"deleting cohort {cohort.key}": lambda: delete_cohort(cohort),
        f"disabling {teacher.name}": lambda: set_enabled(teacher, False),
    }
    out = {}
    for label, change in changes.items():
        times, found = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            found = preview_breaks(change)
            times.append(time.perf_counter() - started)
            db.session.rollback()
        out[label] = (len(found), times)
    return out


def _repair(facilitator, plan, seconds: float):
    """Apply the change (rolled back afterwards) and time a repair of the published plan."""
    from scheduler.availability.operations import save_facilitator_availability
    from scheduler.breaks.util import published_versions
    from scheduler.extensions import db
    from scheduler.planning.mapping import period_problem
    from solver import check, parse_problem
    from solver.repair import repair

    save_facilitator_availability(facilitator, plan)
    db.session.flush()
    problem, errors = parse_problem(period_problem(published_versions()[0].period))
    db.session.rollback()
    started = time.perf_counter()
    schedule = repair(problem, time_limit=seconds)
    elapsed = time.perf_counter() - started
    assert check(problem, schedule) == [], "the repaired plan breaks a rule"
    return elapsed, schedule["solver"]["repair"]


def _count(version) -> int:
    return sum(len(section.sessions) for section in version.sections)


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f}"


if __name__ == "__main__":
    main()
