"""The demo's two ready what-if scenarios of its rollout quarter (issue 19).

"Hire two in Manchester": two hypothetical till trainers at the Manchester hub, on the store
trainers' early weekday hours, at the Manchester trainers' rate. "Security workshop fully
virtual": the security champions workshop taught online. Both are copies of the quarter as the
demo loads it, not solved yet: solving them is the first thing to try on the scenarios page.
"""

from __future__ import annotations

import json

from scheduler.models import PlanningPeriod, Scenario, User
from scheduler.planning.mapping import period_problem
from scheduler.scenarios.changes import weekly_ranges

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def hire_in_manchester(number: int) -> dict:
    """A hypothetical till trainer at the Manchester hub."""
    return {
        "kind": "add_facilitator",
        "id": f"new-manchester-trainer-{number}",
        "name": f"Manchester trainer {number} (to hire)",
        "skills": ["pos", "pos-lead"],
        "site": "manchester",
        "hourly_rate": 48.0,
        "weekly": weekly_ranges(WEEKDAYS, "06:30", "12:30"),
    }


VIRTUAL_SECURITY = {
    "kind": "make_virtual",
    "program": "security-champions",
    "program_name": "Security champions workshop",
}


def demo_scenarios(period: PlanningPeriod, coordinator: User) -> list[Scenario]:
    """The two scenarios of ``period`` (flushed already, with everything it plans)."""
    base = json.dumps(period_problem(period), sort_keys=True)
    made = [
        ("Hire two in Manchester", [hire_in_manchester(1), hire_in_manchester(2)]),
        ("Security workshop fully virtual", [VIRTUAL_SECURITY]),
    ]
    return [
        Scenario(
            period_id=period.id,
            name=name,
            base_json=base,
            changes_json=json.dumps(changes, sort_keys=True),
            created_by_id=coordinator.id,
        )
        for name, changes in made
    ]
