"""Cohorts that may never be in session together (``candidates._conflict_cliques``): one clique
per shared learner or conflict group, each set of cohorts once (under its first key in sorted
order), in the order the model, the neighbourhoods and the checker's explanations rely on."""

from __future__ import annotations

from collections import defaultdict

import pytest
from tiny import cohort, doc, problem

from solver.candidates import _conflict_cliques


def every_key_sorted(p):
    """The cliques as they were made before: every learner and tag keyed, all keys sorted."""
    members = defaultdict(list)
    for c in p.cohorts.values():
        for learner in set(c.learners):
            members[f"learner:{learner}"].append(c.id)
        for tag in set(c.conflict_groups):
            members[f"group:{tag}"].append(c.id)
    cliques, seen = {}, set()
    for key, cohorts in sorted(members.items()):
        ids = tuple(sorted(set(cohorts)))
        if len(ids) > 1 and ids not in seen:
            seen.add(ids)
            cliques[key] = list(ids)
    return cliques


def test_a_shared_learner_or_group_makes_one_clique_each_set_once():
    p = problem(doc(cohorts=[
        cohort("c3", learners=["zoe", "ana"], conflict_groups=["night"]),
        cohort("c1", learners=["ana", "bob"], conflict_groups=["night"]),
        cohort("c2", learners=["bob", "cy"]),
        cohort("c4", learners=["dee"]),
    ]))  # fmt: skip
    assert _conflict_cliques(p) == {"group:night": ["c1", "c3"], "learner:bob": ["c1", "c2"]}
    assert list(_conflict_cliques(p)) == ["group:night", "learner:bob"]


@pytest.mark.parametrize("size,seed", [("M", 11), ("L", 2)])
def test_generated_problems_give_the_cliques_of_every_key_sorted(size, seed):
    from bench.generate import generate
    from solver.validate import parse_problem

    p, errors = parse_problem(generate(size, seed))
    assert errors == []
    cliques = _conflict_cliques(p)
    assert len(cliques) > 10
    assert list(cliques.items()) == list(every_key_sorted(p).items())
