"""The web chat is a real carrier: the skincare template's engine welcomes a member who
joined through the invite link, answers them, and its moderation shows in their browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from hearthkeeper.apply import apply_playbook
from hearthkeeper.assembly import runtime_for
from hearthkeeper.carriers.webchat import WebChatCarrier
from hearthkeeper.carriers.webchat.plugin import served
from hearthkeeper.carriers.webchat.repository import SqlWebChat
from hearthkeeper.carriers.webchat.routes import webchat_router
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.engine import Engine
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import copy_content, template_text
from hearthkeeper.web.context import Web, WebSettings
from tests.webchat_setup import NoPlaybooks, join, sqlite_store

AD = "加我微信 abc12345 低价代购"


def _engine_round(client: TestClient, carrier: WebChatCarrier, engine: Engine) -> None:
    """What a server does continuously: hand the carrier's events to the engine, then
    perform the actions it decided."""
    assert client.portal is not None
    engine.process(client.portal.call(carrier.take_events))
    client.portal.call(engine.drain)


def _frames_until(ws: Any, kind: str) -> list[dict[str, Any]]:
    frames = [ws.receive_json()]
    while frames[-1]["type"] != kind:
        frames.append(ws.receive_json())
    return frames


def test_the_welcome_arrives_on_the_members_socket(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        loaded = parse_playbook(template_text("skincare"), str(tmp_path / "playbook.yaml"))
        copy_content("skincare", tmp_path)
        community = apply_playbook(store, loaded, "test").community
        group = store.add_group(community.id, "颜学院护肤社 1群", "webchat", "skin-1", 500)
        carrier = WebChatCarrier(store, store_clock, tmp_path / "uploads")
        runtime = runtime_for(store, loaded.playbook, tmp_path)
        engine = Engine(store, store_clock, [runtime], {"webchat": carrier})
        web = Web(store=store, clock=store_clock, settings=WebSettings(data_dir=tmp_path),
                  carriers={carrier.name: served(carrier)}, playbooks=NoPlaybooks())  # fmt: skip
        app = FastAPI()
        app.include_router(webchat_router(web, carrier))
        code = carrier.invite_code(group.id)
        with TestClient(app) as client:
            assert join(client, code, "小美").status_code == 303
            with client.websocket_connect(f"/chat/{code}/ws") as ws:
                me = ws.receive_json()["me"]["user_id"]
                _engine_round(client, carrier, engine)
                welcome = _frames_until(ws, "message")[-1]
                assert welcome["bot"] is True and welcome["nickname"] == "Hearthkeeper"
                assert welcome["text"].startswith("欢迎 小美 加入颜学院护肤社")
                assert me in welcome["mentions"]

                ws.send_json({"type": "say", "text": "同意"})
                ws.receive_json()  # their own message
                _engine_round(client, carrier, engine)
                accepted = _frames_until(ws, "message")[-1]
                assert accepted["bot"] is True and me in accepted["mentions"]

                ws.send_json({"type": "say", "text": AD})
                advert = ws.receive_json()
                _engine_round(client, carrier, engine)
                frames = _frames_until(ws, "deleted")
                assert frames[-1] == {"type": "deleted", "id": advert["id"]}
                warning = _frames_until(ws, "message")[-1]
                assert warning["bot"] is True and me in warning["mentions"]
            history = SqlWebChat.on(store).history(group.id)
            assert advert["id"] not in [m.id for m in history]
