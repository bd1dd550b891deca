"""The chat's WebSocket: the hello, live messages to everyone in the group, moderation that
members see, and frames that are refused (size, JSON, type, rate)."""

from __future__ import annotations

import contextlib
import json
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from hearthkeeper.carriers.webchat.hub import MOST_PER_MEMBER
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.events import Message
from tests.webchat_setup import Chat


def _socket(client: TestClient, chat: Chat, token: str | None, group: int = 0) -> Any:
    headers = {"cookie": f"hearth_member={token}"} if token else {}
    return client.websocket_connect(f"/chat/{chat.codes[group]}/ws", headers=headers)


def _perform(client: TestClient, chat: Chat, kind: ActionKind, key: str, **fields: Any) -> Any:
    action = Action(kind=kind, carrier="webchat", group="tea-1", **fields)
    assert client.portal is not None
    return client.portal.call(chat.carrier.perform, action, key)


def _say(ws: WebSocketTestSession, text: str, **fields: Any) -> None:
    ws.send_json({"type": "say", "text": text, **fields})


def _closed(ws: WebSocketTestSession) -> WebSocketDisconnect:
    """Read frames until the server closes; the close."""
    with pytest.raises(WebSocketDisconnect) as closed:
        for _ in range(20):
            ws.receive_json()
    return closed.value


def test_the_hello_says_who_where_and_what_was_said(client: TestClient, chat: Chat) -> None:
    user, token = chat.member("小美")
    chat.member("Ann")
    for n in range(3):
        _perform(client, chat, ActionKind.SEND, f"k{n}", text=f"post {n}")
    _perform(client, chat, ActionKind.DELETE, "d", target="2")
    with _socket(client, chat, token) as ws:
        hello = ws.receive_json()
    assert hello["type"] == "hello" and hello["muted"] is None
    assert hello["me"] == {"user_id": user.user_id, "nickname": "小美"}
    assert hello["group"] == {"name": "Tea room", "community": "Tea lovers", "members": 2,
                              "capacity": 3, "bot": "Hearthkeeper"}  # fmt: skip
    assert [m["text"] for m in hello["history"]] == ["post 0", "post 2"]
    assert hello["history"][0]["bot"] is True and hello["history"][0]["nickname"] == "Hearthkeeper"


def test_a_message_reaches_everyone_in_the_group_and_the_engine(
    client: TestClient, chat: Chat
) -> None:
    ann, ann_token = chat.member("Ann")
    bob, bob_token = chat.member("Bob")
    _, outsider = chat.member("Carol", group=1)
    with _socket(client, chat, ann_token) as ann_ws, _socket(client, chat, bob_token) as bob_ws, \
            _socket(client, chat, outsider, group=1) as carol_ws:  # fmt: skip
        for ws in (ann_ws, bob_ws, carol_ws):
            ws.receive_json()  # hello
        _say(ann_ws, "@Bob 早上好 <b>hi</b>")
        seen_by_bob, seen_by_ann = bob_ws.receive_json(), ann_ws.receive_json()
        _say(carol_ws, "only in the garden")
        assert carol_ws.receive_json()["text"] == "only in the garden"
    assert seen_by_bob == seen_by_ann
    assert seen_by_bob["type"] == "message" and seen_by_bob["text"] == "@Bob 早上好 <b>hi</b>"
    assert (seen_by_bob["user_id"], seen_by_bob["nickname"], seen_by_bob["bot"]) == (
        ann.user_id, "Ann", False,
    )  # fmt: skip
    assert seen_by_bob["mentions"] == [bob.user_id] and seen_by_bob["picture_url"] is None
    assert client.portal is not None
    taken = client.portal.call(chat.carrier.take_events)  # the three joins, then the two messages
    message, _ = [event for event in taken if isinstance(event, Message)]
    assert isinstance(message, Message) and message.event_id == str(seen_by_bob["id"])
    assert message.sender.user_id == ann.user_id and message.mentions == (bob.user_id,)


def test_a_deleted_message_vanishes_for_everyone(client: TestClient, chat: Chat) -> None:
    _, ann = chat.member("Ann")
    _, bob = chat.member("Bob")
    with _socket(client, chat, ann) as ann_ws, _socket(client, chat, bob) as bob_ws:
        ann_ws.receive_json(), bob_ws.receive_json()
        _say(ann_ws, "buy cheap bags at example.com")
        posted = bob_ws.receive_json()
        ann_ws.receive_json()
        _perform(client, chat, ActionKind.DELETE, "del", target=str(posted["id"]), reason="ad")
        assert ann_ws.receive_json() == {"type": "deleted", "id": posted["id"]}
        assert bob_ws.receive_json() == {"type": "deleted", "id": posted["id"]}
    with _socket(client, chat, bob) as again:
        assert again.receive_json()["history"] == []


def test_a_muted_member_is_told_until_when_and_why(client: TestClient, chat: Chat) -> None:
    user, token = chat.member("Flooder")
    with _socket(client, chat, token) as ws:
        ws.receive_json()
        _perform(client, chat, ActionKind.MUTE, "mute", member=user.user_id,
                 duration=timedelta(minutes=30), reason="flooding")  # fmt: skip
        assert ws.receive_json() == {"type": "muted", "until": "2026-05-01T09:30:00+00:00",
                                     "when": "Fri 1 May 09:30",
                                     "reason": "flooding"}  # fmt: skip
        _say(ws, "let me speak")
        assert ws.receive_json() == {
            "type": "error", "message": "You are muted until Fri 1 May 09:30: flooding.",
        }  # fmt: skip
    with _socket(client, chat, token) as ws:  # a reload still shows the mute
        assert ws.receive_json()["muted"] == {"until": "2026-05-01T09:30:00+00:00",
                                              "when": "Fri 1 May 09:30",
                                              "reason": "flooding"}  # fmt: skip
        _perform(client, chat, ActionKind.UNMUTE, "unmute", member=user.user_id)
        assert ws.receive_json() == {"type": "unmuted"}
        _say(ws, "thank you")
        assert ws.receive_json()["text"] == "thank you"


def test_the_muted_notice_reads_the_same_time_as_the_refusal(
    client: TestClient, chat: Chat
) -> None:
    """In a Shanghai community the notice over the composer read "muted until Dec 6, 2026,
    9:24 AM" (the browser's clock and language, no zone) while a refused post read "until
    2026-12-06 17:24 Asia/Shanghai": the frames now carry the time on the community's clock,
    written as the refusal (and every moment members read) writes it."""
    chat.carrier.zones = {chat.community_id: ZoneInfo("Asia/Shanghai")}
    user, token = chat.member("Flooder")
    with _socket(client, chat, token) as ws:
        ws.receive_json()
        _perform(client, chat, ActionKind.MUTE, "mute", member=user.user_id,
                 duration=timedelta(minutes=30), reason="flooding")  # fmt: skip
        assert ws.receive_json()["when"] == "Fri 1 May 17:30"
        _say(ws, "let me speak")
        refusal = ws.receive_json()["message"]
        assert "until Fri 1 May 17:30:" in refusal
    with _socket(client, chat, token) as ws:  # a reload shows the same time
        assert ws.receive_json()["muted"]["when"] == "Fri 1 May 17:30"


@pytest.mark.parametrize("kind", [ActionKind.KICK, ActionKind.BAN])
def test_a_removed_member_is_told_and_disconnected(
    client: TestClient, chat: Chat, kind: ActionKind
) -> None:
    user, token = chat.member("Troll")
    _, other = chat.member("Ann")
    with _socket(client, chat, token) as ws, _socket(client, chat, other) as others:
        ws.receive_json(), others.receive_json()
        _perform(client, chat, kind, "out", member=user.user_id, reason="insults")
        assert ws.receive_json() == {"type": "removed", "reason": "insults",
                                     "banned": kind is ActionKind.BAN}  # fmt: skip
        assert _closed(ws).code == 4000
        assert others.receive_json() == {"type": "members", "count": 1}
    with _socket(client, chat, token) as ws:
        assert _closed(ws).code == 4403


def test_strangers_are_turned_away_with_a_reason(client: TestClient, chat: Chat) -> None:
    with _socket(client, chat, None) as ws:
        closed = _closed(ws)
    assert closed.code == 4401 and "invite link" in closed.reason
    _, token = chat.member("Elsewhere", group=1)
    with _socket(client, chat, token, group=0) as ws:
        assert _closed(ws).code == 4403


def test_refused_frames_get_errors_and_persistent_abuse_closes(
    client: TestClient, chat: Chat
) -> None:
    _, token = chat.member("Prober")
    with _socket(client, chat, token) as ws:
        ws.receive_json()
        ws.send_text("{not json")
        assert ws.receive_json() == {"type": "error", "message": "frame is not valid JSON"}
        ws.send_json({"type": "shout", "text": "hi"})
        assert ws.receive_json()["message"].startswith('unknown frame type "shout"')
        ws.send_json({"type": "ping"})  # answered with nothing; not a warning
        _say(ws, "x" * 2001)  # refused, not counted as abuse
        assert ws.receive_json()["message"] == "message too long: 2001 characters (at most 2000)"
        ws.send_text(json.dumps({"type": "say", "text": "y" * 9000}))
        assert ws.receive_json()["message"] == "frame too large: 9027 bytes (at most 8192)"
        assert _closed(ws).code == 1008  # the third refused frame within a minute


def test_a_bad_field_is_named(client: TestClient, chat: Chat) -> None:
    _, token = chat.member("Typist")
    with _socket(client, chat, token) as ws:
        ws.receive_json()
        _say(ws, "hi", reply_to="the last one")
        assert ws.receive_json()["message"].startswith("bad say frame: reply_to:")


def test_a_frame_far_over_the_limit_closes_at_once(client: TestClient, chat: Chat) -> None:
    _, token = chat.member("Flooder")
    with _socket(client, chat, token) as ws:
        ws.receive_json()
        ws.send_text("z" * 70_000)
        assert ws.receive_json()["type"] == "error"
        assert _closed(ws).code == 1009


def test_more_than_eight_messages_in_ten_seconds_are_dropped(
    client: TestClient, chat: Chat
) -> None:
    _, token = chat.member("Chatty")
    with _socket(client, chat, token) as ws:
        ws.receive_json()
        for n in range(9):
            _say(ws, f"message {n}")
        frames = [ws.receive_json() for _ in range(9)]
        assert [f["type"] for f in frames] == ["message"] * 8 + ["error"]
        assert frames[-1]["message"] == "slow down: at most 8 messages every 10 seconds"
        chat.clock.advance(timedelta(seconds=11))
        _say(ws, "after a pause")
        assert ws.receive_json()["text"] == "after a pause"
    assert len(chat.carrier.platform.history(chat.groups[0].id)) == 9


def test_another_site_cannot_talk_as_our_member(client: TestClient, chat: Chat) -> None:
    _, token = chat.member("Visitor")
    evil = {"cookie": f"hearth_member={token}", "origin": "https://evil.example"}
    with client.websocket_connect(f"/chat/{chat.codes[0]}/ws", headers=evil) as ws:
        closed = _closed(ws)
    assert closed.code == 4403 and "its own pages" in closed.reason
    ours = {"cookie": f"hearth_member={token}", "origin": "http://testserver"}
    with client.websocket_connect(f"/chat/{chat.codes[0]}/ws", headers=ours) as ws:
        assert ws.receive_json()["type"] == "hello"


def test_a_member_opening_the_chat_in_many_places_keeps_only_the_newest_twelve(
    client: TestClient, chat: Chat
) -> None:
    """A script opening a thousand sockets for one seat held them all (85 MB, and a send to
    each per message); beyond twelve, in all her groups together, the oldest are closed and
    their pages told why."""
    ann, token = chat.member("Ann")
    chat.carrier.platform.take_seat(chat.groups[1].id, ann.user_id, chat.clock.now())
    _, bob = chat.member("Bob", group=1)
    with contextlib.ExitStack() as stack:
        sockets = []
        for n in range(MOST_PER_MEMBER + 2):  # tabs in both of her groups
            ws = stack.enter_context(_socket(client, chat, token, group=n % 2))
            assert ws.receive_json()["type"] == "hello"
            sockets.append(ws)
        assert chat.carrier.hub.connected(chat.groups[0].id) == MOST_PER_MEMBER // 2
        for oldest in sockets[:2]:
            closed = _closed(oldest)
            assert closed.code == 4409 and "too many other tabs or devices" in closed.reason
        bob_ws = stack.enter_context(_socket(client, chat, bob, group=1))
        bob_ws.receive_json()  # hello
        _say(bob_ws, "hello garden")
        assert bob_ws.receive_json()["text"] == "hello garden"
        for ws in sockets[3::2]:  # her newest tabs in the garden still hear it
            assert ws.receive_json()["text"] == "hello garden"
