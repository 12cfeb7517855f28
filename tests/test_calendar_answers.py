"""Answer links in invitations: the token rules, the answer page, and what a learner's "no"
offers (another fitting section, moved in one click, or the waiting list)."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import icalendar
from sqlalchemy import select

from scheduler.adjustments.operations import move_session
from scheduler.extensions import db
from scheduler.logs import redact
from scheduler.models import (
    FollowUpStep,
    InviteMethod,
    InviteRecord,
    Reply,
    ReplyChannel,
    ScheduledSection,
    ScheduledSession,
    SectionSeat,
    StepStatus,
    WaitingLearner,
)
from scheduler.planning.publishing import publish
from scheduler.tokens import hash_token
from tests.answer_world import (
    answer_tokens,
    make_answer_world,
    outbox,
    plain_text,
    record_of,
)
from tests.calendar_world import calendar_parts, check_message

LEA = "lea@example.com"


def _section(version, key: str) -> ScheduledSection:
    return db.session.scalar(
        select(ScheduledSection).where(
            ScheduledSection.version_id == version.id, ScheduledSection.key == key
        )
    )


def _method(row) -> str | None:
    parts = calendar_parts(row)
    return parts[0][0] if parts else None


def _post(client, *args, **kwargs):
    """A POST from the browser, after the test's own transaction ends (on SQLite a test's
    open transaction holds the write lock the request needs)."""
    db.session.commit()
    return client.post(*args, **kwargs)


def _decline(client, token: str) -> None:
    response = _post(client, f"/answer/{token}", data={"answer": "DECLINED"})
    assert response.status_code == 303


# --- the links in the invitations ----------------------------------------------------------------


def test_every_invitation_carries_its_own_answer_link_in_the_text_and_the_description(app):
    with app.app_context():
        make_answer_world()
        requests = [row for row in outbox() if _method(row) == "REQUEST"]
        assert requests
        seen = set()
        for row in requests:
            tokens = re.findall(r"/answer/([0-9]+\.[A-Za-z0-9_-]+)/yes", plain_text(row))
            assert len(tokens) == 1, row.subject
            token = tokens[0]
            assert len(token.partition(".")[2]) >= 43  # 256 random bits, URL-safe
            record = record_of(token)
            assert record.answer_token_hash == hash_token(token)
            assert token not in record.answer_token_hash
            [calendar] = check_message(row, libical=False)
            [event] = [c for c in calendar.walk("VEVENT")]
            assert f"/answer/{token}/no" in str(event["DESCRIPTION"])
            seen.add(token)
        assert len(seen) == len(requests)
        # Cancellations and summaries take no answer.
        for row in outbox():
            if _method(row) != "REQUEST":
                assert "/answer/" not in row.content


def test_the_answer_page_shows_the_local_time_and_a_get_changes_nothing(app, client):
    with app.app_context():
        make_answer_world()
        token = answer_tokens(LEA)[0]
        for path in (f"/answer/{token}", f"/answer/{token}/no", f"/answer/{token}/yes"):
            response = client.get(path)
            assert response.status_code == 200
            page = response.get_data(as_text=True)
            assert "Mon 07 Jan 2030 09:00 GMT" in page and "Europe/London" in page
        db.session.expire_all()
        record = record_of(token)
        assert record.reply == Reply.NEEDS_ACTION and record.replied_at is None


def test_an_answer_is_recorded_by_post_with_its_channel(app, client):
    with app.app_context():
        make_answer_world()
        token = answer_tokens(LEA)[0]
        response = _post(client, f"/answer/{token}", data={"answer": "ACCEPTED"})
        assert response.status_code == 303
        db.session.expire_all()
        record = record_of(token)
        assert (record.reply, record.reply_channel) == (Reply.ACCEPTED, ReplyChannel.LINK)
        assert _post(client, f"/answer/{token}", data={"answer": "NEEDS-ACTION"}).status_code == 400


def test_an_answer_without_the_csrf_token_is_refused(csrf_app):
    client = csrf_app.test_client()
    with csrf_app.app_context():
        make_answer_world()
        token = answer_tokens(LEA)[0]
        assert _post(client, f"/answer/{token}", data={"answer": "ACCEPTED"}).status_code == 400
        page = client.get(f"/answer/{token}").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        answered = _post(
            client, f"/answer/{token}", data={"answer": "ACCEPTED", "csrf_token": csrf}
        )
        assert answered.status_code == 303
        db.session.expire_all()
        assert record_of(token).reply == Reply.ACCEPTED


def test_unknown_and_malformed_tokens_answer_404(app, client):
    with app.app_context():
        make_answer_world()
        token = answer_tokens(LEA)[0]
        for bad in ("nothing", "999999.abc", f"{token}x"[:-1] + "A" * 200, "1." + "a" * 43):
            assert client.get(f"/answer/{bad}").status_code in (404, 409), bad
        assert client.get("/answer/999999.abc").status_code == 404
        assert client.get("/answer/99999999999999999999.abc").status_code == 404  # > any id
        assert client.get("/answer/nothing").status_code == 404
        assert _post(client, "/answer/nothing", data={"answer": "ACCEPTED"}).status_code == 404


def test_an_update_makes_a_new_link_resets_the_answer_and_the_old_link_says_so(app, client):
    with app.app_context():
        world = make_answer_world()
        old = answer_tokens(LEA)[0]  # S1 session 1 (7 Jan)
        _post(client, f"/answer/{old}", data={"answer": "ACCEPTED"})
        session = db.session.scalar(
            select(ScheduledSession).where(ScheduledSession.uid == record_of(old).uid)
        )
        draft = move_session(
            session,
            start=session.start + timedelta(hours=2),
            facilitator=session.facilitator.key,
            room=session.room.key,
            expected_version=world["period"].version,
            user=world["coordinator"],
        )
        db.session.commit()
        publish(draft, world["coordinator"])
        db.session.expire_all()
        record = record_of(old)
        assert record.reply == Reply.NEEDS_ACTION and record.replied_at is None
        new = [t for t in answer_tokens(LEA) if record_of(t).id == record.id][-1]
        assert new != old and record.answer_token_hash == hash_token(new)
        stale = client.get(f"/answer/{old}")
        assert stale.status_code == 409
        assert "This invitation was updated" in stale.get_data(as_text=True)
        refused = _post(client, f"/answer/{old}", data={"answer": "ACCEPTED"})
        assert refused.status_code == 409
        assert client.get(f"/answer/{new}").status_code == 200
        db.session.expire_all()
        assert record_of(old).reply == Reply.NEEDS_ACTION


def test_answer_tokens_stay_out_of_the_logs(app, client, caplog):
    with app.app_context():
        make_answer_world()
        token = answer_tokens(LEA)[0]
        with caplog.at_level(logging.DEBUG):
            client.get(f"/answer/{token}")
            _post(client, f"/answer/{token}", data={"answer": "DECLINED"})
            client.get(f"/answer/{token}")
        assert caplog.records
        assert all(token not in redact(r.getMessage()) for r in caplog.records)
        assert redact(f"GET /answer/{token}/no HTTP/1.1") == "GET /answer/<redacted>/no HTTP/1.1"


# --- what a learner's "no" does --------------------------------------------------------------------


def test_a_learners_decline_offers_exactly_the_sections_that_fit(app, client):
    with app.app_context():
        make_answer_world()
        token = answer_tokens(LEA)[0]
        assert 'id="alternatives"' not in client.get(f"/answer/{token}").get_data(as_text=True)
        _decline(client, token)
        page = client.get(f"/answer/{token}").get_data(as_text=True)
        offered = re.findall(r'class="offer" data-section="([^"]+)"', page)
        # S3 is full, S4 ends after the cohort's deadline, S5 clashes with Léa's First aid.
        assert offered == ["S2"]
        assert 'id="join-waiting-list"' in page


def test_moving_sends_the_cancellations_of_the_old_sessions_and_invitations_to_the_new(app, client):
    with app.app_context():
        world = make_answer_world()
        lea, version = world["lea"], world["version"]
        steps_before = {
            s.id: (s.due_at, s.sequence)
            for s in db.session.scalars(
                select(FollowUpStep).where(
                    FollowUpStep.learner_id == lea.id,
                    FollowUpStep.cohort_id == world["a"].id,
                    FollowUpStep.status == StepStatus.PENDING,
                )
            )
        }
        assert steps_before
        old_uids = {s.uid for s in _section(version, "S1").sessions}
        new_uids = {s.uid for s in _section(version, "S2").sessions}
        token = answer_tokens(LEA)[0]
        _decline(client, token)
        last = outbox()[-1].id
        target = _section(version, "S2")
        response = _post(client, f"/answer/{token}/move", data={"section": str(target.id)})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "you are now in Fire safety section S2 instead of section S1" in page
        assert "Mon 14 Jan 2030 09:00 GMT" in page

        sent = outbox(last)
        assert {row.recipient for row in sent} == {LEA}  # nobody else hears of it
        methods: dict[str, set[str]] = {"REQUEST": set(), "CANCEL": set()}
        for row in sent:
            parts = calendar_parts(row)
            if not parts:
                continue  # the plain summary
            [calendar] = check_message(row, libical=False)
            [event] = list(calendar.walk("VEVENT"))
            methods[str(calendar["METHOD"])].add(str(event["UID"]))
        assert methods == {"CANCEL": old_uids, "REQUEST": new_uids}
        assert len([row for row in sent if calendar_parts(row)]) == 4

        db.session.expire_all()
        seats = db.session.scalars(select(SectionSeat).where(SectionSeat.learner_id == lea.id))
        assert {seat.section.key for seat in seats} == {"S2", "T1"}
        steps_after = {
            s.id: (s.due_at, s.sequence)
            for s in db.session.scalars(
                select(FollowUpStep).where(
                    FollowUpStep.learner_id == lea.id, FollowUpStep.cohort_id == world["a"].id
                )
            )
        }
        assert set(steps_after) == set(steps_before)
        for step_id, (due, sequence) in steps_before.items():
            assert steps_after[step_id][0] == due + timedelta(days=7)  # from 16 Jan, not 9 Jan
            assert steps_after[step_id][1] == (sequence or 0) + 1
        # The old link now says the invitation was withdrawn.
        withdrawn = client.get(f"/answer/{token}")
        assert withdrawn.status_code == 410
        assert "withdrawn" in withdrawn.get_data(as_text=True)


def test_a_section_that_is_not_offered_cannot_be_forced_by_a_hand_made_post(app, client):
    with app.app_context():
        world = make_answer_world()
        token = answer_tokens(LEA)[0]
        _decline(client, token)
        last = outbox()[-1].id
        full = _section(world["version"], "S3")
        response = _post(client, f"/answer/{token}/move", data={"section": str(full.id)})
        assert response.status_code == 409
        assert "no fitting free seat" in response.get_data(as_text=True)
        assert outbox(last) == []
        db.session.expire_all()
        assert len(_section(world["version"], "S3").seats) == 4


def test_moving_needs_a_decline_first(app, client):
    with app.app_context():
        world = make_answer_world()
        token = answer_tokens(LEA)[0]
        target = _section(world["version"], "S2")
        assert (
            _post(client, f"/answer/{token}/move", data={"section": target.id}).status_code == 409
        )


def test_the_waiting_list_gives_up_the_seat_and_cancels_the_sessions(app, client):
    with app.app_context():
        world = make_answer_world()
        lea, version = world["lea"], world["version"]
        old_uids = {s.uid for s in _section(version, "S1").sessions}
        token = answer_tokens(LEA)[0]
        _decline(client, token)
        last = outbox()[-1].id
        response = _post(client, f"/answer/{token}/move", data={"wait": "1"})
        assert response.status_code == 200
        assert "you are on the waiting list" in response.get_data(as_text=True)
        db.session.expire_all()
        waiting = db.session.scalar(
            select(WaitingLearner).where(WaitingLearner.learner_id == lea.id)
        )
        assert waiting.cohort_id == world["a"].id and "section S1" in waiting.reason
        cancelled = set()
        for row in outbox(last):
            assert row.recipient == LEA
            for _, data in calendar_parts(row):
                calendar = icalendar.Calendar.from_ical(data)
                assert str(calendar["METHOD"]) == "CANCEL"
                cancelled |= {str(e["UID"]) for e in calendar.walk("VEVENT")}
        assert cancelled == old_uids
        records = db.session.scalars(
            select(InviteRecord).where(
                InviteRecord.uid.in_(old_uids), InviteRecord.learner_id == lea.id
            )
        )
        assert {r.method for r in records} == {InviteMethod.CANCEL}
        pending = db.session.scalars(
            select(FollowUpStep).where(
                FollowUpStep.learner_id == lea.id,
                FollowUpStep.cohort_id == world["a"].id,
                FollowUpStep.status == StepStatus.PENDING,
            )
        ).all()
        assert pending == []


def test_a_facilitators_decline_is_recorded_and_offers_nothing(app, client):
    with app.app_context():
        world = make_answer_world()
        token = answer_tokens("S1@example.com")[0]
        _decline(client, token)
        page = client.get(f"/answer/{token}").get_data(as_text=True)
        assert 'id="alternatives"' not in page and "I can&#39;t make it" in page
        db.session.expire_all()
        record = record_of(token)
        assert record.facilitator_id is not None and record.reply == Reply.DECLINED
        target = _section(world["version"], "S2")
        assert (
            _post(client, f"/answer/{token}/move", data={"section": target.id}).status_code == 409
        )


def test_the_page_shows_the_time_in_the_zone_the_invitation_was_sent_in(app, client):
    """The ledger keeps the zone each invitation used; the page says the same time."""
    with app.app_context():
        make_answer_world()
        token = answer_tokens(LEA)[0]
        record = record_of(token)
        record.timezone = "America/New_York"
        db.session.commit()
        page = client.get(f"/answer/{token}").get_data(as_text=True)
        assert "Mon 07 Jan 2030 04:00 EST" in page and "America/New_York" in page
