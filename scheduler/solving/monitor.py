"""The watch over a running period solve: ``scheduler.jobs.monitor`` on the ``solve_job`` row."""

from __future__ import annotations

from scheduler.jobs.monitor import JobMonitor
from scheduler.models import SolveJob


class SolveMonitor(JobMonitor):
    """Use as ``with SolveMonitor(engine, job_id) as monitor: solve(..., progress=monitor.progress,
    stop_event=monitor.stop)``."""

    model = SolveJob
    writes_stage = True
