"""The navigation menu of each role, as (endpoint, label) pairs.

Each user area adds its entry here; endpoints that are not registered (yet) are skipped so
that the menu never links to a page that does not exist.
"""

from __future__ import annotations

from flask import Flask, current_app

MENU: dict[str, list[tuple[str, str]]] = {
    "coordinator": [
        ("sites.index", "Sites & rooms"),
        ("programs.index", "Programs"),
        ("learners.index", "Learners"),
        ("cohorts.index", "Cohorts"),
        ("facilitators.index", "Facilitators"),
        ("imports.index", "Imports"),
        ("planning.index", "Planning"),
        ("calendars.index", "Calendars"),
        ("audit.index", "Audit log"),
        ("followups.index", "Follow-ups"),
        ("reports.index", "Reports"),
        ("learning_records.index", "Learning records"),
    ],
    "facilitator": [
        ("availability.mine", "My availability"),
        ("calendars.mine", "My calendar"),
        ("followups.my_sessions", "Attendance"),
    ],
    "manager": [
        ("learners.team", "My team"),
        ("team.training", "Team training"),
    ],
}


def nav_links(role: str) -> list[tuple[str, str]]:
    """The menu entries of ``role`` whose pages exist."""
    endpoints = current_app.view_functions
    return [
        (endpoint, label) for endpoint, label in MENU.get(str(role), []) if endpoint in endpoints
    ]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["nav_links"] = nav_links
