"""xAPI statements for the events of this app, in the ADL and cmi5 vocabularies.

Each builder returns one statement (a dict) with a **stable id**: a UUID derived (uuid5) from
the event's identity — the session's UID and the learner's employee id for a registration —
so queueing or sending the same event again never makes a second record in the LRS.

| Event | Verb | Object |
|---|---|---|
| registered for a session (on publish) | ADL `registered` | the session (`meeting`) |
| attended | ADL `attended` | the session |
| no-show | TinCan registry `skipped` ("did not attend") | the session |
| completed a follow-up lesson | ADL `completed` (as in cmi5) | the lesson (`lesson`) |
| answered a quiz or review | ADL `answered`, with score and success | the quiz (`assessment`) |
| 30- and 90-day check-ins | ADL `completed` | the check-in (`interaction`) |

Sessions and lessons carry their program as the parent activity, so an LRS report can group
them by course.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

#: The namespace of statement ids; a fixed value, so the same event always gets the same id.
NAMESPACE = uuid.UUID("6f2c9f0e-4b1d-5a7e-9c3b-2d8e1f0a7b65")
#: A quiz passes at this share of right answers (``result.success``).
PASS_MARK = 0.8

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "registered": (ADL + "registered", "registered"),
    "attended": (ADL + "attended", "attended"),
    "missed": ("http://id.tincanapi.com/verb/skipped", "did not attend"),
    "completed": (ADL + "completed", "completed"),
    "answered": (ADL + "answered", "answered"),
}
ACTIVITY_TYPES = {
    "session": "http://adlnet.gov/expapi/activities/meeting",
    "program": "http://adlnet.gov/expapi/activities/course",
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "check_in": "http://adlnet.gov/expapi/activities/interaction",
}


@dataclass(frozen=True)
class Learner:
    """Who a statement is about: identified by e-mail (mbox) or by an account."""

    key: str  # employee id
    name: str
    email: str


@dataclass(frozen=True)
class Settings:
    """Where activity ids live and how people are identified (from the app's configuration)."""

    activity_base: str  # e.g. https://scheduling.example.com/xapi
    account_homepage: str | None = None  # set: identify by account (employee id), not e-mail


def statement_id(*identity: str) -> str:
    """The stable id of the statement about the event ``identity`` names."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(identity)))


def actor(learner: Learner, settings: Settings) -> dict:
    if settings.account_homepage:
        account = {"homePage": settings.account_homepage, "name": learner.key}
        return {"objectType": "Agent", "name": learner.name, "account": account}
    return {"objectType": "Agent", "name": learner.name, "mbox": f"mailto:{learner.email}"}


def activity(settings: Settings, kind: str, key: str, name: str) -> dict:
    return {
        "objectType": "Activity",
        "id": f"{settings.activity_base.rstrip('/')}/{kind}/{key}",
        "definition": {"name": {"en": name}, "type": ACTIVITY_TYPES[kind]},
    }


def _verb(name: str) -> dict:
    iri, display = VERBS[name]
    return {"id": iri, "display": {"en": display}}


def _statement(
    ids: tuple[str, ...],
    learner: Learner,
    verb: str,
    obj: dict,
    when: datetime,
    settings,
    *,
    parent: dict | None = None,
    result: dict | None = None,
) -> dict:
    statement = {
        "id": statement_id(*ids),
        "actor": actor(learner, settings),
        "verb": _verb(verb),
        "object": obj,
        "timestamp": when.isoformat().replace("+00:00", "Z"),
    }
    if parent is not None:
        statement["context"] = {"contextActivities": {"parent": [parent]}}
    if result is not None:
        statement["result"] = result
    return statement


@dataclass(frozen=True)
class SessionFacts:
    uid: str
    name: str  # "Till basics — session 1 of 2"
    program_key: str
    program_name: str
    start: datetime


def registered(learner: Learner, session: SessionFacts, when: datetime, settings) -> dict:
    return _statement(
        ("registered", session.uid, learner.key),
        learner,
        "registered",
        activity(settings, "session", session.uid, session.name),
        when,
        settings,
        parent=activity(settings, "program", session.program_key, session.program_name),
    )


def attendance(
    learner: Learner, session: SessionFacts, present: bool, when: datetime, settings
) -> dict:
    verb = "attended" if present else "missed"
    return _statement(
        ("attendance", session.uid, learner.key, verb),
        learner,
        verb,
        activity(settings, "session", session.uid, session.name),
        session.start,
        settings,
        parent=activity(settings, "program", session.program_key, session.program_name),
        result={"completion": present},
    )


@dataclass(frozen=True)
class StepFacts:
    step_id: int
    kind: str  # "lesson", "quiz", "review", "check_in"
    lesson_key: str
    lesson_title: str
    day_offset: int
    program_key: str
    program_name: str
    score: float | None
    seconds: int | None
    completed_at: datetime


def step_statements(learner: Learner, step: StepFacts, settings) -> list[dict]:
    """The statements of one completed follow-up step: the lesson read, the quiz answered, or
    the check-in done."""
    parent = activity(settings, "program", step.program_key, step.program_name)
    done = step.completed_at
    statements = []
    if step.kind == "check_in":
        name = f"{step.program_name}: {step.day_offset}-day check-in"
        statements.append(
            _statement(
                ("check-in", str(step.step_id)),
                learner,
                "completed",
                activity(settings, "check_in", f"{step.program_key}/day-{step.day_offset}", name),
                done,
                settings,
                parent=parent,
                result={"completion": True},
            )
        )
        return statements
    if step.kind == "lesson":
        result = {"completion": True}
        if step.seconds is not None:
            result["duration"] = f"PT{step.seconds}S"
        statements.append(
            _statement(
                ("lesson", str(step.step_id)),
                learner,
                "completed",
                activity(settings, "lesson", step.lesson_key, step.lesson_title),
                done,
                settings,
                parent=parent,
                result=result,
            )
        )
    if step.score is not None:
        result = {
            "score": {"scaled": round(step.score, 4)},
            "success": step.score >= PASS_MARK,
            "completion": True,
        }
        statements.append(
            _statement(
                ("quiz", str(step.step_id)),
                learner,
                "answered",
                activity(settings, "quiz", step.lesson_key, f"Quiz: {step.lesson_title}"),
                done,
                settings,
                parent=parent,
                result=result,
            )
        )
    return statements
