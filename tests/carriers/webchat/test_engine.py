"""The web chat is a real carrier: the skincare template's engine welcomes a member who
joined through the invite link, answers them, and its moderation shows in their browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from hearthkeeper.carriers.webchat.repository import SqlWebChat
from hearthkeeper.clock import FrozenClock
from tests.webchat_setup import SkincareChat, frames_until, join, skincare_chat, sqlite_store

AD = "加我微信 abc12345 低价代购"


def test_the_welcome_arrives_on_the_members_socket(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        chat = skincare_chat(store, store_clock, tmp_path)
        code, group = chat.code, chat.group
        with TestClient(chat.app) as client:
            assert join(client, code, "小美").status_code == 303
            with client.websocket_connect(f"/chat/{code}/ws") as ws:
                me = ws.receive_json()["me"]["user_id"]
                chat.engine_round(client)
                welcome = frames_until(ws, "message")[-1]
                assert welcome["bot"] is True and welcome["nickname"] == "Hearthkeeper"
                assert welcome["text"].startswith("欢迎 小美 加入颜学院护肤社")
                assert me in welcome["mentions"]

                ws.send_json({"type": "say", "text": "同意"})
                ws.receive_json()  # their own message
                chat.engine_round(client)
                accepted = frames_until(ws, "message")[-1]
                assert accepted["bot"] is True and me in accepted["mentions"]

                ws.send_json({"type": "say", "text": AD})
                advert = ws.receive_json()
                chat.engine_round(client)
                frames = frames_until(ws, "deleted")
                assert frames[-1] == {"type": "deleted", "id": advert["id"]}
                warning = frames_until(ws, "message")[-1]
                assert warning["bot"] is True and me in warning["mentions"]
            history = SqlWebChat.on(store).history(group.id)
            assert advert["id"] not in [m.id for m in history]


def test_staff_mute_and_pardon_a_member_from_the_chat(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    """The group secretary types /禁言 in the web chat: the member's browser is told they are
    muted, the group reads why; /解除 lifts it. A member typing /禁言 is refused."""
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        chat = skincare_chat(store, store_clock, tmp_path)
        group, carrier = chat.group, chat.carrier
        seated = {}
        for nickname in ("群秘书小林", "小美"):
            user, token = carrier.create_user(nickname)
            carrier.platform.take_seat(group.id, user.user_id, store_clock.now())
            seated[nickname] = (user.user_id, token)
        secretary = store.member_for("webchat", seated["群秘书小林"][0], "群秘书小林")
        store.set_role(secretary.id, group.id, "secretary")
        with TestClient(chat.app) as client:
            staff_ws, member_ws = (
                client.websocket_connect(f"/chat/{chat.code}/ws",
                                         headers={"cookie": f"hearth_member={seated[n][1]}"})
                for n in ("群秘书小林", "小美")
            )  # fmt: skip
            with staff_ws as staff, member_ws as member:
                staff.receive_json(), member.receive_json()  # hello
                chat.engine_round(client)  # the joins: welcomes
                _say(member, "同意")
                chat.engine_round(client)
                _say(member, "/禁言 @群秘书小林 1h")
                chat.engine_round(client)
                refused = _last_said_by_bot(chat)
                assert refused.startswith("小美，只有 院长、群秘书") and "「/禁言」" in refused
                _say(staff, "/禁言 @小美 10分钟 刷屏")
                chat.engine_round(client)
                assert (
                    _last_said_by_bot(chat)
                    == "小美 已被禁言 10 分钟（刷屏）。如有异议，可发送「/申诉 理由」请管理员复核。"
                )
                muted = frames_until(member, "muted")[-1]
                assert muted["reason"] == "已被管理员禁言：刷屏"  # the community's language
                _say(staff, "/解除 @小美")
                chat.engine_round(client)
                assert _last_said_by_bot(chat) == "小美：已解除禁言。"
                assert frames_until(member, "unmuted")[-1] == {"type": "unmuted"}
        entries = [(e.actor, e.action) for e in store.audit_log(group.community_id)]
        by = f"chat:群秘书小林 (webchat:{seated['群秘书小林'][0]})"
        assert [(by, "mute"), (by, "lift mute")] == [e for e in entries if e[0] == by][::-1]


def _last_said_by_bot(chat: SkincareChat) -> str:
    """What the bot last posted in the group, as every member's browser shows it."""
    return [m.text for m in SqlWebChat.on(chat.store).history(chat.group.id)
            if m.user_id is None][-1]  # fmt: skip


def _say(ws: Any, text: str) -> None:
    """Post `text` and wait until the chat has taken it (its own message comes back)."""
    ws.send_json({"type": "say", "text": text})
    while (frame := frames_until(ws, "message")[-1])["text"] != text or frame["bot"]:
        pass
