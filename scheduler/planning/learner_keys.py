"""Each cohort's learners' keys, read on a connection of their own while the rest of the period
is read (``mapping.problem_document``).

On 10,000 cohorts of 250,000 learners this is the period's longest query: 0.09-0.10 s in the
database, then 0.04 s in Python to split the keys (bench/results/log.md, 8 Dec). The database works without
Python's lock, so on a second connection, in a thread, it runs while the worker's own thread
reads and maps the cohorts, facilitators and rooms.

Two connections are two snapshots. The keys read beside are used only when they are the ones
the session would have read itself:

- the session has no change of its own (nothing pending, nothing flushed: the other connection
  cannot see it);
- the data stamps of the tables the query reads (``scheduler.stamps``: every transaction that
  writes a table gives it a new random token before it commits) are the same in the session's
  transaction, read before the thread starts and again once it is joined, and in the thread's,
  read in the same snapshot as the keys. On PostgreSQL the thread's transaction is
  ``REPEATABLE READ`` so that its two statements share one snapshot; on SQLite (WAL) a read
  transaction always has one.

Otherwise, or when the thread fails, the keys are read again in the session, as before.
"""

from __future__ import annotations

import threading
from collections import defaultdict

from sqlalchemy import Connection, String, cast, func, select

from scheduler.database import reading
from scheduler.extensions import db
from scheduler.models import Cohort, CohortMember, DataStamp, Learner
from scheduler.stamps import has_unsaved_writes

# All the keys come back as one string: each cohort as its id, its count of learners and its keys
# joined, the cohorts joined again. One row is one step of the database, which runs without
# Python's lock throughout; a row per cohort takes the lock back 10,000 times, each time waiting
# for the worker's thread to give it up (the read beside was slower than none, 8 Dec). One row
# is also quicker alone: 0.09-0.10 s against 0.13-0.16 s for a row per cohort. The separators are
# control characters no key should hold; keys whose counts disagree are read as rows.
KEY_SEPARATOR = "\x1f"
FIELD_SEPARATOR = "\x1e"
COHORT_SEPARATOR = "\x1d"

# The tables the keys depend on: memberships, learners, and the cohorts the scope picks.
READ_TABLES = tuple(sorted(t.__tablename__ for t in (Cohort, CohortMember, Learner)))

Keys = defaultdict[int, list[str]]
# (number of cohorts, their ids, counts and keys as one string): ``joined_keys``
Joined = tuple[int, str | None]


class LearnerKeysRead:
    """``LearnerKeysRead(scope).start()``, then ``keys()`` when they are needed: the learners'
    keys of each cohort of ``scope`` (a subquery of cohort ids), sorted."""

    def __init__(self, scope) -> None:
        self.scope = scope
        self._thread: threading.Thread | None = None
        self._stamps: dict[str, int] | None = None
        self._found: tuple[dict[str, int], Joined] | None = None
        self.read_beside = False  # whether ``keys`` gave the thread's keys

    def start(self) -> LearnerKeysRead:
        """Start reading beside the session, when it can be trusted to match (see the module)."""
        session = db.session
        if session.new or session.dirty or session.deleted or has_unsaved_writes():
            return self
        engine = session.get_bind()
        if engine.dialect.name not in ("sqlite", "postgresql"):
            return self
        self._stamps = _stamps(session.connection())
        self._thread = threading.Thread(
            target=self._read_beside, args=(engine,), name="learner-keys", daemon=True
        )
        self._thread.start()
        return self

    def keys(self) -> Keys:
        """The keys, from the thread when its snapshot matches the session's, else read now."""
        if self._thread is not None:
            self._thread.join()
            # Read again now as well: on PostgreSQL (read committed) each of the session's
            # statements sees what was committed before it, and the cohorts were read since.
            if self._found is not None and self._found[0] == self._stamps == _stamps(
                db.session.connection()
            ):
                self.read_beside = True
                return keys_of(self._found[1], db.session.connection(), self.scope)
        return learner_keys(db.session.connection(), self.scope)

    def _read_beside(self, engine) -> None:
        # A thread starts with no context: ``reading`` makes its SQLite transaction a plain
        # BEGIN, which takes no write lock. A failure leaves ``_found`` empty: ``keys`` reads
        # them again in the session, where the error, if it is one, is raised.
        try:
            with reading(), engine.connect() as connection:
                if connection.dialect.name == "postgresql":
                    connection = connection.execution_options(isolation_level="REPEATABLE READ")
                with connection.begin():
                    self._found = (_stamps(connection), joined_keys(connection, self.scope))
        except Exception:
            self._found = None


def _stamps(connection: Connection) -> dict[str, int]:
    """The data stamps of ``READ_TABLES`` in ``connection``'s transaction."""
    query = select(DataStamp.table_name, DataStamp.token).where(
        DataStamp.table_name.in_(READ_TABLES)
    )
    return dict(connection.execute(query).all())


def learner_keys(connection: Connection, scope) -> Keys:
    """The learners' keys of each cohort of ``scope``, sorted: strings, not objects (the
    document needs only the keys)."""
    return keys_of(joined_keys(connection, scope), connection, scope)


def joined_keys(connection: Connection, scope) -> Joined:
    """The number of cohorts with learners, and every such cohort's id, count and keys as one
    string (see ``COHORT_SEPARATOR``)."""
    per_cohort = (
        select(
            CohortMember.cohort_id.label("cohort"),
            func.count().label("learners"),
            func.aggregate_strings(Learner.key, KEY_SEPARATOR).label("listed"),
        )
        .join(Learner, CohortMember.learner_id == Learner.id)
        .where(CohortMember.cohort_id.in_(scope))
        .group_by(CohortMember.cohort_id)
        .subquery()
    )
    fields = (
        cast(per_cohort.c.cohort, String) + FIELD_SEPARATOR
        + cast(per_cohort.c.learners, String) + FIELD_SEPARATOR
        + per_cohort.c.listed
    )  # fmt: skip
    query = select(func.count(), func.aggregate_strings(fields, COHORT_SEPARATOR))
    return tuple(connection.execute(query).one())


def keys_of(joined: Joined, connection: Connection, scope) -> Keys:
    """``joined_keys`` split by cohort, each cohort's keys sorted; read as rows when a key holds
    a separator (the cohorts or a cohort's keys are then not as many as counted)."""
    keys: Keys = defaultdict(list)
    cohorts, text = joined
    if not cohorts:
        return keys
    split = text.split(COHORT_SEPARATOR)
    if len(split) != cohorts:
        return _learner_keys_by_row(connection, scope)
    for cohort in split:
        cohort_id, count, listed = cohort.split(FIELD_SEPARATOR, 2)
        learners = listed.split(KEY_SEPARATOR)
        if len(learners) != int(count):  # a key holds a separator
            return _learner_keys_by_row(connection, scope)
        learners.sort()  # here, not in SQL: PostgreSQL's collation may order keys otherwise
        keys[int(cohort_id)] = learners
    return keys


def _learner_keys_by_row(connection: Connection, scope) -> Keys:
    """``learner_keys`` read one membership at a time."""
    query = (
        select(CohortMember.cohort_id, Learner.key)
        .join(Learner, CohortMember.learner_id == Learner.id)
        .where(CohortMember.cohort_id.in_(scope))
    )
    keys: Keys = defaultdict(list)
    for cohort_id, key in _driver_rows(connection, query):
        keys[cohort_id].append(key)
    for learners in keys.values():
        learners.sort()
    return keys


def _driver_rows(connection: Connection, query) -> list[tuple]:
    """The rows of ``query`` as the driver's own tuples: plain integers and strings need no
    conversion, and making a Row of each was half the time of reading 51,000 memberships."""
    result = connection.execute(query)
    with result:
        return result.cursor.fetchall()
