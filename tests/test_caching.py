"""Cached page parts (scheduler/caching.py): served again while the tables they read are
unchanged, rebuilt as soon as anyone commits a change to one of them."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import select

from scheduler import caching
from scheduler.caching import cache, cached_part
from scheduler.extensions import db
from scheduler.models import Learner, Program, StepKind
from tests.factories import create_learner, create_program, create_site
from tests.report_world import done_step, make_report_world

PASSWORD = "correct horse battery"


def learner_names(built: list[int]) -> str:
    built.append(1)
    return ", ".join(db.session.scalars(select(Learner.name).order_by(Learner.name)))


def test_a_part_is_built_once_while_its_tables_are_unchanged(app):
    built: list[int] = []
    with app.test_request_context():
        create_learner(create_site(key="lon"), name="Ada")
        db.session.commit()
        first = cached_part("names", lambda: learner_names(built), timeout=60)
        again = cached_part("names", lambda: learner_names(built), timeout=60)
    assert first == again == "Ada"
    assert len(built) == 1


def test_a_committed_change_to_a_table_read_rebuilds_the_part(app):
    built: list[int] = []
    with app.test_request_context():
        site = create_site(key="lon")
        create_learner(site, name="Ada")
        db.session.commit()
        cached_part("names", lambda: learner_names(built), timeout=60)
        create_learner(site, name="Bo")
        db.session.commit()
        assert cached_part("names", lambda: learner_names(built), timeout=60) == "Ada, Bo"
    assert len(built) == 2


def test_a_change_to_another_table_keeps_the_part(app):
    built: list[int] = []
    with app.test_request_context():
        create_learner(create_site(key="lon"), name="Ada")
        db.session.commit()
        cached_part("names", lambda: learner_names(built), timeout=60)
        create_program(key="fire")
        db.session.commit()
        cached_part("names", lambda: learner_names(built), timeout=60)
    assert len(built) == 1


def test_a_part_built_over_unsaved_writes_is_not_cached(app):
    """Uncommitted rows must not reach other people through the cache."""
    built: list[int] = []
    with app.test_request_context():
        site = create_site(key="lon")
        create_learner(site, name="Ada")
        db.session.commit()
        create_learner(site, name="Bo")
        db.session.flush()
        assert cached_part("names", lambda: learner_names(built), timeout=60) == "Ada, Bo"
        db.session.rollback()
        assert cached_part("names", lambda: learner_names(built), timeout=60) == "Ada"
    assert len(built) == 2


def test_a_broken_cache_store_only_costs_a_rebuild(app, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    built: list[int] = []
    with app.test_request_context():
        create_learner(create_site(key="lon"), name="Ada")
        db.session.commit()
        assert cached_part("names", lambda: learner_names(built), timeout=60) == "Ada"
        assert cached_part("names", lambda: learner_names(built), timeout=60) == "Ada"
    assert len(built) == 2


def redis_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_running(), reason="no Redis on 127.0.0.1:6379")
def test_with_redis_configured_the_parts_are_shared_through_redis(app):
    """Two app servers with the same Redis share a part; a change still rebuilds it."""
    app.config["REDIS_URL"] = "redis://127.0.0.1:6379/15"
    app.config["PAGE_CACHE"] = True
    with app.app_context():
        app.extensions.pop("cache", None)
        caching.init_app(app)
        assert type(cache.cache).__name__ == "RedisCache"
        cache.clear()
    built: list[int] = []
    with app.test_request_context():
        create_learner(create_site(key="lon"), name="Ada")
        db.session.commit()
        cached_part("names", lambda: learner_names(built), timeout=60)
        assert cache.cache._read_client.exists("scheduler:part:names")  # stored in Redis
        assert cached_part("names", lambda: learner_names(built), timeout=60) == "Ada"
        cache.clear()


def test_the_managers_page_shows_a_learners_progress_at_once(app, client, auth):
    """A cached team page is not stale: a learner finishing a follow-up quiz, or being renamed,
    shows on the manager's next visit."""
    with app.app_context():
        ids = make_report_world().ids
    auth.login("grace@example.com", PASSWORD)
    url = "/team/training?start=2027-01-11"
    before = client.get(url).get_data(as_text=True)
    assert client.get(url).get_data(as_text=True) == before  # served from the cache
    with app.app_context():
        db.session.add(done_step(ids["lea"], ids["fire_london"], kind=StepKind.QUIZ, score=0.8))
        db.session.get(Learner, ids["lea"]).name = "Lea Renamed"
        db.session.commit()
    after = client.get(url).get_data(as_text=True)
    assert "Lea Renamed" not in before and "80%" not in before
    assert "Lea Renamed" in after and "80%" in after and "7 min" in after


def test_the_cost_report_follows_a_program_renamed(app, client, auth):
    with app.app_context():
        world = make_report_world()
        version_id = world.version.id
    auth.login("coordinator@example.com", PASSWORD)
    url = f"/reports/versions/{version_id}/cost"
    before = client.get(url).get_data(as_text=True)
    with app.app_context():
        program = db.session.scalar(select(Program).where(Program.key == "fire"))
        program.name = "Fire drill"
        db.session.commit()
    after = client.get(url).get_data(as_text=True)
    assert "Fire drill" not in before
    assert "Fire drill" in after


def test_no_cache_when_switched_off(app):
    app.config["PAGE_CACHE"] = False
    with app.app_context():
        app.extensions.pop("cache", None)
        caching.init_app(app)
    built: list[int] = []
    with app.test_request_context():
        create_learner(create_site(key="lon"), name="Ada")
        db.session.commit()
        cached_part("names", lambda: learner_names(built), timeout=60)
        cached_part("names", lambda: learner_names(built), timeout=60)
    assert len(built) == 2
