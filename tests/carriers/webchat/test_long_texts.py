"""A bot text longer than a web chat message: a newcomer's full-size welcome (about 20,000
characters, `tests/carriers/long_welcome.py`) was one bubble of them all, and every page that
connected read it in its history, once per newcomer. It now arrives in messages of at most
`MAX_TEXT` characters (what a member may post), whole, in order, each ending a sentence or a
line, the newcomer mentioned in the first; the history holds the same. The parts are written
in one transaction: a failure between two leaves none, and the retry shows each once."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hearthkeeper.carriers.webchat.protocol import MAX_TEXT
from hearthkeeper.carriers.webchat.repository import SqlWebChat
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.store import Store
from tests.carriers.long_welcome import (
    assert_arrived_whole,
    expected_welcome,
    long_welcome_playbook,
)
from tests.webchat_setup import SkincareChat, frames_until, join, skincare_chat

LAST = "请回复「同意」表示接受群规"  # the welcome's last words


def bot_texts(store: Store, chat: SkincareChat) -> list[str]:
    """The bot's messages in the group's history, oldest first."""
    return [m.text for m in SqlWebChat.on(store).history(chat.group.id) if m.user_id is None]


def test_a_full_size_welcome_arrives_whole_and_in_order(
    tmp_path: Path, store: Store, store_clock: FrozenClock
) -> None:
    chat = skincare_chat(store, store_clock, tmp_path, playbook=long_welcome_playbook())
    with TestClient(chat.app) as client:
        assert join(client, chat.code, "小美").status_code == 303
        with client.websocket_connect(f"/chat/{chat.code}/ws") as ws:
            me = ws.receive_json()["me"]["user_id"]
            chat.engine_round(client)
            shown: list[dict[str, Any]] = []
            while not shown or LAST not in shown[-1]["text"]:
                shown.append(frames_until(ws, "message")[-1])
    said = [frame["text"] for frame in shown]
    assert_arrived_whole(said, "小美", MAX_TEXT)
    assert [me in frame["mentions"] for frame in shown] == [True] + [False] * (len(said) - 1)
    assert bot_texts(store, chat) == said


def test_a_long_text_failing_between_parts_is_shown_once_when_retried(
    tmp_path: Path, store: Store, store_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = expected_welcome("小美")
    chat = skincare_chat(store, store_clock, tmp_path)
    action = Action(kind=ActionKind.SEND, carrier="webchat", handler="welcome",
                    group=chat.group.carrier_group_id, text=text)  # fmt: skip
    add, added = SqlWebChat.add_message, []

    def failing_third(self: SqlWebChat, *args: Any, **kwargs: Any) -> Any:
        added.append(kwargs["action_key"])
        if len(added) == 3:
            raise OSError("disk full")
        return add(self, *args, **kwargs)

    with TestClient(chat.app) as client:
        assert client.portal is not None
        monkeypatch.setattr(SqlWebChat, "add_message", failing_third)
        with pytest.raises(OSError):
            client.portal.call(chat.carrier.perform, action, "welcome:1")
        assert bot_texts(store, chat) == []  # the two parts before went with it
        monkeypatch.setattr(SqlWebChat, "add_message", add)
        first = client.portal.call(chat.carrier.perform, action, "welcome:1")
        again = client.portal.call(chat.carrier.perform, action, "welcome:1")
    said = bot_texts(store, chat)
    assert len(said) > 3 and first == again
    assert re.sub(r"\s", "", "".join(said)) == re.sub(r"\s", "", text)
    assert len(set(added)) == 3  # each part under a key of its own
