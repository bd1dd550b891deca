"""On the web chat, a message members' reports hid comes back when staff dismiss the reports:
in its place, for every member, the pages open at that moment included. Before, it stayed
hidden for good."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from hearthkeeper.capabilities.reports import decisions
from hearthkeeper.capabilities.reports.repository import SqlReports
from hearthkeeper.carriers.webchat.socket import MEMBER_COOKIE
from hearthkeeper.clock import FrozenClock
from hearthkeeper.playbook.templates import template_text
from tests.carriers.webchat.test_private_replies import _page, _say
from tests.webchat_setup import join, skincare_chat, sqlite_store

# the skincare template, one report from a member in good standing (a day in, one message)
# hiding a message, so that two members make the walk
HIDING = template_text("skincare").replace(
    "  violations:\n    advertising:\n",
    "  reports: {hide_after: 1}\n  violations:\n    advertising:\n"
    "      learned: {standing: {days: 1, messages: 1}}\n",
    1,
)
SAID = "周五的护肤分享改到晚上八点了"


def test_dismissed_reports_show_the_hidden_message_again_in_its_place(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        chat = skincare_chat(store, store_clock, tmp_path, playbook=HIDING)
        with TestClient(chat.app) as client:
            assert join(client, chat.code, "小美").status_code == 303
            mei = client.cookies[MEMBER_COOKIE]
            client.cookies.delete(MEMBER_COOKIE)
            assert join(client, chat.code, "小丽").status_code == 303
            li = client.cookies[MEMBER_COOKIE]
            chat.engine_round(client)
            _say(client, chat, mei, "同意")
            _say(client, chat, li, "同意", SAID, "大家周末愉快")
            store_clock.advance(timedelta(days=2))  # mei is in good standing now
            [said] = [m for m in _page(client, chat, li) if m["text"] == SAID]
            client.cookies.set(MEMBER_COOKIE, mei)
            with client.websocket_connect(f"/chat/{chat.code}/ws") as ws:
                ws.receive_json()
                ws.send_json({"type": "say", "text": "/举报 时间不对", "reply_to": said["id"]})
                while ws.receive_json().get("text") != "/举报 时间不对":
                    pass
            chat.engine_round(client)
            assert SAID not in [m["text"] for m in _page(client, chat, li)]  # hidden
            [reported] = SqlReports.on(store).waiting(chat.group.community_id)
            assert reported.hidden_at is not None
            # li's page is open while staff dismiss the reports: it shows the message again
            client.cookies.set(MEMBER_COOKIE, li)
            with client.websocket_connect(f"/chat/{chat.code}/ws") as open_page:
                open_page.receive_json()
                decisions.decide(store, reported.id, decisions.Decision.DISMISS, "console:ann",
                                 store_clock.now())  # fmt: skip
                chat.engine_round(client)
                open_page.send_json({"type": "say", "text": "还在吗"})
                heard = []
                while (frame := open_page.receive_json()).get("text") != "还在吗":
                    heard.append(frame)
            [back] = [f for f in heard if f["type"] == "restored"]
            assert back["message"]["id"] == said["id"] and back["message"]["text"] == SAID
            assert back["message"]["private"] is False
            # and every member's page, opened afresh, has it in its place (before the later ones)
            for member in (li, mei):
                shown = [m["text"] for m in _page(client, chat, member) if not m["bot"]]
                assert shown[-3:] == [SAID, "大家周末愉快", "还在吗"], shown
