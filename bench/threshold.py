"""Where the full CP-SAT model stops paying: the same problems solved both ways, one after the other.

    python -m bench.threshold --family org --cohorts 40 60 80 120 --seeds 1 2 3 --time-limit 20
    python -m bench.threshold --cohorts 40 60 80 120 --seeds 11 --time-limit 20 --workers 2

With ``--family org`` each problem is the org family's instance of N cohorts and a seed
(``bench.organisation``: offices with travel between them, in-person and virtual programmes);
with ``--family M`` (the default) the M instance of a seed (``bench.generate``) cut to its first
N cohorts, N / 4 facilitators and N / 10 rooms (at least 4). ``--demo FILE`` (from
``bench.demo_problem``) adds the demo problem. ``full`` forces one CP-SAT model (``solver.solve.FULL_MODEL_COHORTS``
raised), ``lns`` forces large-neighbourhood search; both start from the same greedy plan. Prints a
Markdown table with the machine's load before each run.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path


def cut(seed: int, cohorts: int) -> dict:
    """The M instance of ``seed`` cut to ``cohorts`` cohorts and proportionate resources."""
    from bench.generate import generate

    doc = generate("M", seed)
    doc.update(
        cohorts=doc["cohorts"][:cohorts],
        facilitators=doc["facilitators"][: max(4, cohorts // 4)],
        rooms=doc["rooms"][: max(4, cohorts // 10)],
    )
    return doc


def problem_of(family: str, seed: int, cohorts: int) -> tuple[str, dict]:
    """(label, document) of the ``family`` instance with ``cohorts`` cohorts for ``seed``."""
    if family == "org":
        from bench.organisation import generate

        return f"org-{cohorts} seed {seed}", generate(f"org-{cohorts}", seed)
    return f"M seed {seed} cut", cut(seed, cohorts)


def run(doc: dict, strategy: str, time_limit: float, workers: int) -> dict:
    """Solve ``doc`` with the given strategy; cost, ratio to greedy and checker violations."""
    from solver import candidates
    from solver import solve as engine
    from solver.check import check
    from solver.greedy import greedy_plan
    from solver.plan import price
    from solver.validate import parse_problem

    problem, errors = parse_problem(doc)
    assert problem is not None, errors
    cand = candidates.build(problem)
    greedy = price(cand, greedy_plan(cand))["total"]
    saved = engine.FULL_MODEL_COHORTS
    engine.FULL_MODEL_COHORTS = 10**9 if strategy == "full" else 0
    load = os.getloadavg()[0]
    started = time.monotonic()
    try:
        schedule = engine.solve(problem, time_limit=time_limit, workers=workers)
    finally:
        engine.FULL_MODEL_COHORTS = saved
    return {
        "cohorts": len(problem.cohorts),
        "strategy": strategy,
        "load": round(load, 1),
        "greedy": greedy,
        "cost": schedule["cost"]["total"],
        "ratio": round(schedule["cost"]["total"] / greedy, 4) if greedy else None,
        "status": schedule["status"],
        "gap": schedule["solver"]["gap"],
        "wall": round(time.monotonic() - started, 1),
        "violations": len(check(problem, schedule)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", choices=("M", "org"), default="M")
    parser.add_argument("--cohorts", type=int, nargs="+", default=[40, 60, 80, 120])
    parser.add_argument("--seeds", type=int, nargs="+", default=[11])
    parser.add_argument("--demo", type=Path)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="append each result as a JSON line here")
    args = parser.parse_args()
    problems = [problem_of(args.family, s, n) for s in args.seeds for n in args.cohorts]
    if args.demo:
        problems.append(("demo", json.loads(args.demo.read_text())))
    print("| problem | cohorts | strategy | load | greedy | cost | ratio | status | gap | wall s "
          "| violations |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, doc in problems:
        for strategy in ("full", "lns"):
            r = run(doc, strategy, args.time_limit, args.workers)
            gap = "—" if r["gap"] is None else f"{r['gap'] * 100:.1f} %"
            print(f"| {name} | {r['cohorts']} | {strategy} | {r['load']} | {r['greedy']:,.0f} "
                  f"| {r['cost']:,.0f} | {r['ratio']} | {r['status']} | {gap} | {r['wall']} "
                  f"| {r['violations']} |", flush=True)  # fmt: skip
            if args.json:
                with args.json.open("a") as out:
                    out.write(json.dumps({"problem": name, **r}) + "\n")


if __name__ == "__main__":
    main()
