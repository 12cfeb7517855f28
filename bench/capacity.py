"""Capacity planning on generated instances: facilitators removed, then offered back as a pool.

For each (size, seed): the generated problem keeps every other facilitator (``--keep``); the removed
ones become the hiring pool (same skills, site, availability and rates, plus ``--onboarding`` and
``--weekly`` costs). Three solves with the same time limit, in this process, one after the other:

- ``short``: the reduced problem, no pool (what the coordinator has);
- ``pool``: the reduced problem with the pool (capacity planning);
- ``full``: every facilitator, free (a reference: hiring can never beat it by more than its cost).

Each row: status, cost, hiring cost, hires, learners placed, the bound's gap, wall seconds, and
the independent checker's violations of the ``pool`` schedule.

    python -m bench.capacity --sizes S --seeds 1 2 --time-limit 20
    python -m bench.capacity --problem /tmp/demo-problem.json --remove-every 3 --time-limit 20

With ``--problem`` the same three solves run on that problem document instead (e.g. the demo's,
from ``python -m bench.demo_problem``); its row says "file" for the size and "—" for the seed.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import time
from pathlib import Path

from bench.generate import generate
from solver import capacity
from solver.check import check
from solver.sensitivity import placed_learners
from solver.solve import solve
from solver.validate import parse_problem


def reduced(full: dict, keep: int, onboarding: float, weekly: float, remove: int | None = None):
    """(short, pool, full) documents of ``full``: every ``keep``-th facilitator kept (with
    ``remove``: every ``remove``-th removed instead), the others removed (``short``) or offered
    back as a hiring pool (``pool``)."""
    short = copy.deepcopy(full)
    if remove:
        gone = [k % remove == remove - 1 for k in range(len(full["facilitators"]))]
    else:
        gone = [k % keep != 0 for k in range(len(full["facilitators"]))]
    kept = [f for f, out in zip(full["facilitators"], gone, strict=True) if not out]
    removed = [f for f, out in zip(full["facilitators"], gone, strict=True) if out]
    short["facilitators"] = kept
    pool = copy.deepcopy(short)
    pool["hiring_pool"] = [
        {**f, "id": f"pool-{f['id']}", "onboarding_cost": onboarding, "weekly_cost": weekly}
        for f in removed
    ]
    return short, pool, full


def run(document: dict, time_limit: float, workers: int) -> tuple[dict, dict, float]:
    problem, errors = parse_problem(document)
    assert not errors, errors[:3]
    started = time.monotonic()
    schedule = solve(problem, time_limit=time_limit, workers=workers)
    return problem, schedule, time.monotonic() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["S"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[1])
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=int, default=3, help="keep every n-th facilitator")
    parser.add_argument("--onboarding", type=float, default=1000.0)
    parser.add_argument("--weekly", type=float, default=300.0)
    parser.add_argument("--problem", type=Path, help="a problem document instead of generated ones")
    parser.add_argument(
        "--remove-every", type=int, help="remove every n-th facilitator (instead of --keep)"
    )
    parser.add_argument(
        "--pool-model-cohorts", type=int,
        help="solve problems of up to this many cohorts with the one capacity model, larger ones "
        f"with the hire search (default {capacity.POOL_MODEL_COHORTS}; for measuring the threshold)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.pool_model_cohorts is not None:
        capacity.POOL_MODEL_COHORTS = args.pool_model_cohorts
    print("| size | seed | load | run | status | cost | hiring | hires / pool | placed | gap | "
          "wall s | checker |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    if args.problem:
        full = json.loads(args.problem.read_text())
        pools = reduced(full, args.keep, args.onboarding, args.weekly, args.remove_every)
        cases = [("file", "—", pools)]
    else:
        cases = [
            (
                size,
                seed,
                reduced(
                    generate(size, seed), args.keep, args.onboarding, args.weekly, args.remove_every
                ),
            )
            for size in args.sizes
            for seed in args.seeds
        ]
    for size, seed, documents in cases:
        for name, document in zip(("short", "pool", "full"), documents, strict=True):
            load = os.getloadavg()[0]
            problem, schedule, wall = run(document, args.time_limit, args.workers)
            cost = schedule["cost"]
            hires = schedule.get("hires")
            hired = f"{len(hires)} / {len(problem.hiring_pool)}" if hires is not None else "—"
            gap = schedule["solver"].get("gap")
            violations = len(check(problem, schedule)) if name == "pool" else "—"
            print(
                f"| {size} | {seed} | {load:.1f} | {name} | {schedule['status']} | "
                f"{cost['total']:,.0f} | {cost.get('hiring', 0):,.0f} | {hired} | "
                f"{placed_learners(schedule)} | "
                f"{'—' if gap is None else f'{100 * gap:.1f} %'} | {wall:.1f} | {violations} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
