"""A web chat member who changes her nickname (the chat page's *Nickname* link: the join
page) is named by it wherever staff read the stored name (the console's member list, digests,
reports) once she posts; a nickname copying another member's is refused there, and the
stored name stays."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from hearthkeeper.clock import FrozenClock
from tests.webchat_setup import SkincareChat, join, skincare_chat, sqlite_store


def console_names(chat: SkincareChat) -> list[str]:
    """The names in the console's member list of the community."""
    return [m.display_name for m in chat.store.search_members(chat.group.community_id)]


def say(ws: Any, text: str) -> dict[str, Any]:
    """Post `text` on the socket; the chat's echo of it (the post is recorded)."""
    ws.send_json({"type": "say", "text": text})
    while True:
        frame = ws.receive_json()
        if frame["type"] == "message" and frame.get("text") == text:
            return dict(frame)


def test_a_member_who_changed_her_nickname_is_listed_by_it(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    """The console kept the nickname she joined with: names changed only on a join."""
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        chat = skincare_chat(store, store_clock, tmp_path)
        with TestClient(chat.app) as client, TestClient(chat.app) as other:
            assert join(other, chat.code, "小林").status_code == 303
            assert join(client, chat.code, "小美").status_code == 303
            with client.websocket_connect(f"/chat/{chat.code}/ws") as ws:
                ws.receive_json()  # hello
                chat.engine_round(client)
                assert sorted(console_names(chat)) == ["小林", "小美"]
                assert join(client, chat.code, "杭州-小美-混油皮").status_code == 303
                assert say(ws, "同意")["nickname"] == "杭州-小美-混油皮"
                chat.engine_round(client)
                assert sorted(console_names(chat)) == ["小林", "杭州-小美-混油皮"]
                copy = join(client, chat.code, "小 林")
                assert copy.status_code == 400 and "already called “小林”" in copy.text
                say(ws, "大家好")
                chat.engine_round(client)
        assert sorted(console_names(chat)) == ["小林", "杭州-小美-混油皮"]


def test_a_new_nickname_is_listed_before_she_posts_again(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    """She changes her nickname and says nothing: the console listed the old one until her
    next post (the web chat told the engine nothing). Now the rename is queued with the new
    nickname and kept at the engine's next round; it is no join (counted once) and no
    activity."""
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        chat = skincare_chat(store, store_clock, tmp_path)
        with TestClient(chat.app) as client:
            assert join(client, chat.code, "小美").status_code == 303
            chat.engine_round(client)
            assert console_names(chat) == ["小美"]
            since = store_clock.now() - timedelta(days=1)
            numbers = store.live_numbers(chat.group.community_id, since)
            assert join(client, chat.code, "杭州-小美-混油皮").status_code == 303
            assert join(client, chat.code, "杭州-小美-混油皮").status_code == 303  # unchanged
            chat.engine_round(client)
            assert console_names(chat) == ["杭州-小美-混油皮"]
            assert store.live_numbers(chat.group.community_id, since) == numbers
            assert numbers.joins == 1 and numbers.messages == 0
