"""Digests of the greedy plan and of repacking, to show that a speed-up changed no plan.

The greedy plan is deterministic, so a change meant only to make it faster must give the same
plan on every instance: run this before and after (the code before in a worktree, one run after
the other) and compare the digests; the seconds are printed beside them. Used for the greedy's
facilitator choice by price order (bench/results/log.md, 4 Dec 2026).

    python -m bench.plan_digest --problem /tmp/demo-problem.json --generated S M L XL org-80 \
        --seeds 1 11

Per instance: the greedy plan's seconds, cost and digest (sha1 of its sorted sections), and the
digest of ``packing.repack`` of up to 40 groups within it with no CP-SAT time (``seconds=0``:
first-fit composition, then placement, both deterministic).
"""

from __future__ import annotations

import argparse
import hashlib
import time

REPACKED_GROUPS = 40


def digest(plan) -> str:
    """sha1 of a plan's sections (group, learners per cohort, every session), order-free."""
    sections = sorted(
        (
            s.group,
            tuple(sorted(s.parts.items())),
            tuple((x.index, x.start, x.minutes, x.facilitator, x.room) for x in s.sessions),
        )
        for s in plan.sections
    )
    return hashlib.sha1(repr(sections).encode()).hexdigest()[:12]


def measure(name: str, problem) -> str:
    """One line: the greedy plan's seconds, cost and digest, and the repacks' digest."""
    from solver import candidates, packing
    from solver.greedy import greedy_plan
    from solver.plan import price

    cand = candidates.build(problem)
    started = time.monotonic()
    plan = greedy_plan(cand)
    seconds = time.monotonic() - started
    repacks = []
    for key in list(cand.groups)[:REPACKED_GROUPS]:
        repacked = packing.repack(cand, plan, key, seconds=0)
        repacks.append(None if repacked is None else digest(repacked))
    together = hashlib.sha1(repr(repacks).encode()).hexdigest()[:12]
    cost = price(cand, plan)["total"]
    return (
        f"{name}: greedy {seconds:.2f} s, cost {cost:,.2f}, plan {digest(plan)}, repacks {together}"
    )


def main() -> None:
    from bench.versus import add_problem_arguments, problem_documents
    from solver.validate import parse_problem

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_problem_arguments(parser)
    args = parser.parse_args()
    for name, document in problem_documents(args):
        problem, errors = parse_problem(document)
        assert problem is not None, errors
        print(measure(name, problem), flush=True)


if __name__ == "__main__":
    main()
