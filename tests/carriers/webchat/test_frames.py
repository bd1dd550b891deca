"""Hostile frames at the chat's edge: each is refused or normalised there, its sender gets a
readable error, and nobody else in the group notices anything."""

from __future__ import annotations

import json
from contextlib import ExitStack
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearthkeeper.carriers.webchat.protocol import (
    FrameError,
    SayFrame,
    encode,
    error_frame,
    parse_frame,
)
from hearthkeeper.carriers.webchat.texts import say
from hearthkeeper.playbook.positioning import Language
from tests.webchat_setup import Chat

LONE_SURROGATE = '{"type": "say", "text": "hi \\ud83d there"}'
DEEP = "[" * 4000 + "]" * 4000


def _group_of_three(client: TestClient, chat: Chat, stack: ExitStack) -> list[Any]:
    """Three members of "Tea room" (it holds 3), each with an open socket past the hello."""
    sockets = []
    for nickname in ("Ann", "Bob", "Eve"):
        _, token = chat.member(nickname)
        ws = stack.enter_context(client.websocket_connect(
            f"/chat/{chat.codes[0]}/ws", headers={"cookie": f"hearth_member={token}"}))  # fmt: skip
        assert ws.receive_json()["type"] == "hello"
        sockets.append(ws)
    return sockets


def test_a_lone_surrogate_is_shown_as_it_is_stored_and_the_group_goes_on(
    client: TestClient, chat: Chat
) -> None:
    with ExitStack() as stack:
        ann, bob, eve = _group_of_three(client, chat, stack)
        eve.send_text(LONE_SURROGATE)
        seen = [ws.receive_json() for ws in (ann, bob, eve)]
        stored = chat.carrier.platform.history(chat.groups[0].id)[-1]
        assert stored.text == "hi \ufffd there"
        assert [frame["text"] for frame in seen] == [stored.text] * 3
        ann.send_json({"type": "say", "text": "still here?"})
        assert [ws.receive_json()["text"] for ws in (ann, bob, eve)] == ["still here?"] * 3


@pytest.mark.parametrize(
    ("hostile", "says"),
    [
        (json.dumps({"type": "say", "text": "x", "reply_to": 10**23}), "bad say frame: reply_to"),
        (json.dumps({"type": "say", "text": "x", "reply_to": -1}), "bad say frame: reply_to"),
        (DEEP, "frame nests too deeply"),
        ('{"type": "say", "text": ' + "[" * 3000 + "]" * 3000 + "}", "frame nests too deeply"),
    ],
)
def test_a_hostile_frame_is_refused_readably_and_the_group_goes_on(
    client: TestClient, chat: Chat, hostile: str, says: str
) -> None:
    with ExitStack() as stack:
        ann, bob, eve = _group_of_three(client, chat, stack)
        eve.send_text(hostile)
        refused = eve.receive_json()
        assert refused["type"] == "error" and refused["message"].startswith(says)
        eve.send_json({"type": "say", "text": "sorry"})
        assert [ws.receive_json()["text"] for ws in (ann, bob, eve)] == ["sorry"] * 3
    assert [m.text for m in chat.carrier.platform.history(chat.groups[0].id)] == ["sorry"]


def test_a_reply_to_the_largest_id_is_a_reply_to_nothing(client: TestClient, chat: Chat) -> None:
    with ExitStack() as stack:
        ann, bob, eve = _group_of_three(client, chat, stack)
        eve.send_json({"type": "say", "text": "far", "reply_to": 2**63 - 1})
        frames = [ws.receive_json() for ws in (ann, bob, eve)]
    assert [(f["text"], f["reply_to"]) for f in frames] == [("far", None)] * 3


def test_a_message_the_server_fails_on_loses_that_message_not_the_socket(
    client: TestClient, chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = chat.carrier.say

    async def failing_once(*args: Any, **kwargs: Any) -> int:
        monkeypatch.setattr(chat.carrier, "say", real)
        raise RuntimeError("the database went away")

    with ExitStack() as stack:
        ann, bob, eve = _group_of_three(client, chat, stack)
        monkeypatch.setattr(chat.carrier, "say", failing_once)
        eve.send_json({"type": "say", "text": "lost"})
        assert eve.receive_json() == error_frame(say("not_sent", Language.EN))
        eve.send_json({"type": "say", "text": "again"})
        assert [ws.receive_json()["text"] for ws in (ann, bob, eve)] == ["again"] * 3


def test_a_binary_frame_that_is_not_utf8_is_refused(client: TestClient, chat: Chat) -> None:
    with ExitStack() as stack:
        *_, eve = _group_of_three(client, chat, stack)
        eve.send_bytes(b'{"type": "say", "text": "\xff\xfe"}')
        assert eve.receive_json() == error_frame("frame is not UTF-8 text")


def test_what_the_server_sends_is_always_utf8() -> None:
    sent = encode({"type": "message", "text": "a\ud83db\x00c", "nickname": "\udfff"})
    sent.encode("utf-8")  # would raise on a lone surrogate
    assert json.loads(sent)["text"] == "a\ufffdb\x00c"


# Any character, with lone surrogates and NUL (which no database stores) made common.
_CHAR = st.characters(exclude_categories=()) | st.sampled_from(["\ud83d", "\udc00", "\x00"])
_TEXT = st.text(_CHAR)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=20,
)
_SAY = st.fixed_dictionaries(
    {"type": st.just("say")},
    optional={"text": _TEXT | _JSON, "picture": _TEXT | _JSON, "reply_to": _JSON},
)


def _survives(raw: str | bytes) -> None:
    try:
        frame = parse_frame(raw)
    except FrameError as refused:
        encode(error_frame(refused.message)).encode("utf-8")
        return
    if isinstance(frame, SayFrame):
        shown = encode({"type": "message", "text": frame.text, "picture": frame.picture})
        shown.encode("utf-8")
        assert frame.reply_to is None or 1 <= frame.reply_to < 2**63


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(_CHAR, max_size=200) | st.binary(max_size=200))
def test_any_text_or_bytes_is_a_frame_or_a_readable_refusal(raw: str | bytes) -> None:
    _survives(raw)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_SAY | _JSON)
def test_any_json_is_a_frame_or_a_readable_refusal(data: Any) -> None:
    _survives(json.dumps(data))
    _survives(json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass"))
