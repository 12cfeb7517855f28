"""Follow-up microlearning: micro-lessons with quizzes, sequence templates, and each learner's
dated steps, review items (FSRS cards) and the attendance that decides who continues.

A learner's ``FollowUpStep`` rows are made from their program's template when a schedule is
published (dated from their cohort's own last session) and shift with re-plans until they are
sent. A step's link token is made when it is sent; only its SHA-256 hash is stored.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.database import UTCDateTime, enum_type, utcnow
from scheduler.extensions import db
from scheduler.models.accounts import User
from scheduler.models.cohorts import Cohort
from scheduler.models.organisation import Learner
from scheduler.models.programs import Program

LESSON_MINUTES = (3, 7)
QUIZ_QUESTIONS = (1, 5)


class MicroLesson(db.Model):
    """A 3-7 minute lesson: a Markdown body or a link to the company's LMS, and its quiz."""

    __table_args__ = (CheckConstraint("minutes >= 3 AND minutes <= 7", name="minutes"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(default=5)
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown, rendered without raw HTML
    lms_url: Mapped[str] = mapped_column(String(500), default="")

    questions: Mapped[list[QuizQuestion]] = relationship(
        back_populates="lesson", cascade="all, delete-orphan", order_by="QuizQuestion.position"
    )


class QuizQuestion(db.Model):
    """A single- or multiple-choice question; ``choices`` is ``[{"text", "correct"}]``."""

    __table_args__ = (UniqueConstraint("lesson_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("micro_lesson.id", ondelete="CASCADE"))
    position: Mapped[int]
    prompt: Mapped[str] = mapped_column(Text)
    choices: Mapped[list] = mapped_column(JSON)
    feedback: Mapped[str] = mapped_column(Text, default="")

    lesson: Mapped[MicroLesson] = relationship(back_populates="questions")

    @property
    def multiple(self) -> bool:
        return sum(1 for choice in self.choices if choice["correct"]) > 1


class StepKind(enum.StrEnum):
    LESSON = "lesson"  # a micro-lesson with its quiz
    QUIZ = "quiz"  # the quiz of a lesson alone
    REVIEW = "review"  # due review items only; skipped when none are due
    CHECK_IN = "check_in"  # a short self-report and the due review items


class Audience(enum.StrEnum):
    """Who a template is for; a learner manages people when some learner reports to them."""

    EVERYONE = "everyone"
    MANAGERS = "managers"
    STAFF = "staff"


class SequenceTemplate(db.Model):
    """The follow-up steps of a program (no program: the default for every program)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    program_id: Mapped[int | None] = mapped_column(
        ForeignKey("program.id", ondelete="CASCADE"), index=True
    )
    audience: Mapped[Audience] = mapped_column(enum_type(Audience), default=Audience.EVERYONE)

    program: Mapped[Program | None] = relationship()
    steps: Mapped[list[TemplateStep]] = relationship(
        back_populates="template",
        cascade="all, delete-orphan",
        order_by="(TemplateStep.day_offset, TemplateStep.position)",
    )


class TemplateStep(db.Model):
    """One step of a template: what, and how many days after the cohort's last session."""

    __table_args__ = (
        UniqueConstraint("template_id", "position"),
        CheckConstraint("day_offset >= 0", name="day_offset"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("sequence_template.id", ondelete="CASCADE"))
    position: Mapped[int]
    kind: Mapped[StepKind] = mapped_column(enum_type(StepKind))
    day_offset: Mapped[int]
    lesson_id: Mapped[int | None] = mapped_column(
        ForeignKey("micro_lesson.id", ondelete="SET NULL")
    )

    template: Mapped[SequenceTemplate] = relationship(back_populates="steps")
    lesson: Mapped[MicroLesson | None] = relationship()


class StepStatus(enum.StrEnum):
    PENDING = "pending"  # dated, not sent: moves with the workshop
    SENT = "sent"  # the nudge is in the outbox with its link
    DONE = "done"
    SKIPPED = "skipped"  # a review with nothing due
    WITHDRAWN = "withdrawn"  # left the cohort, lost the seat, or did not attend


class FollowUpStep(db.Model):
    """One learner's dated step of their cohort's follow-up sequence (or an extra review)."""

    __table_args__ = (UniqueConstraint("learner_id", "cohort_id", "template_step_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learner.id", ondelete="CASCADE"), index=True
    )
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    template_step_id: Mapped[int | None] = mapped_column(
        ForeignKey("template_step.id", ondelete="SET NULL")
    )
    kind: Mapped[StepKind] = mapped_column(enum_type(StepKind))
    lesson_id: Mapped[int | None] = mapped_column(
        ForeignKey("micro_lesson.id", ondelete="SET NULL")
    )
    day_offset: Mapped[int]
    extra: Mapped[bool] = mapped_column(default=False)  # an extra review after wrong answers
    # The cohort's last session end the step is dated from, and the instant it is due (UTC).
    anchor_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # The calendar event's SEQUENCE: raised each time the step is re-dated, so calendars move it.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    status: Mapped[StepStatus] = mapped_column(
        enum_type(StepStatus), default=StepStatus.PENDING, index=True
    )
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # hex SHA-256
    review_question_ids: Mapped[list] = mapped_column(JSON, default=list)  # appended when sent
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seconds_spent: Mapped[int | None]
    score: Mapped[float | None]  # share of questions answered right, 0..1
    self_report: Mapped[str] = mapped_column(Text, default="")  # check-ins
    confidence: Mapped[int | None]  # check-ins: 1-5, how confidently the learner applies it
    withdrawn_reason: Mapped[str] = mapped_column(String(200), default="")

    learner: Mapped[Learner] = relationship()
    cohort: Mapped[Cohort] = relationship()
    template_step: Mapped[TemplateStep | None] = relationship()
    lesson: Mapped[MicroLesson | None] = relationship()


class ReviewItem(db.Model):
    """A learner's memory of one quiz question: an FSRS card, due again at ``due_at``."""

    __table_args__ = (UniqueConstraint("learner_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learner.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_question.id", ondelete="CASCADE"))
    card_json: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Day 120 after the cohort's last session: a review due later than this retires the item.
    retire_after: Mapped[datetime] = mapped_column(UTCDateTime)
    retired: Mapped[bool] = mapped_column(default=False)
    reviews: Mapped[int] = mapped_column(default=0)
    last_rating: Mapped[int | None]

    learner: Mapped[Learner] = relationship()
    question: Mapped[QuizQuestion] = relationship()


class StepAnswer(db.Model):
    """A learner's answer to one question of a step, and the FSRS rating it gave."""

    __table_args__ = (UniqueConstraint("step_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("follow_up_step.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_question.id", ondelete="CASCADE"))
    chosen: Mapped[list] = mapped_column(JSON)
    correct: Mapped[bool]
    confident: Mapped[bool] = mapped_column(default=False)
    rating: Mapped[int]  # fsrs.Rating: 1 Again, 2 Hard, 3 Good, 4 Easy
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attendance(db.Model):
    """Whether a learner attended a session, marked by its facilitator (or a coordinator).

    Keyed by the session's ``uid``, which names it in every schedule version.
    """

    __table_args__ = (UniqueConstraint("session_uid", "learner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_uid: Mapped[str] = mapped_column(String(120), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    attended: Mapped[bool]
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    learner: Mapped[Learner] = relationship()
    marked_by: Mapped[User | None] = relationship()


__all__ = [
    "Attendance",
    "Audience",
    "FollowUpStep",
    "MicroLesson",
    "QuizQuestion",
    "ReviewItem",
    "SequenceTemplate",
    "StepAnswer",
    "StepKind",
    "StepStatus",
    "TemplateStep",
]
