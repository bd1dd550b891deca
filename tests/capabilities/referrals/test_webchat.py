"""Referrals through the real web chat: a member asks for their link in the chat, a friend
opens it, lands on the group's join page with the token kept, joins, says hello, and the right
inviter is credited once the friend stayed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from hearthkeeper.assembly import runtime_for
from hearthkeeper.capabilities.referrals import CAPABILITY
from hearthkeeper.capabilities.referrals.repository import SqlReferrals
from hearthkeeper.carriers.webchat.repository import SqlWebChat
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.engine import Engine
from tests.capabilities.referrals.referral_setup import DAY, TASK
from tests.engine_setup import playbook
from tests.webchat_setup import Chat, build_chat, join, sqlite_store


def said(ws: Any, containing: str, *, bot: bool = True) -> str:
    """The first message on the socket (the bot's, or a member's) containing `containing`."""
    while True:
        frame = ws.receive_json()
        if frame["type"] == "message" and bool(frame.get("bot")) is bot \
                and containing in frame["text"]:  # fmt: skip
            return str(frame["text"])


def test_a_members_link_credits_the_right_inviter(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    store_clock.set(DAY)
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        chat = build_chat(store, store_clock, tmp_path)
        runtime = runtime_for(store, playbook(TASK))
        engine = Engine(store, store_clock, [runtime], {"webchat": chat.carrier})
        chat.app.include_router(CAPABILITY.routes(chat.web))
        garden = chat.codes[1]
        with TestClient(chat.app) as ann, TestClient(chat.app) as dan, \
                TestClient(chat.app) as bob, TestClient(chat.app) as cat:  # fmt: skip

            def engine_round() -> None:
                assert ann.portal is not None
                engine.process(ann.portal.call(chat.carrier.take_events))
                ann.portal.call(engine.drain)

            assert join(ann, garden, "ann").status_code == 303
            assert join(dan, garden, "dan").status_code == 303
            engine_round()
            with ann.websocket_connect(f"/chat/{garden}/ws") as ws:
                ws.send_json({"type": "say", "text": "/invite"})
                said(ws, "/invite", bot=False)  # in the chat: now an event for the engine
                engine_round()
                reply = said(ws, "/ref/")
            found = re.search(r"(http://\S+)/ref/([A-Za-z0-9_-]+)", reply)
            assert found is not None, reply
            assert found[1] == chat.web.settings.public_url
            token = found[2]
            dan_token = SqlReferrals.on(store).link_of(chat.community_id,
                                                       member(chat, "dan"), DAY).token  # fmt: skip

            opened = bob.get(f"/ref/{token}", follow_redirects=False)
            assert opened.status_code == 303
            where = urlsplit(opened.headers["location"])
            assert where.path == f"/join/{garden}"  # ann's own group, which has room
            [via] = parse_qs(where.query)["via"]
            assert via == f"ref:{token}"
            assert join(bob, garden, "bob", via=via).status_code == 303
            assert join(cat, garden, "cat", via=f"ref:{dan_token}").status_code == 303
            engine_round()
            for friend, name in ((bob, "bob"), (cat, "cat")):  # friends who count say something
                with friend.websocket_connect(f"/chat/{garden}/ws") as ws:
                    ws.send_json({"type": "say", "text": f"hello, {name} here"})
                    said(ws, f"{name} here", bot=False)
            engine_round()
            assert bob.get("/ref/nosuchtoken").status_code == 404

        referrals = SqlReferrals.on(store)
        pairs = sorted((n.inviter, n.invitee) for n in referrals.recent(chat.community_id))
        assert pairs == [("ann", "bob"), ("dan", "cat")]
        store_clock.set(DAY + runtime.playbook.mechanisms.referrals.stay)
        engine.tick()
        assert referrals.progress(chat.community_id, member(chat, "ann")).credited == 1
        assert referrals.progress(chat.community_id, member(chat, "dan")).credited == 1


def member(chat: Chat, nickname: str) -> int:
    """The member id of the person seated in the Garden as `nickname`."""
    seated = SqlWebChat.on(chat.store).seated(chat.groups[1].id)
    user = next(s.user_id for s in seated if s.nickname == nickname)
    found = chat.store.find_member("webchat", user)
    assert found is not None
    return found.id


def test_an_invite_link_never_lands_in_the_staff_channel(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    """A staff member in the staff channel only ("Tea room") invites a friend: the friend
    lands in a member group ("Garden"), not among the staff."""
    from hearthkeeper.apply import apply_playbook
    from hearthkeeper.capabilities.referrals.links import landing_group
    from hearthkeeper.playbook import parse_playbook
    from tests.playbook_samples import MINIMAL

    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        chat = build_chat(store, store_clock, tmp_path)
        apply_playbook(store, parse_playbook(MINIMAL + "alerts:\n  staff_group: Tea room\n"), "t")
        staff_room, garden = chat.groups
        mei = store.member_for("webchat", "mei", "Mei")
        store.join(mei.id, staff_room.id, at=store_clock.now())
        found = landing_group(chat.web, chat.community_id, mei.id)
        assert found is not None and found[0].name == garden.name


def test_an_invite_link_passes_over_a_group_full_by_the_playbooks_capacity(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    """The inviter's own group has no capacity of its own and is full by the playbook's
    (`structure.groups.capacity: 2`): the friend lands in a group with room."""
    from hearthkeeper.apply import apply_playbook
    from hearthkeeper.capabilities.referrals.links import landing_group
    from hearthkeeper.playbook import parse_playbook
    from tests.playbook_samples import MINIMAL

    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        chat = build_chat(store, store_clock, tmp_path)
        apply_playbook(store, parse_playbook(MINIMAL + "structure:\n  groups: {capacity: 2, join_by_code_cap: 2}\n"),
                       "t")  # fmt: skip
        lake = store.add_group(chat.community_id, "Lake", "webchat", "tea-3", capacity=None)
        mei = store.member_for("webchat", "mei", "Mei")
        lan = store.member_for("webchat", "lan", "Lan")
        for member in (mei, lan):
            store.join(member.id, lake.id, at=store_clock.now())
        found = landing_group(chat.web, chat.community_id, mei.id)
        assert found is not None and found[0].name != "Lake"
