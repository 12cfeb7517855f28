"""Writes of the programs area: programs and their ordered sessions.

The caller (the request) commits; these functions change the session and flush.
"""

from __future__ import annotations

from scheduler.audit import operations as audit
from scheduler.breaks.operations import withdraw_from_published_plans
from scheduler.extensions import db
from scheduler.models import Program, ProgramSession
from scheduler.sites.operations import ensure_key_free


def create_program(sessions: list[tuple[str, int]], **fields) -> Program:
    """Add a program with its sessions, given in order as (title, minutes)."""
    ensure_key_free(Program, fields["key"], "Key")
    program = Program(**fields)
    _set_sessions(program, sessions)
    db.session.add(program)
    db.session.flush()
    audit.record_changes(program, None)
    return program


def update_program(program: Program, sessions: list[tuple[str, int]], **fields) -> Program:
    """Change a program's fields and sessions."""
    ensure_key_free(Program, fields["key"], "Key", current_id=program.id)
    before = audit.snapshot(program)
    for name, value in fields.items():
        setattr(program, name, value)
    _set_sessions(program, sessions)
    db.session.flush()
    audit.record_changes(program, before)
    return program


def _set_sessions(program: Program, sessions: list[tuple[str, int]]) -> None:
    """Make ``program.sessions`` match ``sessions``, position by position.

    Existing rows are updated in place rather than replaced: the unit of work inserts
    before it deletes, so new rows at the same positions would break the unique
    (program, position) index, and keeping ids lets later data keep pointing at them.
    """
    existing = list(program.sessions)
    for position, (title, minutes) in enumerate(sessions):
        if position < len(existing):
            session = existing[position]
            session.title, session.duration_minutes = title, minutes
        else:
            program.sessions.append(
                ProgramSession(position=position, title=title, duration_minutes=minutes)
            )
    for surplus in existing[len(sessions) :]:
        program.sessions.remove(surplus)


def delete_program(program: Program) -> None:
    """Delete a program with its sessions; its cohorts go too (foreign key cascade), and so do
    its sections in every plan, so everyone invited to a published one gets a cancellation."""
    withdraw_from_published_plans(program=program)
    audit.record_deleted(program)
    db.session.delete(program)
    db.session.flush()
