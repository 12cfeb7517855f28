"""Benchmark the solver against the greedy baseline on generated instances.

Each (size, seed) runs in its own child process so that peak memory is measured per run. One solve
of ``--time-limit`` seconds per run; the cost and bound at 10 s are read from the progress trace
(before CP-SAT's first solution, the greedy schedule is the answer the app would show).

    python -m bench.run S M --seeds 1 2 3 --time-limit 60 --workers 2 -o bench/results
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

EARLY = 10.0  # seconds: the "cost at 10 s" column


def run_one(size: str, seed: int, time_limit: float, workers: int) -> dict[str, Any]:
    """Generate one instance, run greedy and the solver, and measure them (in this process)."""
    from bench.generate import generate
    from solver import candidates
    from solver.check import check
    from solver.greedy import greedy_plan
    from solver.plan import price
    from solver.solve import solve
    from solver.validate import parse_problem

    problem, errors = parse_problem(generate(size, seed))
    assert problem is not None, errors
    started = time.monotonic()
    cand = candidates.build(problem)
    baseline = price(cand, greedy_plan(cand))
    greedy_seconds = time.monotonic() - started
    trace: list[tuple[float, float, float]] = []
    schedule = solve(
        problem,
        time_limit=time_limit,
        workers=workers,
        progress=lambda t, cost, bound: trace.append((t, cost, bound)),
    )
    early = [entry for entry in trace if entry[0] <= EARLY]
    learners = sum(c.size for c in problem.cohorts.values())
    placed = learners - sum(u["learners"] for u in schedule["unscheduled"])
    cost = schedule["cost"]["total"]
    return {
        "size": size,
        "seed": seed,
        "cohorts": len(problem.cohorts),
        "learners": learners,
        "greedy_seconds": round(greedy_seconds, 2),
        "greedy_cost": baseline["total"],
        "first_solution_seconds": schedule["solver"].get("first_solution_seconds"),
        "cost_at_10s": early[-1][1] if early else baseline["total"],
        "bound_at_10s": early[-1][2] if early else None,
        "cost": cost,
        "bound": schedule["solver"]["bound"],
        "gap": schedule["solver"]["gap"],
        "status": schedule["status"],
        "wall_seconds": schedule["solver"]["wall_seconds"],
        "placed": placed,
        "ratio_to_greedy": round(cost / baseline["total"], 4) if baseline["total"] else None,
        "checker_violations": len(check(problem, schedule)),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _child(size: str, seed: int, time_limit: float, workers: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.run", "--one", size, str(seed),
               "--time-limit", str(time_limit), "--workers", str(workers)]  # fmt: skip
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(rows: list[dict[str, Any]]) -> str:
    """The results as a Markdown table."""
    head = ("| size | seed | learners | greedy | first sol. (s) | cost @10 s | cost @end | bound | gap "
            "| status | placed | ratio | peak MB |")  # fmt: skip
    lines = [head, "|" + "---|" * 13]
    for r in rows:
        bound = "—" if r["bound"] is None else f"{r['bound']:,.0f}"  # unknown: none to report
        gap = "—" if r["gap"] is None else f"{100 * r['gap']:.1f} %"
        lines.append(
            f"| {r['size']} | {r['seed']} | {r['learners']} | {r['greedy_cost']:,.0f} "
            f"| {r['first_solution_seconds']} | {r['cost_at_10s']:,.0f} | {r['cost']:,.0f} "
            f"| {bound} | {gap} | {r['status']} "
            f"| {r['placed']} | {r['ratio_to_greedy']} | {r['peak_memory_mb']:,.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", default=["S", "M"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("-o", "--output", default="bench/results")
    parser.add_argument("--one", nargs=2, metavar=("SIZE", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        size, seed = args.one
        print(json.dumps(run_one(size, int(seed), args.time_limit, args.workers)))
        return
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.sizes:
        for seed in args.seeds:
            rows.append(_child(size, seed, args.time_limit, args.workers))
            print(json.dumps(rows[-1]), flush=True)
    machine = {"python": platform.python_version(), "machine": platform.machine(),
               "processor": platform.processor(), "time_limit": args.time_limit,
               "workers": args.workers}  # fmt: skip
    name = "-".join(args.sizes) + f"-{int(args.time_limit)}s"
    (out / f"{name}.json").write_text(json.dumps({"machine": machine, "runs": rows}, indent=1))
    (out / f"{name}.md").write_text(table(rows) + "\n")
    print(table(rows))


if __name__ == "__main__":
    main()
