"""The web chat across nodes on a real PostgreSQL: what one node shows its browsers, the
browsers connected to every other node see too — once, whole, in order — and an engine
worker with no browsers reaches them all."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy import make_url

from hearthkeeper.carriers.webchat import WebChatCarrier
from hearthkeeper.carriers.webchat.base import UTC_ZONE
from hearthkeeper.carriers.webchat.hub import Connection
from hearthkeeper.carriers.webchat.protocol import deleted_frame, message_frame, muted_frame
from hearthkeeper.carriers.webchat.records import WebChatMessage
from hearthkeeper.carriers.webchat.relay import PART_BYTES, RelayedHub, libpq_url, split
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.events import Message
from hearthkeeper.store import Store
from hearthkeeper.store.database import build_engine, create_engine_for

WAIT = 60.0  # seconds a frame may take to arrive before the test fails (it takes milliseconds)
_marks = itertools.count()


class Browser:
    """The far end of one connection: records the frames it is sent and how it was closed."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []
        self.closed: tuple[int, str] | None = None

    async def send(self, text: str) -> None:
        self.frames.append(json.loads(text))

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [frame for frame in self.frames if frame["type"] == kind]


class Node:
    """One `hearth serve` as the relay sees it: a RelayedHub, its listener and its browsers."""

    def __init__(self, url: str, *, listening: bool = True) -> None:
        self.engine = create_engine_for(url)
        self.hub = RelayedHub(self.engine)
        self.stop = asyncio.Event()
        self.listener = asyncio.create_task(self.hub.listen(self.stop)) if listening else None
        self.pumps: list[asyncio.Task[None]] = []

    def browser(self, group_id: int, user_id: str) -> Browser:
        far_end = Browser()
        connection = Connection(group_id, user_id)
        self.hub.add(connection)
        self.pumps.append(asyncio.create_task(connection.pump(far_end.send, far_end.close)))
        return far_end

    async def close(self) -> None:
        self.stop.set()
        if self.listener is not None:
            await asyncio.wait_for(self.listener, WAIT)
        await asyncio.to_thread(self.hub.close)
        for pump in self.pumps:
            pump.cancel()
        self.engine.dispose()


async def until(check: Callable[[], bool]) -> None:
    """Wait for `check` to hold (failing after WAIT seconds)."""
    async with asyncio.timeout(WAIT):
        while not check():
            await asyncio.sleep(0.01)


@asynccontextmanager
async def cluster(url: str, count: int = 2) -> AsyncIterator[list[Node]]:
    nodes = [Node(url) for _ in range(count)]
    try:
        await until(lambda: all(node.hub.listens >= 1 for node in nodes))
        yield nodes
    finally:
        for node in nodes:
            await node.close()


async def settle(nodes: list[Node], watchers: list[Browser], group_id: int) -> None:
    """Each node in turn publishes a mark and waits until every other node's watcher has it.
    Frames from one node arrive in order, so afterwards everything published before has
    arrived everywhere, and a frame coming twice would have come already."""
    for n, node in enumerate(nodes):
        mark = next(_marks)
        node.hub.broadcast(group_id, {"type": "mark", "n": mark})
        for other, watcher in enumerate(watchers):
            if other != n:
                await until(lambda w=watcher, m=mark: any(f["n"] == m for f in w.of("mark")))


def said(message_id: int, user_id: str | None, text: str) -> dict[str, Any]:
    """A message frame as the carrier builds it (`user_id` None: the bot's)."""
    return message_frame(WebChatMessage(
        id=message_id, group_id=1, user_id=user_id, nickname=user_id or "Hearthkeeper",
        kind="text", text=text, picture=None, reply_to=None, mentions=(),
        sent_at=datetime(2025, 1, 1, tzinfo=UTC), deleted_at=None, deleted_reason=None,
        action_key=None,
    ))  # fmt: skip


@pytest.mark.postgres
def test_a_broadcast_reaches_every_nodes_browsers_once(pg_url: str) -> None:
    async def scenario() -> tuple[list[Browser], list[Browser], Browser]:
        async with cluster(pg_url) as nodes:
            a, b = nodes
            on_a = [a.browser(1, "w-ann"), a.browser(1, "w-bob")]
            on_b = [b.browser(1, "w-cat"), b.browser(1, "w-ann")]  # ann has a second tab on b
            elsewhere = b.browser(2, "w-dan")
            assert a.hub.broadcast(1, said(10, "w-ann", "hello")) == 2  # counted on a only
            assert b.hub.broadcast(1, {"type": "members", "count": 3}) == 2
            await settle(nodes, [on_a[0], on_b[0]], 1)
            return on_a, on_b, elsewhere

    on_a, on_b, elsewhere = asyncio.run(scenario())
    for browser in on_a + on_b:
        # Once each; two nodes' frames have no order between them.
        assert [f["text"] for f in browser.of("message")] == ["hello"]
        assert [f["count"] for f in browser.of("members")] == [3]
        assert len(browser.frames) == 2 + len(browser.of("mark"))
    assert elsewhere.frames == []


@pytest.mark.postgres
def test_one_member_is_told_and_closed_on_every_node(pg_url: str) -> None:
    async def scenario() -> dict[str, Browser]:
        async with cluster(pg_url) as nodes:
            a, b = nodes
            ends = {
                "watcher a": a.browser(1, "w-eve"), "watcher b": b.browser(1, "w-eve"),
                "ann on b": b.browser(1, "w-ann"), "ann's phone on b": b.browser(1, "w-ann"),
                "bob on b": b.browser(1, "w-bob"), "ann elsewhere on b": b.browser(2, "w-ann"),
            }  # fmt: skip
            assert a.hub.send_to(1, "w-ann", muted_frame(None, "spam", UTC_ZONE)) == 0
            a.hub.close_user(1, "w-ann", 4000, "removed")
            await until(lambda: ends["ann on b"].closed is not None)
            await until(lambda: ends["ann's phone on b"].closed is not None)
            await settle(nodes, [ends["watcher a"], ends["watcher b"]], 1)
            return ends

    ends = asyncio.run(scenario())
    for who in ("ann on b", "ann's phone on b"):
        assert ends[who].frames == [
            {"type": "muted", "until": None, "when": None, "reason": "spam"}
        ]
        assert ends[who].closed == (4000, "removed")
    assert ends["bob on b"].of("muted") == [] and ends["bob on b"].closed is None
    assert ends["ann elsewhere on b"].frames == [] and ends["ann elsewhere on b"].closed is None


@pytest.mark.postgres
def test_a_frame_of_30_kb_of_chinese_arrives_whole(pg_url: str) -> None:
    # Three bytes a character and four for the emoji: cut anywhere else, a part would not
    # be valid UTF-8; and the whole is four times what one notification may carry.
    long_text = "汉字测试，长消息😀" * 1300
    assert len(json.dumps(said(11, "w-ann", long_text), ensure_ascii=False).encode()) > 30_000

    async def scenario() -> Browser:
        async with cluster(pg_url) as nodes:
            a, b = nodes
            far = b.browser(1, "w-bob")
            a.hub.broadcast(1, said(11, "w-ann", long_text))
            a.hub.broadcast(1, said(12, "w-ann", "after it"))
            await until(lambda: len(far.of("message")) == 2)
            return far

    far = asyncio.run(scenario())
    assert [f["text"] for f in far.of("message")] == [long_text, "after it"]


@pytest.mark.postgres
def test_two_hundred_frames_arrive_in_the_order_they_were_shown(pg_url: str) -> None:
    async def scenario() -> tuple[Browser, Browser]:
        async with cluster(pg_url) as nodes:
            a, b = nodes
            here, there = a.browser(1, "w-ann"), b.browser(1, "w-bob")
            for n in range(200):
                a.hub.broadcast(1, said(n + 1, "w-ann", f"message {n}"))
                if n % 50 == 0:
                    a.hub.broadcast(1, said(1000 + n, "w-ann", "x" * 20_000))  # in parts
            await until(lambda: len(there.of("message")) == len(here.of("message")) == 204)
            return here, there

    here, there = asyncio.run(scenario())
    assert [f["id"] for f in there.frames] == [f["id"] for f in here.frames]
    assert [f["id"] for f in there.frames if f["id"] <= 200] == list(range(1, 201))


@pytest.mark.postgres
def test_an_engine_worker_without_browsers_reaches_every_node(pg_url: str) -> None:
    async def scenario() -> list[Browser]:
        async with cluster(pg_url) as nodes:
            a, b = nodes
            engine_worker = Node(pg_url, listening=False)  # it only publishes
            try:
                members = [a.browser(1, "w-ann"), b.browser(1, "w-ann")]
                assert engine_worker.hub.broadcast(1, said(20, None, "welcome")) == 0
                engine_worker.hub.broadcast(1, deleted_frame(19))
                # a lone surrogate cannot go into a notification: replaced, as on a socket
                engine_worker.hub.send_to(1, "w-ann", muted_frame(None, "flood\ud800", UTC_ZONE))
                await until(lambda: all(len(m.frames) == 3 for m in members))
            finally:
                await engine_worker.close()
            return members

    for browser in asyncio.run(scenario()):
        assert [f["type"] for f in browser.frames] == ["message", "deleted", "muted"]
        assert browser.frames[0]["bot"] is True and browser.frames[2]["reason"] == "flood\ufffd"


@pytest.mark.postgres
def test_the_engine_hears_of_members_messages_shown_on_other_nodes(pg_url: str) -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        async with cluster(pg_url) as nodes:
            web, engine_worker = nodes
            heard: list[str] = []
            heard_by_web: list[str] = []
            engine_worker.hub.on_member_message = heard.append
            web.hub.on_member_message = heard_by_web.append
            watchers = [web.browser(1, "w-eve"), engine_worker.browser(1, "w-eve")]
            web.hub.broadcast(1, said(31, "w-ann", "a question"))
            web.hub.broadcast(1, said(32, None, "the bot's own message"))
            web.hub.broadcast(1, deleted_frame(31))
            web.hub.send_to(1, "w-ann", said(33, "w-ann", "/report shown to ann alone"))
            web.hub.send_to(1, "w-ann", said(34, None, "the bot's private reply"))
            web.hub.broadcast(1, {"type": "members", "count": 2})
            await settle(nodes, watchers, 1)
            return heard, heard_by_web

    heard, heard_by_web = asyncio.run(scenario())
    assert heard == ["31", "33"]  # a member's `/report` is shown to them alone, and taken
    assert heard_by_web == []  # a node's own frames: its carrier announced them already


@pytest.mark.postgres
def test_a_lost_listening_connection_is_made_again_and_its_pages_reconnect_for_what_they_missed(
    pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """What another node showed while this node's listener was away (a member's promotion
    to a held place, with its deadline, say) never reached this node's open sockets: they are
    closed once it listens again, so their pages reconnect and read it in the history."""
    caplog.set_level(logging.WARNING, "hearthkeeper.carriers.webchat.relay")

    async def scenario() -> tuple[Browser, Browser]:
        async with cluster(pg_url) as nodes:
            a, b = nodes
            far = b.browser(1, "w-bob")
            a.hub.broadcast(1, said(1, "w-ann", "before"))
            await until(lambda: len(far.frames) == 1)
            with psycopg.connect(libpq_url(make_url(pg_url)), autocommit=True) as admin:
                ended = admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = %s", (f"hearth-relay {b.hub.node}",),
                ).fetchall()  # fmt: skip
            assert ended == [(True,)]
            await until(lambda: b.hub.listens == 2)
            await until(lambda: far.closed is not None)  # the page reconnects ...
            again = b.browser(1, "w-bob")  # ... and is sent on from there
            for n in (2, 3, 4):
                a.hub.broadcast(1, said(n, "w-ann", f"after {n}"))
            await until(lambda: len(again.frames) == 3)
            return far, again

    far, again = asyncio.run(scenario())
    assert [f["text"] for f in far.frames] == ["before"] and far.closed is not None
    assert far.closed[0] == 1013  # "try again later": chat.js reconnects, hello has the history
    assert [f["text"] for f in again.frames] == ["after 2", "after 3", "after 4"]
    assert "listening connection was lost" in caplog.text  # the operator is told


def test_a_database_that_cannot_be_reached_fails_no_caller(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR, "hearthkeeper.carriers.webchat.relay")

    async def scenario() -> tuple[int, Browser, bool]:
        hub = RelayedHub(build_engine("postgresql://nobody@127.0.0.1:1/nothing"))
        far = Browser()
        connection = Connection(1, "w-ann")
        hub.add(connection)
        pump = asyncio.create_task(connection.pump(far.send, far.close))
        shown = hub.broadcast(1, said(1, "w-ann", "still shown here"))
        flushed = await asyncio.to_thread(hub.flush, WAIT)
        await until(lambda: len(far.frames) == 1)
        hub.close()
        pump.cancel()
        return shown, far, flushed

    shown, far, flushed = asyncio.run(scenario())
    assert shown == 1 and far.frames[0]["text"] == "still shown here" and flushed
    assert "1 frames not published" in caplog.text


def test_the_listeners_url_keeps_the_password() -> None:
    url = make_url("postgresql+psycopg://hearth:p%40ss%2Fw0rd@db.example:5433/hearth")
    conninfo = conninfo_to_dict(libpq_url(url))
    assert conninfo["password"] == "p@ss/w0rd" and conninfo["user"] == "hearth"
    assert (conninfo["host"], conninfo["port"], conninfo["dbname"]) == ("db.example", "5433",
                                                                        "hearth")  # fmt: skip


def test_parts_are_never_cut_inside_a_character() -> None:
    data = ("a汉😀" * 5000).encode()
    parts = split(data)
    assert "".join(parts).encode() == data
    assert all(len(part.encode()) <= PART_BYTES for part in parts) and len(parts) > 1


@pytest.mark.postgres
def test_a_member_on_one_node_is_answered_by_the_engine_of_another(
    pg_url: str, tmp_path: Path, store_clock: FrozenClock
) -> None:
    """Two web chat carriers on one database, as two `hearth serve`: the member writes on the
    web node, the engine node's feed hands the message to its engine because the relay told
    it the group was shown it, and the bot's answer reaches the member's browser on the web
    node after the question. Replacing `hub` after the carrier is built is all it takes."""

    def carrier(name: str) -> tuple[WebChatCarrier, RelayedHub]:
        engine = create_engine_for(pg_url)
        chat = WebChatCarrier(Store(engine, store_clock), store_clock, tmp_path / name)
        chat.hub = RelayedHub(engine)
        return chat, chat.hub

    async def scenario() -> tuple[Message, Browser, Browser]:
        web, web_hub = carrier("web")
        worker, worker_hub = carrier("engine")
        worker_hub.on_member_message = worker.feed.announce
        worker.feed.grace = 3600.0  # only the announcement lets the message go
        community = web.store.ensure_community("tea", "Tea lovers")
        group = web.store.add_group(community.id, "Tea room", "webchat", "tea-1")
        user, _ = web.create_user("Ann")
        await web.join(group.id, user.user_id)
        stop = asyncio.Event()
        listeners = [asyncio.create_task(h.listen(stop)) for h in (web_hub, worker_hub)]
        pumps = []
        try:
            await until(lambda: web_hub.listens >= 1 and worker_hub.listens >= 1)
            ends = {"web": Browser(), "engine": Browser()}
            for where, chat in (("web", web), ("engine", worker)):
                connection = Connection(group.id, user.user_id)
                chat.hub.add(connection)
                pumps.append(asyncio.create_task(connection.pump(ends[where].send,
                                                                 ends[where].close)))  # fmt: skip
            await worker.connect()
            stream = worker.events()
            asked = await web.say(group.id, user.user_id, "where is the kettle?")
            async with asyncio.timeout(WAIT):
                async for event in stream:
                    if isinstance(event, Message):
                        break
            await worker.perform(Action(kind=ActionKind.REPLY, carrier="webchat", group="tea-1",
                                        text="on the shelf", target=str(asked)), "k-1")  # fmt: skip
            await until(lambda: len(ends["web"].of("message")) == 2)
            await until(lambda: len(ends["engine"].of("message")) == 2)
            await stream.aclose()
            return event, ends["web"], ends["engine"]
        finally:
            stop.set()
            await asyncio.gather(*listeners)
            for pump in pumps:
                pump.cancel()
            for chat, hub in ((web, web_hub), (worker, worker_hub)):
                await asyncio.to_thread(hub.close)
                chat.store.engine.dispose()

    event, on_web, on_engine = asyncio.run(scenario())
    assert event.text == "where is the kettle?"
    for browser in (on_web, on_engine):
        shown = browser.of("message")
        assert [m["text"] for m in shown] == ["where is the kettle?", "on the shelf"]
        assert shown[1]["bot"] is True and shown[1]["reply_to"] == shown[0]["id"]


@pytest.mark.postgres
def test_a_group_closed_by_another_process_refuses_the_next_post_on_every_node(
    pg_url: str, tmp_path: Path, store_clock: FrozenClock
) -> None:
    """Two web nodes on one database, each having let Ann post (whatever they hold of the
    group in memory, filled); `hearth groups close` in a third process: her next post is
    refused on both nodes with the closed line, and once reopened it goes through on both."""
    from hearthkeeper.carriers.closing import close_group, reopen_group
    from hearthkeeper.carriers.webchat import WebChatRefused
    from hearthkeeper.playbook.positioning import Language

    engines = [create_engine_for(pg_url) for _ in range(3)]
    nodes = [WebChatCarrier(Store(e, store_clock), store_clock, tmp_path / f"node{n}")
             for n, e in enumerate(engines[:2])]  # fmt: skip
    cli = Store(engines[2], store_clock)  # the process running `hearth groups close`

    async def scenario() -> None:
        store = nodes[0].store
        community = store.ensure_community("tea", "Tea lovers")
        tea = store.add_group(community.id, "Tea room", "webchat", "tea-1")
        store.add_group(community.id, "Garden", "webchat", "tea-2")
        user, _ = nodes[0].create_user("Ann")
        await nodes[0].join(tea.id, user.user_id)
        for node in nodes:
            await node.say(tea.id, user.user_id, "hello")
        close_group(cli, cli.get_group(tea.id) or tea, "ops", store_clock.now(), into=None,
                    site="", language=Language.EN)  # fmt: skip
        for node in nodes:
            with pytest.raises(WebChatRefused, match="Tea room is closed"):
                await node.say(tea.id, user.user_id, "still here?")
        reopen_group(cli, cli.get_group(tea.id) or tea, "ops")
        for node in nodes:
            await node.say(tea.id, user.user_id, "open again")

    try:
        asyncio.run(scenario())
    finally:
        for engine in engines:
            engine.dispose()
