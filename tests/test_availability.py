"""Availability entry: the preview across DST changes, parsing, the pages and who may use them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import pytest
from flask import template_rendered
from sqlalchemy import select

from scheduler.availability import operations
from scheduler.availability.forms import merge_day_ranges, parse_day_ranges
from scheduler.availability.util import (
    AvailabilityPlan,
    WeeklyRange,
    Window,
    preview,
    wall_clock_to_utc,
    zone,
)
from scheduler.caching import cache
from scheduler.extensions import db
from scheduler.models import AvailabilityKind, AvailabilityRule, Facilitator, Role
from tests.factories import (
    PASSWORD,
    create_availability_rule,
    create_facilitator,
    create_room,
    create_site,
    create_user,
)
from tests.html import without_csrf_tokens

Kind = AvailabilityKind


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def day_of(days, wanted: date):
    return next(day for day in days if day.day == wanted)


# --- The preview function -------------------------------------------------------------------


def test_weekly_nine_o_clock_stays_nine_local_across_london_spring_change():
    sundays = (WeeklyRange(6, 9 * 60, 17 * 60),)  # 2027-03-28, the change, is a Sunday
    days = preview(AvailabilityPlan("Europe/London", sundays), date(2027, 3, 21), days=15)

    before, change, after = (day_of(days, date(2027, m, d)) for m, d in ((3, 21), (3, 28), (4, 4)))
    assert [r.label for r in before.available] == ["09:00–17:00"]
    assert [r.label for r in change.available] == ["09:00–17:00"]
    assert [r.label for r in after.available] == ["09:00–17:00"]
    assert (before.available[0].start, before.available[0].end) == (
        utc(2027, 3, 21, 9),
        utc(2027, 3, 21, 17),
    )
    assert (change.available[0].start, change.available[0].end) == (
        utc(2027, 3, 28, 8),
        utc(2027, 3, 28, 16),
    )
    assert after.available[0].start == utc(2027, 4, 4, 8)
    assert before.offset_label == "UTC+00:00" and not before.clocks_change
    assert change.offset_label == "UTC+00:00 → UTC+01:00" and change.clocks_change
    assert after.offset_label == "UTC+01:00"
    assert day_of(days, date(2027, 3, 22)).available == ()  # Mondays are not in the pattern


def test_weekly_range_stays_local_across_new_york_spring_change():
    mondays = (WeeklyRange(0, 9 * 60, 17 * 60),)  # New York moves its clocks on 2027-03-14
    days = preview(AvailabilityPlan("America/New_York", mondays), date(2027, 3, 8), days=8)

    before, after = day_of(days, date(2027, 3, 8)), day_of(days, date(2027, 3, 15))
    assert before.available[0].label == after.available[0].label == "09:00–17:00"
    assert before.available[0].start == utc(2027, 3, 8, 14)
    assert after.available[0].start == utc(2027, 3, 15, 13)
    assert before.offset_label == "UTC-05:00" and after.offset_label == "UTC-04:00"


def test_whole_day_is_23_hours_when_new_york_springs_forward():
    sundays = (WeeklyRange(6, 0, 24 * 60),)
    days = preview(AvailabilityPlan("America/New_York", sundays), date(2027, 3, 14), days=1)

    (whole_day,) = days[0].available
    assert whole_day.label == "00:00–24:00"
    assert (whole_day.start, whole_day.end) == (utc(2027, 3, 14, 5), utc(2027, 3, 15, 4))


def test_whole_day_is_25_hours_when_london_falls_back():
    sundays = (WeeklyRange(6, 0, 24 * 60),)
    days = preview(AvailabilityPlan("Europe/London", sundays), date(2027, 10, 31), days=1)

    (whole_day,) = days[0].available
    assert whole_day.label == "00:00–24:00"
    assert whole_day.end - whole_day.start == (utc(2027, 11, 1) - utc(2027, 10, 31)) * 25 / 24
    assert days[0].offset_label == "UTC+01:00 → UTC+00:00"


def test_weekly_range_starting_in_the_skipped_hour_starts_when_clocks_jump():
    sundays = (WeeklyRange(6, 90, 180),)  # 01:30-03:00; London skips 01:00-02:00 on 2027-03-28
    (day,) = preview(AvailabilityPlan("Europe/London", sundays), date(2027, 3, 28), days=1)

    assert [r.label for r in day.available] == ["02:00–03:00"]
    assert day.available[0].start == utc(2027, 3, 28, 1)


def test_skipped_local_time_maps_to_the_moment_of_the_change():
    london = zone("Europe/London")
    assert wall_clock_to_utc(datetime(2027, 3, 28, 1, 30), london) == utc(2027, 3, 28, 1)
    assert wall_clock_to_utc(datetime(2027, 3, 28, 2, 30), london) == utc(2027, 3, 28, 1, 30)


def test_blocked_period_removes_time_and_if_need_be_wins_over_the_pattern():
    weekdays = tuple(WeeklyRange(d, 9 * 60, 17 * 60) for d in range(5))
    windows = (
        Window(Kind.UNAVAILABLE, utc(2027, 3, 2, 0), utc(2027, 3, 3, 0), "Leave"),
        Window(Kind.IF_NEED_BE, utc(2027, 3, 3, 16), utc(2027, 3, 3, 19)),
        Window(Kind.AVAILABLE, utc(2027, 3, 6, 10), utc(2027, 3, 6, 12)),  # a Saturday
    )
    days = preview(AvailabilityPlan("UTC", weekdays, windows), date(2027, 3, 1), days=7)

    assert day_of(days, date(2027, 3, 2)).available == ()
    assert [(r.label, r.note) for r in day_of(days, date(2027, 3, 2)).blocked] == [
        ("00:00–24:00", "Leave")
    ]
    wednesday = day_of(days, date(2027, 3, 3))
    assert [r.label for r in wednesday.available] == ["09:00–16:00"]
    assert [r.label for r in wednesday.if_need_be] == ["16:00–19:00"]
    assert [r.label for r in day_of(days, date(2027, 3, 6)).available] == ["10:00–12:00"]


def test_window_over_midnight_is_shown_on_both_local_dates():
    windows = (Window(Kind.AVAILABLE, utc(2027, 6, 1, 20), utc(2027, 6, 2, 2)),)  # Paris is +2
    days = preview(AvailabilityPlan("Europe/Paris", (), windows), date(2027, 6, 1), days=2)

    assert [r.label for r in days[0].available] == ["22:00–24:00"]
    assert [r.label for r in days[1].available] == ["00:00–04:00"]


def test_nothing_entered_means_available_at_any_time_except_blocked():
    blocked = (Window(Kind.UNAVAILABLE, utc(2027, 3, 1, 12), utc(2027, 3, 1, 13)),)
    plan = AvailabilityPlan("UTC", (), blocked)
    days = preview(plan, date(2027, 3, 1), days=2)

    assert plan.always_available
    assert [r.label for r in days[0].available] == ["00:00–12:00", "13:00–24:00"]
    assert [r.label for r in days[1].available] == ["00:00–24:00"]


# --- Parsing what people type ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("09:00-12:00, 13:00-17:30", [(540, 720), (780, 1050)]),
        ("9-12; 13.30 – 24", [(540, 720), (810, 1440)]),
        ("9:00 to 12:00", [(540, 720)]),
        ("", []),
    ],
)
def test_day_ranges_are_read_in_the_usual_spellings(text, expected):
    assert parse_day_ranges(text, "Monday") == (expected, [])


@pytest.mark.parametrize(
    "text, message",
    [
        ("12:00-09:00", "Monday: in “12:00-09:00” the end must be after the start."),
        ("22:00-25:00", "Monday: “22:00-25:00” is outside 00:00–24:00."),
        ("09:75-10:00", "Monday: “09:75-10:00” is outside 00:00–24:00."),
        ("24:00-24:00", "the end must be after the start"),
        ("nine", "Monday: “nine” is not a time range; write it like 09:00-12:00."),
    ],
)
def test_bad_day_ranges_are_refused_with_the_day_named(text, message):
    ranges, errors = parse_day_ranges(text, "Monday")
    assert ranges == [] and len(errors) == 1 and message in errors[0]


def test_overlapping_and_touching_ranges_are_merged_with_a_notice():
    merged, notices = merge_day_ranges([(780, 900), (540, 720), (600, 780)], "Friday")
    assert merged == [(540, 900)]
    assert notices == [
        "Friday: 09:00-12:00 and 10:00-13:00 and 13:00-15:00 overlap or touch, "
        "so they were saved as 09:00-15:00."
    ]


# --- The facilitator's own page -------------------------------------------------------------


@pytest.fixture
def facilitator(app):
    """A facilitator in Paris, and the id of their profile."""
    with app.app_context():
        profile = create_facilitator(
            user=create_user(Role.FACILITATOR, email="fac@example.com"), timezone="Europe/Paris"
        )
        db.session.commit()
        return profile.id


def rules_of(app, facilitator_id: int) -> list[tuple]:
    """A facilitator's saved rules as tuples: weekly ones first, then windows by kind and start."""
    with app.app_context():
        rules = db.session.scalars(
            select(AvailabilityRule).where(AvailabilityRule.facilitator_id == facilitator_id)
        )
        rows = [
            (r.kind, r.weekday, r.start_time, r.end_time, r.start, r.end, r.note) for r in rules
        ]
    order = list(Kind)
    return sorted(
        rows,
        key=lambda row: (
            order.index(row[0]),
            row[1] or 0,
            row[2] or time(),
            row[4] or utc(1, 1, 1),
        ),
    )


def test_page_says_which_zone_the_times_are_in(client, auth, facilitator):
    auth.login("fac@example.com")
    response = client.get("/availability")
    assert response.status_code == 200
    assert "Times are in <strong data-zone-name>Europe/Paris</strong>" in response.text
    assert "The next 4 weeks" in response.text
    assert "UTC+01:00" in response.text or "UTC+02:00" in response.text


def test_saving_stores_weekly_local_times_and_windows_in_utc(app, client, auth, facilitator):
    auth.login("fac@example.com")
    response = client.post(
        "/availability",
        data={
            "timezone": "Europe/Paris",
            "monday": "09:00-12:00, 13:00-17:00",
            "friday": "20:00-24:00",
            "extra-0-start": "2027-03-06T09:00",
            "extra-0-end": "2027-03-06T12:00",
            "if_need_be-0-start": "2027-07-01T18:00",
            "if_need_be-0-end": "2027-07-01T20:00",
            "blocked-0-start": "2027-08-02T00:00",
            "blocked-0-end": "2027-08-16T00:00",
            "blocked-0-note": "Summer leave",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/availability"
    assert rules_of(app, facilitator) == [
        (Kind.WEEKLY, 0, time(9), time(12), None, None, ""),
        (Kind.WEEKLY, 0, time(13), time(17), None, None, ""),
        (Kind.WEEKLY, 4, time(20), time(0), None, None, ""),  # 24:00 is stored as 00:00
        (Kind.AVAILABLE, None, None, None, utc(2027, 3, 6, 8), utc(2027, 3, 6, 11), ""),
        (Kind.IF_NEED_BE, None, None, None, utc(2027, 7, 1, 16), utc(2027, 7, 1, 18), ""),
        (
            Kind.UNAVAILABLE,
            None,
            None,
            None,
            utc(2027, 8, 1, 22),
            utc(2027, 8, 15, 22),
            "Summer leave",
        ),
    ]
    page = client.get("/availability").text
    assert 'value="09:00-12:00, 13:00-17:00"' in page
    assert 'value="2027-08-02T00:00"' in page  # shown back in Paris time
    assert "Availability saved." in page


def test_saving_replaces_every_earlier_rule(app, client, auth, facilitator):
    with app.app_context():
        create_availability_rule(facilitator=db.session.get(Facilitator, facilitator))
        db.session.commit()
    auth.login("fac@example.com")
    client.post("/availability", data={"timezone": "Europe/Paris", "tuesday": "10-11"})
    assert rules_of(app, facilitator) == [(Kind.WEEKLY, 1, time(10), time(11), None, None, "")]


def test_overlapping_ranges_are_merged_and_the_page_says_so(app, client, auth, facilitator):
    auth.login("fac@example.com")
    response = client.post(
        "/availability",
        data={"timezone": "Europe/Paris", "monday": "09:00-12:00, 11:00-14:00"},
        follow_redirects=True,
    )
    assert (
        "Monday: 09:00-12:00 and 11:00-14:00 overlap or touch, so they were saved as 09:00-14:00."
        in response.text
    )
    assert rules_of(app, facilitator) == [(Kind.WEEKLY, 0, time(9), time(14), None, None, "")]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"tuesday": "13:00-12:00"}, "Tuesday: in “13:00-12:00” the end must be after the start."),
        ({"sunday": "23:00-25:00"}, "Sunday: “23:00-25:00” is outside 00:00–24:00."),
        (
            {"extra-0-start": "2027-03-06T12:00", "extra-0-end": "2027-03-06T09:00"},
            "Extra availability, row 1: the end must be after the start.",
        ),
        (
            {"blocked-0-start": "2027-03-28T02:30", "blocked-0-end": "2027-03-29T00:00"},
            "Blocked periods, row 1: 2027-03-28 02:30 does not exist in Europe/Paris",
        ),
        (
            {"if_need_be-0-start": "2027-03-01T09:00", "if_need_be-1-start": "tomorrow"},
            "If need be, row 1: the end is missing.",
        ),
        (
            {
                "if_need_be-0-start": "2027-03-01T09:00",
                "if_need_be-0-end": "2027-03-01T10:00",
                "if_need_be-1-start": "tomorrow",
                "if_need_be-1-end": "2027-03-01T10:00",
            },
            "If need be, row 2: give the start as a date and time",
        ),
        (
            {
                "blocked-0-start": "2027-08-02T00:00",
                "blocked-0-end": "2027-08-16T00:00",
                "blocked-0-note": "Summer\r\nleave",
            },
            "Blocked periods, row 1: the note must be on one line, without control characters.",
        ),
    ],
)
def test_bad_input_names_the_row_and_saves_nothing(app, client, auth, facilitator, data, message):
    with app.app_context():
        create_availability_rule(facilitator=db.session.get(Facilitator, facilitator))
        db.session.commit()
    before = rules_of(app, facilitator)
    auth.login("fac@example.com")
    response = client.post(
        "/availability", data={"timezone": "Europe/Paris", "monday": "8-9", **data}
    )
    assert response.status_code == 200
    assert "Nothing was saved." in response.text
    assert message in response.text
    assert rules_of(app, facilitator) == before


def test_unknown_time_zone_is_refused(app, client, auth, facilitator):
    auth.login("fac@example.com")
    response = client.post("/availability", data={"timezone": "Mars/Olympus", "monday": "9-12"})
    assert response.status_code == 200
    assert "Time zone &#39;Mars/Olympus&#39; is not a known time zone." in response.text
    assert rules_of(app, facilitator) == []


def test_changing_the_zone_reads_the_times_in_the_new_zone(app, client, auth, facilitator):
    auth.login("fac@example.com")
    response = client.post(
        "/availability",
        data={
            "timezone": "america/new_york",  # any capitalisation is accepted
            "blocked-0-start": "2027-03-15T09:00",
            "blocked-0-end": "2027-03-15T10:00",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Facilitator, facilitator).timezone == "America/New_York"
    assert rules_of(app, facilitator)[0][4:6] == (utc(2027, 3, 15, 13), utc(2027, 3, 15, 14))
    assert (
        "Times are in <strong data-zone-name>America/New_York</strong>"
        in client.get("/availability").text
    )


def test_the_form_is_built_once_per_saved_plan_with_each_sessions_own_token(csrf_app):
    """A GET shows the saved plan, so its fields are kept by content: looking again builds
    nothing, a save shows the new plan at once, and every session still gets its own token."""
    with csrf_app.app_context():
        profile = create_facilitator(
            user=create_user(Role.FACILITATOR, email="fac@example.com"), timezone="Europe/Paris"
        )
        create_user(Role.COORDINATOR, email="coordinator@example.com")
        db.session.commit()
        profile_id = profile.id
        cache.clear()
    built: list[str] = []

    def count_fields(sender, template, context, **extra):
        if template.name == "availability/_fields.html":
            built.append(template.name)

    def token_of(page: str) -> str:
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    def signed_in(email: str):
        client = csrf_app.test_client()
        token = token_of(client.get("/login").text)
        client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
        return client

    template_rendered.connect(count_fields, csrf_app)
    try:
        facilitator_client = signed_in("fac@example.com")
        first = facilitator_client.get("/availability").text
        again = facilitator_client.get("/availability").text
        assert without_csrf_tokens(again) == without_csrf_tokens(first)
        assert built == ["availability/_fields.html"]
        coordinator_client = signed_in("coordinator@example.com")
        theirs = coordinator_client.get(f"/facilitators/{profile_id}/availability").text
        assert len(built) == 1  # the same plan: the same fields, for anyone
        assert token_of(theirs) != token_of(first)

        saved = facilitator_client.post(
            "/availability",
            data={
                "timezone": "Europe/Paris",
                "monday": "09:00-12:00",
                "csrf_token": token_of(first),
            },
        )
        assert saved.status_code == 302  # the token on the page built from the cache is valid
        after = facilitator_client.get("/availability").text
        assert 'value="09:00-12:00"' in after and 'value="09:00-12:00"' not in first
        assert len(built) == 2
    finally:
        template_rendered.disconnect(count_fields, csrf_app)


def test_preview_shows_what_was_saved(client, auth, facilitator):
    auth.login("fac@example.com")
    today = datetime.now(UTC).astimezone(zone("Europe/Paris")).date()
    weekday = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    client.post(
        "/availability", data={"timezone": "Europe/Paris", weekday[today.weekday()]: "07:15-08:45"}
    )
    page = client.get("/availability").text
    assert f'data-date="{today.isoformat()}"' in page
    assert "07:15–08:45" in page


def test_without_a_pattern_the_page_says_the_facilitator_counts_as_always_available(
    client, auth, facilitator
):
    auth.login("fac@example.com")
    assert "treats\n    you as available at any time" in client.get("/availability").text


def test_a_facilitator_account_without_a_profile_gets_404(app, client, auth):
    with app.app_context():
        create_user(Role.FACILITATOR, email="new@example.com")
        db.session.commit()
    auth.login("new@example.com")
    assert client.get("/availability").status_code == 404


# --- Who may see and change what --------------------------------------------------------------


@pytest.fixture
def people(app, facilitator):
    """A second facilitator, a coordinator, a manager and a room; returns their ids."""
    with app.app_context():
        other = create_facilitator(user=create_user(Role.FACILITATOR, email="other@example.com"))
        create_availability_rule(facilitator=other, weekday=2)
        create_user(Role.COORDINATOR, email="coord@example.com")
        create_user(Role.MANAGER, email="manager@example.com")
        room = create_room(site=create_site(timezone="America/New_York"), name="Hudson")
        db.session.commit()
        return {"other": other.id, "room": room.id, "me": facilitator}


def test_facilitator_cannot_reach_another_facilitators_availability(app, client, auth, people):
    before = rules_of(app, people["other"])
    auth.login("fac@example.com")
    assert client.get(f"/facilitators/{people['other']}/availability").status_code == 403
    response = client.post(f"/facilitators/{people['other']}/availability", data={"monday": "1-2"})
    assert response.status_code == 403
    # Ids smuggled into the own page change only the signed-in facilitator's rules.
    client.post(
        f"/availability?facilitator_id={people['other']}",
        data={"timezone": "UTC", "facilitator_id": people["other"], "monday": "1-2"},
    )
    assert rules_of(app, people["other"]) == before
    assert rules_of(app, people["me"]) == [(Kind.WEEKLY, 0, time(1), time(2), None, None, "")]


@pytest.mark.parametrize("email", ["fac@example.com", "manager@example.com"])
def test_only_coordinators_open_room_availability(client, auth, people, email):
    auth.login(email)
    assert client.get(f"/rooms/{people['room']}/availability").status_code == 403


def test_managers_have_no_availability_page(client, auth, people):
    auth.login("manager@example.com")
    assert client.get("/availability").status_code == 403


def test_anonymous_users_are_sent_to_login(client, people):
    for url in (
        "/availability",
        f"/facilitators/{people['me']}/availability",
        f"/rooms/{people['room']}/availability",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_coordinator_edits_any_facilitator(app, client, auth, people):
    auth.login("coord@example.com")
    url = f"/facilitators/{people['other']}/availability"
    page = client.get(url)
    assert page.status_code == 200 and 'value="09:00-17:00"' in page.text
    response = client.post(url, data={"timezone": "Asia/Tokyo", "thursday": "10:00-11:00"})
    assert response.status_code == 302
    assert rules_of(app, people["other"]) == [(Kind.WEEKLY, 3, time(10), time(11), None, None, "")]
    assert client.get("/facilitators/999999/availability").status_code == 404


def test_coordinator_sets_room_hours_in_the_sites_zone(app, client, auth, people):
    auth.login("coord@example.com")
    url = f"/rooms/{people['room']}/availability"
    page = client.get(url).text
    assert "Times are in <strong data-zone-name>America/New_York</strong>" in page
    assert "If need be" not in page and 'name="timezone"' not in page
    response = client.post(
        url,
        data={
            "monday": "08:00-18:00",
            "blocked-0-start": "2027-07-05T00:00",
            "blocked-0-end": "2027-07-06T00:00",
            "blocked-0-note": "Refurbishment",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        rules = db.session.scalars(
            select(AvailabilityRule).where(AvailabilityRule.room_id == people["room"])
        ).all()
        assert sorted((r.kind, r.start) for r in rules) == [
            (Kind.UNAVAILABLE, utc(2027, 7, 5, 4)),
            (Kind.WEEKLY, None),
        ]
    assert client.get("/rooms/999999/availability").status_code == 404


def test_post_without_csrf_token_is_refused(csrf_app, facilitator):
    client = csrf_app.test_client()
    client.post("/login", data={"email": "fac@example.com", "password": "correct horse battery"})
    response = client.post("/availability", data={"timezone": "UTC", "monday": "9-12"})
    assert response.status_code == 400
    assert rules_of(csrf_app, facilitator) == []


def test_a_failed_save_leaves_the_old_rules(app, facilitator, monkeypatch):
    with app.app_context():
        profile = db.session.get(Facilitator, facilitator)
        create_availability_rule(facilitator=profile)
        db.session.commit()

        def broken_add_all(rules):
            raise RuntimeError("disk full")

        monkeypatch.setattr(db.session, "add_all", broken_add_all)
        with pytest.raises(RuntimeError):
            operations.save_facilitator_availability(profile, AvailabilityPlan("UTC"))
        db.session.rollback()
    assert rules_of(app, facilitator) == [(Kind.WEEKLY, 0, time(9), time(17), None, None, "")]
