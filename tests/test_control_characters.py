"""Line breaks and other control characters: refused by every form, and harmless in every output
for rows that hold them anyway (saved before the check, or written by other means).

Issue 15: a learner imported with a line break in their name made their calendar download and
feed answer 500 (icalendar refuses an unescaped line break in a parameter such as CN).
"""

from __future__ import annotations

import csv
import email
import io
import re
from datetime import datetime
from email.policy import default
from zoneinfo import ZoneInfo

import pytest
from flask_wtf import FlaskForm
from wtforms import Form, HiddenField, PasswordField, StringField, TextAreaField

from scheduler.extensions import db
from scheduler.mail.compose import compose
from scheduler.models import Learner
from scheduler.text import csv_cell, printable
from tests.calendar_world import (
    calendar_parts,
    check_calendar,
    first_plan,
    make_world,
    outbox,
    publish_plan,
)
from tests.factories import PASSWORD
from tests.report_world import make_report_world

INJECTED = "\r\nATTENDEE:mailto:evil@example.com\r\n"


@pytest.fixture
def broken_world(app, monkeypatch):
    """The calendar world with a learner, a room, a facilitator and a program whose names hold
    line breaks, written straight to the database, then published (invitations queued)."""
    monkeypatch.setattr(
        "scheduler.calendars.invites.utcnow",
        lambda: datetime(2027, 3, 1, tzinfo=ZoneInfo("Europe/London")),
    )
    with app.app_context():
        w = make_world()
        w["sam"].name = f"Sam{INJECTED}Ito"
        w["aire"].name = "Aire\rroom\n"
        w["ben"].user.name = "Ben\u2028Okafor\x07"
        w["program"].name = "Fire\r\nsafety"
        db.session.commit()
        publish_plan(w, first_plan(w))
        return {"sam": w["sam"].id, "sam_key": w["sam"].key, "aire": w["aire"].id,
                "ben": w["ben"].id, "outbox": [row.content for row in outbox()]}  # fmt: skip


def assert_not_injected(data: bytes) -> None:
    assert b"\r\nATTENDEE:mailto:evil" not in data
    assert b"\x07" not in data and "\u2028".encode() not in data


def test_downloads_and_feeds_of_names_with_line_breaks_parse(app, broken_world):
    client = app.test_client()
    client.post("/login", data={"email": "coord@example.com", "password": PASSWORD})
    urls = [
        f"/calendars/learners/{broken_world['sam']}.ics",
        f"/calendars/rooms/{broken_world['aire']}.ics",
        f"/calendars/facilitators/{broken_world['ben']}.ics",
        "/calendars/schedule.ics",
    ]
    issued = client.post("/calendars", data={"kind": "learner", "key": broken_world["sam_key"]})
    feed = re.search(r"webcal://[^/]+(/feeds/[^\"<]+\.ics)", issued.get_data(as_text=True))
    urls.append(feed.group(1))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        calendar = check_calendar(response.data)
        assert calendar.walk("VEVENT"), url
        assert_not_injected(response.data)
    learner = client.get(urls[0]).data.decode()
    assert "Training: Sam ATTENDEE:mailto:evil@example.com Ito" in learner  # one line, as text
    assert "Fire safety" in learner


def test_invitations_to_names_with_line_breaks_are_queued_and_parse(app, broken_world):
    invitations = broken_world["outbox"]
    assert invitations  # the learners and facilitators were invited
    for content in invitations:
        message = email.message_from_string(content, policy=default)
        assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
        for _method, data in calendar_parts(content):
            check_calendar(data)
            assert_not_injected(data)
    attendees = "".join(invitations).replace("\r\n ", "")  # unfold long lines
    assert 'CN="Sam ATTENDEE:mailto:evil@example.com Ito"' in attendees


def test_mail_headers_never_carry_a_line_break(app):
    with app.app_context():
        message = compose("ann@example.com\r\nBcc: x@example.com", "No-show: Ann\r\nBcc: x", "Hi")
    assert message["Subject"] == "No-show: Ann Bcc: x"
    assert "Bcc" not in message.keys()  # noqa: SIM118 (an EmailMessage's header names)
    assert message.as_bytes()  # serialises: no header with a bare line break


def test_team_csv_of_names_with_line_breaks_keeps_one_row_per_person(app, client, auth):
    with app.app_context():
        world = make_report_world()
        lea = db.session.get(Learner, world.ids["lea"])
        lea.name = '=HYPERLINK("http://x")\r\nLea'
        lea.team = "\x1bOps"
        db.session.commit()
    auth.login("grace@example.com", PASSWORD)
    response = client.get("/team/training.csv?start=2027-01-11")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    lea_row = next(row for row in rows if "lea@example.com" in row)
    assert lea_row[0] == '\'=HYPERLINK("http://x") Lea'
    assert lea_row[2] == "Ops"
    assert all("\n" not in cell and "\r" not in cell for row in rows for cell in row)


@pytest.mark.parametrize(
    ("value", "one_line", "lines"),
    [
        ("Ann\r\nLee", "Ann Lee", "Ann\nLee"),
        ("Ann\rLee\x00\x07", "Ann Lee", "Ann\nLee  "),
        ("\u2028Ann\x85Lee\x1f", "Ann Lee", "\nAnn\nLee "),
        ("Ann\tLee", "Ann Lee", "Ann Lee"),
        (None, "", ""),
        (12, "12", "12"),
    ],
)
def test_printable_text_has_no_control_characters(value, one_line, lines):
    assert printable(value) == one_line
    assert printable(value, lines=True) == lines


def test_csv_cell_is_one_line_and_never_a_formula():
    assert csv_cell("Ann\r\n=1+2") == "Ann =1+2"
    assert csv_cell("\r\n=1+2") == "'=1+2"  # the line break removed, the formula still caught


def _form_classes(base=Form):
    for subclass in base.__subclasses__():
        if subclass.__module__.startswith("scheduler."):
            yield subclass
        yield from _form_classes(subclass)


#: Forms whose one-line inputs are not saved as typed: they parse them and name the row in their
#: own messages (availability: times, zone and a note checked by ``parse_window``), or they only
#: look an account up (signing in, asking for a reset link).
PARSED_OR_NOT_SAVED = {"WindowRow", "AvailabilityForm", "FacilitatorAvailabilityForm",
                       "LoginForm", "ForgotPasswordForm"}  # fmt: skip


def test_every_one_line_input_of_every_form_refuses_control_characters(app):
    from scheduler.forms.fields import OneLine

    # Every area's forms are imported by create_app (the ``app`` fixture).
    checked = []
    for form_class in set(_form_classes()) | set(_form_classes(FlaskForm)):
        if form_class.__name__ in PARSED_OR_NOT_SAVED:
            continue
        for name, unbound in vars(form_class).items():
            field_class = getattr(unbound, "field_class", None)
            if field_class is None or not issubclass(field_class, StringField):
                continue
            if issubclass(field_class, TextAreaField | PasswordField | HiddenField):
                continue  # several lines on purpose; hashed, never shown; tokens the app wrote
            checked.append(f"{form_class.__name__}.{name}")
            assert issubclass(field_class, OneLine), f"{form_class.__name__}.{name}"
    assert len(checked) >= 15, checked
