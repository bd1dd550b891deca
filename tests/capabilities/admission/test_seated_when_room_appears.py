"""Approved applicants who found every group of the community full are seated once room
appears, in the order staff approved them, as many as there is room for (SQLite and
PostgreSQL: `store`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi.testclient import TestClient

from hearthkeeper.capabilities.admission import review
from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
from hearthkeeper.capabilities.grid.capacities import sync_capacities
from hearthkeeper.carriers.opening import StoredGroups, open_by_hand
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.events import Join
from hearthkeeper.engine.outbound import OutboundQueue
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store
from tests.capabilities.admission.door_setup import APPLICATION, fill_every_group, screening
from tests.playbook_samples import MINIMAL
from tests.webchat_setup import build_chat, join

# The next group `hearth groups open` opens is tea-3: it holds 2.
ROOM_FOR_TWO = MINIMAL + APPLICATION + "groups:\n  tea-3:\n    capacity: 2\n"
# and the Tea room (tea-1) is raised from 3 to 4 by `hearth apply`.
TEA_ROOM_RAISED = ROOM_FOR_TWO + "  tea-1:\n    capacity: 4\n"


def test_approved_applicants_waiting_outside_are_seated_when_room_appears(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """Mei, Ann and Lan were approved (Ann first) while every group was full: before, a group
    opened for them let nobody in; each had to find their invite link and open it again."""
    chat = build_chat(store, store_clock, tmp_path)
    screening(chat, APPLICATION)
    for name, via in (("Mei", "ref-ann"), ("Ann", None), ("Lan", None)):
        join(TestClient(chat.app), chat.codes[0], name, via=via, answer_1="Li",
             answer_2="Oolong")  # fmt: skip
    fill_every_group(chat)
    by_name = {a.display_name: a for a in SqlApplications.on(store).applications(chat.community_id)}
    for name in ("Ann", "Mei", "Lan"):  # the order staff approve them in
        review.approve(store, by_name[name].id, "console:li", store_clock.now())
    queue = OutboundQueue(store, {"webchat": chat.carrier}, store_clock)
    asyncio.run(queue.run_once())
    chat.carrier.take_events()
    waiting = [
        a.text for a in store.staff_alerts(chat.community_id) if "every group is full" in a.text
    ]
    assert len(waiting) == 3, waiting

    # `hearth groups open`: a group for two. Ann and Mei, approved first, are let in.
    playbook = parse_playbook(ROOM_FOR_TWO).playbook
    with store.transaction() as tx:
        opened = open_by_hand(tx, chat.community_id, playbook, StoredGroups(), "cli")
    assert opened.capacity == 2
    asyncio.run(queue.run_once())
    joins = [e for e in chat.carrier.take_events() if isinstance(e, Join)]
    assert [(e.sender.display_name, e.group, e.source) for e in joins] == [
        ("Ann", opened.carrier_group_id, None),
        ("Mei", opened.carrier_group_id, "ref-ann"),  # credited to the link she came by
    ]
    open_alerts = [a.text for a in store.staff_alerts(chat.community_id)]
    assert sum("every group is full" in text for text in open_alerts) == 1  # Lan's alone
    assert any("Lan" in text and "every group is full" in text for text in open_alerts)
    seated = [text for text in open_alerts if "was let into" in text]
    assert sorted(seated) == sorted(f"{name}, approved while every group was full, was let "
                                    f"into {opened.name} now that there is room."
                                    for name in ("Ann", "Mei"))  # fmt: skip

    # `hearth apply` raises the Tea room to 4: Lan is let in there.
    with store.transaction() as tx:
        sync_capacities(tx, chat.community_id, parse_playbook(TEA_ROOM_RAISED).playbook,
                        by="playbook")  # fmt: skip
    asyncio.run(queue.run_once())
    joins = [e for e in chat.carrier.take_events() if isinstance(e, Join)]
    assert [(e.sender.display_name, e.group) for e in joins] == [("Lan", "tea-1")]
    open_alerts = [a.text for a in store.staff_alerts(chat.community_id)]
    assert not any("every group is full" in text for text in open_alerts)
    asyncio.run(queue.run_once())  # nothing more happens
    assert chat.carrier.take_events() == []


def test_an_applicant_who_came_in_by_their_link_meanwhile_is_not_seated_twice(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """Mei found no room, then came into the Tea room by her invite link when a seat freed:
    the group opened next leaves her where she is, and her no-room alert is handled."""
    chat = build_chat(store, store_clock, tmp_path)
    screening(chat, APPLICATION)
    mei = TestClient(chat.app)
    join(mei, chat.codes[0], "Mei", answer_1="Li", answer_2="Oolong")
    fill_every_group(chat)
    [application] = SqlApplications.on(store).applications(chat.community_id)
    review.approve(store, application.id, "console:li", store_clock.now())
    queue = OutboundQueue(store, {"webchat": chat.carrier}, store_clock)
    asyncio.run(queue.run_once())
    gone = chat.carrier.platform.seated(chat.groups[0].id)[0]
    chat.carrier.platform.leave_seat(chat.groups[0].id, gone.user_id, store_clock.now())
    assert join(mei, chat.codes[0], "Mei").status_code == 303
    chat.carrier.take_events()

    with store.transaction() as tx:
        opened = open_by_hand(tx, chat.community_id, parse_playbook(ROOM_FOR_TWO).playbook,
                              StoredGroups(), "cli")  # fmt: skip
    asyncio.run(queue.run_once())
    assert chat.carrier.take_events() == []
    assert chat.carrier.platform.seated(opened.id) == []
    assert not any("Mei" in a.text for a in store.staff_alerts(chat.community_id))


def test_the_join_page_tells_an_approved_applicant_waiting_for_room_that_they_will_be_let_in(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """Mei was approved when every group was full: her join page said only that the group
    was full, as to anyone. Ann, whose application waits for staff, is told nothing more."""
    chat = build_chat(store, store_clock, tmp_path)
    screening(chat, APPLICATION)
    mei, ann = TestClient(chat.app), TestClient(chat.app)
    join(mei, chat.codes[0], "Mei", answer_1="Li", answer_2="Oolong")
    join(ann, chat.codes[0], "Ann", answer_1="Li", answer_2="Puer")
    fill_every_group(chat)
    by_name = {a.display_name: a for a in SqlApplications.on(store).applications(chat.community_id)}
    review.approve(store, by_name["Mei"].id, "console:li", store_clock.now())
    asyncio.run(OutboundQueue(store, {"webchat": chat.carrier}, store_clock).run_once())

    waiting = mei.get(f"/join/{chat.codes[0]}").text
    assert "This group is full (3 of 3)." in waiting
    assert "You were approved: you will be let in as soon as there is room." in waiting
    pending = ann.get(f"/join/{chat.codes[0]}").text
    assert "This group is full (3 of 3)." in pending
    assert "You were approved" not in pending


def test_a_seat_freed_by_a_member_leaving_lets_the_first_approved_applicant_in(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """Mei and Ann were approved (Ann first) with every group full; a Tea room member leaves:
    Ann, approved first, takes the seat, and Mei keeps waiting, told nothing twice."""
    chat = build_chat(store, store_clock, tmp_path)
    screening(chat, APPLICATION)
    for name in ("Mei", "Ann"):
        join(TestClient(chat.app), chat.codes[0], name, answer_1="Li", answer_2="Oolong")
    fill_every_group(chat)
    by_name = {a.display_name: a for a in SqlApplications.on(store).applications(chat.community_id)}
    for name in ("Ann", "Mei"):
        review.approve(store, by_name[name].id, "console:li", store_clock.now())
    queue = OutboundQueue(store, {"webchat": chat.carrier}, store_clock)
    asyncio.run(queue.run_once())
    chat.carrier.take_events()

    gone = chat.carrier.platform.seated(chat.groups[0].id)[0]
    chat.carrier.platform.leave_seat(chat.groups[0].id, gone.user_id, store_clock.now())
    asyncio.run(queue.run_once())
    joins = [e for e in chat.carrier.take_events() if isinstance(e, Join)]
    assert [(e.sender.display_name, e.group) for e in joins] == [("Ann", "tea-1")]
    told = [a.text for a in store.staff_alerts(chat.community_id, open_only=False)]
    assert sum("Mei" in text and "every group is full" in text for text in told) == 1


def test_the_join_form_sent_while_every_group_is_full_tells_an_approved_applicant_too(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """Mei, approved while every group was full, sends the join form again: the page it
    answered with said only that the group was full (the page as first opened told her she
    would be let in). Ann, whose application waits for staff, is told nothing more."""
    chat = build_chat(store, store_clock, tmp_path)
    screening(chat, APPLICATION)
    mei, ann = TestClient(chat.app), TestClient(chat.app)
    join(mei, chat.codes[0], "Mei", answer_1="Li", answer_2="Oolong")
    join(ann, chat.codes[0], "Ann", answer_1="Li", answer_2="Puer")
    fill_every_group(chat)
    by_name = {a.display_name: a for a in SqlApplications.on(store).applications(chat.community_id)}
    review.approve(store, by_name["Mei"].id, "console:li", store_clock.now())
    asyncio.run(OutboundQueue(store, {"webchat": chat.carrier}, store_clock).run_once())

    # the form she opened before every group filled (a full group's page shows none now)
    token = mei.cookies["hearth_join"]
    sent = mei.post(f"/join/{chat.codes[0]}", data={"nickname": "Mei", "csrf_token": token})
    assert sent.status_code == 403
    assert "This group is full (3 of 3)." in sent.text
    assert "You were approved: you will be let in as soon as there is room." in sent.text
    assert "You were approved" not in ann.get(f"/join/{chat.codes[0]}").text


def test_a_closed_group_seats_no_approved_applicant_until_it_is_reopened(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    """The Garden was closed (`hearth groups close Garden`) with room in it: an applicant
    approved while the Tea room was full was let into the closed Garden. Now staff hear that
    every group is full, and Ann is let in once the Garden is reopened."""
    chat = build_chat(store, store_clock, tmp_path)
    screening(chat, APPLICATION)
    join(TestClient(chat.app), chat.codes[0], "Ann", answer_1="Li", answer_2="Oolong")
    store.close_group(chat.groups[1].id, "ops")
    for n in range(3):
        chat.member(f"tea {n}")
    chat.carrier.take_events()
    [ann] = SqlApplications.on(store).applications(chat.community_id)
    review.approve(store, ann.id, "console:li", store_clock.now())
    queue = OutboundQueue(store, {"webchat": chat.carrier}, store_clock)
    asyncio.run(queue.run_once())
    assert not [e for e in chat.carrier.take_events() if isinstance(e, Join)]
    assert any("Ann" in a.text and "every group is full" in a.text
               for a in store.staff_alerts(chat.community_id))  # fmt: skip

    store.reopen_group(chat.groups[1].id)  # `hearth groups reopen Garden`
    asyncio.run(queue.run_once())
    joins = [e for e in chat.carrier.take_events() if isinstance(e, Join)]
    assert [(e.sender.display_name, e.group) for e in joins] == [("Ann", "tea-2")]
