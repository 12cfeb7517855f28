"""Capacity planning: the solver hires from the hiring pool exactly when that is cheapest.

Small constructed cases whose minimum is known by hand, one checked by brute force over every
subset of the pool and every start week (each solved by the ordinary engine, pool members turned
into ordinary facilitators), and one test per hiring rule of the model and of the checker.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import json
import subprocess
import sys
import threading
from datetime import date, datetime
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from solver import candidates
from solver.capacity import (
    POOL_MODEL_COHORTS,
    HiringVars,
    _filled,
    add_hiring,
    hired_document,
    hiring_cost,
    plan_of,
    starts_within_reach,
    teaches_from_start_week,
    teaches_only_if_hired,
)
from solver.check import check
from solver.deadline import Deadline
from solver.greedy import greedy_plan
from solver.hire_fill import fill_hires
from solver.hire_search import Search, Staffing, checked_swap, hired_problem, priced
from solver.hire_swap import swapped_in, with_swaps
from solver.hiring import staffed
from solver.model import ScheduleModel
from solver.plan import Plan, price
from solver.solve import solve
from solver.validate import parse_problem
from tests.solver import tiny

ROOT = Path(__file__).resolve().parents[2]
ONE_SLOT = {"mon": [["09:00", "10:00"]]}  # one 60-minute session a week
TWO_WEEKS = {"start": "2027-01-04", "end": "2027-01-15"}


def member(mid: str, onboarding: float = 300.0, per_week: float = 100.0, **over):
    """A pool member: a tiny facilitator (100 an hour) with hiring costs."""
    return tiny.facilitator(mid, onboarding_cost=onboarding, weekly_cost=per_week, **over)


def apart(*ids: str, **over):
    """Cohorts of 10 that cannot share a section: each needs its own session."""
    return [tiny.cohort(c, mergeable=False, **over) for c in ids]


def hires(schedule) -> dict[str, str]:
    return {h["id"]: h["from"] for h in schedule["hires"]}


# --- known minima -------------------------------------------------------------------------------


def test_no_hire_when_existing_facilitators_suffice():
    schedule = tiny.solved(tiny.doc(cohorts=apart("c1"), hiring_pool=[member("h1")]))
    assert schedule["hires"] == []
    assert schedule["cost"]["hiring"] == 0.0
    assert schedule["cost"]["total"] == 100.0  # ana's one hour
    assert tiny.unscheduled(schedule) == {}


def test_exactly_one_hire_when_one_more_cohort_cannot_be_placed():
    document = tiny.doc(
        cohorts=apart("c1", "c2"),
        facilitators=[tiny.facilitator("ana", weekly=ONE_SLOT)],
        hiring_pool=[member("h1"), member("h2", site="leeds")],
    )
    schedule = tiny.solved(document)
    assert len(schedule["hires"]) == 1
    assert tiny.unscheduled(schedule) == {}
    # ana 100 + the hire's hour 100 + onboarding 300 + one week 100
    assert schedule["cost"]["total"] == 600.0
    assert schedule["cost"]["hiring"] == 400.0
    assert schedule["status"] == "optimal"


def test_the_cheaper_of_two_pool_members_is_hired():
    document = tiny.doc(
        cohorts=apart("c1", "c2"),
        facilitators=[tiny.facilitator("ana", weekly=ONE_SLOT)],
        hiring_pool=[member("dear", onboarding=900.0), member("cheap", onboarding=250.0)],
    )
    schedule = tiny.solved(document)
    assert hires(schedule) == {"cheap": "2027-01-04"}
    assert schedule["hires"][0]["cost"] == {"onboarding": 250.0, "weekly": 100.0}


def test_a_need_at_one_site_hires_at_that_site():
    # In person: the London pool member would pay travel to Leeds, the Leeds one would not.
    document = tiny.doc(
        programs=[tiny.program(mode="in_person")],
        cohorts=[
            tiny.cohort("london1", mergeable=False),
            tiny.cohort("leeds1", mergeable=False, site="leeds"),
        ],
        facilitators=[tiny.facilitator("ana", weekly=ONE_SLOT, travel_cost={"leeds": 500.0})],
        hiring_pool=[
            member("in_london", travel_cost={"leeds": 400.0}),
            member("in_leeds", site="leeds", travel_cost={"london": 400.0}),
        ],
        rooms=[tiny.room("r_london"), tiny.room("r_leeds", site="leeds")],
    )
    schedule = tiny.solved(document)
    assert [(h["id"], h["site"]) for h in schedule["hires"]] == [("in_leeds", "leeds")]
    taught = {x["facilitator"] for x in tiny.sessions(schedule) if "leeds1" in x["cohorts"]}
    assert taught == {"in_leeds"}
    assert schedule["cost"]["travel"] == 0.0


def test_hiring_does_not_pay_when_leaving_learners_out_is_cheaper():
    document = tiny.doc(
        cohorts=apart("c1") + apart("c2", size=1, unscheduled_cost=50.0),
        facilitators=[tiny.facilitator("ana", weekly=ONE_SLOT)],
        hiring_pool=[member("h1")],
    )
    schedule = tiny.solved(document)
    assert schedule["hires"] == []
    assert tiny.unscheduled(schedule) == {"c2": 1}


def test_a_hire_starts_the_week_the_late_cohort_needs_them():
    document = tiny.doc(
        horizon=TWO_WEEKS,
        cohorts=apart("c1", "c2") + apart("late", earliest="2027-01-11"),
        facilitators=[tiny.facilitator("ana", weekly=ONE_SLOT)],
        hiring_pool=[member("h1", per_week=100.0)],
    )
    schedule = tiny.solved(document)
    # ana teaches one cohort each Monday; the third needs a hire, cheapest from week 2.
    assert hires(schedule) == {"h1": "2027-01-11"}
    assert schedule["hires"][0]["weeks"] == 1
    assert schedule["cost"]["hiring"] == 400.0


def test_a_member_is_not_hired_before_their_earliest_start():
    document = tiny.doc(
        cohorts=apart("c1", "c2"),
        facilitators=[tiny.facilitator("ana", weekly=ONE_SLOT)],
        hiring_pool=[member("h1", earliest_start="2027-01-11")],
        horizon=TWO_WEEKS,
    )
    for c in document["cohorts"]:
        c["deadline"] = "2027-01-08"
    schedule = tiny.solved(document)
    assert schedule["hires"] == []
    assert sum(tiny.unscheduled(schedule).values()) == 10


# --- brute force --------------------------------------------------------------------------------


def brute_force_document():
    """Four cohorts over two weeks, ana teaching one of them a week, a pool of three."""
    return tiny.doc(
        horizon=TWO_WEEKS,
        cohorts=apart("c1", "c2", "c3") + apart("late", earliest="2027-01-11"),
        facilitators=[tiny.facilitator("ana", weekly=ONE_SLOT)],
        hiring_pool=[
            member("a", onboarding=200.0, per_week=150.0, weekly=ONE_SLOT),
            member("b", onboarding=500.0, per_week=20.0),
            member("c", onboarding=50.0, per_week=400.0, hourly_rate=30.0),
        ],
    )


def fixed_pool_cost(document, choice: dict[str, int | None]) -> float:
    """Cost of the best schedule when pool member m is hired from week choice[m] (None: not
    hired), found by the ordinary engine with the hires turned into ordinary facilitators."""
    plain = copy.deepcopy(document)
    pool = {m["id"]: m for m in plain.pop("hiring_pool")}
    hiring = 0.0
    for mid, week in choice.items():
        if week is None:
            continue
        m = pool[mid]
        person = {k: v for k, v in m.items() if k not in ("onboarding_cost", "weekly_cost")}
        starts = date(2027, 1, 4 + 7 * week)
        person["unavailable"] = [["2027-01-01T00:00", f"{starts}T00:00"]]
        plain["facilitators"].append(person)
        hiring += m["onboarding_cost"] + m["weekly_cost"] * (2 - week)
    schedule = tiny.solved(plain)
    assert schedule["status"] == "optimal"
    return round(schedule["cost"]["total"] + hiring, 2)


def test_capacity_plan_equals_the_brute_force_minimum():
    document = brute_force_document()
    options = [None, 0, 1]
    best = min(
        fixed_pool_cost(document, dict(zip("abc", weeks, strict=True)))
        for weeks in itertools.product(options, repeat=3)
    )
    schedule = tiny.solved(document, time_limit=20.0)
    assert schedule["status"] == "optimal"
    assert schedule["cost"]["total"] == best


def test_brute_force_case_hires_someone_and_places_everyone():
    # Guards the brute-force test against a case where nobody is worth hiring.
    schedule = tiny.solved(brute_force_document(), time_limit=20.0)
    assert schedule["hires"] != []
    assert tiny.unscheduled(schedule) == {}


# --- one test per hiring rule of the model ------------------------------------------------------


def bare_model(document, *rules):
    """The schedule model over the staffed problem with only ``rules`` of the hiring rules."""
    problem = tiny.problem(document)
    sm = ScheduleModel(candidates.build(staffed(problem)))
    weeks = 2
    hv = HiringVars(weeks, {}, {})
    for f in problem.hiring_pool:
        hv.hired[f] = sm.model.new_bool_var(f"hire.{f}")
        hv.start[f] = sm.model.new_int_var(0, weeks, f"hire.{f}.start")
    for rule in rules:
        rule(sm, hv)
    return sm, hv


def pool_only_document(**pool_over):
    """One cohort that only the pool member h1 can teach (ana lacks the skill)."""
    return tiny.doc(
        horizon=TWO_WEEKS,
        cohorts=apart("c1", deadline="2027-01-08"),
        facilitators=[tiny.facilitator("ana", skills=["other"])],
        hiring_pool=[member("h1", **pool_over)],
    )


def feasible(sm) -> bool:
    return cp_model.CpSolver().solve(sm.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def h1_teaches(sm) -> list:
    return [lit for s in sm.sections for x in s.sessions for f, lit in x.facilitators.items()]


def test_rule_teaches_only_if_hired():
    sm, hv = bare_model(pool_only_document(), teaches_only_if_hired)
    sm.model.add_bool_or(h1_teaches(sm))
    assert feasible(sm)
    sm.model.add(hv.hired["h1"] == 0)
    assert not feasible(sm)


def test_rule_starts_within_reach():
    sm, hv = bare_model(pool_only_document(earliest_start="2027-01-11"), starts_within_reach)
    sm.model.add(hv.hired["h1"] == 0)
    sm.model.add(hv.start["h1"] < 2)  # not hired means no start week inside the horizon
    assert not feasible(sm)
    sm, hv = bare_model(pool_only_document(earliest_start="2027-01-11"), starts_within_reach)
    sm.model.add(hv.hired["h1"] == 1)
    sm.model.add(hv.start["h1"] == 0)  # before the earliest start's week
    assert not feasible(sm)


def test_rule_teaches_from_start_week():
    sm, hv = bare_model(pool_only_document(), teaches_from_start_week)
    sm.model.add_bool_or(h1_teaches(sm))
    sm.model.add(hv.start["h1"] == 0)
    assert feasible(sm)
    sm.model.add(hv.start["h1"] == 1)  # c1's deadline is in week 0
    assert not feasible(sm)


def test_rule_hiring_cost():
    sm, hv = bare_model(pool_only_document(onboarding=300.0, per_week=100.0), hiring_cost)
    sm.model.add(hv.hired["h1"] == 1)
    sm.model.add(hv.start["h1"] == 0)
    solver = cp_model.CpSolver()
    solver.solve(sm.model)
    assert solver.value(sum(sm.costs["hiring"])) == 300_00 + 2 * 100_00


def test_add_hiring_puts_the_hiring_cost_in_the_objective():
    document = pool_only_document(onboarding=300.0, per_week=100.0)
    sm = ScheduleModel(candidates.build(staffed(tiny.problem(document))))
    add_hiring(sm)
    solver = cp_model.CpSolver()
    assert solver.solve(sm.model) == cp_model.OPTIMAL
    # Teaching c1 (100) and hiring h1 for two weeks (300 + 2 x 100) beat 10 learners left out.
    assert solver.objective_value == 600_00


# --- the checker --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hired_schedule():
    document = pool_only_document(onboarding=300.0, per_week=100.0)
    return tiny.problem(document), tiny.solved(document)


def rules_broken(problem, schedule) -> set[tuple[str, str]]:
    return {(v["rule"], v["path"]) for v in check(problem, schedule)}


def test_solved_schedule_hires_h1_for_both_weeks(hired_schedule):
    _, schedule = hired_schedule
    assert hires(schedule) == {"h1": "2027-01-04"}
    assert schedule["hires"][0]["weeks"] == 2
    assert schedule["cost"]["hiring"] == 500.0


def test_checker_refuses_a_session_by_a_member_not_hired(hired_schedule):
    problem, schedule = hired_schedule
    broken = copy.deepcopy(schedule)
    broken["hires"] = []
    found = rules_broken(problem, broken)
    assert ("hires", "sections[0].sessions[0].facilitator") in found
    assert ("cost", "cost.hiring") in found


def test_checker_refuses_teaching_before_the_hire_week(hired_schedule):
    problem, schedule = hired_schedule
    broken = copy.deepcopy(schedule)
    broken["hires"][0].update({"from": "2027-01-11", "weeks": 1})
    assert ("hires", "sections[0].sessions[0].facilitator") in rules_broken(problem, broken)


def test_checker_refuses_wrong_weeks_and_unknown_hires(hired_schedule):
    problem, schedule = hired_schedule
    broken = copy.deepcopy(schedule)
    broken["hires"][0]["weeks"] = 1
    broken["hires"].append({"id": "ghost", "from": "2027-01-04", "weeks": 2})
    found = rules_broken(problem, broken)
    assert ("hires", "hires[0].weeks") in found
    assert ("unknown_reference", "hires[1].id") in found


def test_checker_refuses_a_hire_before_the_earliest_start():
    document = pool_only_document(earliest_start="2027-01-11")
    document["cohorts"][0]["deadline"] = "2027-01-15"
    problem = tiny.problem(document)
    schedule = tiny.solved(document)
    assert hires(schedule) == {"h1": "2027-01-11"}
    broken = copy.deepcopy(schedule)
    broken["hires"][0].update({"from": "2027-01-04", "weeks": 2})
    assert ("hires", "hires[0].from") in rules_broken(problem, broken)


# --- the format ---------------------------------------------------------------------------------


def test_pool_member_with_a_facilitator_id_is_refused():
    document = tiny.doc(hiring_pool=[member("ana")])
    _, errors = parse_problem(document)
    assert {"path": "hiring_pool[0].id", "message": errors[0]["message"]} in errors
    assert "already a facilitator" in errors[0]["message"]


def test_pool_member_errors_name_their_path():
    document = tiny.doc(hiring_pool=[member("h1", onboarding=-5.0, earliest_start="soon")])
    _, errors = parse_problem(document)
    paths = {e["path"] for e in errors}
    assert {"hiring_pool[0].onboarding_cost", "hiring_pool[0].earliest_start"} <= paths


def test_problem_without_pool_has_no_hires_or_hiring_cost():
    schedule = tiny.solved(tiny.doc())
    assert "hires" not in schedule
    assert "hiring" not in schedule["cost"]


# --- command line -------------------------------------------------------------------------------


def test_command_line_solves_and_checks_a_problem_with_a_pool(tmp_path):
    # A real process: the CLI's time limit counts from the process's start.
    document = tiny.doc(
        cohorts=apart("c1", "c2"),
        facilitators=[tiny.facilitator("ana", weekly=ONE_SLOT)],
        hiring_pool=[member("h1")],
    )
    problem_file, schedule_file = tmp_path / "problem.json", tmp_path / "schedule.json"
    problem_file.write_text(json.dumps(document))

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "solver", *args], cwd=ROOT, capture_output=True, text=True,
            check=False,
        )  # fmt: skip

    solved = cli("solve", str(problem_file), "-o", str(schedule_file), "--time-limit", "20")
    assert solved.returncode == 0, solved.stderr
    assert hires(json.loads(schedule_file.read_text())) == {"h1": "2027-01-04"}
    assert "hire h1 (s) at london from 2027-01-04 for 1 week(s), 1 session(s)" in solved.stderr
    checked = cli("check", str(problem_file), str(schedule_file))
    assert checked.returncode == 0, checked.stdout


def test_a_session_only_a_pool_member_can_fit_is_not_a_document_error():
    long_day = {"mon": [["09:00", "17:00"]]}
    document = tiny.doc(
        programs=[tiny.program(sessions=[240])],
        cohorts=[tiny.cohort("c1", hours={"from": "09:00", "to": "17:00"})],
        facilitators=[tiny.facilitator("ana", weekly={"mon": [["09:00", "11:00"]]})],
    )
    _, errors = parse_problem(document)
    assert [e["path"] for e in errors] == ["programs[0].sessions[0]"]
    document["hiring_pool"] = [member("h1", weekly=long_day)]
    schedule = tiny.solved(document)
    assert hires(schedule) == {"h1": "2027-01-04"}


# --- larger problems: the hire search (solver.hire_search) --------------------------------------


PER_SITE = 11


def two_site_document(pool):
    """PER_SITE cohorts in London and as many in Leeds (over POOL_MODEL_COHORTS together), one
    in-person hour each; ana and bob live in London and pay 500 travel to teach in Leeds."""
    to_leeds = {"travel_cost": {"leeds": 500.0}}
    return tiny.doc(
        programs=[tiny.program(mode="in_person")],
        cohorts=apart(*(f"london{k}" for k in range(PER_SITE)))
        + apart(*(f"leeds{k}" for k in range(PER_SITE)), site="leeds"),
        facilitators=[tiny.facilitator("ana", **to_leeds), tiny.facilitator("bob", **to_leeds)],
        rooms=[tiny.room("r_london", hourly_cost=0.0), tiny.room("r_leeds", site="leeds",
                                                                 hourly_cost=0.0)],
        hiring_pool=pool,
    )  # fmt: skip


LEEDS = member("in_leeds", site="leeds", travel_cost={"london": 400.0})
PARIS = member("in_paris", site="paris", travel_cost={"london": 900.0, "leeds": 900.0})


def test_two_site_case_is_above_the_capacity_model_threshold():
    # Guards the tests below: they must exercise the hire search, not the one capacity model.
    assert len(two_site_document([LEEDS])["cohorts"]) > POOL_MODEL_COHORTS


def test_hire_search_hires_at_the_site_whose_sessions_need_costly_travel():
    document = two_site_document([LEEDS, PARIS])
    schedule = tiny.solved(document, time_limit=8.0)
    assert schedule["solver"]["strategy"] == "capacity-search"
    assert [(h["id"], h["from"], h["weeks"]) for h in schedule["hires"]] == [
        ("in_leeds", "2027-01-04", 1)
    ]
    # An hour at 100 per cohort, no travel, and in_leeds for one week: 300 onboarding + 100.
    assert schedule["cost"]["travel"] == 0.0
    assert schedule["cost"]["hiring"] == 400.0
    assert schedule["cost"]["total"] == 2 * PER_SITE * 100.0 + 400.0
    leeds = {x["facilitator"] for x in tiny.sessions(schedule) if "leeds0" in x["cohorts"]}
    assert leeds == {"in_leeds"}


def test_hire_search_keeps_the_no_hire_plan_when_no_hire_pays():
    dear = member("in_leeds", site="leeds", onboarding=PER_SITE * 500.0)  # all it could save
    document = two_site_document([dear, PARIS])
    schedule = tiny.solved(document, time_limit=8.0)
    without_pool = tiny.solved(
        {k: v for k, v in document.items() if k != "hiring_pool"}, time_limit=3.0
    )
    assert schedule["hires"] == []
    assert schedule["cost"]["hiring"] == 0.0
    # An hour at 100 per cohort and 500 travel per Leeds cohort: no pool is the same answer.
    assert schedule["cost"]["total"] == without_pool["cost"]["total"] == PER_SITE * 700.0


def test_hire_search_reports_a_bound_that_holds_with_hiring():
    schedule = tiny.solved(two_site_document([LEEDS]), time_limit=8.0)
    # Without the pool the bound would count travel to Leeds, above the answer.
    assert schedule["lower_bound"] is not None
    assert schedule["lower_bound"] <= schedule["cost"]["total"] == 2 * PER_SITE * 100.0 + 400.0


def test_hire_search_reports_only_improving_costs_and_stops_when_asked():
    problem = tiny.problem(two_site_document([LEEDS]))
    stop, reported = threading.Event(), []

    def progress(elapsed, cost, bound):
        reported.append(cost)
        stop.set()  # cancel at the first schedule

    schedule = solve(problem, time_limit=300.0, progress=progress, stop_event=stop)
    assert check(problem, schedule) == []
    assert schedule["solver"]["wall_seconds"] < 300.0
    assert schedule["hires"] == []  # cancelled before any hire was tried
    assert schedule["solver"]["hire_trials"] == []
    assert reported == sorted(reported, reverse=True)
    assert len(reported) == len(set(reported))


def test_a_hire_is_available_from_their_start_week_only():
    problem = tiny.problem(two_site_document([LEEDS]))
    problem = dataclasses.replace(problem, horizon_end=date(2027, 1, 15))
    hired = hired_problem(problem, {"in_leeds": 1})
    assert hired.hiring_pool == problem.hiring_pool  # still listed
    cand = candidates.build(hired)
    monday_week_0 = cand.grid.local_minute(datetime(2027, 1, 4, 9), "Europe/London")
    monday_week_1 = cand.grid.local_minute(datetime(2027, 1, 11, 9), "Europe/London")
    assert not cand.facilitator_free("in_leeds", monday_week_0, 60)
    assert cand.facilitator_free("in_leeds", monday_week_1, 60)


def test_priced_plan_hires_from_the_week_of_the_first_session_and_only_who_teaches():
    document = two_site_document([LEEDS, PARIS])
    document["horizon"] = TWO_WEEKS
    problem = tiny.problem(document)
    cand = candidates.build(hired_problem(problem, {"in_leeds": 0, "in_paris": 0}))
    plan = greedy_plan(candidates.build(problem))  # nobody hired
    week_1 = cand.grid.local_minute(datetime(2027, 1, 12, 9), "Europe/London")
    leeds = next(s for s in plan.sections if s.group.endswith("leeds"))
    leeds.sessions[0] = dataclasses.replace(leeds.sessions[0], start=week_1,
                                            facilitator="in_leeds")  # fmt: skip
    found = priced(problem, cand, plan)
    assert found.starts == {"in_leeds": 1}  # in_paris teaches nothing: not hired
    assert found.total == price(cand, plan)["total"] + 300.0 + 100.0


def test_a_member_takes_every_session_they_are_free_for_and_cheaper_at():
    problem = tiny.problem(two_site_document([LEEDS]))
    cand = candidates.build(hired_problem(problem, {"in_leeds": 0}))
    plan = greedy_plan(candidates.build(problem))  # nobody hired
    groups = {s.group for s in plan.sections}
    proposed = swapped_in(cand, plan, "in_leeds", groups)
    # Every Leeds session (in London in_leeds would pay 400 travel: no gain there).
    assert {plan.sections[k].group for k, _ in proposed} == {"p@leeds"}
    assert len(proposed) == PER_SITE
    kept = checked_swap(problem, cand, plan, proposed)
    assert price(cand, kept)["total"] == price(cand, plan)["total"] - PER_SITE * 500.0


def test_a_swap_the_checker_refuses_is_given_back():
    monday_nine = member("in_leeds", site="leeds", weekly=ONE_SLOT)  # free Monday 09:00 only
    problem = tiny.problem(two_site_document([monday_nine]))
    cand = candidates.build(hired_problem(problem, {"in_leeds": 0}))
    plan = greedy_plan(candidates.build(problem))
    leeds = [k for k, s in enumerate(plan.sections) if s.group == "p@leeds"]
    at_nine = [k for k in leeds if plan.sections[k].sessions[0].start == monday_nine_minute(cand)]
    assert len(at_nine) == 1  # guards the case: one Leeds session at in_leeds's hour
    everything = {(k, 0): "in_leeds" for k in leeds}
    kept = checked_swap(problem, cand, plan, everything)
    taught = [k for k, s in enumerate(kept.sections) if s.sessions[0].facilitator == "in_leeds"]
    assert taught == at_nine
    assert set(swapped_in(cand, plan, "in_leeds", {"p@leeds"})) == {(at_nine[0], 0)}


def monday_nine_minute(cand) -> int:
    return cand.grid.local_minute(datetime(2027, 1, 4, 9), "Europe/London")


def test_plan_of_reads_a_re_plan_back_at_the_same_cost():
    document = two_site_document([])
    del document["hiring_pool"]
    first = tiny.solved(document, time_limit=2.0)
    document["previous"] = first
    problem = tiny.problem(document)
    again = tiny.solved(document, time_limit=2.0)
    cand = candidates.build(problem)
    plan = plan_of(cand, again)
    assert any(s.previous_id for s in plan.sections)
    assert price(cand, plan)["total"] == again["cost"]["total"]


def test_a_hire_made_redundant_by_another_is_dropped():
    twin = member("in_leeds_too", site="leeds", travel_cost={"london": 400.0})
    problem = tiny.problem(two_site_document([LEEDS, twin]))
    both = {"in_leeds": 0, "in_leeds_too": 0}
    cand = candidates.build(hired_problem(problem, both))
    plan = greedy_plan(candidates.build(problem))  # nobody hired
    leeds = [k for k, s in enumerate(plan.sections) if s.group == "p@leeds"]
    # The Leeds sessions shared between the two: either alone could teach them all.
    halves = {(k, 0): ("in_leeds", "in_leeds_too")[n % 2] for n, k in enumerate(leeds)}
    state = priced(problem, cand, with_swaps(plan, halves))
    assert state.starts == both
    reported: list[float] = []
    search = Search(problem, candidates.build(staffed(problem)), Deadline.after(20.0), 2,
                    None, reported.append)  # fmt: skip
    dropped = search.try_drop(state, "in_leeds_too", Deadline.after(10.0))
    assert dropped.starts == {"in_leeds": 0}
    assert dropped.total == state.total - 400.0  # one hire less, the same sessions
    assert dropped.trials == ["drop in_leeds_too"]


# --- many learners left out: the fill (solver.hire_fill) ----------------------------------------


FIRST_AID = tiny.program(id="fa", skill="first_aid", mode="in_person")
MEDIC_LEEDS = member("medic_leeds", site="leeds", skills=["first_aid"],
                     travel_cost={"london": 400.0})  # fmt: skip
MEDIC_PARIS = member("medic_paris", site="paris", skills=["first_aid"],
                     travel_cost={"london": 900.0, "leeds": 900.0})  # fmt: skip


def first_aid_document():
    """The two-site case, but Leeds's cohorts take first aid, which nobody on staff teaches:
    without a hire every Leeds learner is left out."""
    document = two_site_document([MEDIC_LEEDS, MEDIC_PARIS])
    document["programs"].append(FIRST_AID)
    for c in document["cohorts"]:
        if c["site"] == "leeds":
            c["program"] = "fa"
    return document


def test_fill_hires_at_the_site_left_out_and_places_its_learners():
    problem = tiny.problem(first_aid_document())
    assert len(problem.cohorts) > POOL_MODEL_COHORTS
    plan = greedy_plan(candidates.build(hired_problem(problem, {})))  # nobody hired
    assert {c for c in problem.cohorts if plan.placed(c) == 0} == {
        f"leeds{k}" for k in range(PER_SITE)
    }  # guards the case
    cand = candidates.build(hired_problem(problem, {}))
    state = Staffing(cand, plan, {}, price(cand, plan)["total"])
    found = fill_hires(problem, state, Deadline.after(20.0))
    assert found.starts == {"medic_leeds": 0}
    assert all(found.plan.placed(c) == problem.cohorts[c].size for c in problem.cohorts)
    # An hour at 100 per cohort, medic_leeds for one week (300 + 100), nobody left out.
    assert found.total == 2 * PER_SITE * 100.0 + 400.0
    doc = hired_document(problem, found.cand, found.plan, found.starts)
    assert check(problem, doc) == []
    assert found.trials[0] == "fill"


def test_fill_drops_a_hire_who_costs_more_than_they_save():
    cheap = member("cheap", hourly_rate=50.0, onboarding=5000.0)  # 50 an hour, dear to hire
    problem = tiny.problem(two_site_document([cheap]))
    cand = candidates.build(hired_problem(problem, {}))
    everyone = greedy_plan(cand)
    assert all(everyone.placed(c) == 10 for c in problem.cohorts)  # guards the case
    # The London learners left out: ana and bob can take them again.
    plan = Plan([s for s in everyone.sections if s.group != "p@london"])
    state = Staffing(cand, plan, {}, price(cand, plan)["total"])
    found = fill_hires(problem, state, Deadline.after(20.0))
    # The fill gives London to cheap (50 an hour); 5,000 onboarding does not pay for that.
    assert found.trials == ["fill", "fill without cheap"]
    assert found.starts == {}
    assert all(found.plan.placed(c) == 10 for c in problem.cohorts)
    assert found.total == price(cand, everyone)["total"]


def test_capacity_search_places_the_learners_the_no_hire_plan_leaves_out():
    problem = tiny.problem(first_aid_document())
    without_pool = tiny.solved(
        {k: v for k, v in first_aid_document().items() if k != "hiring_pool"}, time_limit=3.0
    )
    assert set(tiny.unscheduled(without_pool)) == {f"leeds{k}" for k in range(PER_SITE)}
    schedule = tiny.solved(first_aid_document(), time_limit=8.0)
    assert schedule["solver"]["strategy"] == "capacity-search"
    assert "fill" in schedule["solver"]["hire_trials"]
    assert hires(schedule) == {"medic_leeds": "2027-01-04"}
    assert tiny.unscheduled(schedule) == {}
    assert check(problem, schedule) == []
    assert schedule["cost"]["total"] == 2 * PER_SITE * 100.0 + 400.0


def test_small_problems_start_the_capacity_model_from_the_fill():
    document = first_aid_document()
    four = {"london0", "london1", "leeds0", "leeds1"}
    document["cohorts"] = [c for c in document["cohorts"] if c["id"] in four]
    problem = tiny.problem(document)
    assert len(problem.cohorts) <= POOL_MODEL_COHORTS  # guards the case: the capacity model
    no_hire = tiny.solved({k: v for k, v in document.items() if k != "hiring_pool"}, 3.0)
    assert set(tiny.unscheduled(no_hire)) == {"leeds0", "leeds1"}
    cand_all = candidates.build(staffed(problem))
    start = plan_of(cand_all, no_hire)
    filled = _filled(problem, cand_all, start, no_hire, Deadline.after(10.0))
    assert filled.starts == {"medic_leeds": 0}
    assert filled.total == 4 * 100.0 + 400.0
    schedule = tiny.solved(document, time_limit=5.0)
    assert schedule["solver"]["strategy"] == "capacity"
    assert hires(schedule) == {"medic_leeds": "2027-01-04"}
    assert schedule["cost"]["total"] == 4 * 100.0 + 400.0
