"""Forms of the follow-ups area: a lesson with its quiz, a sequence template, attendance.

Quizzes and template steps are written as plain text (one block per question, one line per
step) so that a coordinator can paste them from a document; the forms parse and check them and
name the block or line that is wrong.
"""

from __future__ import annotations

from urllib.parse import urlparse

from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import Length, ValidationError

from scheduler.forms.fields import (
    InRange,
    LineField,
    Required,
    WholeNumberField,
    choices,
    key_field,
    optional_choices,
    optional_select,
    strip,
    text_field,
)
from scheduler.models import Audience, StepKind
from scheduler.models.followups import LESSON_MINUTES, QUIZ_QUESTIONS
from scheduler.query import parse_int

KIND_WORDS = {
    "lesson": StepKind.LESSON,
    "quiz": StepKind.QUIZ,
    "review": StepKind.REVIEW,
    "check-in": StepKind.CHECK_IN,
    "checkin": StepKind.CHECK_IN,
}
KIND_NAMES = {StepKind.LESSON: "lesson", StepKind.QUIZ: "quiz", StepKind.REVIEW: "review"}
KIND_NAMES[StepKind.CHECK_IN] = "check-in"
MAX_DAY = 365
MAX_STEPS = 40
MAX_CHOICES = 6


def parse_quiz(text: str) -> list[dict]:
    """Questions from blocks separated by blank lines: the question, then one line per choice
    starting with ``+`` (right) or ``-`` (wrong), then optional ``=`` feedback lines.

    Raises ``ValueError`` naming the question that is wrong.
    """
    blocks = [block for block in _blocks(text) if block]
    low, high = QUIZ_QUESTIONS
    if not low <= len(blocks) <= high:
        raise ValueError(f"A lesson needs {low} to {high} quiz questions, not {len(blocks)}.")
    questions = []
    for number, lines in enumerate(blocks, start=1):
        prompt, feedback, options = [], [], []
        for line in lines:
            if line[:1] in "+-" and line[1:2] == " ":
                options.append({"text": line[2:].strip(), "correct": line[0] == "+"})
            elif line.startswith("="):
                feedback.append(line[1:].strip())
            elif options or feedback:
                raise ValueError(f"Question {number}: write the question before its choices.")
            else:
                prompt.append(line)
        if not prompt:
            raise ValueError(f"Question {number} has no question text.")
        if not 2 <= len(options) <= MAX_CHOICES:
            raise ValueError(f"Question {number} needs 2 to {MAX_CHOICES} choices ('+ ' or '- ').")
        if not any(option["correct"] for option in options):
            raise ValueError(f"Question {number} has no right answer (a line starting '+ ').")
        questions.append(
            {"prompt": " ".join(prompt), "choices": options, "feedback": " ".join(feedback)}
        )
    return questions


def _blocks(text: str) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for raw in (text or "").splitlines():
        line = raw.strip()
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return blocks


def quiz_text(questions) -> str:
    """The text form of a lesson's questions (what ``parse_quiz`` reads)."""
    blocks = []
    for question in questions:
        lines = [question.prompt]
        lines += [("+ " if c["correct"] else "- ") + c["text"] for c in question.choices]
        if question.feedback:
            lines.append("= " + question.feedback)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def parse_steps(text: str, lesson_ids: dict[str, int]) -> list[tuple[int, StepKind, int | None]]:
    """Template steps, one a line: ``<day> <lesson|quiz|review|check-in> [lesson id]``.

    Raises ``ValueError`` naming the line that is wrong.
    """
    steps = []
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        raise ValueError("A template needs at least one step.")
    if len(lines) > MAX_STEPS:
        raise ValueError(f"A template has at most {MAX_STEPS} steps.")
    for number, line in enumerate(lines, start=1):
        words = line.split()
        if parse_int(words[0], None, maximum=MAX_DAY) is None:
            raise ValueError(f"Line {number}: start with the day after the last session (0-365).")
        kind = KIND_WORDS.get(words[1].lower()) if len(words) > 1 else None
        if kind is None:
            raise ValueError(f"Line {number}: the step must be lesson, quiz, review or check-in.")
        lesson_id = None
        if kind in (StepKind.LESSON, StepKind.QUIZ):
            if len(words) != 3 or words[2] not in lesson_ids:
                raise ValueError(
                    f"Line {number}: name the lesson by its id (see the lessons list)."
                )
            lesson_id = lesson_ids[words[2]]
        elif len(words) != 2:
            raise ValueError(f"Line {number}: a {words[1]} step takes no lesson.")
        steps.append((int(words[0]), kind, lesson_id))
    if len({(day, kind, lesson) for day, kind, lesson in steps}) != len(steps):
        raise ValueError("The same step is listed twice.")
    return steps


def steps_text(template, lesson_keys: dict[int, str]) -> str:
    return "\n".join(
        f"{step.day_offset} {KIND_NAMES[step.kind]}"
        + (f" {lesson_keys[step.lesson_id]}" if step.lesson_id in lesson_keys else "")
        for step in template.steps
    )


def web_link(form, field) -> None:
    if field.data and urlparse(field.data).scheme not in ("http", "https"):
        raise ValidationError("LMS link must start with https:// or http://.")


class LessonForm(FlaskForm):
    """A micro-lesson: a Markdown body or an LMS link, and its quiz."""

    title = text_field("Title", 200)
    key = key_field("Lesson id")
    minutes = WholeNumberField(
        "Minutes", default=5, validators=[Required(), InRange(*LESSON_MINUTES, " minutes")]
    )
    body = TextAreaField(
        "Lesson (Markdown)",
        filters=[strip],
        validators=[Length(max=20000, message="The lesson must be at most 20,000 characters.")],
    )
    lms_url = LineField(
        "Or a link to the lesson in your LMS",
        filters=[strip],
        validators=[Length(max=500, message="LMS link must be at most 500 characters."), web_link],
    )
    quiz = TextAreaField("Quiz", filters=[strip])
    submit = SubmitField("Save lesson")

    def validate_body(self, field) -> None:
        if not field.data and not self.lms_url.data:
            raise ValidationError("Write the lesson or give a link to it in your LMS.")

    def validate_quiz(self, field) -> None:
        try:
            self.questions = parse_quiz(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from error

    def values(self) -> dict:
        return {
            "title": self.title.data,
            "key": self.key.data,
            "minutes": self.minutes.data,
            "body": self.body.data or "",
            "lms_url": self.lms_url.data or "",
        }


AUDIENCE_CHOICES = choices(
    [
        (Audience.EVERYONE.value, "Everyone"),
        (Audience.MANAGERS.value, "Managers (learners who manage people)"),
        (Audience.STAFF.value, "Staff (learners who manage no one)"),
    ]
)


class TemplateForm(FlaskForm):
    """A sequence template: for which program and audience, and its steps."""

    name = text_field("Name", 200)
    program_id = optional_select("Program")
    audience = SelectField("For", choices=AUDIENCE_CHOICES, default=Audience.EVERYONE.value)
    step_lines = TextAreaField("Steps", filters=[strip], validators=[Required()])
    submit = SubmitField("Save template")

    def set_choices(self, programs, lesson_ids: dict[str, int]) -> None:
        self.program_id.choices = optional_choices(
            [(p.id, p.name) for p in programs], "— every program (default) —"
        )
        self.lesson_ids = lesson_ids

    def validate_step_lines(self, field) -> None:
        try:
            self.parsed_steps = parse_steps(field.data, self.lesson_ids)
        except ValueError as error:
            raise ValidationError(str(error)) from error

    def values(self) -> dict:
        return {
            "name": self.name.data,
            "program_id": self.program_id.data or None,
            "audience": Audience(self.audience.data),
        }


class AttendanceForm(FlaskForm):
    """The attendance of a session: a checkbox per learner, read from the request."""

    submit = SubmitField("Save attendance")
