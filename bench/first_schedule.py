"""When the first schedule reaches ``progress``: seconds from ``solve()`` to its first report.

    python -m bench.first_schedule --generated S M L XL --seeds 11 12 13
    python -m bench.first_schedule --generated org-40 org-120 org-250 --seeds 11 12 13
    python -m bench.first_schedule --problem /tmp/demo-problem.json
    python -m bench.first_schedule --generated XXL --seeds 11 12 13 --replan
    python -m bench.first_schedule --generated XXL --seeds 11 12 13 --fixed 0.1
    python -m bench.first_schedule --generated XXL --seeds 11 12 13 --repeat 3

Issue 18 asks for the first complete schedule within 1 s at every size. Each run calls
``solver.solve.solve`` on a parsed problem and stops it at its first ``progress`` call, so only
the construction is timed, not the search; the plan reported first is then built again outside
the clock and checked with ``solver.check`` (``violations``), and the greedy plan's cost is shown
beside it. The load average (1 min) is printed before each row: the machine is shared.

With ``--replan`` each problem is first solved by the greedy plan alone (``solver.greedy.greedy``,
outside the clock) and that schedule becomes its ``previous``: a re-plan in which every section
still fits, so the first schedule keeps the whole plan it starts from. With ``--fixed SHARE``
that share of the greedy schedule's sections (picked at random, seed 5) are fixed where they are
instead: the first schedule books them, then places the rest. With ``--repeat N`` each first
report is timed N times in one process, the collector run before each, and the row gives the
shortest time with the median in brackets: single runs at 10,000 cohorts moved by up to 40 %
on a shared machine (bench/results/log.md, 7 Dec morning).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import threading
import time


def first_report(problem) -> tuple[float, float, dict]:
    """(seconds to the first progress call, its cost, the schedule document solve returned)."""
    from solver.solve import solve

    stop, first = threading.Event(), []

    def progress(elapsed: float, cost: float, bound: float | None) -> None:
        if not first:
            first.append((time.monotonic() - started, cost))
            stop.set()  # the first schedule is what is measured

    started = time.monotonic()
    schedule = solve(problem, time_limit=120, workers=2, progress=progress, stop_event=stop)
    return first[0][0], first[0][1], schedule


def measure(name: str, problem, repeat: int = 1) -> dict:
    """One row: the first report's time and cost, the stopped solve's answer checked. With
    ``repeat`` the first report is timed that many times in this process (the collector run
    before each), and the row gives the shortest and the median time."""
    from solver import candidates
    from solver.check import check
    from solver.greedy import greedy_plan
    from solver.plan import price

    load = os.getloadavg()[0]
    times = []
    for _ in range(repeat):
        gc.collect()
        seconds, cost, schedule = first_report(problem)
        times.append(seconds)
    cand = candidates.build(problem)
    learners = sum(c.size for c in problem.cohorts.values())
    return {
        "problem": name,
        "load": round(load, 1),
        "cohorts": len(problem.cohorts),
        "first": round(min(times), 3),
        "first_median": round(statistics.median(times), 3),
        "repeat": repeat,
        "first_cost": cost,
        "answer_cost": schedule["cost"]["total"],
        "greedy": price(cand, greedy_plan(cand))["total"],
        "placed": learners - sum(u["learners"] for u in schedule["unscheduled"]),
        "learners": learners,
        "violations": len(check(problem, schedule)),
    }


def replan(document: dict) -> dict:
    """The problem with its own greedy schedule as ``previous``."""
    from solver.greedy import greedy
    from solver.validate import parse_problem

    problem, errors = parse_problem(document)
    assert problem is not None, errors
    return {**document, "previous": greedy(problem)}


def pinned(document: dict, share: float) -> dict:
    """The problem with ``share`` of its greedy schedule's sections fixed where they are."""
    import random

    from solver.greedy import greedy
    from solver.validate import parse_problem

    problem, errors = parse_problem(document)
    assert problem is not None, errors
    rng = random.Random(5)
    fixed = [
        {"section": sec["id"], "cohorts": sec["cohorts"], "session": x["index"],
         "start": x["start"], "facilitator": x["facilitator"], "room": x.get("room")}
        for sec in greedy(problem)["sections"] if rng.random() < share
        for x in sec["sessions"]
    ]  # fmt: skip
    return {**document, "fixed": fixed}


def _first(r: dict) -> str:
    """The first schedule's seconds: the shortest of the repeats, with their median."""
    if r.get("repeat", 1) == 1:
        return f"{r['first']:.2f} s"
    return f"{r['first']:.3f} s ({r['first_median']:.3f} s)"


def row(r: dict) -> str:
    return (
        f"| {r['problem']} | {r['load']} | {r['cohorts']:,} | {_first(r)} "
        f"| {r['first_cost']:,.0f} | {r['greedy']:,.0f} | {r['answer_cost']:,.0f} "
        f"| {r['placed']:,} / {r['learners']:,} | {r['violations']} |"
    )


def main() -> None:
    from bench.versus import add_problem_arguments, problem_documents, record
    from solver.validate import parse_problem

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_problem_arguments(parser)
    parser.add_argument("--replan", action="store_true",
                        help="re-plan each problem from its own greedy schedule (see above)")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="time each first report N times in one process: shortest (median)")  # fmt: skip
    parser.add_argument("--fixed", type=float, metavar="SHARE",
                        help="fix this share of each problem's greedy sections (see above)")  # fmt: skip
    args = parser.parse_args()
    problems = problem_documents(args)
    if args.replan:
        problems = [(f"{name} re-plan", replan(document)) for name, document in problems]
    if args.fixed:
        problems = [
            (f"{name} {args.fixed:.0%} fixed", pinned(document, args.fixed))
            for name, document in problems
        ]
    print(
        "| problem | load | cohorts | first schedule | its cost | greedy | answer (stopped) "
        "| placed | violations |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, document in problems:
        problem, errors = parse_problem(document)
        assert problem is not None, errors
        record(args, measure(name, problem, args.repeat), row)


if __name__ == "__main__":
    main()
