"""What the tests that kill a real `hearth serve` with SIGKILL share: the server as a process
of its own (started first as `python -m hearthkeeper serve`, each restart forked from one
process that imported it once: serve_fork.py) on one port and one SQLite
database across restarts, and a web chat member who sends lines over a WebSocket, reconnects
whenever the server goes away and sends again what was not acknowledged (their own message
coming back from the server, which it sends only once the message is stored)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import weakref
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from hearthkeeper.config import sqlite_url_for
from hearthkeeper.store.database import SQLITE_FILE
from tests.chat_clients import FAST_PLAYBOOK, free_port, join_page, room_or_end
from tests.migrated import migrate
from tests.serve_fork import Forks, ServeProcess, interpreter_serve

# Guards against a hang, not a measure of speed: seconds a start may take to answer.
START_WITHIN = 150.0
WINDOW = 4  # messages a member has sent and not yet seen acknowledged, at most
# The members send machine-made lines far faster than people do: the playbook
# (FAST_PLAYBOOK) and the chat's per-member limits would otherwise (rightly) stop them.
CONFIG = """\
data_dir = "data"
playbooks = ["playbook.yaml"]

[webchat]
messages_per_10s = 100000
joins_per_minute = 1000
"""


class Server:
    """`hearth serve` in a child process, on one port and one database across restarts."""

    def __init__(self, folder: Path, env: Mapping[str, str] | None = None) -> None:
        self.folder = folder
        self.env = {**os.environ, **(env or {})}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database = folder / "data" / SQLITE_FILE
        self.process: ServeProcess | None = None
        self.starts = 0
        # The first start is a real interpreter start; each restart is forked from one
        # process that imported the server once (serve_fork.py).
        self._forks: Forks | None = None
        if (folder / "hearth.toml").exists():  # (importing while the test prepares)
            self._forks = self._forking()

    def start(self) -> None:
        self.starts += 1
        log = self.folder / f"serve-{self.starts}.log"
        args = ("serve", "--config", "hearth.toml", "--port", str(self.port))
        if self.starts == 1:
            self.process = interpreter_serve(self.folder, self.env, log, *args)
            self._forks = self._forks or self._forking()  # (importing while it runs)
            return
        self._forks = self._forks or self._forking()
        self.process = self._forks.serve(log, *args)

    def _forking(self) -> Forks:
        forks = Forks(self.folder, self.env)
        weakref.finalize(self, forks.close)
        return forks

    async def ready(self, code: str | None) -> str:
        """Wait until the server answers; the group's invite code."""
        async with asyncio.timeout(START_WITHIN), httpx.AsyncClient(base_url=self.url) as http:
            while True:
                assert self.process is not None and self.process.poll() is None, self.log()
                code = code or self._invite_code()
                if code is not None:
                    with suppress(httpx.TransportError):
                        if (await http.get(f"/join/{code}")).status_code == 200:
                            return code
                await asyncio.sleep(0.1)

    def kill(self) -> None:
        """kill -9: no chance to finish anything."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> int:
        """A clean stop (SIGTERM, as Ctrl-C): its exit status."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(60)

    async def stopped(self) -> int:
        """A clean stop from inside a running event loop: its exit status. The loop goes on
        meanwhile, so the fakes it runs (OneBot, the Bot API) answer the server's goodbyes;
        blocked, they held each stop for the closing handshake's timeout (10 s)."""
        return await asyncio.to_thread(self.stop)

    def log(self) -> str:
        return (self.folder / f"serve-{self.starts}.log").read_text(errors="replace")[-3000:]

    def _invite_code(self) -> str | None:
        if not self.database.exists():
            return None
        with sqlite_db(self.database) as db:
            found = db.execute("SELECT invite_code FROM webchat_groups").fetchone()
        return None if found is None else str(found[0])


@dataclass
class Member:
    """One member: their cookie, what they still have to send and what came back stored."""

    nickname: str
    texts: deque[str]
    token: str = ""
    me: str = ""
    sent: set[str] = field(default_factory=set)  # sent, not yet acknowledged
    acknowledged: set[str] = field(default_factory=set)
    reconnects: int = 0

    async def join(self, url: str, code: str) -> None:
        self.token = await join_page(url, code, self.nickname)

    async def chat(self, url: str, code: str) -> None:
        """Send every text, reconnecting whenever the server goes away, until each one has
        come back stored."""
        while self.texts or self.sent:
            try:
                await self._connection(url, code)
            except (OSError, ConnectionClosed, InvalidHandshake, TimeoutError):
                # The server died: what was not acknowledged is sent again (it may have been
                # stored just before the kill: then it is stored twice, as two messages).
                self.texts.extendleft(sorted(self.sent, reverse=True))
                self.sent.clear()
                self.reconnects += 1
                await asyncio.sleep(0.05)

    async def _connection(self, url: str, code: str) -> None:
        ws_url = url.replace("http://", "ws://") + f"/chat/{code}/ws"
        async with connect(ws_url, additional_headers={"Cookie": f"hearth_member={self.token}"},
                           open_timeout=5, max_queue=None) as ws:  # fmt: skip
            hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert hello["type"] == "hello", hello
            self.me = hello["me"]["user_id"]
            for frame in hello["history"]:
                self._stored_earlier(frame)
            room = asyncio.Semaphore(WINDOW)
            reader = asyncio.create_task(self._read(ws, room))
            try:
                while self.texts:
                    await room_or_end(room, reader)
                    text = self.texts.popleft()
                    self.sent.add(text)
                    await ws.send(json.dumps({"type": "say", "text": text}))
                while self.sent:
                    await asyncio.wait({reader}, timeout=0.05)
                    if reader.done():
                        reader.result()
            finally:
                reader.cancel()
                with suppress(asyncio.CancelledError):
                    await reader

    async def _read(self, ws: Any, room: asyncio.Semaphore) -> None:
        async for raw in ws:
            frame = json.loads(raw)
            assert frame["type"] != "error", f"{self.nickname} was refused: {frame}"
            if self._seen(frame):
                room.release()
        raise ConnectionClosed(None, None)

    def _stored_earlier(self, frame: dict[str, Any]) -> None:
        """A message stored before a kill though never acknowledged: not sent again."""
        text = frame.get("text")
        if frame.get("user_id") == self.me and text in self.texts:
            self.texts.remove(text)
            self.acknowledged.add(text)

    def _seen(self, frame: dict[str, Any]) -> bool:
        text = frame.get("text")
        if frame.get("type") != "message" or frame.get("user_id") != self.me or text is None:
            return False
        if text in self.sent:
            self.sent.discard(text)
            self.acknowledged.add(text)
            return True
        return False


@contextmanager
def sqlite_db(path: Path) -> Iterator[sqlite3.Connection]:
    """A short-lived connection to the server's SQLite file (it may be writing)."""
    db = sqlite3.connect(path, timeout=30)
    try:
        yield db
    finally:
        db.close()


def carrier_server(folder: Path, carrier: str, env: Mapping[str, str]) -> Server:
    """A server for one community (the fast playbook) on a platform's carrier, `carrier`
    being its `hearth.toml` table(s); the database migrated, the server not started yet."""
    (folder / "playbook.yaml").write_text(FAST_PLAYBOOK, encoding="utf-8")
    (folder / "hearth.toml").write_text(CONFIG + "\n" + carrier, encoding="utf-8")
    (folder / "data").mkdir()
    migrate(sqlite_url_for(folder / "data"))
    return Server(folder, env=env)


async def until(condition: Callable[[], object], what: str, server: Server, wait: float) -> None:
    """Wait for `condition`, at most `wait` seconds (a guard against a hang, not a measure
    of speed); failing, say what was awaited and show the server's log."""
    try:
        async with asyncio.timeout(wait):
            while not condition():
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"waited {wait:.0f} s for {what}:\n{server.log()}") from None


def outbox_settled(server: Server) -> bool:
    """Nothing left in the outbox due within the hour (the quotas may hold a reply back a
    minute; a reminder to introduce oneself waits a day)."""
    with sqlite_db(server.database) as db:
        [(due,)] = db.execute(
            "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending') "
            "AND next_attempt_at <= strftime('%Y-%m-%d %H:%M:%f', 'now', '+1 hour')"
        ).fetchall()
    return int(due) == 0
