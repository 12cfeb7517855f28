"""Helpers of the scenario tests: create and change scenarios through their pages, and a dump of
the real data to prove a scenario leaves it alone."""

from __future__ import annotations

from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import Scenario

#: Tables a scenario may write: its own, and the data stamps that record which tables changed.
SCENARIO_TABLES = {"scenario", "data_stamp"}


def real_data() -> dict[str, list]:
    """Every row of every table but the scenarios' own, in a stable order."""
    db.session.rollback()
    dump = {}
    for table in db.metadata.sorted_tables:
        if table.name in SCENARIO_TABLES:
            continue
        rows = db.session.execute(select(table)).all()
        dump[table.name] = sorted(tuple(map(repr, row)) for row in rows)
    db.session.rollback()
    return dump


def scenario(scenario_id: int) -> Scenario:
    db.session.rollback()
    return db.session.get(Scenario, scenario_id, populate_existing=True)


def create(client, period_id: int, name: str = "What if") -> int:
    response = client.post(f"/planning/{period_id}/scenarios", data={"name": name})
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def add(client, scenario_id: int, kind: str, data: dict):
    return client.post(f"/scenarios/{scenario_id}/changes/new?kind={kind}", data=data)


HIRE = {
    "name": "New hire",
    "skills": ["security"],
    "hourly_rate": "60",
    "days": ["mon", "tue", "wed", "thu", "fri"],
    "start": "09:00",
    "end": "17:00",
}
