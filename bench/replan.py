"""A re-plan against the plan it replaces: never dearer, and with a real bound.

    python -m bench.replan --problem /tmp/demo-problem.json --time-limit 20 --workers 2

Solves the problem once (the "published" plan), then re-plans with that plan as ``previous``
(change cost as in the problem, the app's default 50 when it has none): with no pin, with one
session pinned where it is, and with one session pinned a day later at the same hour (a manual
move; skipped when that start breaks a rule). Each row gives the previous plan's cost under the
re-plan's problem (None when the pin makes it invalid), the re-plan's cost, bound and gap.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import datetime, timedelta
from pathlib import Path


def _pin(section: dict, index: int, start: str) -> dict:
    x = section["sessions"][index]
    return {"section": section["id"], "cohorts": section["cohorts"], "session": index,
            "start": start, "facilitator": x["facilitator"], "room": x["room"]}  # fmt: skip


def main() -> None:
    from solver import candidates
    from solver.check import check
    from solver.plan import price
    from solver.previous import previous_plan
    from solver.solve import solve
    from solver.validate import parse_problem

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problem", type=Path, required=True)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    base = json.loads(args.problem.read_text())
    base.setdefault("change_cost", 50.0)
    first = solve(parse_problem(base)[0], time_limit=args.time_limit, workers=args.workers)
    print(f"published plan: {first['cost']['total']:,.0f}, bound {first['solver']['bound']}")
    section = max(first["sections"], key=lambda s: s["size"])
    x = section["sessions"][0]
    later = (datetime.fromisoformat(x["start"]) + timedelta(days=1)).isoformat()
    cases = {
        "no pin": [],
        "one session pinned where it is": [_pin(section, 0, x["start"])],
        "one session moved a day later": [_pin(section, 0, later)],
    }
    print("| re-plan | load | previous plan kept | re-plan cost | changes | bound | gap "
          "| wall s | violations |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for name, fixed in cases.items():
        problem, errors = parse_problem({**base, "previous": first, "fixed": fixed})
        if problem is None:
            print(f"| {name} | — | invalid: {errors[0]['message']} | | | | | | |")
            continue
        cand = candidates.build(problem)
        kept = previous_plan(cand)
        kept_cost = "— (breaks a rule)" if kept is None else f"{price(cand, kept)['total']:,.0f}"
        load = os.getloadavg()[0]
        again = solve(problem, time_limit=args.time_limit, workers=args.workers)
        info = again["solver"]
        gap = "—" if info["gap"] is None else f"{info['gap'] * 100:.1f} %"
        print(f"| {name} | {load:.1f} | {kept_cost} | {again['cost']['total']:,.0f} "
              f"| {again['cost']['changes']:,.0f} | {info['bound']} | {gap} "
              f"| {info['wall_seconds']} | {len(check(problem, again))} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
