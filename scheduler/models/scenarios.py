"""What-if scenarios: a copy of a planning period's inputs, changed freely, solved and compared.

A scenario keeps the period's problem document as it was when the scenario was made (``base_json``)
and an ordered list of typed changes (``changes_json``); its problem is the copy with the changes
applied (``scheduler.scenarios.changes``). The real data is never touched until the scenario is
promoted (``scheduler.scenarios.promotion``).

The last good result (``schedule_json`` with the problem it answers, ``solved_problem_json``) only
changes when a solve finishes and passes the engine's checker: a failed solve keeps it.
"""

from __future__ import annotations

import enum
import json
from datetime import datetime

from sqlalchemy import ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.database import UTCDateTime, enum_type, utcnow
from scheduler.extensions import db
from scheduler.models.accounts import User
from scheduler.models.planning import PlanningPeriod


class ScenarioStatus(enum.StrEnum):
    NEW = "new"  # never solved since the last change
    QUEUED = "queued"
    RUNNING = "running"
    SOLVED = "solved"  # ``schedule_json`` answers the current changes
    FAILED = "failed"  # the reason is in ``error``; the previous result (if any) is kept
    # Stopped at the coordinator's request before a plan was found; the previous result is kept.
    # (Stopped after one was found, the solve ends SOLVED with ``cancel_requested`` set.)
    CANCELLED = "cancelled"

    @property
    def active(self) -> bool:
        return self in (ScenarioStatus.QUEUED, ScenarioStatus.RUNNING)


class Scenario(db.Model):
    """A what-if copy of a planning period (see the module docstring)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("planning_period.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    base_json: Mapped[str] = mapped_column(Text)
    changes_json: Mapped[str] = mapped_column(Text, default="[]")
    status: Mapped[ScenarioStatus] = mapped_column(
        enum_type(ScenarioStatus), default=ScenarioStatus.NEW
    )
    error: Mapped[str] = mapped_column(Text, default="")
    task_id: Mapped[str] = mapped_column(String(64), default="")
    # The last good result: the schedule and the problem it was solved (and checked) against.
    schedule_json: Mapped[str] = mapped_column(Text, default="")
    solved_problem_json: Mapped[str] = mapped_column(Text, default="")
    best_cost: Mapped[float | None] = mapped_column(Numeric(14, 2, asdecimal=False))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # of the running solve
    solved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The latest solve as it runs, written by its monitor (``scheduler.jobs.monitor``): a running
    # solve whose heartbeat stops has lost its worker; ``cancel_requested`` is the Cancel click.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    elapsed_seconds: Mapped[float] = mapped_column(default=0.0)
    progress_cost: Mapped[float | None]  # the best plan's cost so far
    progress_bound: Mapped[float | None]  # the best proven bound so far
    # Before its first plan: what the solve does and how far it is (as ``SolveJob.stage``).
    stage: Mapped[str | None] = mapped_column(String(16))
    stage_done: Mapped[int | None]
    stage_total: Mapped[int | None]
    cancel_requested: Mapped[bool] = mapped_column(default=False)

    period: Mapped[PlanningPeriod] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def changes(self) -> list[dict]:
        return json.loads(self.changes_json or "[]")

    @property
    def base(self) -> dict:
        return json.loads(self.base_json)

    @property
    def schedule(self) -> dict | None:
        return json.loads(self.schedule_json) if self.schedule_json else None

    @property
    def solved_problem(self) -> dict | None:
        return json.loads(self.solved_problem_json) if self.solved_problem_json else None


__all__ = ["Scenario", "ScenarioStatus"]
