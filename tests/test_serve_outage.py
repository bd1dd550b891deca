"""`hearth serve` rides out a short database outage: a PostgreSQL whose connections are all
terminated (and refused for a while, as in a restart), a SQLite file locked past its busy
timeout by another program. A member chats through it over a real WebSocket: what the store
took reaches the engine exactly once, what it could not take is answered with an error frame
(the socket stays open), every check-in is answered once, and the service goes on."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import websockets
from sqlalchemy import text

from hearthkeeper.carriers.installed import CARRIERS
from hearthkeeper.carriers.webchat import relay
from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
from hearthkeeper.carriers.webchat.relay import CLOSE_MISSED
from hearthkeeper.carriers.webchat.repository import SqlWebChat
from hearthkeeper.clock import SystemClock
from hearthkeeper.config import load_settings
from hearthkeeper.engine import outage
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.serve import Host, serve
from hearthkeeper.store import database, sqlite_url
from hearthkeeper.store.cluster import WORKER_CLASS
from hearthkeeper.web.context import WebSettings
from tests.chat_clients import FAST_PLAYBOOK
from tests.integration import postgres
from tests.migrated import migrate
from tests.serve_setup import eventually

BEFORE, DURING, AFTER = 12, 4, 12  # messages sent before, while and after the store is away


@pytest.fixture(autouse=True)
def short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retry pauses and SQLite's busy timeout short enough for a test of a few seconds."""
    monkeypatch.setattr(outage, "PAUSE", 0.02)
    monkeypatch.setattr(outage, "PAUSE_MAX", 0.1)
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 200)
    monkeypatch.setattr(relay, "MAX_PAUSE", 0.5)  # the relay listens again soon after


class Member:
    """One member's socket: what they sent, and what the chat said back."""

    def __init__(self, socket: Any, me: str) -> None:
        self.socket, self.me = socket, me
        self.sent: list[str] = []
        self.acknowledged: list[str] = []  # own messages shown back: stored
        self.refused: list[str] = []  # error frames
        self.reader = asyncio.create_task(self._read())

    async def say(self, line: str) -> None:
        self.sent.append(line)
        await self.socket.send(json.dumps({"type": "say", "text": line}))

    async def _read(self) -> None:
        async for raw in self.socket:
            frame = json.loads(raw)
            if frame["type"] == "error":
                self.refused.append(frame["message"])
            elif frame["type"] == "message" and frame.get("user_id") == self.me:
                self.acknowledged.append(frame["text"])

    def reconnected(self, socket: Any) -> Member:
        """The same member on a new socket, as the page reconnects when told to (1013)."""
        again = Member(socket, self.me)
        again.sent, again.acknowledged, again.refused = self.sent, self.acknowledged, self.refused
        return again

    def answered(self) -> bool:
        assert not self.reader.done(), "the chat socket was closed"
        return len(self.acknowledged) + len(self.refused) == len(self.sent)


def _line(phase: str, number: int) -> str:
    return f"check in {phase}{number}" if number % 3 == 0 else f"{phase} line {number}"


def _rows(host: Host, sql: str) -> list[tuple[Any, ...]]:
    with host.store.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]


def _felt(host: Host, server: asyncio.Task[None]) -> Callable[[], bool]:
    """Whether the engine has met the outage (or, before this was fixed, died of it)."""

    def check() -> bool:
        met = getattr(host.engine, "outage", None)
        return server.done() or (met is not None and met.down)

    return check


async def _pages_say_unavailable(port: int, code: str, token: str) -> None:
    """While reads fail too: the API and the console answer 503 saying so, and a chat
    page connecting then is told to come back (its script reconnects later)."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        api = await http.get("/api/v1/communities", headers={"Authorization": "Bearer x"})
        assert api.status_code == 503, api.text
        assert "database is unavailable" in api.json()["detail"]
        assert api.headers["retry-after"]
        html = {"Accept": "text/html", "Cookie": "hearth_session=x"}
        page = await http.get("/console", headers=html)
        assert page.status_code == 503, page.text
        assert "Try again in a moment" in page.text
    socket = await websockets.connect(f"ws://127.0.0.1:{port}/chat/{code}/ws",
                                      additional_headers={"Cookie": f"hearth_member={token}"})  # fmt: skip
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(socket.recv(), 10)
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
        1013,
        "the chat is briefly unavailable; the page reconnects",
    )


def _ride_out(host: Host, outage_window: Callable[[], Any], caplog: pytest.LogCaptureFixture,
              *, reads_fail: bool) -> None:  # fmt: skip
    caplog.set_level(logging.INFO, logger="hearthkeeper")
    [group] = host.store.list_groups(host.running[0].community.id)
    chat = host.carrier(WebChatCarrier)

    async def scenario() -> None:
        stop = asyncio.Event()
        ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        server = asyncio.create_task(serve(host, port=0, stop=stop,
                                           on_ready=lambda port: ready.set_result(port)))  # fmt: skip
        port = await asyncio.wait_for(ready, 30)
        user, token = chat.create_user("steady")
        await chat.join(group.id, user.user_id)
        code = chat.invite_code(group.id)

        async def connect() -> tuple[Any, str]:
            socket = await websockets.connect(
                f"ws://127.0.0.1:{port}/chat/{code}/ws",
                additional_headers={"Cookie": f"hearth_member={token}"},
            )
            hello = json.loads(await asyncio.wait_for(socket.recv(), 10))
            return socket, hello["me"]["user_id"]

        socket, me = await connect()
        member = Member(socket, me)
        try:
            for number in range(BEFORE):  # a burst: the outage starts in its middle
                await member.say(_line("before", number))
                if number == BEFORE // 2:
                    window = outage_window()
                    window.__enter__()
            await eventually(_felt(host, server), "the engine meeting the outage", within=60)
            for number in range(DURING):
                await member.say(_line("during", number))
            await eventually(member.answered, "an answer to every message", within=60)
            assert not server.done(), "hearth serve stopped during the outage"
            if reads_fail:
                await _pages_say_unavailable(port, code, token)
            window.__exit__(None, None, None)
            if reads_fail:
                # PostgreSQL cut the web chat relay's listening connection too: listening
                # again, it tells this node's pages they missed frames (1013), and a page
                # reconnects (carriers/webchat/relay.py).
                await eventually(member.reader.done, "the page told to reconnect", within=60)
                assert member.socket.close_code == CLOSE_MISSED
                socket, _ = await connect()
                member = member.reconnected(socket)
            for number in range(AFTER):
                await member.say(_line("after", number))
            await eventually(member.answered, "an answer to every message", within=60)
            await eventually(lambda: _settled(host, group.id), "every message decided", within=60)
            assert not server.done(), "hearth serve stopped after the outage"
            _check(host, group.id, member)
        finally:
            stop.set()
            member.reader.cancel()
            with suppress(asyncio.CancelledError, websockets.ConnectionClosed):
                await member.reader
            await socket.close()
            await asyncio.wait_for(server, 30)

    asyncio.run(scenario())
    # The operator's log: the outage once and its end once, not a traceback per try.
    engine = [r.levelname for r in caplog.records
              if r.name == "hearthkeeper.engine.outage" and r.getMessage().startswith("engine:")]  # fmt: skip
    assert engine[0] == "WARNING"
    assert engine.count("WARNING") == engine.count("INFO"), engine
    assert [r.getMessage() for r in caplog.records
            if r.name.startswith("hearthkeeper") and r.exc_info] == []  # fmt: skip


def _settled(host: Host, group_id: int) -> bool:
    """Nothing queued for the engine, nothing to perform, and every check-in answered."""
    [(queued, pending, unanswered)] = _rows(host, f"""
        SELECT (SELECT count(*) FROM webchat_events),
               (SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')),
               (SELECT count(*) FROM webchat_messages m WHERE m.group_id = {group_id}
                  AND m.user_id IS NOT NULL AND m.text LIKE 'check in %'
                  AND NOT EXISTS (SELECT 1 FROM events e JOIN outbox o ON o.event_id = e.id
                                  JOIN webchat_messages b ON b.action_key = o.key
                                  WHERE e.group_id = m.group_id
                                    AND e.carrier_event_id = {_as_text("m.id")}))""")  # fmt: skip
    return queued == 0 and pending == 0 and unanswered == 0


def _as_text(column: str) -> str:
    return f"CAST({column} AS TEXT)"


def _check(host: Host, group_id: int, member: Member) -> None:
    stored = _rows(host, f"""
        SELECT m.text, count(e.id) FROM webchat_messages m LEFT JOIN events e
          ON e.group_id = m.group_id AND e.carrier_event_id = {_as_text("m.id")}
        WHERE m.group_id = {group_id} AND m.user_id IS NOT NULL GROUP BY m.id, m.text""")  # fmt: skip
    texts = sorted(line for line, _ in stored)
    # What the member was shown as sent is what was stored; the rest they were told about.
    assert texts == sorted(member.acknowledged)
    assert len(member.refused) >= DURING, "messages sent while the store was away: not told"
    # The service went on: what the member said afterwards was stored (a message may still
    # be refused while the engine, catching up, holds the file past the short busy timeout).
    assert any(line.startswith("check in after") for line in texts)
    # Every stored message decided exactly once.
    assert [line for line, decided in stored if decided != 1] == []
    # Every check-in answered exactly once (one bot reply stored and shown).
    answers = _rows(host, f"""
        SELECT m.text, count(b.id) FROM webchat_messages m
        JOIN events e ON e.group_id = m.group_id AND e.carrier_event_id = {_as_text("m.id")}
        JOIN outbox o ON o.event_id = e.id AND o.status = 'done'
        JOIN webchat_messages b ON b.action_key = o.key
        WHERE m.group_id = {group_id} AND m.text LIKE 'check in %'
        GROUP BY m.id, m.text""")  # fmt: skip
    checkins = [line for line in texts if line.startswith("check in ")]
    assert sorted(line for line, _ in answers) == checkins
    assert all(count == 1 for _, count in answers), answers


def _host(root: Path, database_url: str) -> Host:
    """A server on `database_url` whose member may send machine-made lines fast."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "playbook.yaml").write_text(FAST_PLAYBOOK, encoding="utf-8")
    config = root / "hearth.toml"
    config.write_text('data_dir = "data"\nplaybooks = ["playbook.yaml"]\n'
                      "[webchat]\nmessages_per_10s = 100000\n", encoding="utf-8")  # fmt: skip
    migrate(database_url)
    settings = replace(load_settings(config, {}, root, CARRIERS), database_url=database_url)
    return Host.build(settings, WebSettings(data_dir=settings.data_dir), clock=SystemClock())


def test_a_sqlite_file_locked_past_its_busy_timeout_loses_and_repeats_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    host = _host(tmp_path / "site", sqlite_url(tmp_path / "site" / "data"))

    @contextmanager
    def locked() -> Iterator[None]:
        # A backup tool holding the file: every writer waits past its busy timeout.
        other = sqlite3.connect(tmp_path / "site" / "data" / "hearth.db", isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()

    try:
        _ride_out(host, locked, caplog, reads_fail=False)
    finally:
        host.close()


@pytest.mark.postgres
def test_a_postgresql_restart_loses_and_repeats_nothing(
    tmp_path: Path,
    postgres_server: postgres.PostgresServer,
    migrated_postgres: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    name = "outage_1"
    with postgres_server.admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{migrated_postgres}"')
    host = _host(tmp_path / "site", postgres_server.url(name))

    @contextmanager
    def restarting() -> Iterator[None]:
        # As in a restart: every connection of the service is cut, new ones are refused.
        with postgres_server.admin() as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
        try:
            yield
        finally:
            with postgres_server.admin() as admin:
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')

    try:
        _ride_out(host, restarting, caplog, reads_fail=True)
    finally:
        host.close()
        with postgres_server.admin() as admin, suppress(psycopg.Error):
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_a_worker_whose_lock_connection_is_cut_while_idle_joins_again_and_performs(
    tmp_path: Path, postgres_server: postgres.PostgresServer, migrated_postgres: str
) -> None:
    """Only the connection holding the worker's presence and leases is cut, while nothing
    happens: the worker notices, stops deciding its old groups, joins again under a new id,
    and what staff queue afterwards is still performed (a worker without its presence
    claims nothing)."""
    name = "outage_2"
    with postgres_server.admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{migrated_postgres}"')
    host = _host(tmp_path / "site", postgres_server.url(name))
    [group] = host.store.list_groups(host.running[0].community.id)
    cluster = host.cluster
    assert cluster is not None

    async def scenario() -> None:
        stop = asyncio.Event()
        server = asyncio.create_task(serve(host, port=0, stop=stop))
        try:
            first = cluster.worker
            with postgres_server.admin() as admin:
                ended = admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                    " AND classid = %s AND objid = %s",
                    (WORKER_CLASS, first),
                ).fetchall()
            assert ended == [(True,)]
            action = Action(kind=ActionKind.SEND, carrier=group.carrier,
                            group=group.carrier_group_id, text="Staff: tea at five")  # fmt: skip
            host.store.enqueue("staff:tea", group.carrier, action.to_json(), action.priority,
                               group_id=group.id)  # fmt: skip
            shown = SqlWebChat.on(host.store)
            await eventually(
                lambda: any(
                    m.text == "Staff: tea at five" for m in shown.history(group.id, limit=50)
                ),
                "the staff message performed",
            )
            assert not server.done()
            assert cluster.worker != first, "joined again under a new worker id"
        finally:
            stop.set()
            await asyncio.wait_for(server, 30)

    try:
        asyncio.run(scenario())
    finally:
        host.close()
        with postgres_server.admin() as admin, suppress(psycopg.Error):
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_a_postgresql_server_stopped_and_started_again_loses_and_repeats_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The operator restarts PostgreSQL itself (`systemctl restart postgresql`): the server
    process stops, cutting every connection and refusing new ones at the port, and starts
    again on the same data. A server of this test's own, so the others' go on."""
    server = postgres.start()
    if isinstance(server, str):
        pytest.skip(server)
    running = [server]

    @contextmanager
    def restarted() -> Iterator[None]:
        postgres.halt(running[0])
        try:
            yield
        finally:
            running[0] = postgres.resume(running[0])

    try:
        with server.admin() as admin:
            admin.execute('CREATE DATABASE "restarted"')
        host = _host(tmp_path / "site", server.url("restarted"))
        try:
            _ride_out(host, restarted, caplog, reads_fail=True)
        finally:
            host.close()
    finally:
        running[0].stop()
    # The operator's log says what happened, in words: away, waiting, nothing lost; back.
    said = [r.getMessage() for r in caplog.records if r.name.startswith("hearthkeeper")]
    assert any("the database is unavailable" in m and "nothing is lost" in m for m in said)
    assert any("the database is back after" in m for m in said)
    # The worker's presence too: lost, and (this was missing) found again.
    assert any("lost its connection to the database" in m for m in said)
    assert any("is connected to the database again" in m for m in said), said
