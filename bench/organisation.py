"""Seeded problems shaped like a real organisation's training period (the "org" bench family).

    python -m bench.organisation org-80 --seed 1 -o org80-1.json

Where ``bench.generate``'s S/M/L mix draws every cohort, facilitator and room independently, this
family is built the way an L&D team's period is: an organisation with 3 to 8 offices in a few time
zones, departments made of teams with a manager, and programmes that each speak to an audience
(managers, sales, operations, everyone). A cohort is one wave of one department at one office
taking one programme, so its learners are real people of that department: the same person sits in
the compliance course and in her department's own programme, and a manager sits in both manager
programmes. Facilitators live at an office and pay the trip (fare plus a hotel night when the
journey is long) to teach in person elsewhere; virtual programmes need no room and no travel.

The travel matrix between offices (``x-travel``: cost and hours each way, symmetric and complete)
is derived from the offices' coordinates. The problem format has no travel time, so the hours
stay documentation and enter the cost (a hotel night above three hours each way); ``x-`` fields
are ignored by the engine. The horizon is 12 weeks from 1 March 2027, so the European and US
daylight-saving changes and Easter (holidays at the European offices) fall inside it.

Deterministic per seed: ``generate(size, seed)`` returns the same document on every call.
Tune on seeds 1–3, report on seeds 11–13 (bench/README.md).
"""

from __future__ import annotations

import argparse
import math
import random
from datetime import date, timedelta
from typing import Any

from bench.generate import write_document

# cohorts, offices, facilitators, rooms per office
SIZES = {
    # Below the family's range (40 to 250): points for bench.threshold only.
    "org-10": (10, 3, 5, 2),
    "org-20": (20, 3, 8, 2),
    "org-30": (30, 3, 11, 2),
    "org-40": (40, 3, 14, 2),
    "org-60": (60, 4, 22, 3),
    "org-80": (80, 5, 28, 3),
    "org-120": (120, 6, 42, 3),
    "org-250": (250, 8, 85, 4),
}
START = date(2027, 3, 1)
WEEKS = 12
# name: (time zone, latitude, longitude, region, employees)
OFFICES = {
    "london": ("Europe/London", 51.5, -0.1, "emea", 900),
    "manchester": ("Europe/London", 53.5, -2.2, "emea", 400),
    "paris": ("Europe/Paris", 48.9, 2.4, "emea", 600),
    "berlin": ("Europe/Berlin", 52.5, 13.4, "emea", 500),
    "madrid": ("Europe/Madrid", 40.4, -3.7, "emea", 300),
    "new-york": ("America/New_York", 40.7, -74.0, "americas", 700),
    "chicago": ("America/Chicago", 41.9, -87.6, "americas", 400),
    "toronto": ("America/Toronto", 43.7, -79.4, "americas", 300),
    "singapore": ("Asia/Singapore", 1.3, 103.8, "apac", 400),
    "bangalore": ("Asia/Kolkata", 13.0, 77.6, "apac", 600),
}
# Easter 2027 (26 and 29 March) closes the European offices.
HOLIDAYS = {"emea": [date(2027, 3, 26), date(2027, 3, 29)], "americas": [], "apac": []}
DEPARTMENTS = ("sales", "operations", "finance", "engineering", "customer-service", "people")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")

# id: name, sessions, gap days, mode, skill, seats, seat cost, audience (departments, or
# "managers", or "all"), weight (how much of the period's demand), compliance (a deadline)
PROGRAMS = (
    ("new-manager", "Leading a team for the first time", [210, 210], [7, 21], "in_person",
     "leadership", [6, 16], 25.0, "managers", 2, False),
    ("coaching", "Coaching conversations (virtual)", [90, 90], [7, 14], "virtual", "coaching",
     [4, 12], 10.0, "managers", 2, False),
    ("security", "Security awareness (virtual)", [60], [0, 0], "virtual", "security", [10, 40],
     5.0, "all", 4, True),
    ("privacy", "Data protection essentials (virtual)", [90], [0, 0], "virtual", "privacy",
     [8, 30], 5.0, "all", 2, True),
    ("safety", "Health and safety on site", [180], [0, 0], "in_person", "safety", [6, 14], 20.0,
     ("operations", "engineering"), 3, True),
    ("negotiation", "Negotiation for sales teams", [180, 180], [1, 7], "in_person", "sales",
     [8, 20], 30.0, ("sales",), 2, False),
    ("service", "Customer-first service", [180], [0, 0], "in_person", "service", [8, 24], 12.0,
     ("customer-service", "sales"), 2, False),
    ("finance-data", "Spreadsheets and data for finance (virtual)", [120, 120, 120], [1, 7],
     "virtual", "data", [6, 16], 15.0, ("finance",), 1, False),
    ("agile", "Agile ways of working", [180, 180], [0, 2], "in_person", "agile", [8, 20], 20.0,
     ("engineering", "operations"), 2, False),
)  # fmt: skip


def _km(a: str, b: str) -> float:
    """Great-circle distance between two offices."""
    _, lat1, lon1, _, _ = OFFICES[a]
    _, lat2, lon2, _, _ = OFFICES[b]
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0 * math.acos(max(-1.0, min(1.0, c)))


def travel_matrix(offices: list[str]) -> dict[str, dict[str, dict[str, float]]]:
    """Cost and hours of a trip between every two offices: by train when quicker, else by air."""
    out: dict[str, dict[str, dict[str, float]]] = {a: {} for a in offices}
    for a in offices:
        for b in offices:
            if a == b:
                continue
            km = _km(a, b)
            train, flight = 0.3 + km / 160, 2.5 + km / 750  # door to door, check-in included
            if km < 800 and train <= flight:
                hours, fare = train, 60 + 0.18 * km
            else:
                hours, fare = flight, 150 + 0.12 * km
            # A hotel night when the trip is over three hours each way (nobody teaches after it).
            cost = fare + (160 if hours > 3 else 0)
            out[a][b] = {"cost": float(round(cost / 10) * 10), "hours": round(hours, 1)}
    return out


def _offices(rng: random.Random, n: int) -> list[str]:
    """``n`` offices: mostly in the region of a head office, about a third abroad."""
    home = rng.choice(["london", "paris", "new-york"])
    region = OFFICES[home][3]
    near = [o for o in OFFICES if OFFICES[o][3] == region and o != home]
    far = [o for o in OFFICES if OFFICES[o][3] != region]
    rng.shuffle(near)
    rng.shuffle(far)
    abroad = max(1, n // 3)
    chosen = [home, *near[: n - 1 - abroad], *far[:abroad]]
    for extra in far[abroad:] + near[n - 1 - abroad :]:
        if len(chosen) >= n:
            break
        if extra not in chosen:
            chosen.append(extra)
    return chosen[:n]


def _holidays(office: str) -> list[list[str]]:
    days = HOLIDAYS[OFFICES[office][3]]
    return [[f"{d}T00:00", f"{d + timedelta(days=1)}T00:00"] for d in days]


def _people(rng: random.Random, offices: list[str]) -> dict[tuple[str, str], dict[str, list]]:
    """Per (office, department): its managers and its staff, teams of 5 to 12 under one manager."""
    out = {}
    serial = 0
    for o in offices:
        for dept in DEPARTMENTS:
            headcount = max(12, int(OFFICES[o][4] / len(DEPARTMENTS) * rng.uniform(0.6, 1.4)))
            managers, staff, teams = [], [], []
            left = headcount
            while left > 0:
                team = min(left, rng.randint(5, 12))
                serial += 1
                manager = f"E{serial:05d}"
                members = []
                for _ in range(team - 1):
                    serial += 1
                    members.append(f"E{serial:05d}")
                managers.append(manager)
                staff += members
                teams.append([manager, *members])
                left -= team
            out[(o, dept)] = {"managers": managers, "staff": staff, "teams": teams}
    return out


def _programs(rng: random.Random) -> list[dict[str, Any]]:
    return [
        {
            "id": pid,
            "name": name,
            "sessions": sessions,
            "gap_days": gap,
            "mode": mode,
            "skill": skill,
            "seats": seats,
            "seat_cost": seat_cost,
            "same_facilitator": len(sessions) < 3 or rng.random() < 0.5,
        }
        for pid, name, sessions, gap, mode, skill, seats, seat_cost, *_ in PROGRAMS
    ]


def _cohorts(rng, n, offices, people) -> list[dict[str, Any]]:
    """``n`` cohorts: each a wave of one department (or its managers) taking one programme."""
    weights = [OFFICES[o][4] for o in offices]
    by_program = {p[0]: p for p in PROGRAMS}
    taken: dict[tuple[str, str, str], set[str]] = {}
    out: list[dict[str, Any]] = []
    waves: dict[tuple[str, str, str], int] = {}
    end = START + timedelta(days=7 * WEEKS - 1)
    while len(out) < n:
        office = rng.choices(offices, weights)[0]
        pid = rng.choices([p[0] for p in PROGRAMS], [p[9] for p in PROGRAMS])[0]
        _, _, sessions, _, mode, _, seats, _, audience, _, compliance = by_program[pid]
        dept = rng.choice(DEPARTMENTS if audience in ("all", "managers") else audience)
        group = people[(office, dept)]
        pool = group["managers"] if audience == "managers" else group["managers"] + group["staff"]
        key = (office, dept, pid)
        free = [p for p in pool if p not in taken.setdefault(key, set())]
        if len(free) < 4:
            continue  # everyone of this department here already has a wave of this programme
        if mode == "virtual":
            size = int(rng.triangular(4, 40, 12))
        else:
            size = int(rng.triangular(5, 40, 22))
        size = min(size, len(free))
        splittable = size > seats[1] or rng.random() < 0.8
        if not splittable:
            size = min(size, seats[1])
        learners = sorted(rng.sample(free, size))
        taken[key].update(learners)
        waves[key] = waves.get(key, 0) + 1
        zone = OFFICES[office][0]
        # Operations and customer service cover the floor: a shorter day, four days a week.
        if dept in ("operations", "customer-service"):
            hours = {"days": ["mon", "tue", "wed", "thu"], "from": "08:00", "to": "16:00"}
        else:
            start_hour = rng.choice([8, 9, 9])
            hours = {"days": list(WEEKDAYS), "from": f"{start_hour:02d}:00",
                     "to": f"{start_hour + 9:02d}:00"}  # fmt: skip
        if compliance:  # the quarter's compliance deadline, a few weeks early for some offices
            deadline = START + timedelta(days=7 * rng.choice([8, 10, 12]) - 3)
        else:
            deadline = end - timedelta(days=rng.randrange(0, 10))
        earliest = START + timedelta(days=7 * rng.choice([0, 0, 0, 1, 2]))
        cohort: dict[str, Any] = {
            "id": f"{pid}-{office}-{dept}-{waves[key]}",
            "name": f"{by_program[pid][1]}, {dept} {office} wave {waves[key]}",
            "program": pid,
            "size": size,
            "learners": learners,
            # Department cover: two of its waves are never out at the same time.
            "conflict_groups": [f"cover-{office}-{dept}"] if rng.random() < 0.5 else [],
            "site": office,
            "timezone": zone,
            "hours": hours,
            "earliest": earliest.isoformat(),
            "deadline": min(deadline, end).isoformat(),
            "unavailable": _holidays(office),
            "mergeable": rng.random() > 0.05,
            "splittable": splittable,
            "unscheduled_cost": 3000.0 if compliance else float(rng.choice([1500, 2000])),
        }
        if rng.random() < 0.15:  # a busy week for the department (quarter close, an offsite)
            week = START + timedelta(days=7 * rng.randrange(WEEKS))
            cohort["unavailable"].append([f"{week}T00:00", f"{week + timedelta(days=5)}T00:00"])
        out.append(cohort)
    return out


def _facilitators(rng, n, offices, cohorts, travel) -> list[dict[str, Any]]:
    """``n`` facilitators living at the offices, skills in proportion to the demand for them."""
    demand: dict[str, int] = {}
    skill_of = {p[0]: p[5] for p in PROGRAMS}
    for c in cohorts:
        demand[skill_of[c["program"]]] = demand.get(skill_of[c["program"]], 0) + c["size"]
    skills = sorted(demand)
    # Each skill in demand is somebody's first skill (round-robin over the busiest), then drawn.
    ranked = sorted(skills, key=lambda s: -demand[s])
    heads = [OFFICES[o][4] for o in offices]
    out = []
    for k in range(n):
        first = ranked[k % len(ranked)]
        others = rng.choices(skills, [demand[s] for s in skills], k=rng.choice([0, 1, 1, 2]))
        # The first few live at the offices in turn, so every office has someone at home.
        office = offices[k] if k < len(offices) else rng.choices(offices, heads)[0]
        zone = OFFICES[office][0]
        kind = rng.choices(["trainer", "part-time", "contractor"], [5, 3, 2])[0]
        lunch = [["08:30", "12:30"], ["13:30", "17:30"]]
        if kind == "trainer":
            weekly = {d: lunch if rng.random() < 0.5 else [["08:30", "17:30"]] for d in WEEKDAYS}
        elif kind == "part-time":
            days = sorted(rng.sample(range(5), k=3))
            weekly = {WEEKDAYS[d]: [["09:00", "17:00"]] for d in days}
        else:
            weekly = {}
        f: dict[str, Any] = {
            "id": f"fac-{k:03d}",
            "name": f"Facilitator {k} ({kind}, {office})",
            "skills": sorted({first, *others}),
            "site": office,
            "timezone": zone,
            "weekly": weekly,
            "hourly_rate": float(rng.randrange(40, 80, 5) if kind != "contractor"
                                 else rng.randrange(90, 160, 10)),
            "session_fee": float(rng.choice([100, 150, 250]) if kind == "contractor" else 0),
            "travel_cost": {o: travel[office][o]["cost"] for o in offices if o != office},
            "buffer_minutes": rng.choice([15, 15, 30]),
            "unavailable": _holidays(office),
        }  # fmt: skip
        if kind == "contractor":  # booked for a few weeks of the period, not the whole of it
            weeks = sorted(rng.sample(range(WEEKS), k=rng.randint(3, 6)))
            f["available"] = [
                [f"{START + timedelta(days=7 * w + d)}T09:00",
                 f"{START + timedelta(days=7 * w + d)}T17:00"]
                for w in weeks for d in range(5)
            ]  # fmt: skip
        if rng.random() < 0.5:
            f["max_minutes_per_day"] = 360
        if rng.random() < 0.6 and kind != "contractor":  # a week of leave
            week = START + timedelta(days=7 * rng.randrange(WEEKS))
            f["unavailable"].append([f"{week}T00:00", f"{week + timedelta(days=7)}T00:00"])
        if rng.random() < 0.3 and kind == "trainer":  # Friday afternoons, reluctantly
            fridays = [START + timedelta(days=7 * w + 4) for w in range(WEEKS)]
            f["if_need_be"] = [[f"{d}T13:30", f"{d}T17:30"] for d in fridays]
            f["if_need_be_cost"] = float(rng.choice([40, 80]))
        out.append(f)
    return out


def _rooms(rng, offices, per_office) -> list[dict[str, Any]]:
    """Training rooms at each office; the first one seats the largest in-person section."""
    out = []
    for o in offices:
        zone = OFFICES[o][0]
        for k in range(per_office):
            out.append(
                {
                    "id": f"{o}-room-{k + 1}",
                    "site": o,
                    "timezone": zone,
                    "capacity": 24 if k == 0 else rng.choice([10, 12, 16, 20, 24, 30]),
                    "hourly_cost": float(rng.randrange(15, 60, 5)),
                    "weekly": {d: [["07:30", "19:00"]] for d in WEEKDAYS},
                    "unavailable": _holidays(o),
                }
            )
    return out


def generate(size: str, seed: int) -> dict[str, Any]:
    """A problem document of the org family's ``size`` (``org-10`` … ``org-250``) for ``seed``."""
    cohorts, n_offices, n_facilitators, rooms_per_office = SIZES[size]
    rng = random.Random(f"{size}-{seed}")
    offices = _offices(rng, n_offices)
    travel = travel_matrix(offices)
    people = _people(rng, offices)
    cohort_list = _cohorts(rng, cohorts, offices, people)
    return {
        "format": "cohort-scheduler/problem/v1",
        "name": f"{size} seed {seed}",
        "timezone": OFFICES[offices[0]][0],
        "horizon": {
            "start": START.isoformat(),
            "end": (START + timedelta(days=7 * WEEKS - 1)).isoformat(),
        },
        "slot_minutes": 30,
        "programs": _programs(rng),
        "cohorts": cohort_list,
        "facilitators": _facilitators(rng, n_facilitators, offices, cohort_list, travel),
        "rooms": _rooms(rng, offices, rooms_per_office),
        "fixed": [],
        "previous": None,
        "change_cost": 50.0,
        "x-travel": travel,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=sorted(SIZES, key=lambda s: SIZES[s][0]))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", default="-")
    args = parser.parse_args()
    write_document(generate(args.size, args.seed), args.output)


if __name__ == "__main__":
    main()
