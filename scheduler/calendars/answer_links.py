"""Answer links: the personal "I'll be there" / "I can't make it" links in every invitation.

For people whose mail client sends no calendar reply. The rules are those of the follow-up
step links: 256 random bits, given once in the mail, only the SHA-256 kept
(``InviteRecord.answer_token_hash``), in the path (never a query string), never logged
(``scheduler.logs`` redacts ``/answer/``).

A token is ``<ledger row id>.<256 random bits>``. Every REQUEST makes a new one, so only the
newest mail's link answers; the row id in front lets an older link of the same invitation say
"this invitation was updated" instead of "unknown link", and opens nothing by itself: the
row's current hash must match the whole token.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from flask import current_app

from scheduler.calendars.invite_mail import Notice, answer_lines
from scheduler.extensions import db
from scheduler.models import InviteMethod, InviteRecord, Reply
from scheduler.query import parse_int
from scheduler.tokens import hash_token, new_token

ANSWER_PATH = "/answer/"
TOKEN_LENGTH = 100  # anything longer is not one of ours: no lookup


class LinkState(enum.StrEnum):
    """What a followed answer link finds."""

    OPEN = "open"  # the newest invitation: it takes an answer
    UPDATED = "updated"  # an older mail of an invitation that was sent again since
    WITHDRAWN = "withdrawn"  # the invitation was cancelled for this person
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Followed:
    state: LinkState
    record: InviteRecord | None = None


def link(token: str, answer: str = "") -> str:
    """The absolute address of an answer page (``answer``: "yes" or "no" pre-chosen)."""
    base = current_app.config.get("PUBLIC_URL") or "http://127.0.0.1:5000"
    return f"{base.rstrip('/')}{ANSWER_PATH}{token}" + (f"/{answer}" if answer else "")


def issue(record: InviteRecord) -> str:
    """A new answer token for ``record`` (flushed, so it has an id); the old one stops."""
    token = f"{record.id}.{new_token()}"
    record.answer_token_hash = hash_token(token)
    return token


def attach(notice: Notice, record: InviteRecord) -> None:
    """Give a REQUEST notice its person's answer link, in the mail text and DESCRIPTION."""
    token = issue(record)
    notice.answer_link = link(token)
    lines = answer_lines(notice.answer_link)
    notice.event = replace(
        notice.event, description="\n".join([notice.event.description, "", *lines])
    )


def ask_again(record: InviteRecord) -> None:
    """The invitation's time changed (or it is sent again after a withdrawal): an earlier
    answer was to another time, so it no longer stands."""
    record.reply = Reply.NEEDS_ACTION
    record.replied_at = None
    record.reply_channel = None


def follow(token: str) -> Followed:
    """What ``token`` opens. Reads only: a mail scanner fetching the link changes nothing."""
    prefix, dot, _ = token.partition(".")
    row_id = parse_int(prefix) if prefix.isdigit() else None  # in the id column's range
    if len(token) > TOKEN_LENGTH or not dot or row_id is None:
        return Followed(LinkState.UNKNOWN)
    record = db.session.get(InviteRecord, row_id)
    if record is None or record.answer_token_hash is None:
        return Followed(LinkState.UNKNOWN)
    current = record.answer_token_hash == hash_token(token)
    if record.method == InviteMethod.CANCEL:
        # Any link of a withdrawn invitation says so; only the newest one shows the session.
        return Followed(LinkState.WITHDRAWN, record if current else None)
    if not current:
        return Followed(LinkState.UPDATED)
    return Followed(LinkState.OPEN, record)
