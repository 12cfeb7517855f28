"""Programs and their ordered sessions: pages, row editing without JavaScript, validation, access."""

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.models import (
    Cohort,
    CohortMember,
    Learner,
    Program,
    ProgramMode,
    ProgramSession,
    Role,
)
from tests.factories import PASSWORD, create_cohort, create_learner, create_program, create_user


@pytest.fixture
def coordinator(app, auth):
    """Sign the test client in as a coordinator."""
    with app.app_context():
        user = create_user(Role.COORDINATOR)
        db.session.commit()
        email = user.email
    auth.login(email)


@pytest.fixture
def program_id(app) -> int:
    with app.app_context():
        program = create_program(
            sessions=(180, 120), key="sec-champs", name="Security champions", skill="security"
        )
        db.session.commit()
        return program.id


def page(response) -> str:
    """The response's text with HTML entities decoded, to match messages as users read them."""
    return unescape(response.get_data(as_text=True))


def program_form(sessions=(("Tills and payments", "180"), ("Returns", "90")), **fields) -> dict:
    """A valid program form as the browser posts it, with ``fields`` overriding."""
    data = {
        "key": "pos-basics",
        "name": "POS basics",
        "mode": "in_person",
        "skill": "pos",
        "seats_min": "6",
        "seats_max": "12",
        "seat_cost": "15.50",
        "same_facilitator": "y",
        "gap_min_days": "1",
        "gap_max_days": "7",
        "fixed_development_cost": "2500",
    }
    for index, (title, minutes) in enumerate(sessions):
        data[f"sessions-{index}-title"] = title
        data[f"sessions-{index}-duration_minutes"] = minutes
    data.update(fields)
    return {name: value for name, value in data.items() if value is not None}


def program_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Program.id)))


def saved_sessions(app, key: str) -> list[tuple[int, str, int]]:
    with app.app_context():
        program = db.session.scalars(select(Program).where(Program.key == key)).one()
        return [(s.position, s.title, s.duration_minutes) for s in program.sessions]


# --- Pages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/programs", "/programs/new", "/programs/{id}/edit", "/programs/{id}/delete"]
)
def test_every_programs_page_renders_for_a_coordinator(client, coordinator, program_id, path):
    assert client.get(path.format(id=program_id)).status_code == 200


def test_programs_list_shows_sessions_seats_and_cohorts(app, client, coordinator, program_id):
    with app.app_context():
        create_cohort(db.session.get(Program, program_id))
        db.session.commit()
    text = page(client.get("/programs"))
    row = text[text.index("Security champions") :].split("</tr>")[0]
    assert "2 × (3 h, 2 h)" in row
    assert "6–20" in row
    assert '<td class="num">1</td>' in row  # one cohort


def test_new_program_form_starts_with_one_session_row(client, coordinator):
    text = page(client.get("/programs/new"))
    assert 'name="sessions-0-title"' in text
    assert 'name="sessions-1-title"' not in text


def test_edit_form_shows_the_saved_sessions_in_order(client, coordinator, program_id):
    text = page(client.get(f"/programs/{program_id}/edit"))
    assert text.index('value="Part 1"') < text.index('value="Part 2"')
    assert 'name="sessions-1-duration_minutes"' in text and 'value="120"' in text


def test_skill_field_offers_skills_already_in_use(app, client, coordinator, program_id):
    text = page(client.get("/programs/new"))
    assert '<option value="security">' in text


# --- Create, edit, delete ---------------------------------------------------------------


def test_coordinator_adds_a_program_with_its_sessions_in_order(app, client, coordinator):
    response = client.post("/programs/new", data=program_form())
    assert response.status_code == 302
    with app.app_context():
        program = db.session.scalars(select(Program)).one()
        assert (program.key, program.name, program.mode, program.skill) == (
            "pos-basics",
            "POS basics",
            ProgramMode.IN_PERSON,
            "pos",
        )
        assert (program.seats_min, program.seats_max, program.seat_cost) == (6, 12, 15.5)
        assert (program.gap_min_days, program.gap_max_days) == (1, 7)
        assert program.fixed_development_cost == 2500
        assert program.same_facilitator is True
    assert saved_sessions(app, "pos-basics") == [(0, "Tills and payments", 180), (1, "Returns", 90)]


def test_unticked_same_facilitator_and_blank_skill_are_saved_as_such(app, client, coordinator):
    data = program_form(same_facilitator=None, skill="  ", mode="virtual")
    assert client.post("/programs/new", data=data).status_code == 302
    with app.app_context():
        program = db.session.scalars(select(Program)).one()
        assert program.same_facilitator is False
        assert program.skill is None
        assert program.mode == ProgramMode.VIRTUAL


def test_coordinator_edits_a_program_and_its_sessions(app, client, coordinator, program_id):
    with app.app_context():
        first_session_id = db.session.get(Program, program_id).sessions[0].id
    sessions = (("Threat modelling", "240"), ("Secure code review", "120"), ("Wrap-up", "45"))
    data = program_form(sessions, key="sec-champs", name="Security champions II")
    response = client.post(f"/programs/{program_id}/edit", data=data)
    assert response.status_code == 302
    assert saved_sessions(app, "sec-champs") == [
        (0, "Threat modelling", 240),
        (1, "Secure code review", 120),
        (2, "Wrap-up", 45),
    ]
    with app.app_context():
        program = db.session.get(Program, program_id)
        assert program.name == "Security champions II"
        assert program.sessions[0].id == first_session_id  # rows are updated, not replaced


def test_editing_down_to_fewer_sessions_deletes_the_rest(app, client, coordinator, program_id):
    data = program_form((("Only session", "60"),), key="sec-champs")
    assert client.post(f"/programs/{program_id}/edit", data=data).status_code == 302
    assert saved_sessions(app, "sec-champs") == [(0, "Only session", 60)]
    with app.app_context():
        assert db.session.scalar(select(func.count(ProgramSession.id))) == 1


def test_delete_asks_for_confirmation_and_names_the_cohorts_it_takes(
    app, client, coordinator, program_id
):
    with app.app_context():
        program = db.session.get(Program, program_id)
        create_cohort(program, learners=[create_learner(), create_learner()])
        db.session.commit()
    text = page(client.get(f"/programs/{program_id}/delete"))
    assert "Delete program Security champions?" in text
    assert "1 cohort of this program" in text and "(2 learner places)" in text
    assert program_count(app) == 1


def test_deleting_a_program_deletes_its_sessions_and_cohorts_but_keeps_learners(
    app, client, coordinator, program_id
):
    with app.app_context():
        program = db.session.get(Program, program_id)
        create_cohort(program, learners=[create_learner()])
        db.session.commit()
    response = client.post(f"/programs/{program_id}/delete")
    assert response.status_code == 302
    with app.app_context():
        assert program_count(app) == 0
        assert db.session.scalar(select(func.count(ProgramSession.id))) == 0
        assert db.session.scalar(select(func.count(Cohort.id))) == 0
        assert db.session.scalar(select(func.count(CohortMember.id))) == 0
        assert db.session.scalar(select(func.count(Learner.id))) == 1


def test_missing_program_is_404(client, coordinator):
    assert client.get("/programs/999999/edit").status_code == 404
    assert client.post("/programs/999999/delete").status_code == 404


# --- Session rows without JavaScript ----------------------------------------------------


def test_add_session_shows_one_more_empty_row_and_saves_nothing(app, client, coordinator):
    response = client.post("/programs/new", data=program_form(add_session="1"))
    text = page(response)
    assert response.status_code == 200
    assert 'name="sessions-2-title"' in text and 'name="sessions-3-title"' not in text
    assert 'value="Returns"' in text  # what was typed is kept
    assert 'role="alert"' not in text  # rearranging is not a failed save
    assert program_count(app) == 0


def test_remove_session_drops_that_row_and_keeps_the_others(app, client, coordinator):
    sessions = (("One", "60"), ("Two", "90"), ("Three", "120"))
    response = client.post("/programs/new", data=program_form(sessions, remove_session="1"))
    text = page(response)
    assert 'value="Two"' not in text
    assert 'id="sessions-1-title"' in text and text.index('value="One"') < text.index('"Three"')
    assert 'name="sessions-2-title"' not in text
    assert program_count(app) == 0


def test_move_session_up_swaps_it_with_the_one_before(client, coordinator):
    sessions = (("One", "60"), ("Two", "90"))
    text = page(client.post("/programs/new", data=program_form(sessions, move_session_up="1")))
    assert text.index('value="Two"') < text.index('value="One"')


def test_rows_edited_on_an_existing_program_are_not_saved_until_save(
    app, client, coordinator, program_id
):
    data = program_form(key="sec-champs", remove_session="0")
    response = client.post(f"/programs/{program_id}/edit", data=data)
    assert response.status_code == 200
    assert 'name="sessions-1-title"' not in page(response)
    assert saved_sessions(app, "sec-champs") == [(0, "Part 1", 180), (1, "Part 2", 120)]


def test_removing_the_only_session_leaves_an_empty_row(client, coordinator):
    sessions = (("Only", "60"),)
    text = page(client.post("/programs/new", data=program_form(sessions, remove_session="0")))
    assert 'name="sessions-0-title"' in text and 'value="Only"' not in text


def test_invalid_input_typed_in_a_row_survives_rearranging(client, coordinator):
    sessions = (("One", "ninety"),)
    text = page(client.post("/programs/new", data=program_form(sessions, add_session="1")))
    assert 'value="ninety"' in text


# --- Validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Name is required."),
        ({"key": "pos basics"}, "Key may only contain letters, digits"),
        ({"mode": "hybrid"}, "Delivery must be In person or Virtual."),
        ({"skill": "s" * 65}, "Required skill must be at most 64 characters."),
        ({"skill": "???"}, "Required skill must contain letters or digits."),
        ({"seats_min": "0"}, "Minimum seats must be at least 1."),
        ({"seats_min": ""}, "Minimum seats is required."),
        ({"seats_max": "5"}, "Maximum seats must be at least the minimum seats (6)."),
        ({"seat_cost": "-0.01"}, "Cost per seat must be at least 0."),
        ({"seat_cost": "free"}, "Cost per seat must be a number, such as 12.50."),
        ({"gap_min_days": "-1"}, "Minimum days between sessions must be at least 0."),
        ({"gap_max_days": "0"}, "Maximum days between sessions must be at least the minimum (1)."),
        ({"fixed_development_cost": "-5"}, "Fixed development cost must be at least 0."),
        ({"sessions-1-duration_minutes": "100"}, "Duration must be a multiple of 15 minutes."),
        ({"sessions-1-duration_minutes": "0"}, "Duration must be at least 15 minutes."),
        ({"sessions-1-duration_minutes": "-15"}, "Duration must be at least 15 minutes."),
        ({"sessions-1-duration_minutes": "735"}, "Duration must be at most 720 minutes."),
        ({"sessions-1-duration_minutes": ""}, "Duration is required."),
        ({"sessions-1-duration_minutes": "1.5"}, "Duration must be a whole number."),
        ({"sessions-1-title": " "}, "Title is required."),
    ],
)
def test_bad_program_is_refused_with_the_fields_message_and_nothing_saved(
    app, client, coordinator, fields, message
):
    response = client.post("/programs/new", data=program_form(**fields))
    assert response.status_code == 200
    assert message in page(response)
    assert program_count(app) == 0


def test_a_program_needs_at_least_one_filled_in_session(app, client, coordinator):
    response = client.post("/programs/new", data=program_form(sessions=()))
    assert response.status_code == 200
    assert "Duration is required." in page(response)  # the one empty row is shown and flagged
    assert program_count(app) == 0


def test_twelve_hours_is_the_longest_session(app, client, coordinator):
    data = program_form(sessions=(("Full day", "720"),))
    assert client.post("/programs/new", data=data).status_code == 302


def test_bad_edit_changes_nothing(app, client, coordinator, program_id):
    data = program_form((("Renamed", "61"),), key="sec-champs", name="Changed")
    response = client.post(f"/programs/{program_id}/edit", data=data)
    assert "Duration must be a multiple of 15 minutes." in page(response)
    assert saved_sessions(app, "sec-champs") == [(0, "Part 1", 180), (1, "Part 2", 120)]
    with app.app_context():
        assert db.session.get(Program, program_id).name == "Security champions"


def test_program_key_already_used_is_a_field_error(app, client, coordinator, program_id):
    response = client.post("/programs/new", data=program_form(key="sec-champs"))
    assert response.status_code == 200
    assert "Key 'sec-champs' is already used by Security champions; choose another." in page(
        response
    )
    assert program_count(app) == 1


def test_key_clash_that_slips_past_the_check_is_still_a_field_error(
    app, client, coordinator, program_id, monkeypatch
):
    monkeypatch.setattr("scheduler.programs.operations.ensure_key_free", lambda *a, **k: None)
    response = client.post("/programs/new", data=program_form(key="sec-champs"))
    assert response.status_code == 200
    assert "Key 'sec-champs' is already used; choose another." in page(response)
    assert program_count(app) == 1


def test_too_many_sessions_are_refused_when_adding_a_row(app, client, coordinator):
    sessions = tuple((f"S{i}", "60") for i in range(50))
    response = client.post("/programs/new", data=program_form(sessions, add_session="1"))
    assert "A program can have at most 50 sessions." in page(response)
    assert 'name="sessions-50-title"' not in page(response)


def test_program_form_works_with_csrf_protection_on(csrf_app):
    with csrf_app.app_context():
        user = create_user(Role.COORDINATOR)
        db.session.commit()
        email = user.email
    client = csrf_app.test_client()

    def token(response) -> str:
        text = page(response)
        return text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]

    login = client.get("/login")
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token(login)})
    form = client.get("/programs/new")
    assert client.post("/programs/new", data=program_form()).status_code == 400
    added_row = client.post(
        "/programs/new", data=program_form(add_session="1", csrf_token=token(form))
    )
    assert 'name="sessions-2-title"' in page(added_row)
    response = client.post("/programs/new", data=program_form(csrf_token=token(added_row)))
    assert response.status_code == 302
    assert program_count(csrf_app) == 1


# --- Who may use these pages ----------------------------------------------------------


def programs_urls(app, program_id: int) -> list[tuple[str, str]]:
    """Every (method, URL) of the programs area."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] != "programs":
            continue
        url = rule.build({"program_id": program_id}, append_unknown=False)[1]
        urls += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return urls


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.MANAGER])
def test_facilitators_and_managers_are_refused_every_programs_route(
    app, client, auth, role, program_id
):
    with app.app_context():
        user = create_user(role)
        db.session.commit()
        email = user.email
    auth.login(email)
    urls = programs_urls(app, program_id)
    assert len(urls) >= 7
    for method, url in urls:
        data = program_form(key="sec-champs") if method == "POST" else None
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403, (method, url)
    assert saved_sessions(app, "sec-champs") == [(0, "Part 1", 180), (1, "Part 2", 120)]


def test_anonymous_users_are_sent_to_login_from_every_programs_route(app, client, program_id):
    for method, url in programs_urls(app, program_id):
        response = client.open(url, method=method)
        assert response.status_code == 302, (method, url)
        assert response.location.startswith("/login"), (method, url)
    assert program_count(app) == 1
