"""The engine against the greedy plan AND against greedy + repacking, measured in one run.

    python -m bench.demo_problem -o /tmp/demo-problem.json
    python -m bench.versus --problem /tmp/demo-problem.json --time-limits 20 60 --workers 2
    python -m bench.versus --generated M --seeds 11 12 13 --time-limits 60 --workers 2
    python -m bench.versus --generated org-40 org-80 org-120 org-250 --seeds 11 12 13 \
        --time-limits 20 60 --workers 2

``greedy + repacking`` is the greedy plan with every group re-formed into full sections and placed
around the rest (``solver.packing.repack``, kept where the plan gets cheaper), as the search's first
stage does, but with no CP-SAT step: the ratio ``cost / repacked`` is the share of the optimisation
proper. Each solve is timed from its own start; the load average (1 min) is printed before each
row, since the machine is shared. Every schedule is checked with ``solver.check``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path


def greedy_and_repacked(problem) -> tuple[float, float, float]:
    """(greedy cost, greedy + repacking cost, seconds the repacking took)."""
    from solver import candidates
    from solver.greedy import greedy_plan
    from solver.packing import repack
    from solver.plan import price

    cand = candidates.build(problem)
    plan = greedy_plan(cand)
    greedy = cost = price(cand, plan)["total"]
    started = time.monotonic()
    for key in cand.groups:
        result = repack(cand, plan, key)
        if result is not None and price(cand, result)["total"] < cost - 0.005:
            plan, cost = result, price(cand, result)["total"]
    return greedy, cost, time.monotonic() - started


def measure(name: str, problem, time_limit: float, workers: int) -> dict:
    from solver.check import check
    from solver.solve import solve

    greedy, repacked, repack_seconds = greedy_and_repacked(problem)
    load = os.getloadavg()[0]
    trace: list[tuple[float, float, float | None]] = []
    started = time.monotonic()
    schedule = solve(
        problem,
        time_limit=time_limit,
        workers=workers,
        progress=lambda t, cost, bound: trace.append((t, cost, bound)),
    )
    wall = time.monotonic() - started
    info, cost = schedule["solver"], schedule["cost"]["total"]
    learners = sum(c.size for c in problem.cohorts.values())
    return {
        "problem": name,
        "limit": time_limit,
        "load": round(load, 1),
        "greedy": greedy,
        "repacked": repacked,
        "repack_seconds": round(repack_seconds, 1),
        "first": trace[0][0] if trace else None,
        "first_cost": trace[0][1] if trace else None,
        "cost": cost,
        "travel": schedule["cost"]["travel"],
        "vs_greedy": round(cost / greedy, 4),
        "vs_repacked": round(cost / repacked, 4),
        "bound": info["bound"],
        "gap": info["gap"],
        "used": (info.get("bound_parts") or {}).get("used"),
        "strategy": info.get("strategy", "full"),
        "placed": learners - sum(u["learners"] for u in schedule["unscheduled"]),
        "learners": learners,
        "wall": round(wall, 1),
        "violations": len(check(problem, schedule)),
    }


def row(r: dict) -> str:
    gap = "—" if r["gap"] is None else f"{r['gap'] * 100:.1f} %"
    bound = "—" if r["bound"] is None else f"{r['bound']:,.0f} ({r['used']})"
    return (
        f"| {r['problem']} | {r['limit']:.0f} s | {r['load']} | {r['greedy']:,.0f} "
        f"| {r['repacked']:,.0f} | {r['first']:.2f} s = {r['first_cost']:,.0f} | {r['cost']:,.0f} "
        f"| {r['travel']:,.0f} | {r['vs_greedy']} | {r['vs_repacked']} | {bound} | {gap} "
        f"| {r['strategy']} | {r['placed']:,} / {r['learners']:,} | {r['wall']} | {r['violations']} |"
    )


def add_problem_arguments(parser: argparse.ArgumentParser) -> None:
    """``--problem``, ``--generated``, ``--seeds`` and ``--json``: which problems, where to log."""
    parser.add_argument("--problem", type=Path, nargs="*", default=[])
    parser.add_argument(
        "--generated", nargs="*", default=[],
        help="bench.generate sizes (S, M, L, …) or bench.organisation ones (org-40 … org-250)",
    )  # fmt: skip
    parser.add_argument("--seeds", type=int, nargs="*", default=[])
    parser.add_argument("--json", type=Path, help="append each result as a JSON line here")


def problem_documents(args: argparse.Namespace) -> list[tuple[str, dict]]:
    """(name, problem document) of each file and each generated size and seed asked for."""
    problems = []
    for path in args.problem:
        problems.append((path.stem, json.loads(path.read_text())))
    for size in args.generated:
        from bench import generate, organisation

        make = organisation.generate if size.startswith("org-") else generate.generate
        problems += [(f"{size} seed {s}", make(size, s)) for s in args.seeds]
    return problems


def record(args: argparse.Namespace, result: dict, row) -> None:
    """Print ``row(result)`` and append the result to ``--json`` when given."""
    print(row(result), flush=True)
    if args.json:
        with args.json.open("a") as out:
            out.write(json.dumps(result) + "\n")


def main() -> None:
    from solver.validate import parse_problem

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_problem_arguments(parser)
    parser.add_argument("--time-limits", type=float, nargs="+", default=[20.0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    problems = problem_documents(args)
    print(
        "| problem | limit | load | greedy | greedy + repack | first schedule | cost | travel "
        "| / greedy | / repacked | bound (kind) | gap | strategy | placed | wall s | violations |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, document in problems:
        problem, errors = parse_problem(document)
        assert problem is not None, errors
        for limit in args.time_limits:
            record(args, measure(name, problem, limit, args.workers), row)


if __name__ == "__main__":
    main()
