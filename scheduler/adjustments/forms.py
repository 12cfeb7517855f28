"""Forms of the adjustments area: a move, and the buttons that pin, lock and release sessions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectField, SubmitField
from wtforms.validators import InputRequired
from wtforms.widgets import HiddenInput


class ChangeForm(FlaskForm):
    """Carries the period's version the page was rendered with: a change made on a page that
    is out of date (someone else published or changed the plan meanwhile) is refused."""

    period_version = IntegerField(
        widget=HiddenInput(), validators=[InputRequired("This page is out of date; reload it.")]
    )


class MoveForm(ChangeForm):
    """A session's new start (local to the period's zone), facilitator and room."""

    start = DateTimeLocalField(
        "New start",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        validators=[InputRequired("Enter the new start, e.g. 2027-03-02 09:30.")],
    )
    facilitator = SelectField("Facilitator")
    room = SelectField("Room")
    submit = SubmitField("Move session")
