"""Which tables changed: the data stamps that cached pages are checked against.

Every transaction that writes to a table replaces that table's token in ``data_stamp`` just
before it commits, in the same transaction, so that no reader sees the new rows with the old
token. A cached page remembers the tokens of the tables it read (``reading_tables`` finds them
while the page is built); it is still good while none of those tokens has changed.

Reads are seen at two places, because the ORM answers some reads without any SQL:

- every statement sent to the database while the page is built, with the tables of the SQL
  actually sent (so tables that eager loads join in, and subqueries, count too);
- every table that has a row in the session's identity map when the build starts: a row the
  build reaches with ``session.get`` or a many-to-one attribute, without a statement, was
  either loaded by a statement of the build (seen above) or was already there.

Writes are seen through the ORM session: rows flushed (mapper events, which also see cascaded
and orphan deletes) and ``insert``/``update``/``delete`` statements run with ``session.execute``.
A delete also stamps the tables whose foreign keys cascade from the deleted table. Code that
writes through a bare connection (``engine.begin()``) must call ``stamp_tables`` itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from sqlalchemy import Table, event, inspect, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, object_session
from sqlalchemy.sql.util import find_tables

from scheduler.extensions import db
from scheduler.models import DataStamp

#: ``session.info`` key: the tables this transaction wrote.
WRITTEN = "stamps.written"
#: The tables read by the build running in this thread or task (None: no build running).
_reading: ContextVar[set[str] | None] = ContextVar("stamps_reading", default=None)
STAMP_TABLE = DataStamp.__tablename__


def current_stamps() -> dict[str, int]:
    """Every table's token (tables never written are absent)."""
    return dict(db.session.execute(select(DataStamp.table_name, DataStamp.token)).all())


def has_unsaved_writes() -> bool:
    """True when this session wrote something not committed yet (a page built now would show it
    before anyone else can see it: it must not be cached)."""
    return bool(db.session.info.get(WRITTEN))


@contextmanager
def reading_tables() -> Iterator[set[str]]:
    """The names of the tables read inside the ``with`` block (see the module's docstring)."""
    # The identity-map gap is fixed here, not worked around by each caller: every table with a
    # row in the map counts as read up front, so reads the ORM answers from the map without
    # SQL (``session.get``, a loaded many-to-one) are covered. Without it a part that looked a
    # row up by id through the map depended on nothing of that row, and a deleted row whose id
    # was reused by a new one was served with the old row's page (issue 15, item 1). It costs
    # a spare dependency or two (the signed-in user's table, say): a rebuild, never a stale page.
    read: set[str] = tables_in_identity_map(db.session)
    outer = _reading.get()
    reset = _reading.set(read)
    try:
        yield read
    finally:
        _reading.reset(reset)
        if outer is not None:
            outer |= read


def tables_in_identity_map(session: Session) -> set[str]:
    """The tables of every row held in ``session``'s identity map."""
    classes = {key[0] for key in session.identity_map.keys()}
    return {table.name for cls in classes for table in inspect(cls).tables}


def stamp_tables(connection: Connection, names: Iterable[str]) -> None:
    """Give the tables ``names`` new tokens, on ``connection`` (inside the writing transaction).

    Rows are written in name order so that two transactions never lock them in opposite orders.
    """
    rows = [{"table_name": name, "token": _new_token()} for name in sorted(set(names))]
    if not rows:
        return
    dialect = connection.dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        statement = insert(DataStamp.__table__)
        statement = statement.on_conflict_do_update(
            index_elements=["table_name"], set_={"token": statement.excluded.token}
        )
        connection.execute(statement, rows)
        return
    table = DataStamp.__table__
    connection.execute(
        table.delete().where(table.c.table_name.in_([r["table_name"] for r in rows]))
    )
    connection.execute(table.insert(), rows)


def _new_token() -> int:
    return secrets.randbits(62)


# --- listeners ---------------------------------------------------------------------------------


def init_app(app) -> None:
    """Listen to every session and mapper (once per process, whatever the number of apps)."""
    _listen()


@cache
def _listen() -> None:
    for name in ("after_insert", "after_update"):
        event.listen(Mapper, name, _row_written)
    event.listen(Mapper, "after_delete", _row_deleted)
    event.listen(Session, "do_orm_execute", _statement_run)
    event.listen(Engine, "before_cursor_execute", _statement_sent)
    event.listen(Session, "before_commit", _stamp_before_commit)
    event.listen(Session, "after_commit", _forget)
    event.listen(Session, "after_rollback", _forget)


def _written(session: Session | None) -> set[str] | None:
    if session is None:
        return None
    return session.info.setdefault(WRITTEN, set())


def _row_written(mapper: Mapper, connection: Connection, target) -> None:
    written = _written(object_session(target))
    if written is not None:
        written.update(table.name for table in mapper.tables)


def _row_deleted(mapper: Mapper, connection: Connection, target) -> None:
    written = _written(object_session(target))
    if written is not None:
        for table in mapper.tables:
            written |= cascades_from(table.name)


def _statement_sent(connection, cursor, statement, parameters, context, executemany) -> None:
    """Trace a read: the tables of the SQL as compiled, joined eager loads included (the ORM
    adds their joins at compile time, after ``do_orm_execute``)."""
    read = _reading.get()
    if read is None:
        return
    compile_state = getattr(context.compiled, "compile_state", None)
    if compile_state is None:  # text() or a driver-level statement: nothing to go by
        return
    read.update(
        table.name
        for table in find_tables(compile_state.statement, include_aliases=True, include_crud=True)
        if isinstance(table, Table)
    )


def _statement_run(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    # Every table the statement names (its target, and any it reads in WHERE: a spare stamp
    # costs a rebuild, a missing one a stale page).
    names = {t.name for t in find_tables(state.statement, include_crud=True)} - {STAMP_TABLE}
    written = _written(state.session)
    for name in names:
        written |= cascades_from(name) if state.is_delete else {name}


def _stamp_before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # the outer commit stamps: a savepoint holding the stamps' rows could deadlock
    session.flush()  # the last changes, so that their tables are known
    written = session.info.pop(WRITTEN, None)
    if written:
        stamp_tables(session.connection(), written)


def _forget(session: Session) -> None:
    session.info.pop(WRITTEN, None)


@cache
def cascades_from(table_name: str) -> frozenset[str]:
    """The table ``table_name`` and every table whose rows a delete from it deletes or changes
    through ``ON DELETE CASCADE``/``SET NULL`` foreign keys, followed to the end."""
    found = {table_name}
    todo = [table_name]
    while todo:
        parent = todo.pop()
        for child in db.metadata.tables.values():
            if child.name in found:
                continue
            if any(
                fk.column.table.name == parent and (fk.ondelete or "").upper() in _CASCADING
                for fk in child.foreign_keys
            ):
                found.add(child.name)
                todo.append(child.name)
    return frozenset(found)


_CASCADING = {"CASCADE", "SET NULL", "SET DEFAULT"}
