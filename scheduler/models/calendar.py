"""Calendars: secret feed links, and the ledger of invites and reminders sent to each person.

A feed link's token is shown once, when it is made; only its SHA-256 hash is stored, so a copy
of the database does not open anyone's calendar. A token belongs to exactly one subject (a
facilitator, a learner, a cohort, a room, or the whole published schedule of a coordinator).

The invite ledger holds, per attendee and session UID, what that person's calendar was last
told (METHOD, SEQUENCE, time zone): publishing compares the new schedule with it and sends only
the difference, so publishing twice, or replaying a publish, sends nothing new.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.database import UTCDateTime, enum_type, utcnow
from scheduler.extensions import db
from scheduler.models.accounts import User
from scheduler.models.cohorts import Cohort
from scheduler.models.facilitators import Facilitator
from scheduler.models.organisation import Learner, Room


class FeedKind(enum.StrEnum):
    """Whose sessions a feed lists."""

    FACILITATOR = "facilitator"
    LEARNER = "learner"
    COHORT = "cohort"
    ROOM = "room"
    SCHEDULE = "schedule"  # every published session, for the coordinator who made the link
    TEAM = "team"  # the published sessions of a manager's team (``user_id`` is the manager)


class FeedToken(db.Model):
    """A secret subscription link to one subject's published sessions (stored as a hash)."""

    __table_args__ = (
        CheckConstraint(
            " + ".join(
                f"(CASE WHEN {column} IS NULL THEN 0 ELSE 1 END)"
                for column in ("facilitator_id", "learner_id", "cohort_id", "room_id", "user_id")
            )
            + " = 1",
            name="one_subject",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[FeedKind] = mapped_column(enum_type(FeedKind))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # hex SHA-256
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitator.id", ondelete="CASCADE"), index=True
    )
    learner_id: Mapped[int | None] = mapped_column(
        ForeignKey("learner.id", ondelete="CASCADE"), index=True
    )
    cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohort.id", ondelete="CASCADE"), index=True
    )
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("room.id", ondelete="CASCADE"), index=True
    )
    # The coordinator whose whole-schedule feed this is, or the manager whose team feed it is.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    facilitator: Mapped[Facilitator | None] = relationship()
    learner: Mapped[Learner | None] = relationship()
    cohort: Mapped[Cohort | None] = relationship()
    room: Mapped[Room | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])


class InviteMethod(enum.StrEnum):
    """The iTIP method last sent for a session: an invitation (or update), or its withdrawal."""

    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


class Reply(enum.StrEnum):
    """What an attendee answered to an invitation: RFC 5545's PARTSTAT values."""

    NEEDS_ACTION = "NEEDS-ACTION"  # not answered (yet), or asked again after a move
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    TENTATIVE = "TENTATIVE"


class ReplyChannel(enum.StrEnum):
    """How an answer reached us."""

    MAIL = "mail"  # an iMIP REPLY read from the organiser's mailbox
    LINK = "link"  # an answer link in the invitation
    COORDINATOR = "coordinator"  # entered by a coordinator on the person's behalf


class InviteRecord(db.Model):
    """What one attendee (a facilitator or a learner) was last sent about one session."""

    __table_args__ = (
        UniqueConstraint("uid", "facilitator_id"),
        UniqueConstraint("uid", "learner_id"),
        CheckConstraint("(facilitator_id IS NULL) <> (learner_id IS NULL)", name="one_attendee"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("planning_period.id", ondelete="CASCADE"), index=True
    )
    uid: Mapped[str] = mapped_column(String(120), index=True)
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitator.id", ondelete="CASCADE"), index=True
    )
    learner_id: Mapped[int | None] = mapped_column(
        ForeignKey("learner.id", ondelete="CASCADE"), index=True
    )
    method: Mapped[InviteMethod] = mapped_column(enum_type(InviteMethod))
    # The SEQUENCE sent (may run ahead of the session's after a cancel and a re-invite) and the
    # session's own SEQUENCE it described: a session whose SEQUENCE moved on needs an update.
    sequence: Mapped[int]
    session_sequence: Mapped[int]
    timezone: Mapped[str] = mapped_column(String(64))
    # What the last REQUEST showed (NULL in rows from before these were kept): a cancellation
    # names the time the person had, and an update says what changed from it.
    sent_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_location: Mapped[str | None] = mapped_column(String(600))
    sent_facilitator: Mapped[str | None] = mapped_column(String(200))
    # The joining link the last REQUEST carried ("" for none): a new link sends an update.
    sent_url: Mapped[str | None] = mapped_column(String(500))
    # The person's answer to the invitation they hold. Reset to NEEDS-ACTION when an update
    # changes the time, as RFC 5546 lets an organiser do: a yes to Monday is not a yes to Friday.
    reply: Mapped[Reply] = mapped_column(
        enum_type(Reply), default=Reply.NEEDS_ACTION, server_default=Reply.NEEDS_ACTION.value
    )
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_channel: Mapped[ReplyChannel | None] = mapped_column(enum_type(ReplyChannel))
    # The personal "I'll be there / I can't make it" link of the last REQUEST (hash only, as for
    # follow-up links); a new REQUEST makes a new one, so only the newest mail's link answers.
    answer_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The session start a reminder was sent for: a moved session is reminded again.
    reminded_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    facilitator: Mapped[Facilitator | None] = relationship()
    learner: Mapped[Learner | None] = relationship()


__all__ = ["FeedKind", "FeedToken", "InviteMethod", "InviteRecord", "Reply", "ReplyChannel"]
