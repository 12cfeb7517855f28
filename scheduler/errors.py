"""Error pages: a database that cannot be reached is a 503 with a plain message, not a crash.

When PostgreSQL restarts (or SQLite's file is locked for longer than the busy timeout), the
request fails; its transaction is rolled back so the connection goes back to the pool clean,
and the next request gets a fresh connection (``pool_pre_ping``), with no app restart.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from sqlalchemy.exc import DBAPIError, OperationalError

from scheduler.extensions import db

UNAVAILABLE = "The database cannot be reached right now. Nothing was saved; try again in a moment."


def database_unavailable(error: DBAPIError):
    try:
        db.session.rollback()
    except DBAPIError:  # the connection died with the server: drop it, the pool makes a new one
        db.session.invalidate()
        db.session.remove()
    if request.accept_mimetypes.best == "application/json" or request.path.endswith(".json"):
        return {"error": UNAVAILABLE}, 503
    # Straight from the Jinja environment: render_template's context processors would load the
    # signed-in user, from the database that is down.
    page = current_app.jinja_env.get_template("error.html")
    return page.render(title="Please try again", message=UNAVAILABLE), 503


def close_session(exception: BaseException | None = None) -> None:
    """End the request's session; a connection that died after the response was made (the
    server went away in between) is dropped instead of failing the finished request."""
    try:
        db.session.remove()
    except DBAPIError:
        db.session.invalidate()
        db.session.remove()


def init_app(app: Flask) -> None:
    app.register_error_handler(OperationalError, database_unavailable)
    # Registered after Flask-SQLAlchemy's own teardown, so it runs first (teardowns run in
    # reverse); Flask-SQLAlchemy's then finds no session left to close.
    app.teardown_appcontext(close_session)
    # A connection dropped mid-query surfaces as DBAPIError with connection_invalidated set.
    app.register_error_handler(DBAPIError, _dropped_connection)


def _dropped_connection(error: DBAPIError):
    if error.connection_invalidated:
        return database_unavailable(error)
    raise error
