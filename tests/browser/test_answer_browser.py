"""A learner opens the answer link of an invitation in a real browser (no sign-in), says they
cannot make it, picks another section, sees the confirmation; the outbox then holds exactly
the cancellations of the old sessions and the invitations to the new ones."""

from __future__ import annotations

import re
from email import message_from_string, policy

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import Learner, OutboxMessage, ScheduledSection, SectionSeat
from tests.answer_world import make_answer_world
from tests.calendar_world import calendar_parts, check_message

LINK = re.compile(r"https?://\S+/answer/[0-9]+\.[A-Za-z0-9_-]+/no")


def _plain_text(message: OutboxMessage) -> str:
    parsed = message_from_string(message.content, policy=policy.default)
    return parsed.get_body(("plain",)).get_content()


def _first_invitation_link(live_server) -> tuple[str, dict, int]:
    """Publish the world; return the "I can't make it" link of Léa's first invitation (read
    from the message), the UIDs of sections S1 and S2, and the last outbox id."""
    app = live_server.app
    app.config["PUBLIC_URL"] = live_server.url  # the address in the message, as in production
    with app.app_context():
        w = make_answer_world()
        messages = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == "lea@example.com")
            .order_by(OutboxMessage.id)
        )
        links = [found.group(0) for m in messages if (found := LINK.search(_plain_text(m)))]
        uids = {
            key: {
                s.uid
                for s in db.session.scalar(
                    select(ScheduledSection).where(
                        ScheduledSection.version_id == w["version"].id,
                        ScheduledSection.key == key,
                    )
                ).sessions
            }
            for key in ("S1", "S2")
        }
        last = db.session.scalar(select(db.func.max(OutboxMessage.id)))
        return links[0], uids, last


@pytest.mark.browser
def test_a_learner_declines_by_link_and_moves_to_another_section(live_server, browser, tmp_path):
    link, uids, last = _first_invitation_link(live_server)
    assert link.startswith(live_server.url)
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.goto(link)

    expect(page.get_by_role("heading", name="Fire safety (1/2)")).to_be_visible()
    expect(page.locator("#when")).to_contain_text("Mon 07 Jan 2030 09:00 GMT")
    expect(page.locator("#your-answer")).to_contain_text("not given yet")
    page.get_by_role("button", name="I can't make it").click()

    expect(page.locator("#your-answer")).to_contain_text("I can't make it")
    offers = page.locator("#alternatives li.offer")
    expect(offers).to_have_count(1)  # S2 only: S3 is full, S4 too late, S5 clashes
    expect(offers.first).to_contain_text("Mon 14 Jan 2030 09:00 GMT")
    page.get_by_role("button", name="Move me to this section").click()

    expect(page.locator("#moved")).to_contain_text("section S2 instead of section S1")
    expect(page.locator("#new-sessions li")).to_have_count(2)
    page.screenshot(path=str(tmp_path / "answer-moved.png"), full_page=True)

    with live_server.app.app_context():
        sent = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.id > last).order_by(OutboxMessage.id)
        ).all()
        assert {m.recipient for m in sent} == {"lea@example.com"}
        by_method: dict[str, set[str]] = {"CANCEL": set(), "REQUEST": set()}
        for message in sent:
            if not calendar_parts(message):
                continue  # the plain summary of the four
            [calendar] = check_message(message, libical=False)
            [event] = list(calendar.walk("VEVENT"))
            by_method[str(calendar["METHOD"])].add(str(event["UID"]))
        assert by_method == {"CANCEL": uids["S1"], "REQUEST": uids["S2"]}
        seat_keys = db.session.scalars(
            select(ScheduledSection.key)
            .join(SectionSeat, SectionSeat.section_id == ScheduledSection.id)
            .join(Learner, Learner.id == SectionSeat.learner_id)
            .where(Learner.email == "lea@example.com")
        ).all()
        assert sorted(seat_keys) == ["S2", "T1"]
    # The old link now says the invitation was withdrawn, without an error.
    page.goto(link)
    expect(page.get_by_role("heading", name="This invitation was withdrawn")).to_be_visible()
