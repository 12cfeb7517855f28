"""Validate a v1 problem document and turn it into a ``Problem``, reporting every error at once.

Errors are ``{"path": "cohorts[3].deadline", "message": "..."}``. ``parse_problem`` never raises on
bad input: a coordinator gets the whole list, and the CLI writes it into an ``invalid`` schedule.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from pathlib import Path
from typing import Any, TypeVar

from solver.fields import REQUIRED, Reader, join, shown
from solver.hiring import check_pool_ids, read_pool_member
from solver.jsonfile import load_json_file
from solver.limits import MAX_HORIZON_DAYS
from solver.localtime import bookable_windows, minutes, on_slot_grid, to_local
from solver.problem import (
    DEFAULT_CHANGE_COST,
    DEFAULT_SLOT_MINUTES,
    PROBLEM_FORMAT,
    SCHEDULE_FORMAT,
    Cohort,
    CohortPart,
    Facilitator,
    FixedSession,
    Problem,
    Program,
)
from solver.validate_common import clock_text
from solver.validate_parts import (
    Context,
    read_cohort,
    read_facilitator,
    read_fixed,
    read_program,
    read_room,
)

Error = dict[str, str]
T = TypeVar("T")

TOP_KEYS = ("$schema", "format", "name", "timezone", "horizon", "slot_minutes", "programs", "cohorts",
            "facilitators", "rooms", "fixed", "previous", "change_cost", "hiring_pool")  # fmt: skip
MINUTES_PER_DAY = 1440


def load_problem_file(path: str | Path) -> tuple[Problem | None, list[Error]]:
    """Read and validate a problem file; an unreadable, empty, non-UTF-8 or non-JSON file is an
    error at path "$", never an exception."""
    doc, errors = load_json_file(path)
    return (None, errors) if errors else parse_problem(doc)


def parse_problem(doc: Any) -> tuple[Problem | None, list[Error]]:
    """Validate a whole problem document and fill its defaults.

    Returns ``(problem, [])`` when the document is valid, else ``(None, errors)`` with every
    error found, each ``{"path": ..., "message": ...}``."""
    r = Reader()
    top = r.obj(doc, "$", TOP_KEYS)
    if top is None:
        return None, r.errors
    if top.get("format") != PROBLEM_FORMAT:
        found = "missing" if top.get("format") is None else shown(top.get("format"))
        r.error("format", f'must be "{PROBLEM_FORMAT}", not {found}')
    ctx = _read_context(r, top)
    programs = _read_list(
        r, top, "programs", lambda v, p: read_program(r, v, p, ctx), required=True
    )
    cohorts = _read_list(r, top, "cohorts", lambda v, p: read_cohort(r, v, p, ctx), required=True)
    facilitators = _read_list(
        r, top, "facilitators", lambda v, p: read_facilitator(r, v, p, ctx), required=True
    )
    rooms = _read_list(r, top, "rooms", lambda v, p: read_room(r, v, p, ctx))
    pool = _read_list(r, top, "hiring_pool", lambda v, p: read_pool_member(
        r, v, p, lambda person, path: read_facilitator(r, person, path, ctx)
    ))  # fmt: skip
    fixed = r.field(top, "fixed", "", r.list_of(lambda v, p: read_fixed(r, v, p, ctx)), default=[])
    change_cost = r.field(top, "change_cost", "", r.amount, default=DEFAULT_CHANGE_COST)
    previous = r.field(top, "previous", "", lambda v, p: _read_previous(r, v, p), default=None)

    listed = {
        key: _listed_ids(top, key) for key in ("programs", "cohorts", "facilitators", "rooms")
    }
    _check_cohorts(r, cohorts, programs, listed["programs"])
    check_pool_ids(r, pool, listed["facilitators"])
    # A pool member who could be hired counts: hiring them may be what makes a session fit.
    people = facilitators + [(k, m.facilitator) for k, m in pool]
    _check_session_lengths(r, programs, cohorts, people, ctx)
    _check_fixed(r, fixed or [], cohorts, programs, listed, ctx)
    if r.errors:
        return None, r.errors
    return Problem(
        timezone=ctx.timezone,
        horizon_start=ctx.horizon_start,
        horizon_end=ctx.horizon_end,
        slot_minutes=ctx.slot_minutes,
        programs={p.id: p for _, p in programs},
        cohorts={c.id: c for _, c in cohorts},
        facilitators={f.id: f for _, f in facilitators},
        rooms={room.id: room for _, room in rooms},
        fixed=tuple(fixed),
        previous=previous,
        change_cost=change_cost,
        hiring_pool={m.id: m for _, m in pool},
    ), []


def _read_context(r: Reader, top: dict[str, Any]) -> Context:
    tz = r.field(top, "timezone", "", r.timezone)
    start = end = None
    horizon = r.field(top, "horizon", "", lambda v, p: r.obj(v, p, ("start", "end")))
    if horizon is not None:
        start = r.field(horizon, "start", "horizon", r.day)
        end = r.field(horizon, "end", "horizon", r.day)
        if start and end and end < start:
            r.error("horizon.end", f"end {end} is before start {start}")
            start = end = None
        elif start and end and (end - start).days + 1 > MAX_HORIZON_DAYS:
            r.error(
                "horizon.end",
                f"the horizon is {(end - start).days + 1:,} days long, at most "
                f"{MAX_HORIZON_DAYS:,} are planned at once",
            )
            start = end = None
    slot = r.field(
        top,
        "slot_minutes",
        "",
        lambda v, p: r.positive(v, p, MINUTES_PER_DAY),
        default=DEFAULT_SLOT_MINUTES,
    )
    if slot is not None and MINUTES_PER_DAY % slot:
        r.error("slot_minutes", f"{slot} does not divide a day of 1440 minutes evenly")
        slot = None
    return Context(tz, start, end, slot)


def _read_list(
    r: Reader,
    top: dict[str, Any],
    key: str,
    read: Callable[[Any, str], T | None],
    required: bool = False,
) -> list[tuple[int, T]]:
    """Entries of a top-level list that read cleanly, with their index; duplicate ids are errors."""
    items = r.field(top, key, "", r.items, default=REQUIRED if required else [])
    if items is None:
        return []
    out: list[tuple[int, T]] = []
    first_index: dict[Any, int] = {}
    for k, item in enumerate(items):
        parsed = read(item, join(key, k))
        if parsed is None:
            continue
        if parsed.id in first_index:
            other = join(key, first_index[parsed.id])
            r.error(join(join(key, k), "id"), f"duplicate id '{parsed.id}' (also {other})")
            continue
        first_index[parsed.id] = k
        out.append((k, parsed))
    return out


def _listed_ids(top: dict[str, Any], key: str) -> set[Any]:
    """Ids written in a top-level list, also of entries that failed to read: a reference to one
    of those is not reported as unknown, the entry's own error says what is wrong."""
    items = top.get(key)
    if not isinstance(items, list):
        return set()
    return {
        item.get("id")
        for item in items
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    }


def _read_previous(r: Reader, value: Any, path: str) -> dict[str, Any] | None:
    """An earlier schedule v1 document: its format and the parts re-planning reads."""
    if not isinstance(value, dict) or value.get("format") != SCHEDULE_FORMAT:
        r.error(path, f'must be a schedule document with format "{SCHEDULE_FORMAT}"')
        return None
    sections = r.field(value, "sections", path, r.items, default=[])
    for k, section in enumerate(sections or []):
        here = join(join(path, "sections"), k)
        if not isinstance(section, dict) or not isinstance(section.get("sessions"), list):
            r.error(here, "must be a section with a list of sessions")
            continue
        r.field(section, "id", here, r.text, default=None)
        _read_previous_cohorts(r, section, here)
        for j, session in enumerate(section["sessions"]):
            where = join(join(here, "sessions"), j)
            if not isinstance(session, dict):
                r.error(where, "must be an object")
                continue
            r.field(session, "index", where, r.count)
            r.field(session, "start", where, lambda v, p: r.instant(v, p, None))
            # names, not yet known ones: a facilitator or room may have left since
            r.field(session, "facilitator", where, r.text, default=None)
            r.field(session, "room", where, r.text, default=None)
    return value


def _read_previous_cohorts(r: Reader, section: dict[str, Any], path: str) -> None:
    """An earlier schedule's section's cohorts: each a cohort's id (known or not: cohorts come
    and go between plans) and its learners there."""
    for k, part in enumerate(r.field(section, "cohorts", path, r.items, default=[]) or []):
        where = join(join(path, "cohorts"), k)
        if not isinstance(part, dict):
            r.error(where, "must be an object")
            continue
        r.field(part, "cohort", where, r.text)
        r.field(part, "learners", where, r.count)


# --- checks across parts ------------------------------------------------------------------------


def _check_cohorts(
    r: Reader,
    cohorts: list[tuple[int, Cohort]],
    programs: list[tuple[int, Program]],
    listed_programs: set[Any],
) -> None:
    """Each cohort names a known program, and an in-person program's cohorts name a site."""
    by_id = {p.id: p for _, p in programs}
    for k, cohort in cohorts:
        path = join("cohorts", k)
        program = by_id.get(cohort.program)
        if program is None and cohort.program not in listed_programs:
            r.error(join(path, "program"), f"unknown program '{cohort.program}'")
        elif program is not None and program.in_person and cohort.site is None:
            r.error(
                join(path, "site"), f"a cohort of in-person program '{program.id}' needs a site"
            )


def _check_session_lengths(
    r: Reader,
    programs: list[tuple[int, Program]],
    cohorts: list[tuple[int, Cohort]],
    facilitators: list[tuple[int, Facilitator]],
    ctx: Context,
) -> None:
    """Every session fits in its cohorts' daily hours and in some qualified facilitator's window.

    A program with no qualified facilitator at all is left to ``explain``: its cohorts are
    unscheduled with a reason, the document itself is not wrong."""
    by_id = {p.id: p for _, p in programs}
    for k, cohort in cohorts:
        program = by_id.get(cohort.program)
        daily = _daily_minutes(cohort.hours.start, cohort.hours.end)
        if program is None or daily >= MINUTES_PER_DAY:
            continue  # round-the-clock hours run on into the next day
        longest = max(program.sessions)
        if longest > daily:
            start = cohort.hours.start.hour * 60 + cohort.hours.start.minute
            r.error(
                join(join("cohorts", k), "hours"),
                f"program '{program.id}' has a {longest}-minute session, longer than the cohort's "
                f"daily hours {clock_text(start)}–{clock_text(start + daily)} ({daily} minutes)",
            )
    if ctx.horizon_start is None or ctx.horizon_end is None:
        return
    # Each facilitator's longest window is worked out only when needed, and once: a program is
    # fine as soon as one qualified facilitator's window holds its longest session (working out
    # all 1,750 of a large organisation took 0.75 s, bench/results/log.md, 7 Dec evening).
    found: dict[str, int] = {}
    person = {f.id: f for _, f in facilitators}  # a repeated id (an error) counts as its last

    def longest_window(f: Facilitator) -> int:
        if f.id not in found:
            found[f.id] = _longest_window(person[f.id], ctx)
        return found[f.id]

    for k, program in programs:
        qualified = [
            f for _, f in facilitators if program.skill is None or program.skill in f.skills
        ]
        needed = max(program.sessions)
        if not qualified or any(longest_window(f) >= needed for f in qualified):
            continue
        best = max(longest_window(f) for f in qualified)
        for j, length in enumerate(program.sessions):
            if length > best:
                r.error(
                    join(join(join("programs", k), "sessions"), j),
                    f"a {length}-minute session is longer than any availability window of the "
                    f"facilitators who can teach it (longest {best} minutes)",
                )


def _daily_minutes(start: time, end: time) -> int:
    span = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return span if span > 0 else span + MINUTES_PER_DAY


def _longest_window(facilitator: Facilitator, ctx: Context) -> int:
    """The longest stretch a facilitator can teach in one go over the horizon, in minutes."""
    windows = bookable_windows(facilitator.availability, ctx.horizon_start, ctx.horizon_end)
    longest = max((minutes(w) for w in windows), default=0)
    if facilitator.max_minutes_per_day is not None:
        longest = min(longest, facilitator.max_minutes_per_day)
    return longest


def _check_fixed(
    r: Reader,
    fixed: list[FixedSession],
    cohorts: list[tuple[int, Cohort]],
    programs: list[tuple[int, Program]],
    listed: dict[str, set[Any]],
    ctx: Context,
) -> None:
    """Fixed sessions name known things, a session index of their program, and a grid start in
    the horizon; entries of one section agree on its cohorts."""
    cohort_by_id = {c.id: c for _, c in cohorts}
    program_by_id = {p.id: p for _, p in programs}
    for k, item in enumerate(fixed):
        path = join("fixed", k)
        program = _fixed_program(r, item, path, cohort_by_id, program_by_id, listed["cohorts"])
        if program is not None and item.session >= len(program.sessions):
            r.error(
                join(path, "session"),
                f"session {item.session} is out of range: program '{program.id}' has "
                f"{len(program.sessions)} sessions (numbered from 0)",
            )
        if program is not None and not program.in_person and item.room is not None:
            r.error(
                join(path, "room"), f"program '{program.id}' is virtual: its sessions have no room"
            )
        if item.facilitator is not None and item.facilitator not in listed["facilitators"]:
            r.error(join(path, "facilitator"), f"unknown facilitator '{item.facilitator}'")
        if item.room is not None and item.room not in listed["rooms"]:
            r.error(join(path, "room"), f"unknown room '{item.room}'")
        _check_fixed_start(r, item, path, ctx)
    _check_fixed_sections(r, fixed)


def _check_fixed_sections(r: Reader, fixed: list[FixedSession]) -> None:
    """A section's session is fixed once, and every entry of a section lists the same cohorts."""
    first_entry: dict[tuple[str, int], int] = {}
    first_cohorts: dict[str, tuple[int, tuple[CohortPart, ...]]] = {}
    for k, item in enumerate(fixed):
        key = (item.section, item.session)
        if key in first_entry:
            r.error(
                join("fixed", k),
                f"section '{item.section}' session {item.session} is fixed twice "
                f"(also fixed[{first_entry[key]}])",
            )
        first_entry.setdefault(key, k)
        other, cohorts = first_cohorts.setdefault(item.section, (k, item.cohorts))
        if cohorts != item.cohorts:
            r.error(
                join(join("fixed", k), "cohorts"),
                f"section '{item.section}' lists other cohorts in fixed[{other}]",
            )


def _fixed_program(
    r: Reader,
    item: FixedSession,
    path: str,
    cohort_by_id: dict[str, Cohort],
    program_by_id: dict[str, Program],
    listed_cohorts: set[Any],
) -> Program | None:
    """The program of a fixed section, after checking its cohorts exist and share one program."""
    programs = set()
    for j, part in enumerate(item.cohorts):
        here = join(join(path, "cohorts"), j)
        cohort = cohort_by_id.get(part.cohort)
        if cohort is None:
            if part.cohort not in listed_cohorts:
                r.error(join(here, "cohort"), f"unknown cohort '{part.cohort}'")
            continue
        if part.learners > cohort.size:
            r.error(
                join(here, "learners"),
                f"{part.learners} learners but cohort '{cohort.id}' has {cohort.size}",
            )
        programs.add(cohort.program)
    if len(programs) > 1:
        r.error(
            join(path, "cohorts"), f"cohorts of different programs: {', '.join(sorted(programs))}"
        )
        return None
    return program_by_id.get(programs.pop()) if programs else None


def _check_fixed_start(r: Reader, item: FixedSession, path: str, ctx: Context) -> None:
    """A fixed start lies in the horizon and on the slot grid of the problem's zone."""
    if None in (ctx.timezone, ctx.horizon_start, ctx.horizon_end, ctx.slot_minutes):
        return
    local = to_local(item.start, ctx.timezone)
    where = f"{local:%Y-%m-%d %H:%M} ({ctx.timezone})"
    if not ctx.horizon_start <= local.date() <= ctx.horizon_end:
        r.error(join(path, "start"), f"start {where} is outside the horizon")
    elif not on_slot_grid(item.start, ctx.timezone, ctx.slot_minutes):
        r.error(
            join(path, "start"), f"start {where} is not on the {ctx.slot_minutes}-minute slot grid"
        )
