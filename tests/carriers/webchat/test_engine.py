"""The web chat is a real carrier: the skincare template's engine welcomes a member who
joined through the invite link, answers them, and its moderation shows in their browser."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from hearthkeeper.carriers.webchat.repository import SqlWebChat
from hearthkeeper.clock import FrozenClock
from tests.webchat_setup import frames_until, join, skincare_chat, sqlite_store

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
