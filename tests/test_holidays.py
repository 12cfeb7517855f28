"""Public holidays and closures: a site's country and region, the closures page, the solver
problem that keeps their days clear, the data check, the review calendar and the demo plan."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import holidays
import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import Closure, PlanningPeriod, ProgramMode, Role, Site
from scheduler.planning.mapping import period_problem, problem_document
from scheduler.sites.closed_days import default_country
from scheduler.solving.check import check_period
from solver import parse_problem
from solver.solve import solve
from tests.demo_world import loaded_demo
from tests.drafts import Planned, store_draft, utc
from tests.factories import (
    create_cohort,
    create_facilitator,
    create_learner,
    create_program,
    create_room,
    create_site,
    create_user,
)

JULY = {"start": date(2027, 7, 5), "end": date(2027, 7, 30), "timezone": "Europe/Paris"}
BASTILLE_DAY = date(2027, 7, 14)  # a Wednesday


def page(response) -> str:
    return unescape(response.get_data(as_text=True))


def sign_in(app, auth, role: Role) -> None:
    with app.app_context():
        email = create_user(role).email
        db.session.commit()
    auth.login(email)


@pytest.fixture
def coordinator(app, auth):
    sign_in(app, auth, Role.COORDINATOR)


def site_holidays(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(s.key, s.country, s.subdivision) for s in db.session.scalars(select(Site))]


def closures(app) -> list[tuple[str, date, date, int | None]]:
    with app.app_context():
        rows = db.session.scalars(select(Closure).order_by(Closure.id))
        return [(c.name, c.start, c.end, c.site_id) for c in rows]


# --- a site's country: defaulted from its time zone, validated against `holidays` ---------------


@pytest.mark.parametrize(
    ("timezone", "country"),
    [
        ("Europe/Paris", "FR"),
        ("Europe/Berlin", "DE"),
        ("America/New_York", "US"),
        ("Asia/Kolkata", "IN"),
        ("Europe/Vaduz", "LI"),  # a link in the tz database, still its own country
        ("UTC", ""),  # no country at all: no public holidays
        ("Etc/GMT+5", ""),
    ],
)
def test_default_country_is_the_one_the_tz_database_places_the_zone_in(timezone, country):
    assert default_country(timezone) == country


SITE = {"key": "paris", "name": "Paris office", "timezone": "Europe/Paris"}


def test_a_new_site_keeps_its_time_zones_country_holidays_by_default(app, client, coordinator):
    form = page(client.get("/sites/new"))
    assert '<option selected value="auto">The country of the time zone</option>' in form
    response = client.post("/sites/new", data=SITE | {"country": "auto"})
    assert response.status_code == 302
    assert site_holidays(app) == [("paris", "FR", "")]
    shown = page(client.get(response.location))
    assert "France (FR)" in shown
    assert "Christmas Day" in shown  # the next year's holidays are listed


def test_a_site_in_a_zone_of_no_country_keeps_no_holidays(app, client, coordinator):
    response = client.post("/sites/new", data=SITE | {"timezone": "UTC", "country": "auto"})
    assert response.status_code == 302
    assert site_holidays(app) == [("paris", "", "")]


def test_a_region_is_saved_as_its_code_whether_written_as_code_or_name(app, client, coordinator):
    data = SITE | {"key": "munich", "timezone": "Europe/Berlin", "country": "DE"}
    assert client.post("/sites/new", data=data | {"subdivision": "bayern"}).status_code == 302
    data = SITE | {"key": "nyc", "timezone": "America/New_York", "country": "auto"}
    assert client.post("/sites/new", data=data | {"subdivision": "ny"}).status_code == 302
    assert sorted(site_holidays(app)) == [("munich", "DE", "BY"), ("nyc", "US", "NY")]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"country": "DE", "subdivision": "Paris"}, "'Paris' is not a region of Germany."),
        ({"country": "DE", "subdivision": "Paris"}, "BY (Bayern)"),
        ({"country": "auto", "subdivision": "XX"}, "'XX' is not a region of France."),
        ({"country": "ZZ"}, "'ZZ' is not a country with known public holidays."),
        ({"country": "", "subdivision": "BY"}, "Choose the country first"),
        ({"country": "LI", "subdivision": "X"}, "Liechtenstein has no regions"),
        ({"country": "DE", "subdivision": "B" * 41}, "at most 40 characters"),
    ],
)
def test_a_country_or_region_the_holidays_package_does_not_know_is_refused(
    app, client, coordinator, fields, message
):
    response = client.post("/sites/new", data=SITE | fields)
    assert response.status_code == 200
    assert message in page(response)
    assert site_holidays(app) == []


def test_editing_a_site_shows_and_changes_its_holidays(app, client, coordinator):
    with app.app_context():
        site = create_site(timezone="Europe/Berlin", country="DE", subdivision="BY")
        db.session.commit()
        site_id, key = site.id, site.key
    form = page(client.get(f"/sites/{site_id}/edit"))
    assert '<option selected value="DE">Germany (DE)</option>' in form
    assert 'value="BY"' in form and "BE (Berlin), BW (Baden-Württemberg)" in form
    data = {
        "key": key,
        "name": "Berlin",
        "timezone": "Europe/Berlin",
        "country": "",
        "subdivision": "",
    }
    assert client.post(f"/sites/{site_id}/edit", data=data).status_code == 302
    assert site_holidays(app) == [(key, "", "")]


# --- closures: list, add, delete; coordinators only ---------------------------------------------


def test_coordinator_adds_and_deletes_closures(app, client, coordinator):
    with app.app_context():
        site_id = create_site(name="Leeds store").id
        db.session.commit()
    shutdown = {
        "name": "Company shutdown",
        "site_id": "0",
        "start": "2027-12-24",
        "end": "2028-01-01",
    }
    refit = {"name": "Refit", "site_id": str(site_id), "start": "2027-08-02", "end": "2027-08-06"}
    for data in (shutdown, refit):
        response = client.post("/sites/closures", data=data)
        assert response.status_code == 302
    assert closures(app) == [
        ("Company shutdown", date(2027, 12, 24), date(2028, 1, 1), None),
        ("Refit", date(2027, 8, 2), date(2027, 8, 6), site_id),
    ]
    listed = page(client.get("/sites/closures"))
    assert "The whole organisation" in listed and "Leeds store" in listed
    assert listed.index("Company shutdown") < listed.index("Refit")  # the latest first
    with app.app_context():
        refit_id = db.session.scalar(select(Closure.id).where(Closure.name == "Refit"))
    assert client.post(f"/sites/closures/{refit_id}/delete").status_code == 302
    assert [c[0] for c in closures(app)] == ["Company shutdown"]
    assert client.post(f"/sites/closures/{refit_id}/delete").status_code == 404


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"end": "2027-08-01"}, "The last day cannot be before the first day."),
        ({"end": "2028-08-02"}, "A closure is at most 366 days long."),
        ({"start": ""}, "Enter the first day."),
        ({"start": "2027-02-30"}, "Not a valid date value."),
        ({"name": " "}, "Say what closes"),
        ({"site_id": "999999"}, "Choose the whole organisation or one of the sites."),
        ({"site_id": "paris"}, "Invalid Choice: could not coerce."),
    ],
)
def test_a_bad_closure_is_refused_with_the_fields_message(
    app, client, coordinator, fields, message
):
    data = {"name": "Refit", "site_id": "0", "start": "2027-08-02", "end": "2027-08-06"}
    response = client.post("/sites/closures", data=data | fields)
    assert response.status_code == 200
    assert message in page(response)
    assert closures(app) == []


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.MANAGER])
def test_facilitators_and_managers_get_403_on_closures(app, client, auth, role):
    with app.app_context():
        closure = Closure(name="Shutdown", start=date(2027, 12, 24), end=date(2027, 12, 31))
        db.session.add(closure)
        db.session.commit()
        closure_id = closure.id
    sign_in(app, auth, role)
    data = {"name": "Mine", "site_id": "0", "start": "2027-08-02", "end": "2027-08-06"}
    assert client.get("/sites/closures").status_code == 403
    assert client.post("/sites/closures", data=data).status_code == 403
    assert client.post(f"/sites/closures/{closure_id}/delete").status_code == 403
    assert [c[0] for c in closures(app)] == ["Shutdown"]


def test_closure_forms_need_the_csrf_token(csrf_app):
    client = csrf_app.test_client()
    with csrf_app.app_context():
        email = create_user(Role.COORDINATOR).email
        closure = Closure(name="Shutdown", start=date(2027, 12, 24), end=date(2027, 12, 31))
        db.session.add(closure)
        db.session.commit()
        closure_id = closure.id
    login = client.get("/login").get_data(as_text=True)
    token = login.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/login", data={"email": email, "password": "correct horse battery", "csrf_token": token}
    )
    data = {"name": "Mine", "site_id": "0", "start": "2027-08-02", "end": "2027-08-06"}
    assert client.post("/sites/closures", data=data).status_code == 400
    assert client.post(f"/sites/closures/{closure_id}/delete").status_code == 400
    assert "csrf_token" in client.get("/sites/closures").get_data(as_text=True)
    assert [c[0] for c in closures(csrf_app)] == ["Shutdown"]


# --- the solver problem: closed days are unavailable whole local days ---------------------------


def july_world(cohort_zone: str = "Europe/Paris", mode=ProgramMode.IN_PERSON):
    """A Paris site (French holidays), a room, a facilitator at home there and one cohort of 6
    whose only possible day is Bastille Day."""
    paris = create_site(key="paris", timezone="Europe/Paris", country="FR")
    room = create_room(paris, key="seine")
    program = create_program(sessions=(120,), seats_min=1, mode=mode)
    learners = [create_learner(paris) for _ in range(6)]
    cohort = create_cohort(
        program,
        paris,
        learners=learners,
        key="c-paris",
        timezone=cohort_zone,
        earliest=BASTILLE_DAY,
        deadline=BASTILLE_DAY,
    )
    facilitator = create_facilitator(site=paris, key="fac-paris", timezone="Europe/Paris")
    return paris, room, cohort, facilitator


def mapped() -> dict:
    db.session.commit()
    document = problem_document(**JULY)
    problem, errors = parse_problem(document)
    assert errors == [] and problem is not None
    return document


def only(entries: list[dict], key: str) -> dict:
    (entry,) = [e for e in entries if e["id"] == key]
    return entry


BASTILLE = ["2027-07-14T00:00", "2027-07-15T00:00"]


def test_a_sites_holiday_closes_its_rooms_its_cohorts_and_its_facilitators(app):
    with app.app_context():
        july_world()
        document = mapped()
    assert BASTILLE in only(document["rooms"], "seine")["unavailable"]
    assert BASTILLE in only(document["cohorts"], "c-paris")["unavailable"]
    assert BASTILLE in only(document["facilitators"], "fac-paris")["unavailable"]
    assert only(document["cohorts"], "c-paris")["x-closed-days"] == {"2027-07-14": "National Day"}
    assert document["x-closed-days"][0]["days"] == {"2027-07-14": "National Day"}


def test_a_site_without_a_country_closes_nothing(app):
    with app.app_context():
        paris, *_ = july_world()
        paris.country = ""
        document = mapped()
    assert only(document["rooms"], "seine")["unavailable"] == []
    assert only(document["cohorts"], "c-paris")["unavailable"] == []
    assert "x-closed-days" not in document


def test_holidays_are_local_days_at_the_site_in_the_owners_own_zone(app):
    """A cohort in New York at a Paris site: Bastille Day is midnight to midnight in Paris,
    18:00 to 18:00 in New York, not the New York calendar day."""
    with app.app_context():
        july_world(cohort_zone="America/New_York")
        document = mapped()
    cohort = only(document["cohorts"], "c-paris")
    assert cohort["unavailable"] == [["2027-07-13T18:00", "2027-07-14T18:00"]]


def test_cohorts_of_one_site_in_different_zones_each_get_their_own_zones_holiday(app):
    """The mapping works a site's closed windows out once per site and zone: a second cohort
    at the same site but in New York still gets Bastille Day in New York time, and a third
    in Paris again gets the first one's windows, as its own list."""
    with app.app_context():
        paris, _, first, _ = july_world()
        for key, zone in (("c-new-york", "America/New_York"), ("c-paris-2", "Europe/Paris")):
            create_cohort(
                first.program,
                paris,
                learners=[create_learner(paris) for _ in range(6)],
                key=key,
                timezone=zone,
                earliest=BASTILLE_DAY,
                deadline=BASTILLE_DAY,
            )
        document = mapped()
    cohorts = document["cohorts"]
    assert only(cohorts, "c-paris")["unavailable"] == [BASTILLE]
    assert only(cohorts, "c-new-york")["unavailable"] == [["2027-07-13T18:00", "2027-07-14T18:00"]]
    assert only(cohorts, "c-paris-2")["unavailable"] == [BASTILLE]
    assert only(cohorts, "c-paris-2")["unavailable"] is not only(cohorts, "c-paris")["unavailable"]
    assert (
        only(cohorts, "c-paris-2")["unavailable"][0]
        is not only(cohorts, "c-paris")["unavailable"][0]
    )


def test_a_closure_on_the_day_clocks_change_lasts_that_days_23_hours(app):
    """Europe's clocks go forward on Sunday 28 March 2027: a one-day closure is 23 hours long,
    and a facilitator in New York (already on summer time) is off 19:00 to 18:00 their time."""
    with app.app_context():
        paris = create_site(key="paris", timezone="Europe/Paris")
        room = create_room(paris, key="seine")
        create_facilitator(site=paris, key="fac-ny", timezone="America/New_York")
        db.session.add(Closure(name="Move", start=date(2027, 3, 28), end=date(2027, 3, 28)))
        db.session.commit()
        document = problem_document(
            start=date(2027, 3, 22), end=date(2027, 4, 2), timezone="Europe/Paris"
        )
        assert room.site.country == ""
    assert only(document["rooms"], "seine")["unavailable"] == [
        ["2027-03-28T00:00", "2027-03-29T00:00"]
    ]
    assert only(document["facilitators"], "fac-ny")["unavailable"] == [
        ["2027-03-27T19:00", "2027-03-28T18:00"]
    ]


def test_a_site_closure_closes_its_rooms_only_and_a_company_closure_everyone(app):
    with app.app_context():
        paris, _room, _cohort, _fac = july_world()
        other = create_site(key="lyon", timezone="Europe/Paris")
        create_room(other, key="rhone")
        db.session.add_all(
            [
                Closure(name="Refit", start=date(2027, 7, 19), end=date(2027, 7, 23), site=paris),
                Closure(name="Shutdown", start=date(2027, 7, 29), end=date(2027, 8, 6)),
            ]
        )
        document = mapped()
    refit, shutdown = (
        ["2027-07-19T00:00", "2027-07-24T00:00"],
        # Clipped to the period with a day's margin, like other windows (owners in other zones).
        ["2027-07-29T00:00", "2027-08-01T00:00"],
    )
    assert only(document["rooms"], "seine")["unavailable"] == [BASTILLE, refit, shutdown]
    assert only(document["rooms"], "rhone")["unavailable"] == [shutdown]
    # Learners and facilitators can still meet virtually while their site is refitted.
    assert only(document["cohorts"], "c-paris")["unavailable"] == [BASTILLE, shutdown]
    assert only(document["facilitators"], "fac-paris")["unavailable"] == [BASTILLE, shutdown]


def test_a_cohort_whose_only_day_is_a_holiday_is_left_out_and_the_check_says_why(app):
    with app.app_context(), app.test_request_context():
        july_world(mode=ProgramMode.VIRTUAL)  # virtual: the cohort's own holiday is what binds
        period = PlanningPeriod(name="July", **JULY)
        db.session.add(period)
        db.session.commit()
        problem, _ = parse_problem(period_problem(period))
        schedule = solve(problem, time_limit=5, workers=1)
        result = check_period(period)
    assert schedule["sections"] == []
    assert [u["cohort"] for u in schedule["unscheduled"]] == ["c-paris"]
    (blocker,) = result.blockers
    assert blocker.reasons[-1] == (
        "1 of its 1 possible days is a holiday or closure: National Day (Wed 14 Jul)"
    )
    assert (
        result.days_lost_summary
        == "1 cohort loses 1 of its 1 possible days to holidays and closures"
    )


def test_check_the_data_counts_the_days_cohorts_lose(app, client, coordinator):
    with app.app_context():
        paris, *_ = july_world()
        cohorts = [
            create_cohort(
                create_program(sessions=(60,), seats_min=1),
                paris,
                learners=[create_learner(paris)],
                earliest=date(2027, 7, 5),
                deadline=date(2027, 7, 16),  # two weeks: 10 weekdays, one of them Bastille Day
            )
            for _ in range(2)
        ]
        create_cohort(
            create_program(sessions=(60,), seats_min=1),
            paris,
            learners=[create_learner(paris)],
            earliest=date(2027, 7, 19),  # after the holiday: loses nothing
        )
        period = PlanningPeriod(name="July", **JULY)
        db.session.add(period)
        db.session.commit()
        period_id, keys = period.id, [c.key for c in cohorts]
    text = page(client.get(f"/planning/{period_id}/check"))
    assert "3 cohorts lose 3 of their 21 possible days to holidays and closures" in text
    assert f"{keys[0]}: 1 of its 10 possible days is a holiday or closure" in text


def test_the_review_calendar_shows_closed_days_as_background_events(app, client, coordinator):
    with app.app_context():
        paris, room, cohort, facilitator = july_world()
        cohort.deadline = date(2027, 7, 30)
        period = PlanningPeriod(name="July", **JULY)
        db.session.add(period)
        db.session.flush()
        planned = Planned(
            "S1", cohort.program, [(cohort, 6)], [(utc(2027, 7, 15, 7), facilitator, room)]
        )
        version = store_draft(period, [planned])
        db.session.commit()
        version_id, site_id, room_id = version.id, paris.id, room.id
        facilitator_id = facilitator.id
    events = client.get(f"/planning/versions/{version_id}/events.json").get_json()
    (closed,) = [e for e in events if e.get("display") == "background"]
    assert closed["start"] == "2027-07-14" and closed["end"] == "2027-07-15"
    assert closed["allDay"] is True
    assert closed["title"] == f"National Day · {cohort_site_name(app, site_id)}"
    assert set(closed["extendedProps"]["filters"]) == {
        f"site-{site_id}",
        f"room-{room_id}",
        f"facilitator-{facilitator_id}",
    }


def cohort_site_name(app, site_id: int) -> str:
    with app.app_context():
        return db.session.get(Site, site_id).name


# --- the demo: its plan has no session on a holiday --------------------------------------------

#: The demo as a new user loads it early in December: its quarter spans Christmas and New Year.
DECEMBER = date(2026, 12, 2)


@pytest.fixture(scope="module")
def december_demo(database_url, tmp_path_factory):
    with loaded_demo(database_url, tmp_path_factory, DECEMBER) as app:
        yield app


def test_the_demo_plan_puts_no_session_on_a_holiday_of_its_site(december_demo):
    with december_demo.app_context():
        period = db.session.scalars(select(PlanningPeriod)).one()
        assert period.start <= date(2026, 12, 25) and date(2027, 1, 1) <= period.end
        document = period_problem(period)
        sites = {s.key: s for s in db.session.scalars(select(Site))}
        zones = {key: site.timezone for key, site in sites.items()}
        days_off = {
            key: holidays.country_holidays(
                site.country, subdiv=site.subdivision or None, years=(2026, 2027)
            )
            for key, site in sites.items()
        }
        db.session.rollback()
    problem, errors = parse_problem(document)
    assert errors == []
    schedule = solve(problem, time_limit=3, workers=1)
    assert schedule["status"] in ("optimal", "feasible")
    room_site = {room["id"]: room["site"] for room in document["rooms"]}
    cohort_site = {cohort["id"]: cohort["site"] for cohort in document["cohorts"]}
    home_site = {f["id"]: f["site"] for f in document["facilitators"]}
    checked = 0
    for section in schedule["sections"]:
        for session in section["sessions"]:
            start = datetime.fromisoformat(session["start"])
            places = {room_site.get(session["room"]), home_site[session["facilitator"]]}
            places |= {cohort_site[c["cohort"]] for c in section["cohorts"]}
            for site in places - {None}:
                local = start.astimezone(ZoneInfo(zones[site]))
                last = (datetime.fromisoformat(session["end"]) - timedelta(minutes=1)).astimezone(
                    ZoneInfo(zones[site])
                )
                for day in {local.date(), last.date()}:
                    assert day not in days_off[site], (
                        section["id"],
                        site,
                        day,
                        days_off[site][day],
                    )
                checked += 1
    assert checked > 100  # the demo plans a few hundred sessions


def test_the_demo_check_counts_the_christmas_days_its_cohorts_lose(december_demo):
    with december_demo.app_context(), december_demo.test_request_context():
        period = db.session.scalars(select(PlanningPeriod)).one()
        result = check_period(period)
        db.session.rollback()
    assert result.lost_days
    assert "possible days to holidays and closures" in result.days_lost_summary
    christmas = [item for item in result.lost_days if date(2026, 12, 25) in item.lost]
    assert christmas and all(item.lost[date(2026, 12, 25)] == "Christmas Day" for item in christmas)
