"""CSV imports: upload, preview, confirm; every kind of bad file saves nothing and says where."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scheduler.extensions import db
from scheduler.models import Cohort, CohortMember, Facilitator, Learner, Role, User
from tests.factories import PASSWORD, create_program, create_site, create_user

DATA = Path(__file__).parent / "data" / "imports"
ERROR_ROW = re.compile(
    r'<tr><td class="num">(\d+)</td><td>(?:<code>([^<]*)</code>)?</td><td>([^<]*)</td></tr>'
)
TOKEN = re.compile(r'name="confirm-token" type="hidden" value="([^"]+)"')


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture(autouse=True)
def pending_folder(app, tmp_path):
    app.config["IMPORT_PENDING_FOLDER"] = str(tmp_path / "pending")
    return tmp_path / "pending"


@pytest.fixture
def organisation(app):
    """Two sites, two programs and a manager, as named in the sample files."""
    with app.app_context():
        create_site(key="LON", name="London", timezone="Europe/London")
        create_site(key="NYC", name="New York", timezone="America/New_York")
        create_program(key="POS-BASICS", name="Point of sale basics")
        create_program(key="SEC-CHAMPIONS", name="Security champions")
        create_user(Role.MANAGER, email="manager@example.com")
        db.session.commit()


@pytest.fixture
def coordinator(app, auth, organisation):
    with app.app_context():
        create_user(Role.COORDINATOR, email="coordinator@example.com")
        db.session.commit()
    auth.login("coordinator@example.com")


def upload(client, kind: str, content: bytes, filename: str = "file.csv"):
    return client.post(
        f"/imports/{kind}",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def confirm(client, preview_response):
    token = TOKEN.search(preview_response.get_data(as_text=True)).group(1)
    return client.post("/imports/confirm", data={"confirm-token": token})


def import_file(client, kind: str, content: bytes):
    """Upload and confirm a good file; return the confirm response."""
    preview = upload(client, kind, content)
    assert preview.status_code == 200
    assert not errors_of(preview), errors_of(preview)
    return confirm(client, preview)


def errors_of(response) -> list[tuple[int, str, str]]:
    """The (line, column, message) rows of the preview's error table."""
    body = response.get_data(as_text=True)
    return [
        (int(line), column or "", html.unescape(message))
        for line, column, message in ERROR_ROW.findall(body)
    ]


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def assert_refused(app, response, line: int, column: str, words: str) -> None:
    """The file was refused with an error at (line, column) mentioning ``words``, and no token."""
    errors = errors_of(response)
    assert any(
        (e_line, e_column) == (line, column) and words.lower() in message.lower()
        for e_line, e_column, message in errors
    ), errors
    assert "nothing was saved" in response.get_data(as_text=True)
    assert TOKEN.search(response.get_data(as_text=True)) is None


def learners_csv(*rows: str) -> bytes:
    return (
        "id,name,email,team,manager_email,timezone,site\r\n" + "".join(r + "\r\n" for r in rows)
    ).encode()


GOOD_LEARNER = "E1,Ann Lee,ann@example.com,Ops,,Europe/London,LON"


# Index, templates and roles ------------------------------------------------------------------


def test_index_lists_the_three_kinds_with_their_headers(client, coordinator):
    body = client.get("/imports").get_data(as_text=True)
    assert "id,name,email,team,manager_email,timezone,site" in body
    assert "id,program,site,timezone,earliest,deadline,days,from,to,mergeable,splittable," in body
    assert "id,name,email,skills,site,timezone,hourly_rate,session_fee," in body
    for kind in ("learners", "cohorts", "facilitators"):
        assert f"/imports/{kind}/template.csv" in body


@pytest.mark.parametrize("kind", ["learners", "cohorts", "facilitators"])
def test_template_is_a_csv_with_the_documented_header(client, coordinator, kind):
    response = client.get(f"/imports/{kind}/template.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header = response.get_data(as_text=True).splitlines()[0]
    assert header == sample(f"{kind}.csv").decode().splitlines()[0]


def test_unknown_kind_is_not_found(client, coordinator):
    assert client.get("/imports/rooms").status_code == 404
    assert upload(client, "rooms", learners_csv(GOOD_LEARNER)).status_code == 404


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.MANAGER])
def test_only_coordinators_may_import(app, client, auth, organisation, role):
    with app.app_context():
        create_user(role, email="someone@example.com")
        db.session.commit()
    auth.login("someone@example.com")
    assert client.get("/imports").status_code == 403
    assert client.get("/imports/learners/template.csv").status_code == 403
    assert upload(client, "learners", sample("learners.csv")).status_code == 403
    assert client.post("/imports/confirm", data={"confirm-token": "x" * 43}).status_code == 403
    assert count(app, Learner) == 0


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get("/imports")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# Good files: create, then update ------------------------------------------------------------


def test_preview_saves_nothing_until_confirmed(app, client, coordinator):
    response = upload(client, "learners", sample("learners.csv"))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>4</strong> learners to create" in body
    assert "Amira Haddad" in body
    assert count(app, Learner) == 0


def test_good_learners_file_creates_learners(app, client, coordinator):
    response = import_file(client, "learners", sample("learners.csv"))
    assert response.status_code == 302
    assert count(app, Learner) == 4
    with app.app_context():
        ben = db.session.scalar(select(Learner).where(Learner.key == "E1002"))
        assert ben.email == "ben.kowalski@example.com"
        assert ben.manager.email == "manager@example.com"
        assert ben.site.key == "LON"
        assert ben.timezone == "Europe/London"  # empty: the site's zone
        chloe = db.session.scalar(select(Learner).where(Learner.key == "E1003"))
        assert chloe.name == "Chloé Martin" and chloe.site is None and chloe.manager is None


def test_reimporting_changed_learners_updates_instead_of_duplicating(app, client, coordinator):
    import_file(client, "learners", sample("learners.csv"))
    changed = sample("learners.csv").replace(b"Ben Kowalski", b"Ben Kowalsky")
    changed = changed.replace(b"Security champions,manager", b"Security guild,manager")
    preview = upload(client, "learners", changed)
    body = preview.get_data(as_text=True)
    assert "<strong>0</strong> learners to create" in body
    assert "<strong>2</strong> to update" in body
    assert "Ben Kowalski → Ben Kowalsky" in html.unescape(body)
    confirm(client, preview)
    assert count(app, Learner) == 4
    with app.app_context():
        names = {key: value for key, value in db.session.execute(select(Learner.key, Learner.name))}
        teams = {key: value for key, value in db.session.execute(select(Learner.key, Learner.team))}
    assert names["E1002"] == "Ben Kowalsky"
    assert teams["E1004"] == "Security guild"
    assert teams["E1003"] == "Security champions"


def test_the_same_file_twice_changes_nothing(app, client, coordinator):
    import_file(client, "learners", sample("learners.csv"))
    body = upload(client, "learners", sample("learners.csv")).get_data(as_text=True)
    assert "<strong>0</strong> learners to create" in body
    assert "<strong>4</strong> unchanged" in body


def test_cohorts_file_creates_cohorts_with_their_learners(app, client, coordinator):
    import_file(client, "learners", sample("learners.csv"))
    import_file(client, "cohorts", sample("cohorts.csv"))
    with app.app_context():
        pos = db.session.scalar(select(Cohort).where(Cohort.key == "POS-LON-1"))
        assert sorted(member.learner.key for member in pos.members) == ["E1001", "E1002"]
        assert pos.program.key == "POS-BASICS" and pos.site.key == "LON"
        assert pos.timezone == "Europe/London"
        assert pos.hours_days == "mon,tue,wed,thu"
        assert (pos.hours_from.isoformat(), pos.hours_to.isoformat()) == ("08:30:00", "16:00:00")
        assert (str(pos.earliest), str(pos.deadline)) == ("2027-01-04", "2027-03-26")
        assert pos.mergeable is True and pos.splittable is False
        assert pos.unscheduled_cost == 5000
        sec = db.session.scalar(select(Cohort).where(Cohort.key == "SEC-NYC-1"))
        assert sec.hours_days == "mon,tue,wed,thu,fri" and sec.unscheduled_cost == 10000
        assert sec.earliest is None and sec.splittable is True


def test_reimporting_cohorts_replaces_membership(app, client, coordinator):
    import_file(client, "learners", sample("learners.csv"))
    import_file(client, "cohorts", sample("cohorts.csv"))
    changed = sample("cohorts.csv").replace(b"E1001;E1002", b"E1002;E1003")
    changed = changed.replace(b"yes,no,5000", b"yes,no,7500")
    import_file(client, "cohorts", changed)
    assert count(app, Cohort) == 2
    assert count(app, CohortMember) == 4
    with app.app_context():
        pos = db.session.scalar(select(Cohort).where(Cohort.key == "POS-LON-1"))
        assert sorted(member.learner.key for member in pos.members) == ["E1002", "E1003"]
        assert pos.unscheduled_cost == 7500


def test_facilitators_file_creates_accounts_and_profiles(app, client, coordinator):
    import_file(client, "facilitators", sample("facilitators.csv"))
    with app.app_context():
        sam = db.session.scalar(select(Facilitator).where(Facilitator.key == "F-017"))
        assert sam.user.role == Role.FACILITATOR
        assert sam.user.email == "sam.okafor@example.com" and sam.name == "Sam Okafor"
        assert sam.skill_names == ["pos", "security"]
        assert (sam.hourly_rate, sam.session_fee) == (85, 40)
        assert (sam.max_minutes_per_day, sam.buffer_minutes) == (360, 15)
        assert sam.timezone == "Europe/London"
        rita = db.session.scalar(select(Facilitator).where(Facilitator.key == "F-018"))
        assert rita.hourly_rate == 92.5 and rita.max_minutes_per_day is None
        assert rita.timezone == rita.user.timezone == "America/New_York"


def test_reimporting_facilitators_updates_profile_and_account(app, client, coordinator):
    import_file(client, "facilitators", sample("facilitators.csv"))
    changed = sample("facilitators.csv").replace(b"pos;security,LON,,85", b"pos,LON,,95")
    changed = changed.replace(b"Rita Alvarez", b"Rita Alvarez-Ruiz")
    import_file(client, "facilitators", changed)
    assert count(app, Facilitator) == 2
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(User).where(User.role == Role.FACILITATOR)
            )
            == 2
        )
        sam = db.session.scalar(select(Facilitator).where(Facilitator.key == "F-017"))
        assert sam.skill_names == ["pos"] and sam.hourly_rate == 95
        rita = db.session.scalar(select(Facilitator).where(Facilitator.key == "F-018"))
        assert rita.user.name == "Rita Alvarez-Ruiz"


def test_facilitator_file_may_name_an_existing_facilitator_account(app, client, coordinator):
    with app.app_context():
        create_user(Role.FACILITATOR, email="sam.okafor@example.com")
        db.session.commit()
    import_file(client, "facilitators", sample("facilitators.csv"))
    assert count(app, User) == 4  # coordinator, manager, Sam (existing, not copied), Rita (new)
    with app.app_context():
        sam = db.session.scalar(select(Facilitator).where(Facilitator.key == "F-017"))
        assert sam.user.email == "sam.okafor@example.com"


def test_utf8_with_byte_order_mark_is_accepted(app, client, coordinator):
    import_file(client, "learners", b"\xef\xbb\xbf" + sample("learners.csv"))
    assert count(app, Learner) == 4


def test_cancel_forgets_the_upload(app, client, coordinator, pending_folder):
    preview = upload(client, "learners", sample("learners.csv"))
    token = TOKEN.search(preview.get_data(as_text=True)).group(1)
    client.post("/imports/cancel", data={"cancel-token": token})
    assert list(pending_folder.glob("*.json")) == []
    response = client.post("/imports/confirm", data={"confirm-token": token}, follow_redirects=True)
    assert "expired or was already saved" in response.get_data(as_text=True)
    assert count(app, Learner) == 0


def test_another_coordinators_token_is_refused(app, client, auth, coordinator):
    preview = upload(client, "learners", sample("learners.csv"))
    with app.app_context():
        create_user(Role.COORDINATOR, email="other@example.com")
        db.session.commit()
    auth.logout()
    auth.login("other@example.com")
    confirm(client, preview)
    assert count(app, Learner) == 0


def test_confirm_checks_the_file_again(app, client, coordinator):
    """A site deleted between preview and confirm makes the confirm fail, saving nothing."""
    preview = upload(client, "learners", learners_csv(GOOD_LEARNER, "E2,Bo,bo@example.com,,,,NYC"))
    with app.app_context():
        db.session.execute(db.delete(db.metadata.tables["site"]).where(db.text("key = 'NYC'")))
        db.session.commit()
    response = confirm(client, preview)
    assert response.status_code == 409
    assert_refused(app, response, 3, "site", "no site has the id 'NYC'")
    assert count(app, Learner) == 0


# Bad files: each is refused by line and column, and nothing is saved ------------------------


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ('E2,"Bo\r\nDiaz",bo@example.com,Ops,,,LON', "name"),
        ("E2,Bo Diaz,bo@example.com,Ops\x1b[31m,,,LON", "team"),
        ("E2,Bo\u2028Diaz,bo@example.com,Ops,,,LON", "name"),
    ],
)
def test_line_breaks_and_control_characters_in_a_cell(app, client, coordinator, row, column):
    response = upload(client, "learners", learners_csv(GOOD_LEARNER, row))
    assert_refused(app, response, 3, column, "must be on one line")
    assert count(app, Learner) == 0


def test_missing_email(app, client, coordinator):
    response = upload(client, "learners", learners_csv(GOOD_LEARNER, "E2,Bo Diaz,,Ops,,,LON"))
    assert_refused(app, response, 3, "email", "required")
    assert count(app, Learner) == 0


def test_bad_email(app, client, coordinator):
    response = upload(client, "learners", learners_csv(GOOD_LEARNER, "E2,Bo,bo.example.com,,,,LON"))
    assert_refused(app, response, 3, "email", "not a valid e-mail address")
    assert count(app, Learner) == 0


def test_email_of_another_learner(app, client, coordinator):
    import_file(client, "learners", learners_csv(GOOD_LEARNER))
    response = upload(client, "learners", learners_csv("E2,Bo,ANN@example.com,,,,LON"))
    assert_refused(app, response, 2, "email", "belongs to learner 'E1'")
    assert count(app, Learner) == 1


def test_unknown_program(app, client, coordinator):
    import_file(client, "learners", sample("learners.csv"))
    bad = sample("cohorts.csv").replace(b"SEC-CHAMPIONS", b"SEC-CHAMPS")
    response = upload(client, "cohorts", bad)
    assert_refused(app, response, 3, "program", "no program has the id 'SEC-CHAMPS'")
    assert count(app, Cohort) == 0


def test_unknown_site(app, client, coordinator):
    response = upload(client, "learners", learners_csv(GOOD_LEARNER, "E2,Bo,bo@example.com,,,,PAR"))
    assert_refused(app, response, 3, "site", "no site has the id 'PAR'")
    assert count(app, Learner) == 0


def test_unknown_manager(app, client, coordinator):
    row = "E2,Bo,bo@example.com,,coordinator@example.com,,LON"  # an account, but not a manager
    response = upload(client, "learners", learners_csv(GOOD_LEARNER, row))
    assert_refused(app, response, 3, "manager_email", "no manager account")
    assert count(app, Learner) == 0


@pytest.mark.parametrize("value", ["04/01/2027", "2027-02-30", "2027-1-4"])
def test_bad_date(app, client, coordinator, value):
    import_file(client, "learners", sample("learners.csv"))
    bad = sample("cohorts.csv").replace(b"2027-01-04", value.encode())
    response = upload(client, "cohorts", bad)
    assert_refused(app, response, 2, "earliest", value)
    assert count(app, Cohort) == 0


def test_deadline_before_earliest(app, client, coordinator):
    import_file(client, "learners", sample("learners.csv"))
    bad = sample("cohorts.csv").replace(b"2027-03-26", b"2026-12-01")
    assert_refused(app, upload(client, "cohorts", bad), 2, "deadline", "before the earliest")


def test_bad_time_zone(app, client, coordinator):
    row = "E2,Bo,bo@example.com,,,Europe/Londres,LON"
    response = upload(client, "learners", learners_csv(GOOD_LEARNER, row))
    assert_refused(app, response, 3, "timezone", "not a known time zone")
    assert count(app, Learner) == 0


def test_time_zone_in_any_case_is_saved_as_the_tz_database_spells_it(app, client, coordinator):
    import_file(client, "learners", learners_csv("E2,Bo,bo@example.com,,,europe/paris,"))
    with app.app_context():
        assert db.session.scalar(select(Learner.timezone)) == "Europe/Paris"


def test_skills_are_stored_as_slugs_like_the_facilitator_form_does(app, client, coordinator):
    changed = sample("facilitators.csv").replace(b"pos;security", b"Point-of-Sale;SECURITY;pos")
    import_file(client, "facilitators", changed)
    with app.app_context():
        sam = db.session.scalar(select(Facilitator).where(Facilitator.key == "F-017"))
        assert sam.skill_names == ["point-of-sale", "pos", "security"]


def test_skill_without_letters_or_digits(app, client, coordinator):
    bad = sample("facilitators.csv").replace(b"pos;security", b"pos;???")
    response = upload(client, "facilitators", bad)
    assert_refused(app, response, 2, "skills", "must contain letters or digits")
    assert count(app, Facilitator) == 0


def test_time_zone_required_without_site(app, client, coordinator):
    response = upload(client, "learners", learners_csv("E2,Bo,bo@example.com,,,,"))
    assert_refused(app, response, 2, "timezone", "required when the site is empty")


def test_duplicate_id_within_the_file(app, client, coordinator):
    response = upload(client, "learners", learners_csv(GOOD_LEARNER, "E1,Bo,bo@example.com,,,,LON"))
    assert_refused(app, response, 3, "id", "already used on line 2")
    assert count(app, Learner) == 0


def test_duplicate_email_within_the_file(app, client, coordinator):
    response = upload(
        client, "learners", learners_csv(GOOD_LEARNER, "E2,Bo,Ann@example.com,,,,LON")
    )
    assert_refused(app, response, 3, "email", "already used on line 2")


def test_wrong_encoding(app, client, coordinator):
    response = upload(client, "learners", sample("learners-latin1.csv"))
    assert_refused(app, response, 4, "name", "not UTF-8")
    assert count(app, Learner) == 0


@pytest.mark.parametrize("content", [b"\n\r\x80", b"\n\r\x00"])
def test_a_bad_byte_after_a_lone_carriage_return_is_reported(app, client, coordinator, content):
    """Found by tests/test_fuzz.py: a line holding only "\r" before the bad byte has no field."""
    assert_refused(app, upload(client, "learners", content), 2, "", "not UTF-8")
    assert count(app, Learner) == 0


def test_empty_file(app, client, coordinator):
    response = upload(client, "learners", b"")
    assert_refused(app, response, 1, "", "empty")
    assert count(app, Learner) == 0


def test_header_without_rows(app, client, coordinator):
    assert_refused(app, upload(client, "learners", learners_csv()), 2, "", "no data rows")


def upload_big(client, content: bytes):
    """Upload a big file, encoded by hand: the test client would spool the body to a
    temporary file that it never closes (a ResourceWarning, an error under our settings)."""
    boundary = "import-test-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n"
    ).encode()
    body += content + f"\r\n--{boundary}--\r\n".encode()
    return client.post(
        "/imports/learners", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def test_file_over_the_import_limit_is_refused_cleanly(app, client, coordinator):
    """A 20 MB file passes MAX_CONTENT_LENGTH (25 MB) but not IMPORT_MAX_BYTES (10 MB)."""
    response = upload_big(client, learners_csv(GOOD_LEARNER) + b"#" * (20 * 1024 * 1024))
    assert response.status_code == 413
    assert "larger than 10 MB" in response.get_data(as_text=True)
    assert count(app, Learner) == 0


def test_file_over_the_request_limit_is_refused_cleanly(app, client, coordinator):
    """Over MAX_CONTENT_LENGTH (25 MB) Flask refuses the body before the view runs."""
    response = upload_big(client, b"#" * (26 * 1024 * 1024))
    assert response.status_code == 413
    assert "larger than 10 MB" in response.get_data(as_text=True)


def test_import_limit_is_configurable(app, client, coordinator):
    app.config["IMPORT_MAX_BYTES"] = 100
    response = upload(
        client, "learners", learners_csv(GOOD_LEARNER, GOOD_LEARNER.replace("1", "2"))
    )
    assert response.status_code == 413
    assert count(app, Learner) == 0


def test_missing_header_column(app, client, coordinator):
    content = b"id,name,team,manager_email,timezone,site\r\nE1,Ann,Ops,,,LON\r\n"
    response = upload(client, "learners", content)
    assert_refused(app, response, 1, "email", "missing from the header")
    assert count(app, Learner) == 0


def test_unknown_header_column(app, client, coordinator):
    content = learners_csv(GOOD_LEARNER).replace(b"team,", b"team,department,", 1)
    response = upload(client, "learners", content.replace(b"Ops,", b"Ops,Retail,"))
    assert_refused(app, response, 1, "department", "unknown column")
    assert count(app, Learner) == 0


def test_row_with_too_many_values(app, client, coordinator):
    response = upload(client, "learners", learners_csv(GOOD_LEARNER, GOOD_LEARNER + ",extra"))
    assert_refused(app, response, 3, "", "8 values but the header has 7")


@pytest.mark.parametrize(
    ("column", "before", "after", "words"),
    [
        ("hourly_rate", b",85,40,360,15", b",eighty,40,360,15", "not a number"),
        ("session_fee", b",85,40,360,15", b",85,-40,360,15", "negative"),
        ("max_minutes_per_day", b",85,40,360,15", b",85,40,6h,15", "not a whole number"),
        ("buffer_minutes", b",85,40,360,15", b",85,40,360,1.5", "not a whole number"),
        ("buffer_minutes", b",85,40,360,15", b",85,40,360," + b"9" * 5000, "more than 1440"),
    ],
)
def test_non_numeric_numbers(app, client, coordinator, column, before, after, words):
    bad = sample("facilitators.csv").replace(before, after)
    response = upload(client, "facilitators", bad)
    assert_refused(app, response, 2, column, words)
    assert count(app, Facilitator) == 0
    assert count(app, User) == 2  # coordinator and manager only: no account was created


def test_non_numeric_unscheduled_cost(app, client, coordinator):
    import_file(client, "learners", sample("learners.csv"))
    bad = sample("cohorts.csv").replace(b",5000,", b",5k,")
    assert_refused(app, upload(client, "cohorts", bad), 2, "unscheduled_cost", "not a number")


def test_unknown_learner_in_cohort(app, client, coordinator):
    import_file(client, "learners", sample("learners.csv"))
    bad = sample("cohorts.csv").replace(b"E1003 E1004", b"E1003 E9999")
    response = upload(client, "cohorts", bad)
    assert_refused(app, response, 3, "learners", "unknown learner ids: E9999")
    assert count(app, Cohort) == 0 and count(app, CohortMember) == 0


@pytest.mark.parametrize(
    ("column", "before", "after", "words"),
    [
        ("days", b"mon tue wed thu", b"mon tue funday", "not a weekday"),
        ("from", b",08:30,", b",8.30,", "not a time of day"),
        ("to", b",16:00,", b",08:00,", "not after the start"),
        ("splittable", b",yes,no,", b",yes,maybe,", "not yes or no"),
    ],
)
def test_bad_attendance_hours_and_options(app, client, coordinator, column, before, after, words):
    import_file(client, "learners", sample("learners.csv"))
    response = upload(client, "cohorts", sample("cohorts.csv").replace(before, after))
    assert_refused(app, response, 2, column, words)


def test_facilitator_email_of_a_coordinator_account(app, client, coordinator):
    bad = sample("facilitators.csv").replace(b"sam.okafor@", b"coordinator@")
    assert_refused(app, upload(client, "facilitators", bad), 2, "email", "coordinator account")


def test_a_bad_row_keeps_earlier_good_imports_unchanged(app, client, coordinator):
    import_file(client, "learners", sample("learners.csv"))
    changed = sample("learners.csv").replace(b"Amira Haddad", b"Amira H.")
    changed = changed.replace(b"dev.patel@example.com", b"dev.patel")
    assert_refused(app, upload(client, "learners", changed), 5, "email", "not a valid")
    with app.app_context():
        amira = db.session.scalar(select(Learner).where(Learner.key == "E1001"))
        assert amira.name == "Amira Haddad"


def test_every_bad_row_is_reported(app, client, coordinator):
    rows = [GOOD_LEARNER, "E2,,bo@example.com,,,,LON", "E3,Cy,cy@,,,,PAR"]
    errors = errors_of(upload(client, "learners", learners_csv(*rows)))
    assert [(line, column) for line, column, _ in errors] == [
        (3, "name"),
        (4, "email"),
        (4, "site"),
    ]


def test_line_numbers_count_blank_lines_and_quoted_line_breaks(app, client, coordinator):
    content = learners_csv(
        '"E1","Ann Lee","ann@example.com","Ops\nNight shift",,Europe/London,LON',
        "",
        "E2,Bo,bad-email,,,,LON",
    )
    assert_refused(app, upload(client, "learners", content), 5, "email", "not a valid")


def test_documentation_shows_each_header_with_an_example():
    """docs/imports.md stays in step with the formats the app accepts."""
    from scheduler.imports.csv_formats import FORMATS, read_table

    docs = (Path(__file__).parent.parent / "docs" / "imports.md").read_text()
    blocks = re.findall(r"```csv\n(.*?)```", docs, re.S)
    assert len(blocks) == len(FORMATS)
    for fmt, block in zip(FORMATS.values(), blocks, strict=True):
        assert block.splitlines()[0] == ",".join(fmt.header)
        table = read_table(block, fmt)
        assert table.errors == [] and len(table.records) >= 2
        assert f"`{fmt.header[-1]}`" in docs


def test_upload_and_confirm_work_with_csrf_protection(csrf_app, tmp_path):
    """With CSRF checks on, a form without its token is refused; the real pages carry one."""
    csrf_app.config["IMPORT_PENDING_FOLDER"] = str(tmp_path / "pending-csrf")
    with csrf_app.app_context():
        create_site(key="LON", timezone="Europe/London")
        create_user(Role.COORDINATOR, email="coordinator@example.com")
        db.session.commit()
    client = csrf_app.test_client()

    def csrf_of(html_text: str, name: str = "csrf_token") -> str:
        return re.search(rf'name="{name}" type="hidden" value="([^"]+)"', html_text).group(1)

    login_page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={
            "email": "coordinator@example.com",
            "password": PASSWORD,
            "csrf_token": csrf_of(login_page),
        },
    )
    content = learners_csv(GOOD_LEARNER)
    refused = upload(client, "learners", content)
    assert refused.status_code == 400
    # CSRFProtect reads the body first: a body over MAX_CONTENT_LENGTH still gets the clean page.
    too_big = upload_big(client, b"#" * (26 * 1024 * 1024))
    assert too_big.status_code == 413 and "larger than 10 MB" in too_big.get_data(as_text=True)

    upload_page = client.get("/imports/learners").get_data(as_text=True)
    preview = client.post(
        "/imports/learners",
        data={"file": (io.BytesIO(content), "l.csv"), "csrf_token": csrf_of(upload_page)},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    token = TOKEN.search(preview).group(1)
    assert client.post("/imports/confirm", data={"confirm-token": token}).status_code == 400
    assert count(csrf_app, Learner) == 0
    client.post(
        "/imports/confirm",
        data={"confirm-token": token, "confirm-csrf_token": csrf_of(preview, "confirm-csrf_token")},
    )
    assert count(csrf_app, Learner) == 1


def test_id_with_a_space_is_refused(app, client, coordinator):
    response = upload(client, "learners", learners_csv("E 1,Ann,ann@example.com,,,,LON"))
    assert_refused(app, response, 2, "id", "space or semicolon")
