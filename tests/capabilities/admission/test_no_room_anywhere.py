"""An approved applicant for whom no group of the community has room: staff are told once,
and the link they came by keeps its credit for their join when there is room (SQLite and
PostgreSQL: `store`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi.testclient import TestClient

from hearthkeeper.capabilities.admission import review
from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.events import Join
from hearthkeeper.engine.outbound import OutboundQueue
from hearthkeeper.store import Store
from tests.capabilities.admission.door_setup import APPLICATION, fill_every_group, screening
from tests.webchat_setup import build_chat, join


def test_an_approved_applicant_with_no_room_anywhere_is_reported_and_keeps_their_link(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """Every group filled while Mei waited: the approval failed in the queue without a word
    to staff, and the referral link she came by was used up by the join that never was."""
    chat = build_chat(store, store_clock, tmp_path)
    screening(chat, APPLICATION)
    mei = TestClient(chat.app)
    join(mei, chat.codes[0], "Mei", via="ref-ann", answer_1="Lan", answer_2="Oolong")
    fill_every_group(chat)
    [application] = SqlApplications.on(store).applications(chat.community_id)
    review.approve(store, application.id, "console:li", store_clock.now())
    queue = OutboundQueue(store, {"webchat": chat.carrier}, store_clock)
    asyncio.run(queue.run_once())
    asyncio.run(queue.run_once())  # nothing is said twice

    told = [a for a in store.staff_alerts(chat.community_id) if "Mei" in a.text]
    assert len(told) == 1, [a.text for a in store.staff_alerts(chat.community_id)]
    assert "every group is full" in told[0].text and "hearth groups open" in told[0].text
    community = next(c for c in store.list_communities() if c.id == chat.community_id)
    assert community.name in told[0].text
    assert "the link they came by still credits their join" in told[0].text

    # A seat frees up in the Tea room; Mei opens her link again and is let in, her join
    # credited to the referral link she first came by.
    gone = chat.carrier.platform.seated(chat.groups[0].id)[0]
    chat.carrier.platform.leave_seat(chat.groups[0].id, gone.user_id, store_clock.now())
    chat.carrier.take_events()
    assert join(mei, chat.codes[0], "Mei").status_code == 303
    joins = [e for e in chat.carrier.take_events() if isinstance(e, Join)]
    assert [(e.sender.display_name, e.source) for e in joins] == [("Mei", "ref-ann")]


def test_staff_are_not_told_of_a_link_credit_when_the_applicant_came_by_none(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """Mei applied by the group's own invite link, no referral or live code: the alert said
    the link she came by still credited her join, a link staff would look for in vain."""
    chat = build_chat(store, store_clock, tmp_path)
    screening(chat, APPLICATION)
    join(TestClient(chat.app), chat.codes[0], "Mei", answer_1="Lan", answer_2="Oolong")
    fill_every_group(chat)
    [application] = SqlApplications.on(store).applications(chat.community_id)
    review.approve(store, application.id, "console:li", store_clock.now())
    asyncio.run(OutboundQueue(store, {"webchat": chat.carrier}, store_clock).run_once())

    [told] = [a for a in store.staff_alerts(chat.community_id) if "Mei" in a.text]
    assert "every group is full" in told.text and told.text.endswith(
        "in the order they were approved (their application stays approved)."
    )
    assert "credits" not in told.text


def test_an_overflowing_approval_does_not_take_seats_promised_in_the_next_group(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """The Tea room filled while Mei waited; the Garden (5) has 3 members and two applicants
    waiting for staff there. Her approval seated her in the Garden's 4th seat, so one of the
    two would find it full once approved: the Garden has no room to give, and staff are told
    that no group has room; a newcomer at the Tea room's full page is offered no Garden."""
    chat = build_chat(store, store_clock, tmp_path)
    screening(chat, APPLICATION)
    join(TestClient(chat.app), chat.codes[0], "Mei", answer_1="Lan", answer_2="Oolong")
    for n in range(3):
        chat.member(f"tea {n}")
        chat.member(f"garden {n}", group=1)
    applications = SqlApplications.on(store)
    now = store_clock.now()
    for name in ("Bo", "Cy"):
        applications.add_application(chat.community_id, chat.groups[1].id, "webchat",
                                     f"w-{name}", name, None, ["Who?"], ["Ann"], now)  # fmt: skip
    mei = next(a for a in applications.applications(chat.community_id) if a.display_name == "Mei")
    review.approve(store, mei.id, "console:li", now)
    asyncio.run(OutboundQueue(store, {"webchat": chat.carrier}, store_clock).run_once())

    assert chat.carrier.platform.seats_taken(chat.groups[1].id) == 3  # the two seats kept
    assert [a for a in store.staff_alerts(chat.community_id)
            if "Mei" in a.text and "every group is full" in a.text]  # fmt: skip
    page = TestClient(chat.app).get(f"/join/{chat.codes[0]}")
    assert "Garden" not in page.text
