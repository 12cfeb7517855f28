"""The diff between the published schedule and a draft: sessions and the people they concern."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from scheduler.review.diff import Person, Session, diff

ANA, BEN = Person(1, "Ana Duarte"), Person(2, "Ben Okafor")
LEA, MO, ZOE = Person(10, "Léa Martin"), Person(11, "Mo Haddad"), Person(12, "Zoe Price")


def session(section="S1", position=0, hour=9, day=15, facilitator=ANA, room="Room A", learners=()):
    return Session(
        section=section,
        position=position,
        program="Fire safety",
        start=datetime(2027, 3, day, hour, tzinfo=UTC),
        end=datetime(2027, 3, day, hour + 2, tzinfo=UTC),
        facilitator=facilitator,
        room=room,
        learners=frozenset(learners),
    )


def test_nothing_published_makes_every_session_added_and_everyone_affected():
    draft = [session(learners=[LEA]), session(position=1, day=17, learners=[LEA])]
    result = diff([], draft)
    assert result.added == sorted(draft, key=lambda s: s.start)
    assert (result.moved, result.cancelled, result.unchanged) == ([], [], 0)
    assert result.facilitators == [ANA]
    assert result.learners == [LEA]


def test_identical_versions_change_nothing_and_affect_no_one():
    both = [session(learners=[LEA, MO]), session(section="S2", facilitator=BEN, learners=[ZOE])]
    result = diff(both, list(both))
    assert result.changes == 0
    assert result.unchanged == 2
    assert result.facilitators == [] and result.learners == []


def test_a_session_at_another_time_is_moved_and_concerns_its_facilitator_and_learners():
    old = session(learners=[LEA, MO])
    new = replace(old, start=old.start.replace(hour=13), end=old.end.replace(hour=15))
    untouched = session(section="S2", facilitator=BEN, learners=[ZOE])
    result = diff([old, untouched], [new, untouched])
    assert [(m.old, m.new) for m in result.moved] == [(old, new)]
    assert result.unchanged == 1
    assert result.facilitators == [ANA]
    assert result.learners == [LEA, MO]


def test_another_facilitator_is_a_move_that_concerns_both_facilitators():
    old = session(learners=[LEA])
    result = diff([old], [replace(old, facilitator=BEN)])
    assert len(result.moved) == 1
    assert result.facilitators == [ANA, BEN]
    assert result.learners == [LEA]


def test_another_room_is_a_move():
    old = session()
    result = diff([old], [replace(old, room="Room B")])
    assert [m.new.room for m in result.moved] == ["Room B"]


def test_sessions_are_matched_by_section_and_position_not_by_time():
    old = [session(section="S1", position=0), session(section="S1", position=1, day=17)]
    new = [session(section="S1", position=0), session(section="S3", position=0, day=17)]
    result = diff(old, new)
    assert [s.key for s in result.added] == [("S3", 0)]
    assert [s.key for s in result.cancelled] == [("S1", 1)]
    assert result.unchanged == 1


def test_a_cancelled_section_concerns_its_facilitator_and_learners():
    kept = session(section="S1", learners=[LEA])
    dropped = session(section="S2", facilitator=BEN, learners=[ZOE])
    result = diff([kept, dropped], [kept])
    assert result.cancelled == [dropped]
    assert result.facilitators == [BEN]
    assert result.learners == [ZOE]


def test_a_learner_moved_to_another_unchanged_section_is_affected_though_no_session_moved():
    s1, s2 = session(section="S1", learners=[LEA, MO]), session(section="S2", hour=13, learners=[])
    after = [replace(s1, learners=frozenset([MO])), replace(s2, learners=frozenset([LEA]))]
    result = diff([s1, s2], after)
    assert result.changes == 0
    assert result.learners == [LEA]
    assert result.facilitators == []


def test_affected_people_are_listed_by_name():
    old = [session(learners=[ZOE, LEA, MO])]
    result = diff(old, [])
    assert [p.name for p in result.learners] == ["Léa Martin", "Mo Haddad", "Zoe Price"]
