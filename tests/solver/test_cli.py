"""The command line: exit status 0 schedule / check passed, 1 infeasible / violations, 2 invalid.

The optimiser and the explainer are replaced by stand-ins: these tests are about the contract of
the CLI, not about the search."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

from solver.cli import main
from solver.schedule import invalid_schedule

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def files(tmp_path, problem_doc, schedule_doc):
    """Paths of the small problem and its valid schedule, written to disk."""
    problem, schedule = tmp_path / "problem.json", tmp_path / "schedule.json"
    problem.write_text(json.dumps(problem_doc))
    schedule.write_text(json.dumps(schedule_doc))
    return problem, schedule


def stand_in(monkeypatch, module, name, result):
    """Replace ``solver.<module>.<name>`` with a function returning ``result``; record its calls."""
    calls = []

    def fake(*args, **kwargs):
        calls.append((args, kwargs))
        return result

    monkeypatch.setitem(sys.modules, f"solver.{module}", types.SimpleNamespace(**{name: fake}))
    return calls


def test_solve_writes_the_schedule_and_exits_0(monkeypatch, files, schedule_doc, tmp_path, capsys):
    calls = stand_in(monkeypatch, "solve", "solve", schedule_doc)
    out = tmp_path / "out.json"
    assert (
        main(["solve", str(files[0]), "-o", str(out), "--time-limit", "5", "--workers", "1", "-v"])
        == 0
    )
    assert json.loads(out.read_text()) == schedule_doc
    assert calls[0][1]["time_limit"] == 5.0 and calls[0][1]["workers"] == 1
    human = capsys.readouterr().err
    assert "status: optimal" in human
    assert "S1 #0 Tue 2027-01-05 09:00–12:00 Europe/London ana lon-a" in human


def test_solve_exits_1_when_infeasible(monkeypatch, files, capsys):
    stand_in(monkeypatch, "solve", "solve", {**invalid_schedule([]), "status": "infeasible"})
    assert main(["solve", str(files[0])]) == 1
    assert json.loads(capsys.readouterr().out)["status"] == "infeasible"


def test_solve_of_an_invalid_problem_writes_an_invalid_schedule_and_exits_2(
    tmp_path, problem_doc, capsys
):
    problem_doc["horizon"]["end"] = "2026-12-31"
    path, out = tmp_path / "problem.json", tmp_path / "out.json"
    path.write_text(json.dumps(problem_doc))
    assert main(["solve", str(path), "-o", str(out)]) == 2
    doc = json.loads(out.read_text())
    assert doc["status"] == "invalid"
    assert doc["errors"] == [
        {"path": "horizon.end", "message": "end 2026-12-31 is before start 2027-01-04"}
    ]
    assert "horizon.end: end 2026-12-31 is before start 2027-01-04" in capsys.readouterr().err


def test_solve_of_a_file_that_is_not_json_writes_the_error_to_stdout(tmp_path, capsys):
    path = tmp_path / "problem.json"
    path.write_text("format: yaml?")
    assert main(["solve", str(path)]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "invalid" and doc["errors"][0]["path"] == "$"


def test_check_exits_0_for_a_valid_schedule(files, capsys):
    assert main(["check", str(files[0]), str(files[1])]) == 0
    assert "passes every rule" in capsys.readouterr().err


def test_check_exits_1_and_lists_violations(files, schedule_doc, capsys):
    schedule_doc["sections"][0]["sessions"][0]["room"] = "lon-b"
    files[1].write_text(json.dumps(schedule_doc))
    assert main(["check", str(files[0]), str(files[1]), "--json"]) == 1
    found = json.loads(capsys.readouterr().out)
    assert {"rule": "room_capacity", "path": "sections[0].sessions[0].room",
            "message": "room 'lon-b' seats 8, the section has 15 learners"} in found  # fmt: skip


def test_check_exits_2_for_an_invalid_problem_or_unreadable_schedule(files, capsys):
    files[1].write_text("")
    assert main(["check", str(files[0]), str(files[1])]) == 2
    assert "the file is empty" in capsys.readouterr().err
    files[0].write_text("{}")
    assert main(["check", str(files[0]), str(files[1])]) == 2


def test_explain_exits_1_when_cohorts_cannot_be_scheduled(monkeypatch, files, capsys):
    reason = "no facilitator has skill 'security'"
    stand_in(
        monkeypatch,
        "explain",
        "explain",
        [{"cohort": "lon-1", "learners": 10, "reasons": [reason]}],
    )
    assert main(["explain", str(files[0])]) == 1
    assert f"lon-1 (10 learners):\n  - {reason}" in capsys.readouterr().out


def test_explain_exits_0_when_every_cohort_can_be_scheduled(monkeypatch, files):
    stand_in(monkeypatch, "explain", "explain", [])
    assert main(["explain", str(files[0]), "--json"]) == 0


def test_explain_exits_2_for_an_invalid_problem(tmp_path):
    path = tmp_path / "problem.json"
    path.write_bytes(b"\x80")
    assert main(["explain", str(path)]) == 2


def test_python_dash_m_solver_runs_the_cli(files):
    result = subprocess.run(
        [sys.executable, "-m", "solver", "check", str(files[0]), str(files[1])],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


# --- hostile input: exit 2 and one line naming the JSON path, from the real command line ---------


def _hostile(problem_doc, case: str) -> str:
    """The text of a problem file that is hostile in one way."""
    doc = copy.deepcopy(problem_doc)
    if case == "nested 100k levels":
        doc["cohorts"][0]["x-notes"] = "DEEP"
        return json.dumps(doc).replace('"DEEP"', "[" * 100_000 + "]" * 100_000)
    if case in ("NaN", "Infinity", "huge integer"):
        doc["rooms"][0]["capacity"] = "HOSTILE"
        literal = "9" * 5000 if case == "huge integer" else case
        return json.dumps(doc).replace('"HOSTILE"', literal)
    where, value = {
        "capacity 1e30": (doc["rooms"][0], ("capacity", 1e30)),
        "cost 1e300": (doc["facilitators"][0], ("hourly_rate", 1e300)),
        "three decimals": (doc["facilitators"][0], ("hourly_rate", 12.345)),
        "wrong type": (doc["rooms"][0], ("capacity", "twenty")),
    }[case]
    where[value[0]] = value[1]
    return json.dumps(doc)


HOSTILE = {
    "nested 100k levels": ("cohorts[0].x-notes[0][0][0]…", "more than 64 levels deep"),
    "NaN": ("rooms[0].capacity", "NaN is not a JSON number"),
    "Infinity": ("rooms[0].capacity", "Infinity is not a JSON number"),
    "huge integer": ("rooms[0].capacity", "not a number that large"),
    "capacity 1e30": ("rooms[0].capacity", "must be at most 100,000, not 1e+30"),
    "cost 1e300": ("facilitators[0].hourly_rate", "must be at most 100,000,000, not 1e+300"),
    "three decimals": ("facilitators[0].hourly_rate", "at most two decimals"),
    "wrong type": ("rooms[0].capacity", "must be a whole number, not a string"),
}


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "solver", *args], cwd=ROOT, capture_output=True, text=True,
        check=False, timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize("case", sorted(HOSTILE))
@pytest.mark.parametrize("command", ["solve", "explain", "check"])
def test_a_hostile_problem_exits_2_with_one_line_naming_the_json_path(
    command, case, tmp_path, problem_doc, files
):
    path = tmp_path / "hostile.json"
    path.write_text(_hostile(problem_doc, case))
    extra = {"solve": ["-o", str(tmp_path / "out.json")], "check": [str(files[1])]}
    result = _run(command, str(path), *extra.get(command, []))
    where, message = HOSTILE[case]
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [result.stderr.strip()]  # one line
    assert result.stderr.startswith(f"{path}: {where}: ") and message in result.stderr
    if command == "solve":
        written = json.loads((tmp_path / "out.json").read_text())
        assert written["status"] == "invalid" and written["errors"][0]["path"] == where


@pytest.mark.parametrize("case", ["nested 100k levels", "NaN"])
def test_a_hostile_schedule_file_makes_check_exit_2_naming_the_json_path(
    case, tmp_path, files, problem_doc
):
    path = tmp_path / "schedule.json"
    path.write_text(_hostile(problem_doc, case))  # a problem file where a schedule is expected
    result = _run("check", str(files[0]), str(path))
    where, message = HOSTILE[case]
    assert result.returncode == 2
    assert result.stderr.strip() == result.stderr.splitlines()[0]
    assert f"{path}: {where}: " in result.stderr and message in result.stderr
