"""The command line: exit status 0 schedule / check passed, 1 infeasible / violations, 2 invalid.

The optimiser and the explainer are replaced by stand-ins: these tests are about the contract of
the CLI, not about the search."""

from __future__ import annotations

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
