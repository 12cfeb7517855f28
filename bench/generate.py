"""Seeded generator of realistic problem documents for the benchmarks.

Several sites in different time zones, in-person and virtual programs, facilitators with a few skills
each, part-time weekly patterns, leave weeks and reluctant Friday afternoons, learners shared
between cohorts of different programs, team conflict groups and cohorts of 3 to 40 learners. The
horizon starts on 1 March 2027 so that the European and US daylight-saving changes fall inside it.

    python -m bench.generate M --seed 1 -o m1.json
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date, timedelta
from typing import Any

SIZES = {  # cohorts, facilitators, rooms, weeks, programs
    "S": (20, 10, 6, 4, 4),
    "M": (200, 50, 20, 8, 8),
    "L": (1000, 250, 60, 8, 8),
    # Beyond the targets, for the time limit and memory (bench/results/log.md, "Time limit on large
    # instances"): the L mix scaled up.
    "XL": (2000, 500, 120, 8, 8),
    "XXL": (10000, 2500, 600, 8, 8),
}
SITES = {
    "london": "Europe/London",
    "paris": "Europe/Paris",
    "new-york": "America/New_York",
    "singapore": "Asia/Singapore",
}
SKILLS = ("security", "leadership", "data", "agile", "privacy", "coaching", "finance", "safety")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
START = date(2027, 3, 1)


def _programs(rng: random.Random, n: int) -> list[dict[str, Any]]:
    shapes = [([180, 120], [2, 7]), ([180], [0, 0]), ([120, 120, 120], [1, 7]), ([90, 90], [1, 5])]
    out = []
    for k, skill in enumerate(SKILLS[:n]):
        sessions, gap = shapes[k % len(shapes)]
        low = rng.choice([4, 6, 8])
        out.append(
            {
                "id": f"p-{skill}",
                "name": f"{skill.title()} programme",
                "sessions": sessions,
                "gap_days": gap,
                "mode": "virtual" if k % 3 == 2 else "in_person",
                "skill": skill,
                "seats": [low, rng.choice([16, 20, 24])],
                "seat_cost": float(rng.choice([5, 12, 20, 30])),
                "same_facilitator": k % 4 != 3,
            }
        )
    return out


def _cohorts(rng, n, programs, weeks, pool) -> list[dict[str, Any]]:
    end = START + timedelta(days=7 * weeks - 1)
    out = []
    for k in range(n):
        program = rng.choice(programs)
        site = rng.choice(list(SITES))
        size = min(40, max(3, int(rng.triangular(3, 40, 14))))
        start_hour = rng.choice([8, 9, 9, 9, 10])
        cohort = {
            "id": f"c{k:04d}",
            "program": program["id"],
            "size": size,
            "learners": rng.sample(pool, k=min(3, size)) if rng.random() < 0.3 else [],
            "conflict_groups": [f"team-{rng.randrange(max(n // 8, 1))}"] if rng.random() < 0.3 else [],
            "site": site,
            "timezone": SITES[site],
            "hours": {"days": list(WEEKDAYS), "from": f"{start_hour:02d}:00",
                      "to": f"{start_hour + 8:02d}:00"},
            "earliest": (START + timedelta(days=rng.randrange(0, 7))).isoformat(),
            "deadline": (end - timedelta(days=rng.randrange(0, 7))).isoformat(),
            "mergeable": rng.random() > 0.05,
            # Only small cohorts insist on staying together.
            "splittable": size > 16 or rng.random() > 0.3,
            "unscheduled_cost": float(rng.choice([1500, 2000, 3000])),
        }  # fmt: skip
        if rng.random() < 0.2:  # a busy week (quarter close, an offsite)
            week = START + timedelta(days=7 * rng.randrange(weeks))
            cohort["unavailable"] = [[f"{week}T00:00", f"{week + timedelta(days=5)}T00:00"]]
        out.append(cohort)
    return out


def _facilitators(rng, n, weeks, skills) -> list[dict[str, Any]]:
    out = []
    for k in range(n):
        # Every skill is taught by several people; most also teach one or two other topics.
        own = {skills[k % len(skills)], *rng.sample(skills, k=rng.choice([0, 1, 1, 2]))}
        site = rng.choice(list(SITES))
        days = sorted(rng.sample(range(5), k=rng.choice([3, 4, 5])))
        lunch = rng.random() < 0.5
        ranges = [["09:00", "12:30"], ["13:30", "17:30"]] if lunch else [["08:30", "17:30"]]
        f = {
            "id": f"f{k:03d}",
            "skills": sorted(own),
            "site": site,
            "timezone": SITES[site],
            "weekly": {WEEKDAYS[d]: ranges for d in days},
            "hourly_rate": float(rng.randrange(60, 160, 10)),
            "session_fee": float(rng.choice([0, 0, 50, 100])),
            "travel_cost": {s: float(rng.randrange(150, 700, 50)) for s in SITES if s != site},
            "buffer_minutes": rng.choice([0, 15, 30]),
        }
        if rng.random() < 0.3:
            f["max_minutes_per_day"] = 360
        if rng.random() < 0.5:  # a week of leave
            week = START + timedelta(days=7 * rng.randrange(weeks))
            f["unavailable"] = [[f"{week}T00:00", f"{week + timedelta(days=7)}T00:00"]]
        if rng.random() < 0.3:  # Friday afternoons, reluctantly
            fridays = [START + timedelta(days=7 * w + 4) for w in range(weeks)]
            f["if_need_be"] = [[f"{d}T13:00", f"{d}T17:00"] for d in fridays]
            f["if_need_be_cost"] = float(rng.choice([40, 80]))
        out.append(f)
    return out


def _rooms(rng, n) -> list[dict[str, Any]]:
    out = []
    for k in range(n):
        site = list(SITES)[k % len(SITES)]
        out.append(
            {
                "id": f"{site}-r{k:02d}",
                "site": site,
                "timezone": SITES[site],
                "capacity": rng.choice([16, 20, 24, 24, 30, 40]),
                "hourly_cost": float(rng.randrange(20, 90, 10)),
            }
        )
    return out


def generate(size: str, seed: int) -> dict[str, Any]:
    """A problem document of benchmark size ``size`` (S, M or L), reproducible from ``seed``."""
    cohorts, facilitators, rooms, weeks, topics = SIZES[size]
    rng = random.Random(f"{size}-{seed}")
    programs = _programs(rng, topics)
    pool = [f"e{k:05d}" for k in range(cohorts * 6)]
    return {
        "format": "cohort-scheduler/problem/v1",
        "timezone": "Europe/London",
        "horizon": {
            "start": START.isoformat(),
            "end": (START + timedelta(days=7 * weeks - 1)).isoformat(),
        },
        "slot_minutes": 30,
        "programs": programs,
        "cohorts": _cohorts(rng, cohorts, programs, weeks, pool),
        "facilitators": _facilitators(rng, facilitators, weeks, SKILLS[:topics]),
        "rooms": _rooms(rng, rooms),
        "fixed": [],
        "previous": None,
        "change_cost": 50.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", default="-")
    args = parser.parse_args()
    write_document(generate(args.size, args.seed), args.output)


def write_document(document: dict[str, Any], output: str) -> None:
    """Write a generated problem as indented JSON to ``output`` ("-": standard output)."""
    text = json.dumps(document, indent=1)
    if output == "-":
        print(text)
    else:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
