"""The lower bound of a schedule solved in parts (issue 18), and what it is made of.

A part that is a whole component (or several packed together) is independent of every other
part: no rule and no cost item involves cohorts of two components, so the cost of the whole is
the sum of the parts' costs and the sum of the parts' valid bounds is a valid bound of the whole.

A component split into sub-parts is different: each sub-part was solved with only the
facilitators and rooms given to it, so its bound is a bound of that restricted problem, not of
its cohorts in the whole (another sub-part's facilitator may be cheaper for them). The
component's bound is therefore computed on the component unsplit (``part_document`` with every
facilitator and room its cohorts could use): the analytic bound always, the LP within the
budget ``bound_seconds`` gives it. The merged schedule of the sub-parts is a schedule of the
component, so that bound is at most its cost.

The merged bound is None as soon as one piece has none (a part whose pre-filtering was cut
short, or a split component whose budget ran out before its candidates were built).
"""

from __future__ import annotations

import time
from typing import Any

from solver.deadline import Deadline
from solver.decompose import part_document
from solver.problem import Problem
from solver.validate import parse_problem

# The split components' bound gets this share of the time limit, within these seconds, plus
# its candidates' time. Measured on the 2,000-cohort XL instance, one component (load 2, 2
# cores): candidates 1.8 s, the analytic bound 0.04 s (2,172,265), the LP 11 s with building
# (2,218,338, +2.1 %); on 10,000 cohorts the candidates took 4 s and the LP over 100 s, weaker
# than the analytic bound when cut short (bench/results/log.md, "Bound of a split run").
BOUND_SHARE, MIN_BOUND_SECONDS, MAX_BOUND_SECONDS = 0.05, 1.0, 20.0
CANDIDATE_SECONDS_PER_COHORT = 1e-3
# GLOP's own cap, as for an unsplit solve (``solver.solve.BOUND_SECONDS``).
LP_SECONDS = 5.0


def split_parts(tags: list[dict[str, Any]]) -> dict[int, list[int]]:
    """Per split component (its number in ``x-part``), the indexes of its sub-parts."""
    out: dict[int, list[int]] = {}
    for k, tag in enumerate(tags):
        if tag.get("split"):
            out.setdefault(tag.get("component", 0), []).append(k)
    return out


def bound_seconds(time_limit: float, split_cohorts: int) -> float:
    """Seconds a split solve keeps for its split components' bound (0 when none is split)."""
    if split_cohorts <= 0:
        return 0.0
    lp = min(MAX_BOUND_SECONDS, max(MIN_BOUND_SECONDS, BOUND_SHARE * time_limit))
    return CANDIDATE_SECONDS_PER_COHORT * split_cohorts + lp


def split_cohorts(part_docs: list[dict[str, Any]]) -> int:
    """How many cohorts the split components hold."""
    return sum(len(d["cohorts"]) for d in part_docs if d.get("x-part", {}).get("split"))


def split_bounds(
    document: dict[str, Any], problem: Problem, part_docs: list[dict[str, Any]], deadline: Deadline
) -> dict[int, dict | None]:
    """Per split component, what its bound unsplit is made of (``bound_parts``, with
    ``seconds``), or None when ``deadline`` came before its candidates were built."""
    tags = [d.get("x-part", {}) for d in part_docs]
    out = {}
    for number, indexes in split_parts(tags).items():
        cohorts = [c["id"] for k in indexes for c in part_docs[k]["cohorts"]]
        out[number] = component_bound(document, problem, cohorts, deadline)
    return out


def component_bound(
    document: dict[str, Any], problem: Problem, cohorts: list[str], deadline: Deadline
) -> dict | None:
    """``bound_parts`` of the component ``cohorts`` solved whole, with every facilitator and
    room it could use; the LP only as far as ``deadline`` lets it (the analytic bound stands)."""
    from solver import candidates  # loads OR-Tools: only where parts merge
    from solver.lower_bound import lower_bound_parts

    started = time.monotonic()
    whole, errors = parse_problem(part_document(document, problem, cohorts))
    if whole is None:  # a part of a valid problem is valid: a bug in part_document, say so
        raise ValueError(f"the split component is not a valid problem: {errors[:3]}")
    cand = candidates.build(whole, deadline=deadline)
    parts = lower_bound_parts(cand, min(LP_SECONDS, deadline.left()), deadline)
    if parts is not None:
        parts["seconds"] = round(time.monotonic() - started, 3)
    return parts


def merged_bound(
    schedules: list[dict[str, Any]],
    tags: list[dict[str, Any]],
    component_bounds: dict[int, dict | None] | None,
    cost: float,
) -> tuple[float | None, dict]:
    """The merged schedule's bound (None when a piece has none) and what it is made of: per
    piece (a whole part, or a split component's sub-parts) its bound and which bound it is, and
    the sums of the analytic and LP bounds and of the analytic bound's items."""
    from solver.solve import reported_bound  # loads OR-Tools: only where parts merge

    pieces = [
        _piece([k], False, s.get("lower_bound"), (s.get("solver") or {}).get("bound_parts"))
        for k, (s, t) in enumerate(zip(schedules, tags, strict=True))
        if not t.get("split")
    ]
    for number, indexes in split_parts(tags).items():
        parts = (component_bounds or {}).get(number)
        piece_cost = sum(schedules[k]["cost"]["total"] for k in indexes)
        value = None if parts is None else reported_bound(parts[parts["used"]], piece_cost)
        pieces.append(_piece(indexes, True, value, parts))
    values = [p["bound"] for p in pieces]
    total = None if None in values else reported_bound(round(sum(values), 2), cost)
    return total, {**_sums(pieces, [t.get("cohorts") for t in tags]), "combined": total,
                   "used": "combined"}  # fmt: skip


def _piece(indexes: list[int], split: bool, bound: float | None, parts: dict | None) -> dict:
    return {"parts": indexes, "split": split, "bound": bound, "of": parts}


def _sums(pieces: list[dict], cohorts: list[int | None]) -> dict:
    """The pieces listed, and the analytic and LP bounds and items added up when every piece
    has them (each is valid per piece, so each sum is valid for the whole)."""
    from solver.lower_bound import BoundItems

    listed = [
        {
            "parts": p["parts"],
            "split": p["split"],
            "cohorts": sum(cohorts[k] or 0 for k in p["parts"]),
            "bound": p["bound"],
            "used": (p["of"] or {}).get("used"),
            **({"seconds": p["of"]["seconds"]} if p["split"] and p["of"] else {}),
        }
        for p in pieces
    ]
    out: dict[str, Any] = {"pieces": listed}
    if all(p["of"] for p in pieces):
        out["analytic"] = round(sum(p["of"]["analytic"] for p in pieces), 2)
        out["lp"] = round(sum(p["of"]["lp"] for p in pieces), 2)
        items = BoundItems()
        for p in pieces:
            money = p["of"].get("analytic_items") or {}
            items.add(BoundItems(**{k: round(v * 100) for k, v in money.items()}))
        out["analytic_items"] = items.money()
    return out
