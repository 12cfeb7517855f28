"""A period solved in parts (issue 18) in a real browser: the job page lists the parts as the
workers take them, without a reload, and ends with one draft."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select

from scheduler.demo import load_demo
from scheduler.extensions import db
from scheduler.jobs.worker import start_embedded_worker, stop_embedded_worker
from scheduler.models import PlanningPeriod

SOLVE_SECONDS = 20


def test_the_job_page_follows_each_part_and_ends_with_one_draft(live_server, browser):
    app = live_server.app
    app.config["SOLVE_PART_COHORTS"] = 25  # the demo's 60 cohorts make three parts
    with app.app_context():
        load_demo(today=date.today())
        db.session.scalar(select(PlanningPeriod)).time_limit_seconds = SOLVE_SECONDS
        db.session.commit()
    consumer = start_embedded_worker(app)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{live_server.url}/login")
        page.get_by_label("E-mail").fill("coordinator@demo.example")
        page.get_by_label("Password").fill("demo-coordinator")
        page.get_by_role("button", name="Sign in").click()
        page.locator("header nav").get_by_role("link", name="Planning").click()
        page.get_by_role("link", name="Demo rollout quarter").click()
        page.get_by_role("button", name=f"Solve (up to {SOLVE_SECONDS} s)").click()
        expect(page.locator("h1")).to_contain_text("Solve of Demo rollout quarter")
        parts = page.locator("#job-parts")
        waiting = (SOLVE_SECONDS + 120) * 1000
        # The page was loaded before the parts existed: the rows come from the live status.
        expect(parts).to_be_visible(timeout=waiting)
        rows = parts.locator("tbody tr")
        expect(rows.first.locator("th")).to_have_text(re.compile(r"^Part 1 of [3-9]$"))
        count = rows.count()
        expect(rows.nth(count - 1).locator("th")).to_have_text(f"Part {count} of {count}")
        expect(page.get_by_role("link", name="Review the draft")).to_be_visible(timeout=waiting)
        for k in range(count):
            expect(rows.nth(k).locator("td").nth(1)).to_have_text("finished")
            expect(rows.nth(k).locator("td").nth(2)).to_have_text(re.compile(r"^[\d,]+\.\d\d$"))
        expect(page.locator("[data-field=status]")).to_have_text("finished")
    finally:
        stop_embedded_worker(consumer)
