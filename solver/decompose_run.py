"""Solve a problem by parts outside the app: in this process, or over N worker processes.

What the app does with its queue (``scheduler.solving.parts``), for the command line
(``python -m solver solve --decompose``) and ``bench.decompose``: the greedy plan of the whole is
the first complete schedule and guides the split (``solver.decompose_guide``), the problem is
split by ``solver.decompose.parts``, each part is solved by ``solver.solve.solve`` with its share of what
is left of the wall-clock limit when it starts (the parts not yet started share it in rounds of
as many parts as run at once, as ``part_operations.start_part`` does), then the parts are merged
with the split components' bound (``solver.decompose_bound``) and the whole is checked by the
independent checker. With worker processes the split components' bound is computed here while
the workers solve; in this process it comes after the parts, in time kept back for it.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from solver.check import check
from solver.deadline import Deadline
from solver.decompose import MAX_PART_COHORTS, PART_KEY, merge, merge_seconds, parts
from solver.decompose_bound import bound_seconds, split_bounds, split_cohorts
from solver.decompose_guide import GUIDE_KEY, first_pass
from solver.problem import Problem

# (part index, its schedule) once a part is solved
PartDone = Callable[[int, dict[str, Any]], None]


@dataclass
class SplitRun:
    """A problem solved by parts: the merged schedule, the checker's verdict and what each part
    took (``results``: per part its schedule, start, share, first cost, worker and peak memory)."""

    part_docs: list[dict[str, Any]]
    results: list[dict[str, Any]]
    schedule: dict[str, Any]
    violations: list[dict[str, Any]]
    seconds: dict[str, float] = field(default_factory=dict)


def solve_by_parts(
    document: dict[str, Any],
    problem: Problem,
    deadline: Deadline,
    *,
    processes: int = 0,
    cp_workers: int = 2,
    max_cohorts: int = MAX_PART_COHORTS,
    part_done: PartDone | None = None,
    first_schedule: Callable[[dict[str, Any]], None] | None = None,
) -> SplitRun:
    """Split, solve the parts (here when ``processes`` is 0, else over that many worker
    processes, each CP-SAT with ``cp_workers`` threads), merge with the bound, check; all by
    ``deadline`` (the merge and check have time kept back). The greedy plan of the whole comes
    first (``solver.decompose_guide``): it is given to ``first_schedule`` and guides the split."""
    started = time.monotonic()
    guide = first_pass(problem, deadline) if len(problem.cohorts) > max_cohorts else None
    seconds = {"first_pass": time.monotonic() - started}
    if guide is not None and first_schedule is not None:
        first_schedule(guide)
    found = parts(document, problem, max_cohorts, guide and guide["sections"])
    seconds["split"] = time.monotonic() - started
    bound_budget = bound_seconds(deadline.left(), split_cohorts(found))
    solving = deadline.earlier(merge_seconds(len(problem.cohorts)))
    if processes > 0:
        results, bounds = _in_processes(document, problem, found, solving, bound_budget,
                                        processes, cp_workers, part_done)  # fmt: skip
    else:
        results = _here(found, solving.earlier(bound_budget), cp_workers, part_done)
        bounds = split_bounds(document, problem, found, solving)
    seconds["solved"] = time.monotonic() - started
    merged = merge(problem, [r["schedule"] for r in results], found, bounds)
    seconds["merged"] = time.monotonic() - started
    violations = check(problem, merged)
    seconds["checked"] = time.monotonic() - started
    merged["solver"].update(wall_seconds=round(deadline.elapsed(), 3), violations=len(violations))
    return SplitRun(
        found, results, merged, violations, {k: round(v, 2) for k, v in seconds.items()}
    )


def _here(found, deadline: Deadline, cp_workers: int, part_done) -> list[dict[str, Any]]:
    """Every part solved in this process, one after the other, each with an equal share of
    what is left when it starts."""
    results = []
    for k, doc in enumerate(found):
        share = deadline.left() / (len(found) - k)
        results.append(_solve(doc, share, cp_workers))
        if part_done is not None:
            part_done(k, results[-1]["schedule"])
    return results


def _in_processes(
    document, problem, found, deadline: Deadline, bound_budget: float, processes, cp_workers,
    part_done,
):  # fmt: skip
    """The parts over ``processes`` worker processes; the split components' bound meanwhile,
    within the same budget as in one process (it takes the workers' cores meanwhile)."""
    ctx = mp.get_context("fork")
    started = ctx.Value("i", 0)
    # The workers' time is wall-clock: the deadline travels as an epoch time.
    until = time.time() + deadline.left()
    init = (started, until, len(found), processes, cp_workers)
    with ctx.Pool(processes, _init, init) as pool:
        pending = [pool.apply_async(_solve_part, (doc,)) for doc in found]
        bounds = split_bounds(document, problem, found, deadline.sooner(bound_budget))
        results = []
        for k, job in enumerate(pending):
            results.append(job.get())
            if part_done is not None:
                part_done(k, results[-1]["schedule"])
    return results, bounds


# Set in each worker process by ``_init``: the shared count of parts started and the deadline.
_WORKER: dict[str, Any] = {}


def _init(started, until: float, count: int, processes: int, cp_workers: int) -> None:
    _WORKER.update(started=started, until=until, parts=count, processes=processes, cp=cp_workers)


def _solve_part(doc: dict[str, Any]) -> dict[str, Any]:
    """One part in a worker process, with its share of the time left when it starts."""
    with _WORKER["started"].get_lock():
        before = _WORKER["started"].value
        _WORKER["started"].value += 1
    running = min(_WORKER["processes"], _WORKER["parts"] - before)
    rounds = math.ceil((_WORKER["parts"] - before) / max(running, 1))
    share = max((_WORKER["until"] - time.time()) / rounds, 0.0)
    return _solve(doc, share, _WORKER["cp"])


def _solve(doc: dict[str, Any], share: float, cp_workers: int) -> dict[str, Any]:
    """Solve one part document within ``share`` seconds; what it took."""
    from solver.solve import solve
    from solver.validate import parse_problem

    begun, deadline = time.time(), Deadline.after(share)
    problem, errors = parse_problem(doc)
    if problem is None:  # the whole was valid, so this is a bug in the split: say so
        raise ValueError(f"part {doc[PART_KEY]['index'] + 1} is not a valid problem: {errors[:3]}")
    first: list[float] = []
    schedule = solve(
        problem,
        time_limit=share,
        workers=cp_workers,
        progress=lambda elapsed, cost, bound: first or first.append(cost),
        deadline=deadline,
        guide=doc.get(GUIDE_KEY),
    )
    return {
        "schedule": schedule,
        "begun": begun,
        "share": share,
        "greedy": first[0] if first else None,
        "first_at": begun + (schedule["solver"].get("first_solution_seconds") or 0.0),
        "pid": os.getpid(),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
