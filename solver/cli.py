"""Command line: ``python -m solver solve|check|explain`` (``solve --decompose``: by parts).

Documents (JSON) carry UTC instants; the human lines on stderr show local times with their zone.
Exit status: 0 a schedule was found or the check passed, 1 infeasible or violations found (or,
for explain, cohorts that cannot be scheduled), 2 the input is invalid.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from solver.deadline import Deadline
from solver.decompose import MAX_PART_COHORTS
from solver.jsonfile import load_json_file
from solver.localtime import local_span
from solver.problem import Problem
from solver.schedule import EXIT_CODES, INVALID, invalid_schedule, parse_utc
from solver.validate import load_problem_file

EXIT_OK, EXIT_FOUND, EXIT_INVALID = 0, 1, 2
# Errors (and unscheduled cohorts) listed on stderr; the schedule document holds them all.
MAX_PRINTED_ERRORS = 50


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit status."""
    args = _parser().parse_args(argv)
    return args.run(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m solver", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    solve = commands.add_parser("solve", help="build the best schedule for a problem")
    solve.add_argument("problem", type=Path, help="problem v1 document (JSON)")
    solve.add_argument("-o", "--output", type=Path, help="write the schedule here (default stdout)")
    solve.add_argument(
        "--time-limit", type=float, default=30.0, metavar="S", help="seconds (default 30)"
    )
    solve.add_argument(
        "--workers", type=int, default=2, metavar="N", help="CP-SAT workers (default 2)"
    )
    solve.add_argument("-v", "--verbose", action="store_true", help="list every session on stderr")
    solve.add_argument(
        "--decompose",
        action="store_true",
        help="solve by independent parts (split further when too large), merge and check",
    )
    solve.add_argument(
        "--max-cohorts",
        type=int,
        default=None,
        metavar="N",
        help=f"with --decompose: cohorts per part (default {MAX_PART_COHORTS})",
    )
    solve.add_argument(
        "--workers-processes",
        type=int,
        default=0,
        metavar="N",
        help="with --decompose: solve the parts in N worker processes (default 0: this one)",
    )
    solve.set_defaults(run=run_solve)

    check = commands.add_parser("check", help="verify a schedule against its problem")
    check.add_argument("problem", type=Path)
    check.add_argument("schedule", type=Path)
    check.add_argument("--json", action="store_true", help="print violations as a JSON list")
    check.set_defaults(run=run_check)

    explain = commands.add_parser("explain", help="say which cohorts cannot be scheduled and why")
    explain.add_argument("problem", type=Path)
    explain.add_argument("--json", action="store_true", help="print the explanations as JSON")
    explain.set_defaults(run=run_explain)
    return parser


def run_solve(args: argparse.Namespace) -> int:
    """``solve``: validate, optimise, write the schedule document, summarise on stderr.

    ``--time-limit`` counts from the start of the process: reading and validating the file, and
    every stage of the solve, fit in it (the answer is written within a small margin after)."""
    deadline = Deadline.from_process_start(args.time_limit)
    problem, errors = load_problem_file(args.problem)
    if problem is None:
        _write_json(invalid_schedule(errors), args.output)
        _print_errors(args.problem, errors)
        return EXIT_INVALID
    if args.decompose:
        return _solve_by_parts(args, problem, deadline)
    from solver.solve import solve  # imported here: loading OR-Tools is slow and optional

    def progress(elapsed: float, best: float | None, bound: float | None) -> None:
        print(f"  {elapsed:6.1f} s  best {_money(best)}  bound {_money(bound)}", file=sys.stderr)

    schedule = solve(
        problem,
        time_limit=args.time_limit,
        workers=args.workers,
        progress=progress,
        deadline=deadline,
    )
    _write_json(schedule, args.output)
    _print_summary(problem, schedule, verbose=args.verbose)
    return EXIT_CODES.get(schedule.get("status"), EXIT_INVALID)


def _solve_by_parts(args: argparse.Namespace, problem: Problem, deadline: Deadline) -> int:
    """``solve --decompose``: the parts solved here or in worker processes, merged, checked by
    the independent checker; the merged schedule written, with its bound. Exit 1 also when the
    merged schedule breaks a rule (a bug in the split: the violations are listed)."""
    from solver.decompose_run import solve_by_parts  # loads OR-Tools

    if args.workers_processes < 0 or (args.max_cohorts is not None and args.max_cohorts < 1):
        print("--workers-processes must be 0 or more, --max-cohorts 1 or more", file=sys.stderr)
        return EXIT_INVALID
    document, _ = load_json_file(args.problem)  # valid: load_problem_file parsed it

    def part_done(index: int, schedule: dict[str, Any]) -> None:
        info = schedule.get("solver") or {}
        print(f"  part {index + 1}: {schedule.get('status')}, cost "
              f"{_money(schedule['cost']['total'])}, bound {_money(schedule.get('lower_bound'))}, "
              f"{info.get('wall_seconds', 0):.1f} s", file=sys.stderr)  # fmt: skip

    run = solve_by_parts(document, problem, deadline, processes=args.workers_processes,
                         cp_workers=args.workers, part_done=part_done,
                         max_cohorts=args.max_cohorts or MAX_PART_COHORTS)  # fmt: skip
    schedule = run.schedule
    _write_json(schedule, args.output)
    _print_summary(problem, schedule, verbose=args.verbose)
    _print_bound_pieces(schedule)
    for v in run.violations[:MAX_PRINTED_ERRORS]:
        print(f"  violation {v['path']}: {v['rule']}: {v['message']}", file=sys.stderr)
    if run.violations:
        print(f"the merged schedule breaks {len(run.violations)} rule(s)", file=sys.stderr)
        return EXIT_FOUND
    return EXIT_CODES.get(schedule.get("status"), EXIT_INVALID)


def _print_bound_pieces(schedule: dict[str, Any]) -> None:
    """What a schedule solved by parts has as its bound: the gap, then one line per piece."""
    info = schedule.get("solver") or {}
    gap = info.get("gap")
    print(f"{len(info.get('parts') or [])} part(s); gap "
          f"{'—' if gap is None else f'{100 * gap:.1f} %'}", file=sys.stderr)  # fmt: skip
    for piece in (info.get("bound_parts") or {}).get("pieces") or []:
        which = ", ".join(str(k + 1) for k in piece["parts"])
        how = "split, bounded unsplit" if piece["split"] else "whole"
        print(f"  bound of part(s) {which} ({piece['cohorts']} cohorts, {how}): "
              f"{_money(piece['bound'])} ({piece.get('used') or 'none'})", file=sys.stderr)  # fmt: skip


def run_check(args: argparse.Namespace) -> int:
    """``check``: list every rule the schedule breaks; exit 1 if any."""
    from solver.check import check

    problem, errors = load_problem_file(args.problem)
    if problem is None:
        _print_errors(args.problem, errors)
        return EXIT_INVALID
    schedule, errors = load_json_file(args.schedule)
    if errors:
        _print_errors(args.schedule, errors)
        return EXIT_INVALID
    violations = check(problem, schedule)
    if args.json:
        print(json.dumps(violations, indent=2, ensure_ascii=False))
    else:
        for v in violations:
            print(f"{v['path']}: {v['rule']}: {v['message']}")
    verdict = f"{len(violations)} violation(s)" if violations else "schedule passes every rule"
    print(f"{args.schedule}: {verdict}", file=sys.stderr)
    return EXIT_FOUND if violations else EXIT_OK


def run_explain(args: argparse.Namespace) -> int:
    """``explain``: cohorts no schedule can place, with reasons; exit 1 if there are any."""
    problem, errors = load_problem_file(args.problem)
    if problem is None:
        _print_errors(args.problem, errors)
        return EXIT_INVALID
    from solver.explain import explain

    findings = explain(problem)
    if args.json:
        print(json.dumps(findings, indent=2, ensure_ascii=False))
    else:
        for item in findings:
            print(f"{item['cohort']} ({item['learners']} learners):")
            for reason in item["reasons"]:
                print(f"  - {reason}")
    print(f"{len(findings)} cohort(s) cannot be scheduled", file=sys.stderr)
    return EXIT_FOUND if findings else EXIT_OK


# --- output -------------------------------------------------------------------------------------


def _write_json(doc: dict[str, Any], output: Path | None) -> None:
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


def _print_errors(source: Path, errors: list[dict[str, str]], out: TextIO | None = None) -> None:
    """One line per error, ``file: path: message``, whatever the file held."""
    out = out or sys.stderr
    for error in errors[:MAX_PRINTED_ERRORS]:
        print(_one_line(f"{source}: {error['path']}: {error['message']}"), file=out)
    if len(errors) > MAX_PRINTED_ERRORS:
        print(f"{source}: … and {len(errors) - MAX_PRINTED_ERRORS:,} more errors", file=out)


def _one_line(text: str, limit: int = 500) -> str:
    """``text`` with line breaks and other control characters escaped, cut to ``limit``."""
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
    return text if len(text) <= limit else text[:limit] + "…"


def _money(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _print_summary(problem: Problem, schedule: dict[str, Any], verbose: bool) -> None:
    """Status, cost and placement on stderr, with local times in the problem's zone."""
    status, cost = schedule.get("status"), schedule.get("cost") or {}
    sections = schedule.get("sections") or []
    placed = sum(s.get("size") or 0 for s in sections)
    left = sum(u.get("learners") or 0 for u in schedule.get("unscheduled") or [])
    print(f"status: {status}", file=sys.stderr)
    if status == INVALID:
        return
    print(
        f"cost: {_money(cost.get('total'))} (lower bound {_money(schedule.get('lower_bound'))}); "
        f"{len(sections)} sections, {placed} learners placed, {left} unscheduled",
        file=sys.stderr,
    )
    for error in schedule.get("errors") or []:
        print(f"  {error.get('path')}: {error.get('message')}", file=sys.stderr)
    if "hires" in schedule:  # capacity planning: who to hire, where, from when
        print(f"hires: {len(schedule['hires'])} (hiring cost {_money(cost.get('hiring'))})",
              file=sys.stderr)  # fmt: skip
        for hire in schedule["hires"]:
            print(f"  hire {hire['id']} ({', '.join(hire['skills'])}) at {hire['site'] or 'no site'} "
                  f"from {hire['from']} for {hire['weeks']} week(s), {hire['sessions']} session(s)",
                  file=sys.stderr)  # fmt: skip
    unscheduled = schedule.get("unscheduled") or []
    for item in unscheduled[:MAX_PRINTED_ERRORS]:
        print(f"  unscheduled {item.get('cohort')} ({item.get('learners')}): "
              f"{'; '.join(item.get('reasons') or [])}", file=sys.stderr)  # fmt: skip
    if len(unscheduled) > MAX_PRINTED_ERRORS:
        print(f"  … and {len(unscheduled) - MAX_PRINTED_ERRORS:,} more cohorts unscheduled "
              "(all listed in the schedule document)", file=sys.stderr)  # fmt: skip
    if verbose:
        for section in sections:
            for session in section.get("sessions") or []:
                start, end = parse_utc(session.get("start")), parse_utc(session.get("end"))
                when = local_span(start, end, problem.timezone) if start and end else "?"
                print(f"  {section.get('id')} #{session.get('index')} {when} "
                      f"{session.get('facilitator')} {session.get('room') or ''}", file=sys.stderr)  # fmt: skip
