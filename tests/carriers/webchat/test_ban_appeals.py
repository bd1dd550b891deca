"""A member banned from a web chat group posts nothing there, so `/appeal` cannot reach
staff: the banned page offers an appeal form instead (one per ban, within the window), in the
community's language; it lands in the same inbox, and a pardon unbans them."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from hearthkeeper.capabilities.appeals import decisions
from hearthkeeper.capabilities.appeals.repository import SqlAppeals
from hearthkeeper.capabilities.moderation import staff
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import SanctionKind
from tests.webchat_setup import Chat, join, skincare_chat, sqlite_store

WHY = "我发的是我们自己活动的报名链接"


def test_a_banned_member_appeals_on_the_banned_page_and_a_pardon_lets_them_back(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        chat = skincare_chat(store, store_clock, tmp_path)
        cid = chat.group.community_id
        chat.carrier.languages = {cid: Language.ZH_CN}  # as the server keeps it, from the playbook
        with TestClient(chat.app) as client:
            assert join(client, chat.code, "小美").status_code == 303
            chat.engine_round(client)
            [seat] = chat.carrier.platform.seated(chat.group.id)
            member = store.find_member("webchat", seat.user_id)
            assert member is not None
            staff.ban_member(store, member.id, chat.group, "console:ops", store_clock.now(),
                             key="ban-1", reason="发广告")  # fmt: skip
            chat.engine_round(client)
            page = client.get(f"/join/{chat.code}").text
            assert "你已被「颜学院护肤社 1群」封禁" in page and 'id="appeal-form"' in page
            assert "每次封禁只能申诉一次，截止" in page and 'name="nickname"' not in page
            token = client.cookies["hearth_join"]
            empty = client.post(f"/join/{chat.code}/appeal", data={"why": " \u200b ",
                                                                  "csrf_token": token})  # fmt: skip
            assert empty.status_code == 400 and "请写上申诉理由" in empty.text
            for _ in range(2):  # sent twice (a double click): one appeal
                sent = client.post(f"/join/{chat.code}/appeal",
                                   data={"why": WHY, "csrf_token": token}, follow_redirects=False)  # fmt: skip
                assert sent.status_code == 303
            [appeal] = SqlAppeals.on(store).waiting(cid)
            [alert] = store.staff_alerts(cid)
            assert "【申诉】" in alert.text and WHY in alert.text and "封禁" in alert.text
            page = client.get(f"/join/{chat.code}").text
            assert "你的申诉已转给管理员" in page and 'id="appeal-form"' not in page
            store_clock.advance(timedelta(hours=2))
            decisions.pardon(store, appeal.id, "console:ops", store_clock.now(),
                             note="误封，抱歉")  # fmt: skip
            chat.engine_round(client)  # the unban, performed on the web chat
            assert store.active_sanctions(member_id=member.id, now=store_clock.now()) == []
            page = client.get(f"/join/{chat.code}").text
            assert (
                "管理员复核了你的申诉，已解除封禁，你可以重新加入。 管理员说明：误封，抱歉" in page
            )
            assert 'name="nickname"' in page and "封禁：" not in page
            store_clock.advance(timedelta(minutes=1))
            assert join(client, chat.code, "小美").status_code == 303  # back in
            store_clock.advance(timedelta(minutes=5))
            asyncio.run(chat.carrier.leave(chat.group.id, seat.user_id))
            assert "管理员复核了你的申诉" not in client.get(f"/join/{chat.code}").text  # old news
            # nothing said in the group: the page was where they asked and read the answer
            assert [i for i in store.claim(50, store_clock.now() + timedelta(days=1))
                    if i.key.startswith(f"appeal:{appeal.id}")] == []  # fmt: skip
            entries = [e.action for e in store.audit_log(cid)]
            assert "appeal" in entries and "appeal.pardoned" in entries


def ban(chat: Chat, nickname: str) -> tuple[TestClient, int]:
    """A member seated in Tea room by its join page, then banned by staff; their client."""
    client = TestClient(chat.app)
    join(client, chat.codes[0], nickname)
    [seat] = chat.carrier.platform.seated(chat.groups[0].id)
    member = chat.store.member_for("webchat", seat.user_id, nickname)
    chat.store.join(member.id, chat.groups[0].id)
    chat.store.add_sanction(SanctionKind.BAN, member.id, "banned by console:ops: spam",
                            chat.clock.now(), group_id=chat.groups[0].id)  # fmt: skip
    action = Action(kind=ActionKind.BAN, carrier="webchat", group="tea-1", member=seat.user_id,
                    reason="banned by a moderator: spam")  # fmt: skip
    asyncio.run(chat.carrier.perform(action, "ban-1"))
    return client, member.id


def test_an_upheld_ban_says_so_and_a_late_one_takes_no_appeal(chat: Chat) -> None:
    client, _ = ban(chat, "spammer")
    token = client.cookies["hearth_join"]
    expired = client.post(f"/join/{chat.codes[0]}/appeal",
                          data={"why": "sorry", "csrf_token": "forged"})  # fmt: skip
    assert expired.status_code == 403 and SqlAppeals.on(chat.store).waiting(chat.community_id) == []
    client.post(f"/join/{chat.codes[0]}/appeal", data={"why": "it was my own shop",
                                                        "csrf_token": token})  # fmt: skip
    [appeal] = SqlAppeals.on(chat.store).waiting(chat.community_id)
    decisions.uphold(chat.store, appeal.id, "cli", chat.clock.now(), note="it was not")
    page = client.get(f"/join/{chat.codes[0]}").text
    assert "Staff reviewed your appeal and kept the ban. Staff&#39;s note: it was not" in page
    assert 'id="appeal-form"' not in page and "You are banned from Tea room" in page
    # another member's ban, looked at 8 days later: past the 7 days
    late, _ = ban(chat, "flooder")
    chat.clock.advance(timedelta(days=8))
    page = late.get(f"/join/{chat.codes[0]}").text
    assert "The time to appeal this ban (7 days) is over." in page
    assert 'id="appeal-form"' not in page
