"""The cohort scheduling engine: problem v1 in, schedule v1 out, usable without the web app.

``parse_problem``/``load_problem_file`` validate a problem document into typed objects,
``check`` verifies any schedule against its problem independently of the optimisation model, and
``solver.solve.solve`` (imported on demand: it loads OR-Tools) builds the schedule.
"""

from solver.check import check, recompute_cost
from solver.problem import PROBLEM_FORMAT, SCHEDULE_FORMAT, Problem
from solver.schedule import invalid_schedule
from solver.validate import load_problem_file, parse_problem

__all__ = [
    "PROBLEM_FORMAT",
    "SCHEDULE_FORMAT",
    "Problem",
    "check",
    "invalid_schedule",
    "load_problem_file",
    "parse_problem",
    "recompute_cost",
]
