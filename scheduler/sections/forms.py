"""Forms of the sections area: a section's joining link and an answer entered for someone."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.validators import InputRequired

from scheduler.forms.fields import check_meeting_link, choices, text_field
from scheduler.models import Reply

#: The answers a coordinator may record (not "not answered": that is no answer).
ANSWER_CHOICES = [
    (Reply.ACCEPTED.value, "accepted"),
    (Reply.TENTATIVE.value, "tentative"),
    (Reply.DECLINED.value, "declined"),
]


class MeetingLinkForm(FlaskForm):
    """The section's joining link; empty: its facilitator's personal meeting room."""

    meeting_url = text_field("Joining link of this section", 500, required=False)
    submit = SubmitField("Save joining link")

    def validate_meeting_url(self, field) -> None:
        check_meeting_link(field)


class AnswerForm(FlaskForm):
    """One person's answer to one session, entered by a coordinator on their behalf."""

    record_id = HiddenField(validators=[InputRequired()])
    reply = SelectField("Answer", choices=choices(ANSWER_CHOICES))
    submit = SubmitField("Record")

    def chosen_record(self) -> int | None:
        """The invitation's id, or None when the field is not a whole number."""
        value = (self.record_id.data or "").strip()
        return int(value) if value.isdigit() else None
