"""HR exports as they come: a column-mapping step once per layout, then the usual preview.

Files are shaped like a Workday worker report (Excel "Unicode text": UTF-16, tab-separated,
"Last, First" names, zones written "GMT+01:00 … (Europe/Paris)") and a BambooHR report (first
and last name columns, US dates).
"""

from __future__ import annotations

import codecs
import re

import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.imports.csv_formats import COHORTS, FACILITATORS, LEARNERS
from scheduler.imports.mapping import ColumnMapping, guess, guess_date_format, remap
from scheduler.models import Cohort, ImportMapping, Learner, Role
from tests.factories import create_user
from tests.test_imports import (  # noqa: F401 (coordinator, organisation, pending_folder: fixtures)
    TOKEN,
    confirm,
    coordinator,
    count,
    errors_of,
    organisation,
    pending_folder,
    upload,
)

WORKDAY_HEADER = [
    "Employee ID",
    "Legal Name",
    "Primary Work Email",
    "Supervisor Email",
    "Supervisory Organization",
    "Time Zone",
    "Location",
]
WORKDAY_ROWS = [
    [
        "W-1",
        "Haddad, Amira",
        "amira@example.com",
        "manager@example.com",
        "Tills",
        "GMT+00:00 Greenwich Mean Time (Europe/London)",
        "LON",
    ],
    ["W-2", "Okafor, Sam", "sam@example.com", "", "Tills", "", "NYC"],
]


def unicode_text(header: list[str], rows: list[list[str]]) -> bytes:
    """A sheet as Excel saves "Unicode text": UTF-16 LE with a byte order mark, tabs, CRLF."""
    lines = ["\t".join(header)] + ["\t".join(row) for row in rows]
    return codecs.BOM_UTF16_LE + ("\r\n".join(lines) + "\r\n").encode("utf-16-le")


def mapping_form(response) -> dict[str, str]:
    """The selected value of every select on the column-mapping page."""
    body = response.get_data(as_text=True)
    chosen = {}
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', body, re.S):
        selected = re.search(r'<option selected value="([^"]*)"', options) or re.search(
            r'<option value="([^"]*)" selected', options
        )
        chosen[name] = selected.group(1) if selected else ""
    return chosen


@pytest.mark.usefixtures("coordinator")
def test_a_workday_export_is_mapped_once_then_imported_without_asking(app, client):
    first = upload(client, "learners", unicode_text(WORKDAY_HEADER, WORKDAY_ROWS), "workers.txt")
    assert first.status_code == 302 and "/imports/learners/columns/" in first.location
    page = client.get(first.location)
    guessed = mapping_form(page)
    assert guessed["col_id"] == "Employee ID"
    assert guessed["col_name"] == "Legal Name"
    assert guessed["col_email"] == "Primary Work Email"
    assert guessed["col_manager_email"] == "Supervisor Email"
    assert guessed["col_team"] == "Supervisory Organization"
    assert guessed["col_site"] == "Location"
    assert count(app, Learner) == 0 and count(app, ImportMapping) == 0

    preview = client.post(first.location, data=guessed | {"name_order": "last_first"})
    assert preview.status_code == 200 and not errors_of(preview), errors_of(preview)
    assert "saved column mapping" in preview.get_data(as_text=True)
    assert count(app, Learner) == 0  # mapping saves the mapping, not the rows
    confirm(client, preview)
    with app.app_context():
        amira = db.session.scalar(select(Learner).where(Learner.key == "W-1"))
        assert (amira.name, amira.timezone, amira.manager.email) == (
            "Amira Haddad",
            "Europe/London",
            "manager@example.com",
        )

    # The next export of the same report (now saved as UTF-8 with a BOM) needs no mapping.
    rows = [*WORKDAY_ROWS, ["W-3", "Lee, Ann", "ann@example.com", "", "Ops", "", "LON"]]
    text = "\r\n".join(",".join(f'"{cell}"' for cell in row) for row in [WORKDAY_HEADER, *rows])
    again = upload(client, "learners", codecs.BOM_UTF8 + text.encode())
    assert again.status_code == 200 and not errors_of(again)
    assert "1</strong> learners to create" in again.get_data(as_text=True)
    confirm(client, again)
    with app.app_context():
        ann = db.session.scalar(select(Learner).where(Learner.key == "W-3"))
        assert ann.name == "Ann Lee"


@pytest.mark.usefixtures("coordinator")
def test_a_mapping_without_a_required_column_is_refused_and_saves_nothing(app, client):
    location = upload(client, "learners", unicode_text(WORKDAY_HEADER, WORKDAY_ROWS)).location
    chosen = mapping_form(client.get(location)) | {"col_email": ""}
    refused = client.post(location, data=chosen)
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert "Choose the file&#39;s column that holds email." in body
    assert 'value="Legal Name" selected' in body or 'selected value="Legal Name"' in body
    assert count(app, ImportMapping) == 0 and count(app, Learner) == 0


@pytest.mark.usefixtures("coordinator")
def test_one_file_column_cannot_fill_two_of_ours(app, client):
    location = upload(client, "learners", unicode_text(WORKDAY_HEADER, WORKDAY_ROWS)).location
    chosen = mapping_form(client.get(location)) | {"col_team": "Location"}
    refused = client.post(location, data=chosen)
    assert refused.status_code == 400
    assert "already used for team" in refused.get_data(as_text=True)
    assert count(app, ImportMapping) == 0


@pytest.mark.usefixtures("coordinator")
def test_a_bad_row_of_a_mapped_file_is_reported_at_its_own_line(app, client):
    header = "Employee #,First Name,Last Name,Work Email,Location"
    content = (
        f"{header}\r\nB1,Amira,Haddad,amira@example.com,LON\r\n\r\n"
        'B2,"Sam",Okafor,not-an-address,LON\r\nB3,Ann,Lee,ann@example.com,XXX\r\n'
    ).encode()
    location = upload(client, "learners", content).location
    chosen = mapping_form(client.get(location))
    assert (chosen["col_name"], chosen["col_name_2"]) == ("First Name", "Last Name")
    preview = client.post(location, data=chosen)
    errors = errors_of(preview)
    assert [(line, column) for line, column, _ in errors] == [(4, "email"), (5, "site")]
    assert count(app, Learner) == 0
    # The mapping may be the fault: the page links back to it without a new upload.
    assert "Change the column mapping" in preview.get_data(as_text=True)
    assert TOKEN.search(preview.get_data(as_text=True)) is None  # nothing to confirm


@pytest.mark.usefixtures("coordinator")
def test_us_dates_in_a_bamboohr_cohort_report_are_read_as_written(app, client):
    with app.app_context():
        db.session.add(
            Learner(key="E1", name="Ann", email="ann@example.com", timezone="Europe/London")
        )
        db.session.commit()
    header = "Cohort Code,Course Code,Site,Time Zone,Start Date,Due Date,Days,From,To,Mergeable,Splittable,Unscheduled Cost,Participants"
    row = "C-1,POS-BASICS,LON,,01/04/2027,01/29/2027,,,,,,,E1"
    location = upload(client, "cohorts", f"{header}\n{row}\n".encode()).location
    chosen = mapping_form(client.get(location))
    assert chosen["date_format"] == "mdy"  # 01/29 cannot be day-first
    chosen |= {"col_id": "Cohort Code", "col_program": "Course Code"}
    confirm(client, client.post(location, data=chosen))
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.key == "C-1"))
        assert (cohort.earliest.isoformat(), cohort.deadline.isoformat()) == (
            "2027-01-04",
            "2027-01-29",
        )


@pytest.mark.usefixtures("coordinator")
def test_a_mapping_belongs_to_its_layout_and_its_kind(app, client):
    location = upload(client, "learners", unicode_text(WORKDAY_HEADER, WORKDAY_ROWS)).location
    client.post(location, data=mapping_form(client.get(location)))
    assert count(app, ImportMapping) == 1
    other_layout = unicode_text([*WORKDAY_HEADER, "Hire Date"], [[*r, ""] for r in WORKDAY_ROWS])
    assert upload(client, "learners", other_layout).status_code == 302
    assert (
        upload(client, "facilitators", unicode_text(WORKDAY_HEADER, WORKDAY_ROWS)).status_code
        == 302
    )


@pytest.mark.usefixtures("coordinator")
def test_a_file_in_our_own_layout_never_asks_for_a_mapping(app, client):
    missing = upload(client, "learners", b"id,name\r\nE1,Ann\r\n")
    assert missing.status_code == 200
    assert ("1", "email") in {(str(line), column) for line, column, _ in errors_of(missing)}


@pytest.mark.usefixtures("coordinator")
def test_another_coordinators_upload_cannot_be_mapped(app, client, auth):
    location = upload(client, "learners", unicode_text(WORKDAY_HEADER, WORKDAY_ROWS)).location
    with app.app_context():
        create_user(Role.COORDINATOR, email="other@example.com")
        db.session.commit()
    auth.logout()
    auth.login("other@example.com")
    answer = client.get(location)
    assert answer.status_code == 302 and answer.location.endswith("/imports/learners")
    assert client.post(location, data={"col_id": "Employee ID"}).status_code == 302
    assert count(app, ImportMapping) == 0


@pytest.mark.usefixtures("coordinator")
def test_only_coordinators_reach_the_mapping_step(app, client, auth):
    location = upload(client, "learners", unicode_text(WORKDAY_HEADER, WORKDAY_ROWS)).location
    with app.app_context():
        create_user(Role.FACILITATOR, email="fac@example.com")
        db.session.commit()
    auth.logout()
    auth.login("fac@example.com")
    assert client.get(location).status_code == 403


# The mapping functions on their own ----------------------------------------------------------


def test_guesses_for_a_bamboohr_facilitator_report():
    header = [
        "Employee #",
        "First Name",
        "Last Name",
        "Work Email",
        "Skills",
        "Location",
        "Pay Rate",
    ]
    mapping = guess(FACILITATORS, header, [])
    assert mapping.columns == {
        "id": ["Employee #"],
        "name": ["First Name", "Last Name"],
        "email": ["Work Email"],
        "skills": ["Skills"],
        "site": ["Location"],
        "hourly_rate": ["Pay Rate"],
    }


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["2027-01-04", "2027-02-28"], "iso"),
        (["04/01/2027", "28/02/2027"], "dmy"),
        (["01/04/2027", "02/28/2027"], "mdy"),
        (["04.01.2027"], "dmy_dots"),
        (["4 Jan 2027"], "d_mon_y"),
        (["2027-01-04T00:00:00"], "iso"),  # a date-time, as some reports write dates
        ([], "iso"),
    ],
)
def test_the_date_format_is_guessed_from_the_values(values, expected):
    assert guess_date_format(values) == expected


def test_remapping_keeps_line_numbers_across_blank_lines_and_quoted_line_breaks():
    text = 'Employee ID,Legal Name,Work Email\nE1,"Lee,\nAnn",a@x.org\n\nE2,"Okafor, Sam",s@x.org\n'
    mapping = ColumnMapping(
        {"id": ["Employee ID"], "name": ["Legal Name"], "email": ["Work Email"]},
        name_order="last_first",
    )
    out = remap(LEARNERS, mapping, text).split("\n")
    assert out[0] == ",".join(LEARNERS.header)
    assert out[4] == "E2,Sam Okafor,s@x.org,,,,"
    assert out[1].startswith("E1,")


def test_cohort_dates_in_a_chosen_format_become_iso():
    text = "Code,Course,Due\nC1,P1,31.01.2027\nC2,P1,not a date\n"
    mapping = ColumnMapping(
        {"id": ["Code"], "program": ["Course"], "deadline": ["Due"]}, date_format="dmy_dots"
    )
    rows = remap(COHORTS, mapping, text).splitlines()
    deadline = COHORTS.header.index("deadline")
    assert rows[1].split(",")[deadline] == "2027-01-31"
    assert rows[2].split(",")[deadline] == "not a date"  # left for the row check to report
