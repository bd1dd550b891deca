"""On the real web chat: a staff alert reaches the staff channel, mentioning the staff member
who receives alerts, in their browser; the web chat has no direct messages."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from hearthkeeper.apply import apply_playbook
from hearthkeeper.assembly import runtime_for
from hearthkeeper.carriers.webchat import WebChatCarrier
from hearthkeeper.carriers.webchat.plugin import served
from hearthkeeper.carriers.webchat.routes import webchat_router
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.engine import Engine
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import copy_content, template_text
from hearthkeeper.store import OutboxStatus
from hearthkeeper.web.context import Web, WebSettings
from tests.webchat_setup import NoPlaybooks, frames_until, join, sqlite_store

STAFF_ROOM = "颜学院 员工群"


def test_the_staff_channel_receives_the_alert_with_its_recipient_mentioned(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    text = template_text("skincare").replace(
        "alerts:\n", f"alerts:\n  staff_group: {STAFF_ROOM}\n", 1
    )
    loaded = parse_playbook(text, str(tmp_path / "playbook.yaml"))
    copy_content("skincare", tmp_path)
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        community = apply_playbook(store, loaded, "test").community
        members = store.add_group(community.id, "颜学院护肤社 1群", "webchat", "skin-1", 500)
        staff = store.add_group(community.id, STAFF_ROOM, "webchat", "skin-staff", 20)
        runtime = runtime_for(store, loaded.playbook, tmp_path)
        carrier = WebChatCarrier(store, store_clock, tmp_path / "uploads")
        engine = Engine(store, store_clock, [runtime], {"webchat": carrier})
        web = Web(store=store, clock=store_clock, settings=WebSettings(data_dir=tmp_path),
                  carriers={carrier.name: served(carrier)}, playbooks=NoPlaybooks())  # fmt: skip
        app = FastAPI()
        app.include_router(webchat_router(web, carrier))

        def engine_round(client: TestClient) -> None:
            assert client.portal is not None
            engine.process(client.portal.call(carrier.take_events))
            client.portal.call(engine.drain)

        staff_code, member_code = carrier.invite_code(staff.id), carrier.invite_code(members.id)
        with TestClient(app) as secretary, TestClient(app) as troublemaker:
            assert join(secretary, staff_code, "阿梅").status_code == 303
            with secretary.websocket_connect(f"/chat/{staff_code}/ws") as ws:
                me = ws.receive_json()["me"]["user_id"]
                engine_round(secretary)
                mei = store.find_member("webchat", me)
                assert mei is not None
                store.set_role(mei.id, staff.id, "secretary")
                assert join(troublemaker, member_code, "捣乱的人").status_code == 303
                with troublemaker.websocket_connect(f"/chat/{member_code}/ws") as other:
                    other.receive_json()
                    engine_round(secretary)
                    for text in ("同意", "你就是个傻逼"):
                        other.send_json({"type": "say", "text": text})
                        until_said(other, text)  # stored and shown: the engine can have it
                        engine_round(secretary)
                alert = frames_until_alert(ws)[-1]
                assert alert["bot"] is True and me in alert["mentions"]
                assert alert["text"].startswith("@阿梅\n⚠ 管理提醒：")
                assert "捣乱的人" in alert["text"]
        # the direct message was passed over (the web chat has none), not failed
        directs = [i for i in store.outbox_items() if i.action.get("kind") == "direct"]
        assert directs and all(i.status is OutboxStatus.DONE for i in directs)


def until_said(ws: object, text: str) -> None:
    """Read frames until the group is shown `text` (a welcome may come first)."""
    while frames_until(ws, "message")[-1].get("text") != text:
        pass


def frames_until_alert(ws: object) -> list[dict[str, object]]:
    """Frames up to the first bot message mentioning staff (the alert)."""
    frames: list[dict[str, object]] = []
    while True:
        frames.extend(frames_until(ws, "message"))
        if "管理提醒" in str(frames[-1].get("text")):
            return frames
