"""Data stamps: every committed write gives the tables it touched a new token, in the same
transaction; reads are traced to the tables they read (scheduler/stamps.py)."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from scheduler.extensions import db
from scheduler.models import Learner, Program, Site
from scheduler.stamps import cascades_from, current_stamps, has_unsaved_writes, reading_tables
from tests.factories import create_learner, create_program, create_site


def test_a_committed_insert_stamps_its_table_and_no_other(app):
    with app.app_context():
        create_site(key="lon")
        db.session.commit()
        before = current_stamps()
        create_learner(db.session.scalar(select(Site)))
        db.session.commit()
        after = current_stamps()
    assert after["learner"] != before.get("learner")
    assert after["site"] == before["site"]


def test_an_update_statement_stamps_its_table(app):
    with app.app_context():
        create_program(key="fire")
        db.session.commit()
        before = current_stamps()["program"]
        db.session.execute(update(Program).values(name="Fire safety 2"))
        db.session.commit()
        assert current_stamps()["program"] != before


def test_a_delete_stamps_the_tables_its_foreign_keys_cascade_to(app):
    with app.app_context():
        create_learner(create_site(key="lon"))
        db.session.commit()
        before = current_stamps()
        db.session.execute(delete(Learner))
        db.session.commit()
        after = current_stamps()
    cascaded = cascades_from("learner")
    assert "section_seat" in cascaded  # a learner's seats go with the learner
    assert all(after[name] != before.get(name) for name in cascaded)


def test_a_rolled_back_write_stamps_nothing(app):
    with app.app_context():
        create_site(key="lon")
        db.session.commit()
        before = current_stamps()
        create_site(key="par")
        db.session.flush()
        assert has_unsaved_writes()
        db.session.rollback()
        assert not has_unsaved_writes()
        db.session.commit()
        assert current_stamps() == before


def test_reads_are_traced_to_their_tables_subqueries_and_lazy_loads_included(app):
    with app.app_context():
        learner = create_learner(create_site(key="lon"))
        db.session.commit()
        learner_id = learner.id
        db.session.expunge_all()
        with reading_tables() as read:
            found = db.session.scalars(
                select(Learner).where(Learner.site_id.in_(select(Site.id)))
            ).one()
            assert found.id == learner_id
            assert found.site.key == "lon"  # a lazy load
        assert {"learner", "site"} <= read
        assert "program" not in read


def test_a_row_found_in_the_identity_map_counts_as_read(app):
    """``session.get`` answers from the identity map without SQL: the row's table must still be
    among those a part depends on (a feed looked up by id this way once depended on nothing of
    its own row, issue 15 item 1)."""
    with app.app_context():
        learner = create_learner(create_site(key="lon"))
        db.session.commit()
        learner_id = learner.id
        db.session.expunge_all()
        held = db.session.get(Learner, learner_id)  # loaded before the part is built
        with reading_tables() as read:
            assert db.session.get(Learner, learner_id) is held  # from the map: no SQL
        assert "learner" in read


def test_tables_joined_by_an_eager_load_count_as_read(app):
    """joinedload adds its JOIN when the statement is compiled: the SQL sent is what counts."""
    with app.app_context():
        create_learner(create_site(key="lon"))
        db.session.commit()
        db.session.expunge_all()
        with reading_tables() as read:
            found = db.session.scalars(select(Learner).options(joinedload(Learner.site))).one()
            assert found.site.key == "lon"
        assert {"learner", "site"} <= read


def test_a_nested_read_counts_for_the_outer_part_too(app):
    with app.app_context():
        create_program(key="fire")
        db.session.commit()
        db.session.expunge_all()
        with reading_tables() as outer:
            with reading_tables() as inner:
                db.session.scalars(select(Program)).all()
            db.session.scalars(select(Site)).all()
        assert inner == {"program"}
        assert outer == {"program", "site"}
