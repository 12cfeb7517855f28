"""Forms of the calendars area: the coordinator's "issue a feed link" form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField
from wtforms.validators import InputRequired, Length

from scheduler.forms.fields import LineField, choices
from scheduler.models import FeedKind


class IssueFeedForm(FlaskForm):
    """Make (or remake) the feed link of a learner, cohort, room or facilitator, by its id."""

    kind = SelectField(
        "Feed of",
        choices=choices(
            [
                (FeedKind.LEARNER.value, "a learner"),
                (FeedKind.COHORT.value, "a cohort"),
                (FeedKind.ROOM.value, "a room"),
                (FeedKind.FACILITATOR.value, "a facilitator"),
            ]
        ),
    )
    key = LineField(
        "Id (employee id, cohort id, room id or facilitator id)",
        validators=[InputRequired("Enter the id of whose feed to make."), Length(max=64)],
    )
    submit = SubmitField("Make feed link")
