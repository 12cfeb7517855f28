"""Promote a scenario: its changes become real data changes, and its plan a draft of the period.

Every change kind has a real counterpart, listed in words for the coordinator to confirm one by
one, and applied by one function. All of them run in one transaction: if any fails, nothing is
changed. A hypothetical facilitator becomes a placeholder facilitator (an account nobody can sign
in to, named "… (placeholder)") to be filled in with the real person later; added learners cannot
be invented, so that change is listed as work left to do by hand.

Then the scenario's plan is checked by ``solver.check`` against the period's problem as the data
now stands: if it passes, it is stored as a draft in the same transaction; if not (the real data
moved since the scenario was made, or learners are still to be added), the changes are kept and
a solve of the period is queued instead.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from scheduler.database import utcnow
from scheduler.extensions import db
from scheduler.models import (
    AvailabilityKind,
    AvailabilityRule,
    Closure,
    Cohort,
    Facilitator,
    FacilitatorSkill,
    PlanningPeriod,
    Program,
    ProgramMode,
    Role,
    Scenario,
    ScenarioStatus,
    ScheduleVersion,
    Site,
    User,
    VersionOrigin,
)
from scheduler.planning.mapping import period_problem
from scheduler.planning.versions import store_version
from scheduler.scenarios import changes as kinds
from solver import check, parse_problem
from solver.problem import WEEKDAYS

PLACEHOLDER_DOMAIN = "placeholder.invalid"  # RFC 2606: never delivered


class PromotionRefused(Exception):
    """Promotion cannot go ahead (nothing was changed); the message says why."""


@dataclass(frozen=True)
class RealChange:
    """One change as it would be made to the real data; ``by_hand``: not done by promotion."""

    position: int
    words: str
    by_hand: bool = False


@dataclass(frozen=True)
class Promoted:
    """What promotion did: the draft stored, or why the plan must be solved again."""

    draft: ScheduleVersion | None
    recheck_problems: list[str]
    by_hand: list[str]


# --- in words ---------------------------------------------------------------------------------


def real_changes(scenario: Scenario) -> list[RealChange]:
    """The scenario's changes as real data changes, in order."""
    out = []
    for position, change in enumerate(scenario.changes):
        words, by_hand = _WORDS[change["kind"]](change)
        out.append(RealChange(position, words, by_hand))
    return out


def _words_add_facilitator(change: dict) -> tuple[str, bool]:
    return (
        f'Create a placeholder facilitator "{change["name"]} (placeholder)" with the skills '
        f"{', '.join(change['skills'])}, home site {change['site']}, "
        f"{change['hourly_rate']:,.2f} an hour and the weekly availability of the scenario; "
        "fill in the real person later",
        False,
    )


def _words_remove_facilitator(change: dict) -> tuple[str, bool]:
    name = change.get("name") or change["facilitator"]
    return f"Disable the account of facilitator {name}: they are offered nothing more", False


def _words_move_deadline(change: dict) -> tuple[str, bool]:
    return f"{kinds.describe(change)} (the cohorts' deadlines are edited)", False


def _words_close_site(change: dict) -> tuple[str, bool]:
    return f"Add a closure: {kinds.describe(change)}", False


def _words_make_virtual(change: dict) -> tuple[str, bool]:
    name = change.get("program_name") or change["program"]
    return f"Set the delivery mode of {name} to virtual", False


def _words_add_learners(change: dict) -> tuple[str, bool]:
    return (
        f"Not done by promotion: add {change['count']} learners to cohort {change['cohort']} "
        "yourself (import or add them); the plan is solved again once they are in",
        True,
    )


def _words_seat_cost(change: dict) -> tuple[str, bool]:
    return f"{kinds.describe(change)} (the program is edited)", False


def _words_travel_cost(change: dict) -> tuple[str, bool]:
    return (
        f"Set every facilitator's travel costs to {float(change['percent']):g}% of what they are",
        False,
    )


_WORDS: dict[str, Callable[[dict], tuple[str, bool]]] = {
    "add_facilitator": _words_add_facilitator,
    "remove_facilitator": _words_remove_facilitator,
    "move_deadline": _words_move_deadline,
    "close_site": _words_close_site,
    "make_virtual": _words_make_virtual,
    "add_learners": _words_add_learners,
    "seat_cost": _words_seat_cost,
    "travel_cost": _words_travel_cost,
}


# --- applying them ----------------------------------------------------------------------------


def _one(model, key: str, what: str):
    found = db.session.scalar(select(model).where(model.key == key))
    if found is None:
        raise PromotionRefused(f"The {what} {key!r} no longer exists; nothing was changed.")
    return found


def apply_add_facilitator(period: PlanningPeriod, base: dict, change: dict) -> None:
    """A placeholder facilitator with the hypothetical one's key, skills, site, rate and weeks."""
    if db.session.scalar(select(Facilitator.id).where(Facilitator.key == change["id"])):
        raise PromotionRefused(
            f"A facilitator with the key {change['id']!r} exists already; nothing was changed."
        )
    site = _one(Site, change["site"], "site") if change.get("site") else None
    zone = change.get("timezone") or base["timezone"]
    user = User(
        email=f"{change['id']}@{PLACEHOLDER_DOMAIN}",
        name=f"{change['name']} (placeholder)",
        role=Role.FACILITATOR,
        timezone=zone,
        # Nobody knows this password: the placeholder is filled in, not signed in to.
        password_hash=generate_password_hash(secrets.token_urlsafe(32)),
    )
    facilitator = Facilitator(
        key=change["id"], user=user, site=site, timezone=zone, hourly_rate=change["hourly_rate"]
    )
    facilitator.skills = [FacilitatorSkill(skill=skill) for skill in change["skills"]]
    db.session.add_all([user, facilitator])
    db.session.flush()
    for day, ranges in change["weekly"].items():
        for start, end in ranges:
            db.session.add(
                AvailabilityRule(
                    kind=AvailabilityKind.WEEKLY,
                    facilitator_id=facilitator.id,
                    weekday=WEEKDAYS.index(day),
                    start_time=time.fromisoformat(start),
                    end_time=time(0, 0) if end == "24:00" else time.fromisoformat(end),
                    note="From a scenario: a placeholder's hours",
                )
            )


def apply_remove_facilitator(period: PlanningPeriod, base: dict, change: dict) -> None:
    """The facilitator's account is disabled: the planning leaves them out."""
    facilitator = _one(Facilitator, change["facilitator"], "facilitator")
    facilitator.user.is_enabled = False


def apply_move_deadline(period: PlanningPeriod, base: dict, change: dict) -> None:
    """The deadline of the scenario's cohorts (or the one chosen) moves by the days given."""
    keys = [change["cohort"]] if change.get("cohort") else [c["id"] for c in base["cohorts"]]
    for key in keys:
        cohort = _one(Cohort, key, "cohort")
        cohort.deadline = (cohort.deadline or period.end) + timedelta(days=int(change["days"]))
        if cohort.earliest and cohort.deadline < cohort.earliest:
            raise PromotionRefused(
                f"Cohort {key}'s deadline would fall before its earliest start; nothing was changed."
            )


def apply_close_site(period: PlanningPeriod, base: dict, change: dict) -> None:
    site = _one(Site, change["site"], "site")
    db.session.add(
        Closure(
            name="Closed (from a scenario)",
            site=site,
            start=date.fromisoformat(change["start"]),
            end=date.fromisoformat(change["end"]),
        )
    )


def apply_make_virtual(period: PlanningPeriod, base: dict, change: dict) -> None:
    _one(Program, change["program"], "program").mode = ProgramMode.VIRTUAL


def apply_add_learners(period: PlanningPeriod, base: dict, change: dict) -> None:
    """Learners are people: promotion cannot make them up (listed as work left by hand)."""


def apply_seat_cost(period: PlanningPeriod, base: dict, change: dict) -> None:
    _one(Program, change["program"], "program").seat_cost = float(change["amount"])


def apply_travel_cost(period: PlanningPeriod, base: dict, change: dict) -> None:
    """Travel costs of the scenario's facilitators, scaled as in the scenario."""
    factor = float(change["percent"]) / 100
    keys = [f["id"] for f in base["facilitators"] if not f.get("x-hypothetical")]
    for facilitator in db.session.scalars(select(Facilitator).where(Facilitator.key.in_(keys))):
        for cost in facilitator.travel_costs:
            cost.cost = round(float(cost.cost) * factor, 2)


APPLY: dict[str, Callable[[PlanningPeriod, dict, dict], None]] = {
    "add_facilitator": apply_add_facilitator,
    "remove_facilitator": apply_remove_facilitator,
    "move_deadline": apply_move_deadline,
    "close_site": apply_close_site,
    "make_virtual": apply_make_virtual,
    "add_learners": apply_add_learners,
    "seat_cost": apply_seat_cost,
    "travel_cost": apply_travel_cost,
}


def promote(scenario: Scenario, confirmed: set[int], user: User | None) -> Promoted:
    """Make the scenario's changes real and its plan a draft, all in one transaction (committed).

    Every change must be confirmed (its position in ``confirmed``) and the scenario solved for
    its current changes; otherwise, or if any change fails, nothing is changed."""
    listed = real_changes(scenario)
    missing = [c.position + 1 for c in listed if c.position not in confirmed]
    if missing:
        raise PromotionRefused(
            "Confirm every change (tick each one) or remove it from the scenario first; "
            f"not confirmed: {', '.join(map(str, missing))}. Nothing was changed."
        )
    if scenario.status != ScenarioStatus.SOLVED or scenario.schedule is None:
        raise PromotionRefused("Solve the scenario before promoting it. Nothing was changed.")
    if scenario.promoted_at is not None:
        raise PromotionRefused("This scenario was promoted already. Nothing was changed.")
    period, base, schedule = scenario.period, scenario.base, scenario.schedule
    try:
        for change in scenario.changes:
            APPLY[change["kind"]](period, base, change)
        db.session.flush()
        real = period_problem(period)
        problem, errors = parse_problem(real)
        if problem is None:
            raise PromotionRefused(
                "With these changes the period's data is not a valid problem ("
                + "; ".join(f"{e['path']}: {e['message']}" for e in errors[:3])
                + "). Nothing was changed."
            )
        problems = [f"{v['rule']}: {v['message']}" for v in check(problem, schedule)]
        draft = None
        if not problems:
            draft = store_version(
                period,
                real,
                schedule,
                origin=VersionOrigin.SOLVE,
                created_by=user,
                note=f"from scenario {scenario.name}"[:400],
            )
            draft.period_version = period.version
        scenario.promoted_at = utcnow()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return Promoted(draft, problems, [c.words for c in listed if c.by_hand])
