"""Benchmark decomposition: a large problem split into parts solved by N worker processes.

Runs ``solver.decompose_run.solve_by_parts`` (what the app does with its queue,
``scheduler.solving.parts``): the problem is split by ``solver.decompose.parts``, each part is
solved in one of ``--workers`` processes (each a queue worker; CP-SAT with ``--cp-workers``
threads), a part's time is its share of what is left of the wall-clock limit when it starts
(same rule as the app), then the parts are merged with their bound (a split component's computed
unsplit, meanwhile) and the whole is checked by the independent checker. ``--whole`` also solves the problem
unsplit in one process for comparison, and ``--greedy`` computes the greedy plan of the whole.

    python -m bench.decompose XL --seed 1 --time-limit 120 --workers 1 2 --whole --greedy

Reported per run: time to the first complete schedule (the first pass, the greedy plan of the
whole that guides the split, ``solver.decompose_guide``; and when every part had its own first
plan), cost against the greedy plan of the whole (and the parts' first plans added up), how many
resources the parts share by day and how many days two parts wanted, peak memory of each worker process and of the coordinating one,
the wall-clock held (from the start, reading the problem included, to the checked merge), and
the merged bound with its gap and pieces.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import time


def run_split(
    document: dict, time_limit: float, workers: int, cp_workers: int, max_cohorts: int
) -> dict:
    """Split, solve the parts over ``workers`` processes, merge with the bound and check
    (``solver.decompose_run.solve_by_parts``); measured."""
    from solver.deadline import Deadline
    from solver.decompose_run import solve_by_parts
    from solver.validate import parse_problem

    t0 = time.time()
    deadline = Deadline.after(time_limit)
    problem, errors = parse_problem(document)
    assert problem is not None, errors
    whole: list[tuple[float, float]] = []  # (seconds, cost) of the first pass's plan

    def first_schedule(schedule: dict) -> None:
        whole.append((time.time() - t0, schedule["cost"]["total"]))

    run = solve_by_parts(document, problem, deadline, processes=workers, cp_workers=cp_workers,
                         max_cohorts=max_cohorts, first_schedule=first_schedule)  # fmt: skip
    done = time.time()
    merged, results = run.schedule, run.results
    peaks: dict[int, float] = {}
    for r in results:
        peaks[r["pid"]] = max(peaks.get(r["pid"], 0.0), r["peak_mb"])
    greedy = [r["greedy"] for r in results]
    info = merged["solver"]
    return {
        "parts": len(run.part_docs),
        "part_cohorts": [d["x-part"]["cohorts"] for d in run.part_docs],
        "split_seconds": run.seconds["split"],
        "first_schedule_seconds": round(
            whole[0][0] if whole else max(r["first_at"] for r in results) - t0, 2
        ),
        "first_pass_cost": whole[0][1] if whole else None,
        "parts_first_complete_seconds": round(max(r["first_at"] for r in results) - t0, 2),
        "shared_resources": sum(d["x-part"].get("shared", 0) for d in run.part_docs),
        "contested_days": run.part_docs[0]["x-part"].get("contested_days"),
        "cost": merged["cost"]["total"],
        "bound": info.get("bound"),
        "gap": info.get("gap"),
        "bound_pieces": [
            {k: x.get(k) for k in ("parts", "split", "bound", "used", "seconds")}
            for x in (info.get("bound_parts") or {}).get("pieces", [])
        ],
        "parts_greedy_cost": None if None in greedy else round(sum(greedy), 2),
        "unscheduled_learners": sum(u["learners"] for u in merged["unscheduled"]),
        "solved_seconds": run.seconds["solved"],
        "merge_seconds": round(run.seconds["merged"] - run.seconds["solved"], 2),
        "check_seconds": round(run.seconds["checked"] - run.seconds["merged"], 2),
        "wall_seconds": round(done - t0, 2),
        "violations": len(run.violations),
        "worker_peak_mb": sorted(round(v) for v in peaks.values()),
        "coordinator_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _in_child(func, *args) -> dict:
    """Run ``func(*args)`` in a fresh (non-daemon) process, so that its peak memory is its own
    and it may start worker processes of its own."""
    ctx = mp.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def target() -> None:
        send.send(func(*args))

    child = ctx.Process(target=target)
    child.start()
    result = receive.recv()
    child.join()
    return result


def run_whole(document: dict, time_limit: float, cp_workers: int) -> dict:
    from solver.solve import solve
    from solver.validate import parse_problem

    t0 = time.time()
    problem, _ = parse_problem(document)
    schedule = solve(problem, time_limit=time_limit - (time.time() - t0), workers=cp_workers)
    return {
        "first_schedule_seconds": schedule["solver"].get("first_solution_seconds"),
        "cost": schedule["cost"]["total"],
        "unscheduled_learners": sum(u["learners"] for u in schedule["unscheduled"]),
        "stopped": schedule["solver"].get("stopped"),
        "wall_seconds": round(time.time() - t0, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def run_greedy(document: dict) -> dict:
    from solver import candidates
    from solver.greedy import greedy_plan
    from solver.plan import price
    from solver.validate import parse_problem

    t0 = time.time()
    problem, _ = parse_problem(document)
    cand = candidates.build(problem)
    cost = price(cand, greedy_plan(cand))["total"]
    return {
        "cost": cost,
        "seconds": round(time.time() - t0, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    from bench.generate import generate
    from solver.decompose import MAX_PART_COHORTS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", help="bench.generate size (XL = 2,000 cohorts, XXL = 10,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--cp-workers", type=int, default=1, help="CP-SAT threads per worker")
    parser.add_argument("--max-cohorts", type=int, default=MAX_PART_COHORTS)
    parser.add_argument("--whole", action="store_true", help="also solve it unsplit")
    parser.add_argument("--greedy", action="store_true", help="also the greedy plan of the whole")
    args = parser.parse_args()
    document = generate(args.size, args.seed)
    head = {"size": args.size, "seed": args.seed, "cohorts": len(document["cohorts"]),
            "time_limit": args.time_limit, "max_cohorts": args.max_cohorts}  # fmt: skip
    if args.greedy:
        row = _in_child(run_greedy, document)
        print(json.dumps({**head, "run": "greedy (whole)", "load": os.getloadavg()[0], **row}))
    if args.whole:
        row = _in_child(run_whole, document, args.time_limit, args.cp_workers)
        print(json.dumps({**head, "run": "whole", "load": os.getloadavg()[0], **row}))
    for workers in args.workers:
        load = os.getloadavg()[0]
        row = _in_child(run_split, document, args.time_limit, workers, args.cp_workers,
                        args.max_cohorts)  # fmt: skip
        print(json.dumps({**head, "run": f"split, {workers} worker(s)", "load": load, **row}))


if __name__ == "__main__":
    main()
