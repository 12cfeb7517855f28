"""The JSON Schema files declare every property the issue's example documents use.

No validator dependency: a small walker follows ``properties``, ``items``, ``prefixItems``,
``additionalProperties``, ``anyOf`` and local ``$ref``s, and lists properties the schema does not declare.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from solver.schedule import invalid_schedule

DATA = Path(__file__).parent / "data"


def load_schema(name: str) -> dict[str, Any]:
    return json.loads(
        resources.files("solver").joinpath("schema", name).read_text(encoding="utf-8")
    )


def undeclared(
    value: Any, schema: dict[str, Any], root: dict[str, Any], path: str = "$"
) -> list[str]:
    """Paths of object properties in ``value`` that ``schema`` does not declare."""
    schema = _resolve(schema, root)
    if schema is None:
        return []
    if "anyOf" in schema:
        options = [_resolve(s, root) for s in schema["anyOf"]]
        fitting = [s for s in options if s is not None and _fits(value, s)]
        return undeclared(value, fitting[0], root, path) if fitting else [path]
    if isinstance(value, dict):
        out = []
        for key, item in value.items():
            if key in schema.get("properties", {}):
                out += undeclared(item, schema["properties"][key], root, f"{path}.{key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                out += undeclared(item, schema["additionalProperties"], root, f"{path}.{key}")
            elif schema.get("additionalProperties") is not True:
                out.append(f"{path}.{key}")
        return out
    if isinstance(value, list):
        prefix = schema.get("prefixItems", [])
        return [
            p
            for k, item in enumerate(value)
            for p in undeclared(
                item, prefix[k] if k < len(prefix) else schema.get("items"), root, f"{path}[{k}]"
            )
        ]
    return []


def _resolve(schema: dict[str, Any] | None, root: dict[str, Any]) -> dict[str, Any] | None:
    if schema and "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/"):
            return {"additionalProperties": True}  # another file (previous): tested on its own
        for part in ref[2:].split("/"):
            root = root[part]
        return root
    return schema


def _fits(value: Any, schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return {
        "null": value is None, "object": isinstance(value, dict), "array": isinstance(value, list),
        "string": isinstance(value, str), "integer": isinstance(value, int), "number": isinstance(value, int | float),
        "boolean": isinstance(value, bool),
    }.get(kind, True)  # fmt: skip


@pytest.mark.parametrize(
    ("example", "schema"),
    [("issue_problem.json", "problem.v1.json"), ("issue_schedule.json", "schedule.v1.json")],
)
def test_the_issue_examples_use_only_declared_properties(example, schema):
    root = load_schema(schema)
    doc = json.loads((DATA / example).read_text())
    assert undeclared(doc, root, root) == []


def test_the_walker_notices_an_undeclared_property():
    root = load_schema("problem.v1.json")
    doc = json.loads((DATA / "issue_problem.json").read_text())
    doc["cohorts"][0]["deadine"] = "2027-02-12"
    assert undeclared(doc, root, root) == ["$.cohorts[0].deadine"]


def test_the_invalid_schedule_document_uses_only_declared_properties():
    root = load_schema("schedule.v1.json")
    doc = invalid_schedule([{"path": "$", "message": "the file is empty"}])
    assert undeclared(doc, root, root) == []


def test_both_schemas_are_draft_2020_12():
    for name in ("problem.v1.json", "schedule.v1.json"):
        assert load_schema(name)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_problem_schema_states_the_validators_limits():
    from solver import limits

    schema = load_schema("problem.v1.json")
    defs = schema["$defs"]
    money = defs["money"]
    assert (money["minimum"], money["maximum"]) == (0, limits.MAX_AMOUNT)
    assert money["multipleOf"] == 10**-limits.CENT_DECIMALS
    assert defs["id"]["maxLength"] == limits.MAX_TEXT
    learners = [
        defs["cohort"]["properties"]["size"]["maximum"],
        defs["cohort"]["properties"]["learners"]["maxItems"],
        defs["room"]["properties"]["capacity"]["maximum"],
        defs["cohortPart"]["properties"]["learners"]["maximum"],
        *(item["maximum"] for item in defs["seatRange"]["prefixItems"]),
    ]
    assert learners == [limits.MAX_LEARNERS] * 6
    minutes = [
        schema["properties"]["slot_minutes"]["maximum"],
        defs["program"]["properties"]["sessions"]["items"]["maximum"],
        defs["facilitator"]["properties"]["max_minutes_per_day"]["anyOf"][0]["maximum"],
        defs["facilitator"]["properties"]["buffer_minutes"]["maximum"],
    ]
    assert minutes == [limits.MAX_MINUTES] * 4
    assert defs["program"]["properties"]["sessions"]["maxItems"] == limits.MAX_SESSIONS
    assert defs["fixed"]["properties"]["session"]["maximum"] == limits.MAX_SESSIONS
    assert [item["maximum"] for item in defs["gapRange"]["prefixItems"]] == [limits.MAX_DAYS] * 2
