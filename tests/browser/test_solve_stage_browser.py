"""Before the first schedule (seconds on 10,000 cohorts) the job page says what the worker does
and how far it is, and follows it without a reload until the first cost shows. The job's row
is written here as a worker's monitor writes it, so each step is seen for as long as needed."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select, update

from scheduler.database import utcnow
from scheduler.demo import load_demo
from scheduler.extensions import db
from scheduler.models import JobStatus, PlanningPeriod, SolveJob


def _write(app, job_id: int, **values) -> None:
    """What a worker's heartbeat writes (``JobMonitor._beat``), the heartbeat kept fresh."""
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            update(SolveJob).where(SolveJob.id == job_id).values(heartbeat_at=utcnow(), **values)
        )


def test_the_job_page_follows_the_first_schedule_being_built(live_server, browser):
    app = live_server.app
    with app.app_context():
        load_demo(today=date.today())
        period = db.session.scalar(select(PlanningPeriod))
        job = SolveJob(period_id=period.id, time_limit_seconds=300, status=JobStatus.RUNNING,
                       started_at=utcnow(), heartbeat_at=utcnow(), stage="reading")  # fmt: skip
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("coordinator@demo.example")
    page.get_by_label("Password").fill("demo-coordinator")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/solve-jobs/{job_id}")
    summary = page.locator("#job-progress [data-field=summary]")
    expect(summary).to_have_text("Reading the planning data.")

    _write(app, job_id, stage="new", stage_done=3100, stage_total=12676)
    expect(summary).to_have_text("Building the first schedule: 3,100 of 12,676 sections tried.")
    _write(app, job_id, stage_done=9000)
    expect(summary).to_have_text("Building the first schedule: 9,000 of 12,676 sections tried.")
    expect(page.locator("#job-progress [data-field=best_cost]")).to_have_text("—")

    _write(app, job_id, stage_done=12676, best_cost=14959040.0)
    expect(summary).to_have_text("Solving.")
    expect(page.locator("#job-progress [data-field=best_cost]")).to_have_text("14,959,040.00")
