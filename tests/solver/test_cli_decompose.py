"""``python -m solver solve --decompose``: the problem solved by parts (here, or in worker
processes), merged with its bound, checked by the independent checker, the schedule written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.generate import generate
from solver.check import check
from solver.cli import main
from solver.cost import recompute_cost
from solver.validate import parse_problem

ROOT = Path(__file__).resolve().parents[2]


def _problem_file(tmp_path: Path) -> tuple[Path, dict]:
    """The generated S instance (seed 2): one component of 20 cohorts, split in two at 10."""
    document = generate("S", 2)
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(document))
    return path, document


def _assert_merged_and_checked(document: dict, schedule: dict) -> None:
    problem, errors = parse_problem(document)
    assert errors == []
    assert check(problem, schedule) == []
    assert schedule["cost"] == recompute_cost(problem, schedule)
    info = schedule["solver"]
    assert info["strategy"] == "decomposed" and len(info["parts"]) == 2
    assert info["violations"] == 0
    # The split component is bounded unsplit: a bound, below the cost, and its gap.
    assert schedule["lower_bound"] is not None
    assert 0 < schedule["lower_bound"] <= schedule["cost"]["total"]
    assert info["gap"] == round(
        (schedule["cost"]["total"] - info["bound"]) / schedule["cost"]["total"], 6
    )
    (piece,) = info["bound_parts"]["pieces"]
    assert piece["split"] and piece["parts"] == [0, 1] and piece["cohorts"] == 20


def _run(*args: str) -> subprocess.CompletedProcess:
    """The real command line: ``--time-limit`` counts from the start of its own process."""
    return subprocess.run(
        [sys.executable, "-m", "solver", *args], cwd=ROOT, capture_output=True, text=True,
        check=False,
    )  # fmt: skip


def test_decompose_solves_the_parts_here_merges_checks_and_writes(tmp_path):
    path, document = _problem_file(tmp_path)
    out = tmp_path / "schedule.json"
    result = _run("solve", str(path), "-o", str(out), "--decompose", "--max-cohorts", "10",
                  "--time-limit", "10", "--workers", "1")  # fmt: skip
    assert result.returncode == 0, result.stderr
    _assert_merged_and_checked(document, json.loads(out.read_text()))
    assert "  part 1: " in result.stderr and "  part 2: " in result.stderr
    assert "bound of part(s) 1, 2 (20 cohorts, split, bounded unsplit)" in result.stderr
    assert "2 part(s); gap " in result.stderr


def test_decompose_over_worker_processes_from_the_real_command_line(tmp_path):
    path, document = _problem_file(tmp_path)
    out = tmp_path / "schedule.json"
    result = _run("solve", str(path), "-o", str(out), "--decompose", "--max-cohorts", "10",
                  "--workers-processes", "2", "--workers", "1", "--time-limit", "10")  # fmt: skip
    assert result.returncode == 0, result.stderr
    _assert_merged_and_checked(document, json.loads(out.read_text()))


def test_decompose_refuses_a_negative_number_of_processes(tmp_path, capsys):
    path, _ = _problem_file(tmp_path)
    assert main(["solve", str(path), "--decompose", "--workers-processes", "-1"]) == 2
    assert "--workers-processes must be 0 or more" in capsys.readouterr().err


def test_decompose_of_an_invalid_problem_writes_an_invalid_schedule_and_exits_2(tmp_path):
    path, out = tmp_path / "problem.json", tmp_path / "out.json"
    path.write_text("{}")
    assert main(["solve", str(path), "-o", str(out), "--decompose"]) == 2
    assert json.loads(out.read_text())["status"] == "invalid"
