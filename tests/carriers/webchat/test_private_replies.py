"""A member's own secrets on the web chat — their payment reference (`/会员`), their free
trial, their door code (`/报名`, `/入场码`) — are shown to them alone: in their browser, marked
"仅你可见", never in another member's page. Before, every one of them was posted for the whole
group to read (session 36's walk of a paid 知识星球)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from hearthkeeper.carriers.webchat.socket import MEMBER_COOKIE
from hearthkeeper.clock import FrozenClock
from tests.capabilities.billing.test_billing_webchat import half_year, paid_door, reference
from tests.webchat_setup import SkincareChat, join


def _page(client: TestClient, chat: SkincareChat, token: str) -> list[dict[str, Any]]:
    """The messages the member with `token` sees when they open the group's page."""
    client.cookies.set(MEMBER_COOKIE, token)
    with client.websocket_connect(f"/chat/{chat.code}/ws") as ws:
        hello = ws.receive_json()
    assert hello["type"] == "hello"
    return list(hello["history"])


def _say(client: TestClient, chat: SkincareChat, token: str, *texts: str) -> None:
    client.cookies.set(MEMBER_COOKIE, token)
    with client.websocket_connect(f"/chat/{chat.code}/ws") as ws:
        ws.receive_json()
        for text in texts:
            ws.send_json({"type": "say", "text": text})
            while ws.receive_json().get("text") != text:
                pass
    chat.engine_round(client)


def test_a_trial_members_reference_trial_and_door_code_are_shown_to_them_alone(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    with paid_door(tmp_path, migrated_sqlite, store_clock, trial="7d") as (chat, community):
        store = chat.store
        with TestClient(chat.app) as client:
            assert join(client, chat.code, "小美").status_code == 303  # a free trial
            mei = client.cookies[MEMBER_COOKIE]
            mei_user = chat.carrier.user_for_token(mei)
            assert mei_user is not None
            paid_user, li = chat.carrier.create_user("小丽")  # paid before joining
            half_year(store, community, reference(store, paid_user.user_id, "小丽", store_clock),
                      "TB-1", store_clock)  # fmt: skip
            client.cookies.set(MEMBER_COOKIE, li)
            assert join(client, chat.code, "小丽").status_code == 303
            chat.engine_round(client)
            _say(client, chat, mei, "同意", "/会员", "/报名")
            _say(client, chat, li, "同意")

            code = reference(store, mei_user.user_id, "小美", store_clock)
            mine = [m for m in _page(client, chat, mei) if m["bot"]]
            asked = [m for m in mine if code in m["text"]]
            assert len(asked) == 1 and asked[0]["private"] is True
            assert "颜学院半年会员" in asked[0]["text"] and "免费试用" in asked[0]["text"]
            trial = [m for m in mine if m["text"].startswith("你正在免费试用")]
            assert len(trial) == 1 and trial[0]["private"] is True
            ticket = [m for m in mine if "/ticket/" in m["text"]]
            assert len(ticket) == 1 and ticket[0]["private"] is True
            door_link = ticket[0]["text"].split("入场码：", 1)[1].strip()

            theirs = _page(client, chat, li)  # what another member of the group reads
            said = "\n".join(m["text"] for m in theirs)
            assert code not in said and door_link not in said and "/ticket/" not in said
            assert "你正在免费试用" not in said
            assert any("欢迎 小美" in m["text"] for m in theirs)  # the welcome is still public
            assert not any(m.get("private") for m in theirs)


def test_a_members_report_is_acknowledged_to_them_alone(
    tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock
) -> None:
    """A `/举报` taken was answered with nothing: the reporter could not tell it reached staff,
    since anything said in the group would show the reported member who reported them. On the
    web chat the receipt is now shown to the reporter alone; the group reads nothing of it."""
    with (
        paid_door(tmp_path, migrated_sqlite, store_clock, trial="7d") as (chat, community),
        TestClient(chat.app) as client,
    ):
        assert join(client, chat.code, "小美").status_code == 303  # a free trial
        mei = client.cookies[MEMBER_COOKIE]
        paid_user, li = chat.carrier.create_user("小丽")  # paid before joining
        half_year(chat.store, community,
                  reference(chat.store, paid_user.user_id, "小丽", store_clock), "TB-1",
                  store_clock)  # fmt: skip
        client.cookies.set(MEMBER_COOKIE, li)
        assert join(client, chat.code, "小丽").status_code == 303
        chat.engine_round(client)
        _say(client, chat, mei, "同意")
        _say(client, chat, li, "同意", "这群没意思，都去隔壁群吧")
        [said] = [m for m in _page(client, chat, li) if m["text"] == "这群没意思，都去隔壁群吧"]
        # li stays connected while mei reports her: the command was shown to the whole group,
        # naming mei and her reason, until the engine deleted it; now mei alone sees it
        client.cookies.set(MEMBER_COOKIE, li)
        with client.websocket_connect(f"/chat/{chat.code}/ws") as theirs_ws:
            theirs_ws.receive_json()
            client.cookies.set(MEMBER_COOKIE, mei)
            with client.websocket_connect(f"/chat/{chat.code}/ws") as ws:
                ws.receive_json()
                ws.send_json({"type": "say", "text": "/举报 拉人去别的群", "reply_to": said["id"]})
                while (shown := ws.receive_json()).get("text") != "/举报 拉人去别的群":
                    pass
                assert shown["private"] is True  # marked 仅你可见 in mei's page
                chat.engine_round(client)
                while ws.receive_json() != {"type": "deleted", "id": shown["id"]}:
                    pass  # taken out of mei's page
            theirs_ws.send_json({"type": "say", "text": "还有人吗"})
            heard = []
            while (frame := theirs_ws.receive_json()).get("text") != "还有人吗":
                heard.append(frame)
            assert not [
                f for f in heard if "举报" in str(f.get("text")) or f.get("id") == shown["id"]
            ]

        receipt = [m for m in _page(client, chat, mei) if "的举报，管理员会查看" in m["text"]]
        assert len(receipt) == 1 and receipt[0]["private"] is True
        # it quotes the message reported; before, it replied to the `/举报`, gone from the
        # page, which quoted it as "an earlier message"
        assert (
            receipt[0]["text"]
            == "小美，已收到你对 小丽 的消息“这群没意思，都去隔壁群吧” 的举报，管理员会查看。"
        )
        assert receipt[0]["reply_to"] is None
        # a `/举报` replying to nothing is refused to mei alone, quoting nothing: before, the
        # refusal replied to the `/举报`, gone from the page, which read "一条较早的消息"
        _say(client, chat, mei, "/举报 她拉人")
        refused = [m for m in _page(client, chat, mei) if "举报请回复" in m["text"]]
        assert [(m["text"], m["private"], m["reply_to"]) for m in refused] == [
            ("小美，举报请回复（引用）要举报的那条消息，再发送「/举报 理由」。", True, None)
        ]
        theirs = "\n".join(m["text"] for m in _page(client, chat, li))
        assert "举报" not in theirs  # neither the commands nor the answers
        alerts = chat.store.staff_alerts(chat.group.community_id)
        assert [a.text[:4] for a in alerts if a.handler == "reports"] == ["【举报】"]
