"""Calendar writes: feed links (issue, regenerate, revoke). Invitations and reminders, the
other writes of this area, are in ``invites.py``.

A feed token is 256 random bits (``secrets.token_urlsafe(32)``), returned once to be shown and
stored only as its SHA-256 hash. Each subject has at most one live link: issuing a new one
deletes the old row in the same transaction, so the old URL answers 404 from the next request.
Both also drop the old link's cached calendar (``util.feed_cache_key``): unreachable already,
since the cache key holds the token hash, but no reason to keep it.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from scheduler import caching
from scheduler.audit import operations as audit
from scheduler.audit.wording import label_of
from scheduler.calendars.util import SUBJECT_COLUMNS, feed_cache_key
from scheduler.extensions import db
from scheduler.models import Cohort, Facilitator, FeedKind, FeedToken, Learner, Room, User
from scheduler.tokens import hash_token, new_token

Subject = Facilitator | Learner | Cohort | Room | User

#: The model of each kind's subject.
SUBJECT_MODELS = {
    FeedKind.FACILITATOR: Facilitator,
    FeedKind.LEARNER: Learner,
    FeedKind.COHORT: Cohort,
    FeedKind.ROOM: Room,
    FeedKind.SCHEDULE: User,
    FeedKind.TEAM: User,
}


def issue_feed(kind: FeedKind, subject: Subject, created_by: User) -> tuple[FeedToken, str]:
    """Make a new feed link for ``subject`` (replacing its old one) and commit.

    Returns the row and the token: the token exists only in this return value, so the caller
    shows it now or never.
    """
    column = SUBJECT_COLUMNS[kind]
    of_subject = getattr(FeedToken, column) == subject.id
    old_keys = [
        feed_cache_key(old) for old in db.session.scalars(select(FeedToken).where(of_subject))
    ]
    db.session.execute(delete(FeedToken).where(of_subject))
    token = new_token()
    feed = FeedToken(kind=kind, token_hash=hash_token(token), created_by_id=created_by.id)
    setattr(feed, column, subject.id)
    db.session.add(feed)
    audit.record_by_person("feed", f"made a new calendar feed link for {_subject(kind, subject)}")
    db.session.commit()
    for key in old_keys:
        caching.forget(key)
    return feed, token


def revoke_feed(feed: FeedToken) -> None:
    """Delete a feed link and commit: its URL answers 404 from now on."""
    key = feed_cache_key(feed)
    subject_id = getattr(feed, SUBJECT_COLUMNS[feed.kind])
    subject = db.session.get(SUBJECT_MODELS[feed.kind], subject_id) if subject_id else None
    audit.record_by_person(
        "feed", f"revoked the calendar feed link of {_subject(feed.kind, subject)}"
    )
    db.session.delete(feed)
    db.session.commit()
    caching.forget(key)


def _subject(kind: FeedKind, subject: Subject | None) -> str:
    if subject is None:
        return f"a {kind.value} feed"
    if isinstance(subject, User):
        return f"{kind.value} of {subject.name}"
    return label_of(subject)
