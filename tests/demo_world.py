"""The demo organisation loaded once into the test database, for module-scoped fixtures.

Loading takes a second or two, so read-only tests of a module share one loaded database; the
tables are emptied again when the module is done.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from flask import Flask

from scheduler import create_app
from scheduler.demo import load_demo
from scheduler.extensions import db
from tests.conftest import _empty_all_tables, _test_config


@contextmanager
def loaded_demo(database_url: str, tmp_path_factory, today: date) -> Iterator[Flask]:
    """An app whose database holds the demo organisation as loaded on ``today``."""
    app = create_app(_test_config(database_url, tmp_path_factory.mktemp("demo")))
    with app.app_context():
        _empty_all_tables()
        load_demo(today=today)
        db.session.commit()
        db.session.remove()
    try:
        yield app
    finally:
        with app.app_context():
            _empty_all_tables()
            db.engine.dispose()
