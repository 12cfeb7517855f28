"""Cached page parts (scheduler/caching.py): served again while the tables they read are
unchanged, rebuilt as soon as anyone commits a change to one of them.

That a page is served from the cache is proved by behaviour that could fail: a count of builds,
or a change written behind the cache's back (a bare connection, which stamps nothing) that the
page does not show until a stamped change rebuilds it. Two equal pages prove nothing: a page
built twice from the same data is equal too.
"""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import select, update

from scheduler import caching
from scheduler.caching import cache, cached_part
from scheduler.extensions import db
from scheduler.models import FeedKind, Learner, Program, Room, StepKind, User
from tests.factories import create_learner, create_program, create_site
from tests.report_world import done_step, make_report_world

PASSWORD = "correct horse battery"


def behind_the_cache(app, statement) -> None:
    """Run a write the data stamps do not see (as a bare connection would)."""
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(statement)


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
        stored = f"scheduler:part:{caching.code_version(*caching.code_folders(app))}:names"
        assert cache.cache._read_client.exists(stored)  # stored in Redis
        assert cached_part("names", lambda: learner_names(built), timeout=60) == "Ada"
        assert len(built) == 1
        cache.clear()


def test_a_part_is_keyed_by_the_code_and_templates_that_build_it(tmp_path):
    """Parts outlive a deploy in Redis; a changed template must not be served old parts."""
    (tmp_path / "page.html").write_text("<p>{{ names }}</p>")
    before = caching.code_version(tmp_path)
    caching.code_version.cache_clear()
    (tmp_path / "page.html").write_text("<p>Names: {{ names }}</p>")
    assert caching.code_version(tmp_path) != before
    caching.code_version.cache_clear()  # the Redis test checks the prefix of a stored key


def test_the_managers_page_shows_a_learners_progress_at_once(app, client, auth):
    """The team page is cached (a rename behind the cache's back is not shown), yet not stale:
    a learner finishing a follow-up quiz shows on the manager's next visit, with the rename."""
    with app.app_context():
        ids = make_report_world().ids
    auth.login("grace@example.com", PASSWORD)
    url = "/team/training?start=2027-01-11"
    before = client.get(url).get_data(as_text=True)
    assert "Lea Renamed" not in before and "80%" not in before
    behind_the_cache(
        app, update(Learner).where(Learner.id == ids["lea"]).values(name="Lea Renamed")
    )
    assert "Lea Renamed" not in client.get(url).get_data(as_text=True)  # from the cache
    with app.app_context():
        db.session.add(done_step(ids["lea"], ids["fire_london"], kind=StepKind.QUIZ, score=0.8))
        db.session.commit()
    after = client.get(url).get_data(as_text=True)
    assert "Lea Renamed" in after and "80%" in after and "7 min" in after


def test_the_cost_report_is_cached_and_follows_a_program_renamed(app, client, auth):
    with app.app_context():
        world = make_report_world()
        version_id = world.version.id
    auth.login("coordinator@example.com", PASSWORD)
    url = f"/reports/versions/{version_id}/cost"
    assert "Fire drill" not in client.get(url).get_data(as_text=True)
    behind_the_cache(app, update(Program).where(Program.key == "fire").values(name="Fire drill"))
    assert "Fire drill" not in client.get(url).get_data(as_text=True)  # from the cache
    with app.app_context():
        program = db.session.scalar(select(Program).where(Program.key == "fire"))
        program.name = "Fire drill"  # the same value again: the stamp is what rebuilds
        db.session.commit()
    assert "Fire drill" in client.get(url).get_data(as_text=True)


def test_a_feed_is_cached_and_follows_a_room_renamed(app):
    """The subscription feed is a cached part too, rebuilt when a table it read changes."""
    from scheduler.calendars.operations import issue_feed

    with app.app_context():
        make_report_world()
        room = db.session.scalar(select(Room).where(Room.key == "lon-1"))
        coordinator = db.session.scalar(select(User).where(User.email == "coordinator@example.com"))
        room_id, (_, token) = room.id, issue_feed(FeedKind.ROOM, room, coordinator)
    anonymous, url = app.test_client(), f"/feeds/{token}.ics"
    assert b"Thames" in anonymous.get(url).data
    behind_the_cache(app, update(Room).where(Room.id == room_id).values(name="Severn"))
    assert b"Severn" not in anonymous.get(url).data  # from the cache
    with app.app_context():
        db.session.get(Room, room_id).hourly_cost = 41.0  # any stamped change to the room table
        db.session.commit()
    assert b"Severn" in anonymous.get(url).data


def test_a_part_that_found_its_row_in_the_identity_map_follows_that_row(app):
    """``session.get`` of a row loaded before the part is built runs no SQL; the part must
    still depend on that row's table (issue 15, item 1)."""
    built: list[int] = []

    def name_of(learner_id: int) -> str:
        built.append(1)
        return db.session.get(Learner, learner_id).name

    with app.app_context():
        learner_id = create_learner(create_site(key="lon"), name="Ada").id
        db.session.commit()
    with app.test_request_context():
        held = db.session.get(Learner, learner_id)  # as a route's lookup before the part
        assert cached_part("name", lambda: name_of(held.id), timeout=60) == "Ada"
        db.session.rollback()
        with app.app_context():
            db.session.get(Learner, learner_id).name = "Ada Renamed"
            db.session.commit()
        held = db.session.get(Learner, learner_id)
        assert cached_part("name", lambda: name_of(held.id), timeout=60) == "Ada Renamed"
    assert len(built) == 2


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
