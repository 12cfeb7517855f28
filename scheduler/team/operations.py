"""Writes of the managers' area: the team calendar's secret feed link."""

from __future__ import annotations

from scheduler.calendars import operations as calendar_operations
from scheduler.calendars.util import feed_of_user
from scheduler.models import FeedKind, FeedToken, User


def issue_team_feed(manager: User) -> tuple[FeedToken, str]:
    """Make a new link to ``manager``'s team calendar (the old one stops working) and commit."""
    return calendar_operations.issue_feed(FeedKind.TEAM, manager, manager)


def revoke_team_feed(manager: User) -> bool:
    """Turn ``manager``'s team calendar link off and commit; False when there was none."""
    feed = feed_of_user(manager.id, FeedKind.TEAM)
    if feed is None:
        return False
    calendar_operations.revoke_feed(feed)
    return True
