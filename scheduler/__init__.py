"""The Flask app of the cohort scheduler: ``create_app`` builds it."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from scheduler import caching
from scheduler import config as config_module
from scheduler.extensions import csrf, db, login_manager, migrate
from scheduler.jobs import queue as jobs

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_ROOT = Path(__file__).resolve().parent


def instance_folder() -> Path:
    """Where runtime data lives: ``SCHEDULER_INSTANCE_PATH`` or the checkout's ``instance/``.

    Flask would pick ``<prefix>/var/scheduler-instance`` for an installed package; this project
    keeps its data in the repository's ``instance/`` whatever the current directory is.
    """
    return Path(os.environ.get("SCHEDULER_INSTANCE_PATH") or PROJECT_ROOT / "instance").resolve()


def create_app(config: dict | None = None) -> Flask:
    """Build the app: defaults, then ``instance/config.py``, then the environment, then ``config``."""
    instance_path = instance_folder()
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PACKAGE_ROOT / "static"),
    )
    app.config.from_mapping(config_module.default_config(instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(config_module.environment_overrides(os.environ))
    if config:
        app.config.from_mapping(config)
    config_module.finalise(app.config)
    instance_path.mkdir(parents=True, exist_ok=True)

    if app.config.get("PROXY_COUNT"):  # behind reverse proxies: trust their X-Forwarded-* headers
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from scheduler import query

    query.init_app(app)  # before any route is added: ids in paths are checked by range
    db.init_app(app)
    caching.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE_ROOT / "migrations"))
    csrf.init_app(app)
    jobs.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            from scheduler.database import configure_sqlite

            configure_sqlite(db.engine)
    # access: the user loader
    from scheduler import access, errors, logs, navigation, security, templating, vendor
    from scheduler.auth import sso

    logs.init_app(app)
    security.init_app(app)
    sso.init_app(app)
    vendor.init_app(app, PROJECT_ROOT / "node_modules")
    navigation.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    assert access.load_user


#: One blueprint per user area, each a package with routes.py (and forms.py, operations.py, util.py).
USER_AREAS = (
    "auth",
    "home",
    "sites",
    "programs",
    "learners",
    "cohorts",
    "facilitators",
    "availability",
    "imports",
    "planning",
    "review",
    "publishing",
    "adjustments",
    "breaks",
    "solving",
    "calendars",
    "sections",
    "health",
    "audit",
    "followups",
    "team",
    "reports",
    "learning_records",
    "scenarios",
    "capacity",
)


def register_blueprints(app: Flask) -> None:
    import importlib

    for area in USER_AREAS:
        app.register_blueprint(importlib.import_module(f"scheduler.{area}.routes").bp)
    # The invitation answer page: no sign-in, its own module beside the calendars area.
    app.register_blueprint(importlib.import_module("scheduler.calendars.answers").bp)


def register_commands(app: Flask) -> None:
    from scheduler.commands import register

    register(app)
