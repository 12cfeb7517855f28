"""Broken sessions: their list on the period page and in *Check the data*, and Repair.

The period page and the data check include ``breaks/_period.html``, which asks
``broken_sessions_in`` (a template global) for the period's broken sessions, so those pages'
routes need not know about this area.
"""

from __future__ import annotations

from flask import Blueprint

from scheduler.breaks import util
from scheduler.models import BrokenSession, PlanningPeriod

bp = Blueprint("breaks", __name__)


@bp.app_template_global()
def broken_sessions_in(period: PlanningPeriod) -> list[BrokenSession]:
    """The sessions of the period's published plan recorded as broken."""
    return util.broken_sessions(period)
