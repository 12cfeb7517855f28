"""Periods to solve in the job tests: a small one (solved in well under a second) and a busy one
(its plan never meets its lower bound, so the solve lasts its limit and there is time to cancel
it or kill its worker)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from scheduler.extensions import db
from scheduler.models import PlanningPeriod, SolveJob
from tests.factories import (
    create_cohort,
    create_facilitator,
    create_learner,
    create_program,
    create_room,
    create_site,
)

MARCH = {"start": date(2027, 3, 1), "end": date(2027, 3, 26), "timezone": "Europe/London"}


def period_with(
    cohorts: int,
    sites: int = 1,
    facilitators: int = 2,
    time_limit: int = 5,
    sizes: tuple[int, int] = (4, 5),
    splittable: bool = True,
):
    """A committed period of ``cohorts`` cohorts of one program over ``sites`` sites; cohort
    ``i`` has ``sizes[0] + i % sizes[1]`` learners."""
    places = [create_site() for _ in range(sites)]
    for site in places:
        create_room(site, capacity=20)
        create_room(site, capacity=12, hourly_cost=25.0)
    program = create_program(sessions=(120, 120, 90))
    for i in range(cohorts):
        site = places[i % sites]
        learners = [create_learner(site) for _ in range(sizes[0] + i % sizes[1])]
        create_cohort(program, site, learners=learners, earliest=MARCH["start"],
                      deadline=date(2027, 3, 26), splittable=splittable)  # fmt: skip
    for i in range(facilitators):
        create_facilitator(site=places[i % sites], hourly_rate=80.0 + 10 * i)
    period = PlanningPeriod(name="March", time_limit_seconds=time_limit, **MARCH)
    db.session.add(period)
    db.session.commit()
    return period


def small_period(time_limit: int = 5) -> PlanningPeriod:
    return period_with(cohorts=3, time_limit=time_limit)


def busy_period(time_limit: int = 60) -> PlanningPeriod:
    """30 cohorts of 11–13 learners that may not be split, sections of at most 20: every cohort
    needs a section of its own, which the lower bound (learners over seats) does not see. The
    search cannot meet its bound, so it runs until its limit or a cancel (measured: still
    improving after 8 s, 19 % above the bound)."""
    return period_with(cohorts=30, sites=3, facilitators=6, time_limit=time_limit,
                       sizes=(11, 3), splittable=False)  # fmt: skip


def wait_for(job_id: int, until: Callable[[SolveJob], bool], timeout: float = 60.0) -> SolveJob:
    """The job once ``until(job)`` holds, read afresh every 0.1 s; fails after ``timeout``.

    Outside a request a session's transaction holds SQLite's write lock (BEGIN IMMEDIATE), so
    the transaction is ended before sleeping: the worker must be able to write meanwhile.
    """
    deadline = time.monotonic() + timeout
    while True:
        job = db.session.get(SolveJob, job_id, populate_existing=True)
        if until(job):
            return job
        status, error = job.status.value, job.error
        db.session.rollback()
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} is still {status}: {error}")
        time.sleep(0.1)


def record_building(monkeypatch, monitor_class) -> list[tuple]:
    """What a job's monitor is told before its first schedule (``JobMonitor.building``), as
    (step, done, total, whether it had a schedule yet), still passed on to the monitor."""
    told, building = [], monitor_class.building

    def recorded(self, step, done, total):
        told.append((step, done, total, self.found))
        building(self, step, done, total)

    monkeypatch.setattr(monitor_class, "building", recorded)
    return told


def assert_read_then_built_section_by_section(told: list[tuple]) -> None:
    """The data read first, then every section of the greedy plan counted in turn up to all
    of them, all before the first schedule (``record_building``)."""
    assert told[0] == ("reading", 0, 0, False)
    new = [(done, total) for step, done, total, _ in told if step == "new"]
    total = new[0][1]
    assert total > 0 and new == [(k, total) for k in range(total)] + [(total, total)]
    assert not any(found for *_, found in told)
