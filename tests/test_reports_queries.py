"""No N+1: the managers' and coordinators' report pages run the same number of SQL statements
whatever the number of learners, cohorts, sections, sessions and published periods."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import event, select

from scheduler.caching import cache
from scheduler.extensions import db
from scheduler.models import Facilitator, PlanningPeriod, Program, Room, Site, User
from tests.drafts import utc
from tests.factories import create_cohort, create_learner
from tests.html import without_csrf_tokens
from tests.report_world import make_report_world
from tests.schedule_factories import Placed, publish_schedule

PASSWORD = "correct horse battery"


def add_period(number: int, sections: int) -> None:
    """Another published period with ``sections`` sections of new cohorts of three learners for
    Grace's, Omar's and Yara's teams (so the team pages, the cost model and the pilot grow)."""
    by_email = {u.email: u for u in db.session.scalars(select(User))}
    london = db.session.scalar(select(Site).where(Site.key == "london"))
    fire = db.session.scalar(select(Program).where(Program.key == "fire"))
    ana = db.session.scalar(select(Facilitator).where(Facilitator.key == "ana"))
    room = db.session.scalar(select(Room).where(Room.key == "lon-1"))
    first = date(2027, 3, 1) + timedelta(weeks=10 * number)
    period = PlanningPeriod(
        name=f"Extra {number}", start=first, end=first + timedelta(weeks=8), timezone="UTC"
    )
    db.session.add(period)
    db.session.flush()
    placed = []
    for k in range(sections):
        managers = [
            by_email[e] for e in ("grace@example.com", "omar@example.com", "yara@example.com")
        ]
        learners = [
            create_learner(london, manager, email=f"p{number}-{k}-{i}@example.com")
            for i, manager in enumerate(managers)
        ]
        cohort = create_cohort(fire, london, learners, key=f"extra-{number}-{k}")
        day = first + timedelta(days=k % 5 + 7 * (k // 5))
        start = utc(day.year, day.month, day.day, 9)
        placed.append(
            Placed(
                f"X{number}-{k}",
                [(cohort, 3)],
                [(start, ana, room), (start + timedelta(days=2, hours=3), ana, room)],
            )
        )
    publish_schedule(period, placed, by_email["coordinator@example.com"])


def statements(app, client, url: str) -> int:
    """SQL statements run by one GET of ``url``, with the report caches cold."""
    app.extensions.pop("reports.breakdowns", None)
    with app.app_context():
        cache.clear()
    response, count = counted_get(app, client, url)
    assert response.status_code == 200, url
    return count


def counted_get(app, client, url: str):
    """The response to a GET of ``url`` and the number of SQL statements it ran."""
    executed = []

    def count(conn, cursor, statement, parameters, context, executemany):
        executed.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return response, len(executed)


def page_counts(app, client, auth, ids) -> dict[str, int]:
    urls = {
        "grace": [
            "/team/training?start=2027-01-11",
            "/team/training.csv?start=2027-01-11",
            "/team/calendar/sessions.ics",
        ],
        "coordinator": [
            f"/reports/versions/{ids['version']}/cost",
            "/reports/cost-model",
            "/reports",
            f"/reports/pilot?a={ids['fire_london']}&b={ids['fire_paris']}&b={ids['sec']}",
        ],
    }
    counts = {}
    for who, pages in urls.items():
        auth.login(f"{who}@example.com", PASSWORD)
        for url in pages:
            counts[url] = statements(app, client, url)
        auth.logout()
    return counts


def test_report_pages_run_a_fixed_number_of_statements(app, client, auth):
    with app.app_context():
        world = make_report_world()
        ids = world.ids | {"version": world.version.id}
        add_period(1, 2)
    few = page_counts(app, client, auth, ids)
    with app.app_context():
        add_period(2, 6)
        add_period(3, 6)
    many = page_counts(app, client, auth, ids)
    assert many == few
    # 17: the team page's 16 reads (the week totals of a paged team are one query of their
    # own) and the data stamps its cached part is checked against; 18: the team calendar,
    # which also reads its sections' meeting links (one query, whatever the team's size).
    assert max(few.values()) <= 18, few


def test_cached_report_pages_run_a_few_statements(app, client, auth):
    """Seen again with nothing changed, a cached page reads the user, the data stamps and (the
    cost report) that the version exists, and shows the same numbers. (SQLite counts its BEGIN.)"""
    with app.app_context():
        world = make_report_world()
        version_id = world.version.id
    auth.login("grace@example.com", PASSWORD)
    client.get("/")  # shows (and so clears) the "signed in" message
    for url in ("/team/training?start=2027-01-11", "/team/training?start=2027-01-11&page=1"):
        first = client.get(url).data
        assert statements_warm(app, client, url, first) <= 4
    auth.logout()
    auth.login("coordinator@example.com", PASSWORD)
    client.get("/")
    for url in (f"/reports/versions/{version_id}/cost", "/reports/cost-model"):
        first = client.get(url).data
        assert statements_warm(app, client, url, first) <= 4


def statements_warm(app, client, url: str, expected: bytes) -> int:
    """SQL statements of a GET of ``url`` whose cached part is warm; its page must be unchanged."""
    response, count = counted_get(app, client, url)
    assert without_csrf_tokens(response.data) == without_csrf_tokens(expected), url
    return count
