"""The checker's rules in the coordinator's words, for refusing a manual move.

The checker names rules for engineers (``facilitator_double_booked``); a coordinator who tried
to move a session needs to read what is wrong with the new time, person or room.
"""

from __future__ import annotations

import re

_SESSION_PATH = re.compile(r"sections\[(\d+)\]\.sessions\[(\d+)\]")

RULE_WORDS = {
    "facilitator_double_booked": "The facilitator is already teaching then "
    "(or would have no break between two sessions).",
    "facilitator_unavailable": "The facilitator is not available then.",
    "facilitator_daily_maximum": "The facilitator would teach more than their daily maximum.",
    "facilitator_skill": "The facilitator does not have the skill this program needs.",
    "facilitator_missing": "Every session needs a facilitator.",
    "same_facilitator": "This program keeps one facilitator for all its sessions.",
    "room_double_booked": "The room is already booked then.",
    "room_unavailable": "The room is not available then.",
    "room_capacity": "The room is too small for this section.",
    "room_site": "The room is not at the learners' site.",
    "section_site": "The section's sessions would be at different sites.",
    "room_missing": "An in-person session needs a room.",
    "room_not_allowed": "A virtual session has no room.",
    "cohort_hours": "It is outside the learners' attendance hours.",
    "cohort_unavailable": "It falls in a blocked period of a cohort.",
    "cohort_dates": "It is outside a cohort's dates (earliest start or deadline).",
    "learner_conflict": "Some learners have another session at that time.",
    "gap_days": "The days between this session and the one before or after it break the "
    "program's spacing.",
    "session_order": "Sessions must stay in order: one would start before the previous one ends.",
    "horizon": "It is outside the planning period.",
    "slot_grid": "Start times must be on the period's grid of start times.",
    "fixed_session": "It would change another pinned or locked session.",
}


def violation_messages(violations: list[dict], schedule: dict) -> list[str]:
    """One sentence per broken rule (the first occurrence's detail in brackets), in rule order."""
    seen: dict[str, str] = {}
    for found in violations:
        seen.setdefault(found["rule"], found["message"])
    return [
        f"{RULE_WORDS.get(rule, 'Not allowed.')} ({_named_sessions(detail, schedule)})"
        for rule, detail in seen.items()
    ]


def _named_sessions(detail: str, schedule: dict) -> str:
    """``sections[3].sessions[1]`` in a checker message as "section S4 session 2"."""

    def name(match: re.Match) -> str:
        section, session = int(match[1]), int(match[2])
        sections = schedule.get("sections") or []
        key = sections[section]["id"] if section < len(sections) else section + 1
        return f"section {key} session {session + 1}"

    return _SESSION_PATH.sub(name, detail)


def problem_error_messages(errors: list[dict]) -> list[str]:
    """Errors of the problem with the moved session fixed: only the new start can cause them."""
    return [f"This change is not possible: {error['message']}" for error in errors]
