"""The kinds of change a scenario can make to its copy of a period's problem document.

Each change is a small JSON object ``{"kind": ..., ...}``; each kind is one pure function that
takes a problem document and returns a changed copy (the argument is never modified), and one
function that says the change in the coordinator's words. A change that refers to something the
copy does not hold (a facilitator removed by an earlier change, say) raises ``ChangeError``.

The problem format is docs/solver-format.md; nothing here reads the database.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from solver.problem import WEEKDAYS


class ChangeError(ValueError):
    """A change that cannot apply to the document it is given; the message says why."""


@dataclass(frozen=True)
class Kind:
    """One kind of change: its title (on the Add buttons), how it changes a document and how it
    reads in a list."""

    title: str
    apply: Callable[[dict, dict], dict]
    describe: Callable[[dict], str]


def _find(items: list[dict], key: str, what: str) -> dict:
    for item in items:
        if item["id"] == key:
            return item
    raise ChangeError(f"the scenario has no {what} {key!r} (an earlier change may remove it)")


def _money(amount: float) -> str:
    return f"{amount:,.2f}"


# --- one function per kind ----------------------------------------------------------------------


def add_facilitator(document: dict, change: dict) -> dict:
    """A hypothetical facilitator joins: the given skills, home site, hourly rate and weekly
    availability, free of any other commitment."""
    out = copy.deepcopy(document)
    if any(f["id"] == change["id"] for f in out["facilitators"]):
        raise ChangeError(f"a facilitator {change['id']!r} is already in the scenario")
    out["facilitators"].append(
        {
            "id": change["id"],
            "name": change["name"],
            "skills": list(change["skills"]),
            "site": change["site"],
            "timezone": change.get("timezone") or out["timezone"],
            "weekly": {day: [list(r) for r in ranges] for day, ranges in change["weekly"].items()},
            "hourly_rate": float(change["hourly_rate"]),
            "x-hypothetical": True,
        }
    )
    return out


def describe_add_facilitator(change: dict) -> str:
    days = ", ".join(
        f"{day.capitalize()} {'/'.join(f'{a}–{b}' for a, b in ranges)}"
        for day, ranges in change["weekly"].items()
    )
    return (
        f"Add a hypothetical facilitator, {change['name']}, at {change['site'] or 'no site'}"
        f" teaching {', '.join(change['skills'])} at {_money(change['hourly_rate'])} an hour"
        f" ({days or 'no weekly availability'})"
    )


def remove_facilitator(document: dict, change: dict) -> dict:
    """A facilitator teaches nothing in the scenario; pinned sessions they taught keep their time
    and let the solver choose who teaches them."""
    out = copy.deepcopy(document)
    _find(out["facilitators"], change["facilitator"], "facilitator")
    out["facilitators"] = [f for f in out["facilitators"] if f["id"] != change["facilitator"]]
    for fixed in out.get("fixed", []):
        if fixed.get("facilitator") == change["facilitator"]:
            fixed["facilitator"] = None
    return out


def describe_remove_facilitator(change: dict) -> str:
    return f"Remove facilitator {change.get('name') or change['facilitator']}"


def move_deadline(document: dict, change: dict) -> dict:
    """Every cohort's deadline (or one cohort's) moves by a number of days; a cohort without a
    deadline has the period's last day as its deadline."""
    out = copy.deepcopy(document)
    cohorts = out["cohorts"]
    if change.get("cohort"):
        cohorts = [_find(cohorts, change["cohort"], "cohort")]
    end = date.fromisoformat(out["horizon"]["end"])
    for cohort in cohorts:
        old = date.fromisoformat(cohort["deadline"]) if cohort.get("deadline") else end
        new = old + timedelta(days=int(change["days"]))
        earliest = cohort.get("earliest") or out["horizon"]["start"]
        if new < date.fromisoformat(earliest):
            raise ChangeError(
                f"cohort {cohort['id']}'s deadline would be {new.isoformat()}, before its "
                f"earliest start {earliest}"
            )
        cohort["deadline"] = new.isoformat()
    return out


def describe_move_deadline(change: dict) -> str:
    days = int(change["days"])
    which = f"cohort {change['cohort']}'s deadline" if change.get("cohort") else "every deadline"
    direction = "later" if days > 0 else "earlier"
    return f"Move {which} {abs(days)} day{'s' if abs(days) != 1 else ''} {direction}"


def close_site(document: dict, change: dict) -> dict:
    """A site is closed from one day to another (inclusive): its rooms cannot be booked then, so
    in-person sessions of its cohorts must fall outside those days (or go unscheduled)."""
    out = copy.deepcopy(document)
    rooms = [room for room in out["rooms"] if room["site"] == change["site"]]
    if not rooms:
        raise ChangeError(f"the scenario has no room at site {change['site']!r}")
    first = date.fromisoformat(change["start"])
    after = date.fromisoformat(change["end"]) + timedelta(days=1)
    for room in rooms:
        room.setdefault("unavailable", []).append([f"{first}T00:00", f"{after}T00:00"])
    return out


def describe_close_site(change: dict) -> str:
    return (
        f"Close site {change.get('site_name') or change['site']} from {change['start']} "
        f"to {change['end']}"
    )


def make_virtual(document: dict, change: dict) -> dict:
    """A program is taught online: its sessions need no room, and pinned sessions of it lose
    their room."""
    out = copy.deepcopy(document)
    program = _find(out["programs"], change["program"], "program")
    program["mode"] = "virtual"
    for fixed in out.get("fixed", []):
        if (
            fixed.get("section")
            and fixed.get("room")
            and _fixed_program(out, fixed) == program["id"]
        ):
            fixed["room"] = None
    return out


def _fixed_program(document: dict, fixed: dict) -> str | None:
    cohorts = {c["id"]: c["program"] for c in document["cohorts"]}
    for part in fixed.get("cohorts", []):
        if part.get("cohort") in cohorts:
            return cohorts[part["cohort"]]
    return None


def describe_make_virtual(change: dict) -> str:
    return f"Teach {change.get('program_name') or change['program']} fully virtual"


def add_learners(document: dict, change: dict) -> dict:
    """A cohort gains a number of learners (not named yet: they count in its size)."""
    out = copy.deepcopy(document)
    cohort = _find(out["cohorts"], change["cohort"], "cohort")
    size = cohort.get("size", len(cohort.get("learners", [])))
    cohort["size"] = size + int(change["count"])
    return out


def describe_add_learners(change: dict) -> str:
    count = int(change["count"])
    return f"Add {count} learner{'s' if count != 1 else ''} to cohort {change['cohort']}"


def seat_cost(document: dict, change: dict) -> dict:
    """A program's seat cost (per learner per session) becomes a new amount."""
    out = copy.deepcopy(document)
    program = _find(out["programs"], change["program"], "program")
    program["seat_cost"] = float(change["amount"])
    return out


def describe_seat_cost(change: dict) -> str:
    name = change.get("program_name") or change["program"]
    return f"Set the seat cost of {name} to {_money(change['amount'])} per learner per session"


def travel_cost(document: dict, change: dict) -> dict:
    """Every facilitator's travel cost to every site is multiplied by a percentage."""
    out = copy.deepcopy(document)
    factor = float(change["percent"]) / 100
    for facilitator in out["facilitators"]:
        facilitator["travel_cost"] = {
            site: round(cost * factor, 2)
            for site, cost in facilitator.get("travel_cost", {}).items()
        }
    return out


def describe_travel_cost(change: dict) -> str:
    return f"Travel costs at {float(change['percent']):g}% of today's"


KINDS: dict[str, Kind] = {
    "add_facilitator": Kind("Add a facilitator", add_facilitator, describe_add_facilitator),
    "remove_facilitator": Kind(
        "Remove a facilitator", remove_facilitator, describe_remove_facilitator
    ),
    "move_deadline": Kind("Move a deadline", move_deadline, describe_move_deadline),
    "close_site": Kind("Close a site", close_site, describe_close_site),
    "make_virtual": Kind("Switch a program to virtual", make_virtual, describe_make_virtual),
    "add_learners": Kind("Add learners to a cohort", add_learners, describe_add_learners),
    "seat_cost": Kind("Change a seat cost", seat_cost, describe_seat_cost),
    "travel_cost": Kind("Change travel costs", travel_cost, describe_travel_cost),
}


def apply(document: dict, change: dict) -> dict:
    """``document`` with ``change`` applied (a new document)."""
    return KINDS[change["kind"]].apply(document, change)


def describe(change: dict) -> str:
    """The change in the coordinator's words."""
    return KINDS[change["kind"]].describe(change)


def weekly_ranges(days: list[str], start: str, end: str) -> dict[str, list[list[str]]]:
    """The same local hours on each of ``days`` as a ``weekly`` object, days in week order."""
    return {day: [[start, end]] for day in WEEKDAYS if day in days}
