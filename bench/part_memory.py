"""Peak memory of each part of a split problem, solved one at a time in a fresh process.

What found the 4 GB workers of issue 18 (bench/results/log.md, "Memory per worker: the packing
model capped"): ``bench.decompose`` reports one peak per worker process, over every part it
solved; this solves each part alone with the share a part gets, samples the process's resident
memory every 0.1 s and, whenever it has grown by ``--step`` MB since the last report, prints the
main thread's stack, so the stage that allocates is named.

    python -m bench.part_memory XXL --seed 1 --share 28 --parts 15 16 17

The split is the one ``solver.decompose_run`` makes: the greedy plan of the whole first
(``solver.decompose_guide.first_pass``), then ``solver.decompose.parts`` guided by it.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import sys
import threading
import time
import traceback


def split(size: str, seed: int, max_cohorts: int) -> list[dict]:
    """The part documents of a generated problem, guided as a split solve makes them."""
    from bench.generate import generate
    from solver.deadline import Deadline
    from solver.decompose import parts
    from solver.decompose_guide import first_pass
    from solver.validate import parse_problem

    document = generate(size, seed)
    problem, errors = parse_problem(document)
    assert problem is not None, errors
    guide = first_pass(problem, Deadline.after(600))
    return parts(document, problem, max_cohorts, guide and guide["sections"])


def _resident_mb() -> int:
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 2**20


def _watch(main: int, started: float, step: int, stages: list[str]) -> None:
    """Print the main thread's innermost frames each time memory grew by ``step`` MB."""
    reported = 0
    while True:
        now = _resident_mb()
        if now >= reported + step:
            reported = now
            frames = traceback.extract_stack(sys._current_frames()[main])[-6:]
            where = " <- ".join(f"{f.name}:{f.lineno}" for f in reversed(frames))
            stages.append(f"{time.monotonic() - started:6.1f} s {now:6,} MB  {where}")
        time.sleep(0.1)


def solve_part(document: dict, share: float, step: int) -> dict:
    """Solve one part document within ``share`` seconds; its cost, peak and growth stages."""
    from solver.decompose import PART_KEY
    from solver.decompose_guide import GUIDE_KEY
    from solver.solve import solve
    from solver.validate import parse_problem

    started, stages = time.monotonic(), []
    watcher = threading.Thread(
        target=_watch, args=(threading.get_ident(), started, step, stages), daemon=True
    )
    watcher.start()
    problem, errors = parse_problem(document)
    assert problem is not None, errors
    schedule = solve(problem, time_limit=share, workers=1, guide=document.get(GUIDE_KEY))
    tag = document[PART_KEY]
    return {
        "part": tag["index"],
        "cohorts": tag["cohorts"],
        "facilitators": len(document["facilitators"]),
        "rooms": len(document.get("rooms") or []),
        "cost": schedule["cost"]["total"],
        "wall_seconds": round(time.monotonic() - started, 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "stages": stages,
    }


def _in_child(func, *args) -> dict:
    """``func(*args)`` in a fresh process (spawned, not forked: a fork would start with this
    one's memory, the whole problem's included), so that its peak memory is its own."""
    ctx = mp.get_context("spawn")
    with ctx.Pool(1, maxtasksperchild=1) as pool:
        return pool.apply(func, args)


def main() -> None:
    from solver.decompose import MAX_PART_COHORTS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", help="bench.generate size (XL = 2,000 cohorts, XXL = 10,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--share", type=float, default=28.0, help="seconds per part")
    parser.add_argument("--parts", type=int, nargs="*", help="part numbers (default: all)")
    parser.add_argument("--max-cohorts", type=int, default=MAX_PART_COHORTS)
    parser.add_argument("--step", type=int, default=100, help="MB of growth between stacks")
    args = parser.parse_args()
    documents = split(args.size, args.seed, args.max_cohorts)
    for k, document in enumerate(documents):
        if args.parts and k not in args.parts:
            continue
        row = _in_child(solve_part, document, args.share, args.step)
        stages = row.pop("stages")
        print(json.dumps({"size": args.size, "seed": args.seed, "share": args.share, **row}))
        for line in stages:
            print("   ", line)


if __name__ == "__main__":
    main()
