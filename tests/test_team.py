"""The manager's team view: hours per person and week, follow-up progress, the CSV export, the
team calendar feed, and that a manager never sees another team (IDOR)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from scheduler.extensions import db
from scheduler.models import FollowUpStep, StepKind, StepStatus, User
from scheduler.team import util
from tests.calendar_world import attendees_of, check_calendar
from tests.report_world import done_step, make_report_world

PASSWORD = "correct horse battery"
WEEK = "2027-01-11"


@pytest.fixture
def world(app):
    with app.app_context():
        return make_report_world().ids


def test_manager_of_managers_sees_their_reports_teams_hours_per_week(app, world):
    with app.app_context():
        grace = db.session.get(User, world["grace"])
        table = util.team_table(grace, date(2027, 1, 11))
        hours = {row.learner.email: row.hours[:2] for row in table.rows}
        assert hours == {
            "lea@example.com": [3.0, 1.5],  # fire (2 h + 1 h), then security 1.5 h
            "mo@example.com": [3.0, 0.0],
            "zoe@example.com": [3.0, 0.0],  # Omar's, who reports to Grace
        }
        assert table.week_hours[:3] == [9.0, 1.5, 0.0]
        assert table.total_hours == 10.5
        assert table.chart_data()["instructor_led"][:2] == [9.0, 1.5]
        omar = db.session.get(User, world["omar"])
        assert [row.learner.email for row in util.team_table(omar, date(2027, 1, 11)).rows] == [
            "zoe@example.com"
        ]


def test_upcoming_sessions_are_in_the_managers_zone(app, client, auth, world):
    with app.app_context():
        yara = db.session.get(User, world["yara"])
        upcoming = util.upcoming_sessions(yara, now=datetime(2027, 1, 1, tzinfo=UTC))
        assert [(s.program, s.part, s.people) for s in upcoming] == [
            ("Fire safety", 1, ["Ines Roy", "Paul Roy"]),
            ("Fire safety", 2, ["Ines Roy", "Paul Roy"]),
            ("Security basics", 1, ["Paul Roy"]),
        ]
        later = util.upcoming_sessions(yara, now=datetime(2027, 1, 16, tzinfo=UTC))
        assert [s.program for s in later] == ["Security basics"]
    auth.login("yara@example.com", PASSWORD)
    page = client.get(f"/team/training?start={WEEK}").get_data(as_text=True)
    if datetime.now(UTC) < datetime(2027, 1, 12, tzinfo=UTC):
        assert "Tue 12 Jan 2027 14:00 CET" in page  # 13:00 UTC in Paris


def test_manager_pages_never_show_another_team(app, client, auth, world):
    auth.login("grace@example.com", PASSWORD)
    for url in (
        f"/team/training?start={WEEK}",
        f"/team/training.csv?start={WEEK}",
        "/team/calendar",
        "/team/calendar/sessions.ics",
    ):
        body = client.get(url).get_data(as_text=True)
        assert "paul@example.com" not in body and "Paul Roy" not in body, url
        assert "Ines" not in body, url
    page = client.get(f"/team/training?start={WEEK}").get_data(as_text=True)
    assert "lea@example.com" in page and "zoe@example.com" in page
    # Only the sessions with Grace's people: fire in London (2) and security (1), not Paris.
    ics = client.get("/team/calendar/sessions.ics").get_data(as_text=True)
    assert ics.count("BEGIN:VEVENT") == 3
    assert "Seine" not in ics


def test_the_team_calendar_names_the_team_members_at_each_session(app, client, auth, world):
    auth.login("grace@example.com", PASSWORD)
    body = client.get("/team/calendar/sessions.ics").data
    with app.app_context():
        calendar = check_calendar(body, plain=True)  # no METHOD: ATTENDEEs are allowed
    found = {}
    for event in calendar.walk("VEVENT"):
        people = sorted(str(attendee) for attendee in attendees_of(event))
        found.setdefault(str(event["SUMMARY"]).split(":")[0], []).append(people)
        names = [attendee.params["CN"] for attendee in attendees_of(event)]
        assert str(event["DESCRIPTION"]).startswith(f"From your team: {', '.join(names)}")
        assert names[0] in str(event["SUMMARY"])
    team = ["mailto:lea@example.com", "mailto:mo@example.com", "mailto:zoe@example.com"]
    assert found == {
        "Fire safety (1/2)": [team],
        "Fire safety (2/2)": [team],
        "Security basics (1/1)": [["mailto:lea@example.com"]],
    }


def test_other_roles_are_refused(app, client, auth, world):
    auth.login("coordinator@example.com", PASSWORD)
    assert client.get("/team/training").status_code == 403
    assert client.get("/team/training.csv").status_code == 403


def test_csv_export_is_the_same_table_with_formulas_neutralised(app, client, auth, world):
    auth.login("grace@example.com", PASSWORD)
    response = client.get(f"/team/training.csv?start={WEEK}")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.get_data().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    header, people, total = rows[0], rows[1:-1], rows[-1]
    assert header[5] == f"Instructor-led hours w/c {WEEK}"
    names = [row[0] for row in people]
    assert "'=Mo Haddad" in names  # a name starting with "=" is not run as a formula
    lea = next(row for row in people if row[0] == "Lea Martin")
    assert lea[5:9] == ["3.0", "0", "1.5", "0"]
    assert total[0] == "Team total" and total[5] == "9.0" and total[7] == "1.5"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+33 1 23", "'+33 1 23"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "'=x"),  # the tab is a control character: removed
        ("Ann\r\nLee", "Ann Lee"),
        ("Ann", "Ann"),
        (-5, -5),
        (3.5, 3.5),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_get_an_apostrophe(value, written):
    assert util.csv_cell(value) == written


def test_team_feed_lists_the_team_and_stops_when_revoked_or_disabled(app, client, auth, world):
    auth.login("grace@example.com", PASSWORD)
    page = client.post("/team/calendar/feed").get_data(as_text=True)
    url = page.split("<code>")[2].split("</code>")[0]
    path = url.split("localhost", 1)[-1]
    auth.logout()
    feed = client.get(path)
    assert feed.status_code == 200 and feed.get_data(as_text=True).count("BEGIN:VEVENT") == 3
    auth.login("grace@example.com", PASSWORD)
    client.post("/team/calendar/feed/revoke")
    assert client.get(path).status_code == 404
    page = client.post("/team/calendar/feed").get_data(as_text=True)
    path = page.split("<code>")[2].split("</code>")[0].split("localhost", 1)[-1]
    with app.app_context():
        db.session.get(User, world["grace"]).is_enabled = False
        db.session.commit()
    assert client.get(path).status_code == 404


def test_follow_up_progress_fills_the_managers_columns(app, world):
    """Issue 6's follow-up steps: minutes, done of due, quiz score and check-ins per person."""
    with app.app_context():
        lea = world["lea"]
        common = {"learner_id": lea, "cohort_id": world["fire_london"], "extra": False}
        anchor = datetime(2027, 1, 14, 10, tzinfo=UTC)
        db.session.add_all(
            [
                FollowUpStep(
                    **common,
                    kind=StepKind.LESSON,
                    day_offset=2,
                    anchor_at=anchor,
                    due_at=datetime(2027, 1, 16, 8, tzinfo=UTC),
                    status=StepStatus.DONE,
                    completed_at=datetime(2027, 1, 19, 8, tzinfo=UTC),
                    seconds_spent=420,
                    score=0.8,
                ),
                FollowUpStep(
                    **common,
                    kind=StepKind.QUIZ,
                    day_offset=7,
                    anchor_at=anchor,
                    due_at=datetime(2027, 1, 21, 8, tzinfo=UTC),
                    status=StepStatus.SENT,
                ),
                FollowUpStep(
                    **common,
                    kind=StepKind.CHECK_IN,
                    day_offset=30,
                    anchor_at=anchor,
                    due_at=datetime(2027, 2, 13, 8, tzinfo=UTC),
                    status=StepStatus.DONE,
                    completed_at=datetime(2027, 2, 13, 9, tzinfo=UTC),
                    confidence=4,
                ),
                FollowUpStep(
                    **common,
                    kind=StepKind.CHECK_IN,
                    day_offset=90,
                    anchor_at=anchor,
                    due_at=datetime(2027, 4, 14, 8, tzinfo=UTC),
                ),
            ]
        )
        db.session.commit()
        grace = db.session.get(User, world["grace"])
        table = util.team_table(grace, date(2027, 1, 11))
        row = next(r for r in table.rows if r.learner.id == lea)
        assert row.minutes[:2] == [0, 7]
        assert row.progress.quiz_score == pytest.approx(0.8)
        assert row.progress.check_in_30 == "4/5"
        progress = util.follow_up_progress(
            util.team_ids({grace.id, world["omar"]}),
            [],
            "UTC",
            now=datetime(2027, 3, 1, tzinfo=UTC),
        )[lea]
        assert (progress.done, progress.due) == (2, 3)  # the 90-day check-in is not due yet
        assert progress.check_in_90 == "on 2027-04-14"


def test_people_come_50_a_page_and_the_totals_cover_everyone(app, client, auth, world):
    with app.app_context():
        from tests.factories import create_learner

        grace = db.session.get(User, world["grace"])
        zeds = [
            create_learner(None, grace, name=f"Zed {n:02d}", email=f"zed{n}@example.com")
            for n in range(55)
        ]
        db.session.flush()
        for learner_id, minutes in ((world["lea"], 7), (zeds[-1].id, 5)):  # pages 1 and 2
            db.session.add(done_step(learner_id, world["fire_london"], seconds_spent=minutes * 60))
        db.session.commit()
        first = util.team_table(grace, date(2027, 1, 11), page=1)
        second = util.team_table(grace, date(2027, 1, 11), page=2)
        assert (first.people, first.pages, len(first.rows), len(second.rows)) == (58, 2, 50, 8)
        assert first.week_hours[:2] == second.week_hours[:2] == [9.0, 1.5]
        everyone = util.team_table(grace, date(2027, 1, 11))
        assert len(everyone.rows) == 58  # the CSV: everyone
        # The week's microlearning minutes, too, are the whole team's on every page.
        assert first.week_minutes == second.week_minutes == everyone.week_minutes
        assert everyone.week_minutes[1] == 12  # 7 + 5 minutes in the week of 18 January
    auth.login("grace@example.com", PASSWORD)
    page = client.get(f"/team/training?start={WEEK}&page=2").get_data(as_text=True)
    assert "People 51–58 of 58" in page
