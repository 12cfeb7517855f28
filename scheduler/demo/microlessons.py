"""The demo's follow-up library: micro-lessons with quizzes for the two rollouts, and the
default spaced sequence (docs/followups.md) attached to each of their programs.

Quizzes are written in the coordinator's text format (``followups.forms.parse_quiz``), so the
demo content goes through the same checks as a lesson typed into the app. Programs outside the
two rollouts (phishing, secure coding, coaching) get no sequence: a coordinator can add one.
"""

from __future__ import annotations

from scheduler.demo.security_lessons import SECURITY_LESSONS
from scheduler.demo.till_lessons import TILL_LESSONS
from scheduler.followups.forms import parse_quiz
from scheduler.followups.operations import DEFAULT_STEPS, save_lesson, save_template
from scheduler.models import Audience, MicroLesson, Program, SequenceTemplate

#: Which lesson series follows which demo program.
SERIES = {
    "pos-basics": ("New till system follow-up (spaced, 90 days)", TILL_LESSONS),
    "pos-shift-leads": ("Till system for shift leads follow-up (spaced, 90 days)", TILL_LESSONS),
    "security-champions": ("Security champions follow-up (spaced, 90 days)", SECURITY_LESSONS),
}


def build_follow_ups(programs: dict[str, Program]) -> list[SequenceTemplate]:
    """Save the lessons and one default-sequence template per program of ``SERIES``.

    The programs must have been flushed (templates refer to them by id). Returns the templates.
    """
    lessons: dict[str, MicroLesson] = {}
    templates = []
    for program_key, (name, series) in SERIES.items():
        for key, title, minutes, body, quiz in series:
            if key not in lessons:
                values = {"key": key, "title": title, "minutes": minutes, "body": body}
                lessons[key] = save_lesson(None, values | {"lms_url": ""}, parse_quiz(quiz))
        steps = [
            (day, kind, lessons[series[index][0]].id if index is not None else None)
            for day, kind, index in DEFAULT_STEPS
        ]
        values = {"name": name, "program_id": programs[program_key].id}
        templates.append(save_template(None, values | {"audience": Audience.EVERYONE}, steps))
    return templates
