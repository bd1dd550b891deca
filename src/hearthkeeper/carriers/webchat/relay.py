"""The web chat across nodes: what one `hearth serve` shows its browsers, every other node
shows its own, through PostgreSQL's LISTEN/NOTIFY.

`RelayedHub` is a `Hub` whose `broadcast`, `send_to` and `close_user` deliver to this node's
connections at once, as the hub always did, and also hand the frame to a publisher thread
that sends it with `pg_notify` on one channel, tagged with this node's random id. Each node
runs `listen`, which receives the other nodes' frames and delivers them to its own
connections (its own notifications come back to it and are ignored). `close_all` stays on
this node: it means this node is stopping. A node with no browsers (an engine worker) only
publishes, and still listens so that its engine learns of members' messages shown elsewhere
(`on_member_message`).

Order: one node's frames reach every other node in the order that node delivered them to
its own browsers. Local delivery and queueing for the publisher happen under one lock, the
publisher sends in queue order, each frame in a transaction of its own or after the previous
one in the same transaction, and PostgreSQL delivers notifications in commit order (in the
order sent within one transaction). Frames from two different nodes have no order between
them beyond that: a reply published after its question was received comes after it.

Size: a notification's payload must stay under 8000 bytes. A frame bigger than a part (a
4000-character Chinese message with its JSON is about 12 KB) is cut into parts at UTF-8
character boundaries, all sent in one transaction, and put together again by the listener
by (node, frame number). Every payload carries its node and frame number, so PostgreSQL never
folds two identical payloads of one transaction into one.

What can be lost, and only for live sockets: frames published while a listener is
disconnected (it reconnects after a short pause and says so in the log; once listening again
it closes this node's sockets with 1013, so their pages reconnect and get what they missed in
the history — a member promoted to a held place meanwhile reads it and its deadline), frames
still queued when a process dies (an engine worker queues a performed run's frames after its commit: the
worker taking the run's actions over finds them done and shows nothing again), and a batch
the database refuses (logged). Nothing stored is lost:
every frame shows what is already in the database, and a browser that reconnects gets the
history in its hello.

Publishing never blocks the caller on the database (callers run on the event loop as well
as in worker threads): `broadcast` and the others only append to the publisher's queue, and
a failure to publish is logged, never raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import SQLAlchemyError

from hearthkeeper.carriers.webchat.hub import Connection as Socket
from hearthkeeper.carriers.webchat.hub import Hub
from hearthkeeper.carriers.webchat.protocol import encode

log = logging.getLogger(__name__)

CHANNEL = "hearth_webchat"
PART_BYTES = 7000  # UTF-8 bytes of a frame in one notification (PostgreSQL: < 8000 in all)
MAX_PARTS = 128  # a frame of more than ~900 KB is not relayed (none of ours comes close)
BATCH = 100  # frames sent in one transaction, at most
WAITING = 10_000  # frames queued for publishing, at most (the oldest go when the DB is away)
TICK = 0.5  # seconds between two looks at `stop` while listening
PING = 15.0  # seconds of silence after which the listener checks its connection
CLOSE_MISSED = 1013  # "try again later": the page reconnects and reads the history
RECONNECT = 1.0  # seconds to wait before listening again after the connection was lost
MAX_PAUSE = 16.0  # ... doubled while the database cannot be reached, up to this
PENDING = 64  # frames whose parts are still arriving, at most
_NOTIFY = text("SELECT pg_notify(:c, :p)")
CONNECT_TIMEOUT = 10  # seconds


def libpq_url(url: URL) -> str:
    """A SQLAlchemy PostgreSQL URL (`postgresql+psycopg://…`) as libpq reads it, password
    included."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def split(data: bytes, size: int = PART_BYTES) -> list[str]:
    """UTF-8 `data` cut into texts of at most `size` bytes, never inside a character."""
    parts: list[str] = []
    start = 0
    while start < len(data):
        end = min(start + size, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # a continuation byte
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start = end
    return parts or [""]


class RelayedHub(Hub):
    """A `Hub` shared by every node on one PostgreSQL database. Set it as the chat's `hub`
    before any browser connects, run `listen` as a task for as long as the node serves, and
    `close()` it when the node stops (it sends what is still queued)."""

    def __init__(self, engine: Engine, *, channel: str = CHANNEL) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("web chat nodes share frames only on PostgreSQL")
        super().__init__()
        self.channel = channel
        self.node = secrets.token_hex(8)
        # Called with a member's message id when another node showed it (the engine's feed
        # `announce`s it: the engine may take it now). Runs on the listener's event loop.
        self.on_member_message: Callable[[str], None] | None = None
        self.listens = 0  # how many times the listener started listening (reconnects + 1)
        self._engine = engine
        params = conninfo_to_dict(libpq_url(engine.url))
        params.setdefault("connect_timeout", CONNECT_TIMEOUT)
        params["application_name"] = f"hearth-relay {self.node}"  # seen in pg_stat_activity
        self._conninfo = make_conninfo("", **params)
        self._order = threading.Lock()  # local delivery and queueing, in one order
        self._publisher = _Publisher(engine, channel, self.node)
        self._pending: OrderedDict[tuple[str, str], list[str]] = OrderedDict()

    # --- delivering here and publishing to the other nodes ------------------------------------

    def broadcast(self, group_id: int, frame: dict[str, Any]) -> int:
        """Send `frame` to everyone connected to the group on every node; returns how many
        connections on this node."""
        return self._relay({"op": "broadcast", "group": int(group_id)}, frame,
                           self._of(group_id))  # fmt: skip

    def send_to(self, group_id: int, user_id: str, frame: dict[str, Any]) -> int:
        """Send `frame` to one member's connections in the group, on every node; returns how
        many on this node."""
        header = {"op": "send_to", "group": int(group_id), "user": user_id}
        return self._relay(header, frame, self._of(group_id, user_id))

    def close_user(self, group_id: int, user_id: str, code: int, reason: str) -> None:
        """Close one member's connections in the group on every node, after what is queued
        for them."""
        header = encode({"op": "close_user", "group": int(group_id), "user": user_id,
                         "code": int(code), "reason": reason})  # fmt: skip
        with self._order:
            super().close_user(group_id, user_id, code, reason)
            self._publisher.put(header + "\n")

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every frame queued so far was published (or given up); False on timeout."""
        return self._publisher.flush(timeout)

    def close(self, timeout: float | None = 5.0) -> None:
        """Publish what is queued (waiting up to `timeout`), then stop publishing."""
        self._publisher.close(timeout)

    def _relay(self, header: dict[str, Any], frame: dict[str, Any], here: list[Socket]) -> int:
        try:
            shown = encode(frame)
            head = encode(header)
        except (TypeError, ValueError):  # a bug in a frame must not fail what sent it
            log.exception("web chat frame of type %r cannot be encoded", frame.get("type"))
            return 0
        with self._order:
            for connection in here:
                connection.deliver(shown)
            self._publisher.put(head + "\n" + shown)
        return len(here)

    # --- the other nodes' frames --------------------------------------------------------------

    async def listen(self, stop: asyncio.Event) -> None:
        """Deliver the other nodes' frames to this node's connections, in the order they
        arrive, until `stop` is set. A lost connection is logged and made again after
        `RECONNECT` seconds (up to `MAX_PAUSE` while the database stays away); what was
        published meanwhile does not reach this node's open sockets, so once listening again
        they are closed (1013) and their pages reconnect, reading it in the history."""
        pause = RECONNECT
        while not stop.is_set():
            listens = self.listens
            try:
                await self._listen_once(stop)
            except (psycopg.Error, OSError) as exc:
                if stop.is_set():
                    break
                pause = RECONNECT if self.listens > listens else min(pause * 2, MAX_PAUSE)
                log.warning("web chat relay: the listening connection was lost or could not be "
                            "made (%s); listening again in %.0f s", exc, pause)  # fmt: skip
                self._pending.clear()  # parts of a frame cut by the loss never complete
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)

    async def _listen_once(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        async with await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True) as conn:
            await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            self.listens += 1
            if self.listens > 1:
                log.info("web chat relay: listening again on %s; this node's chat pages "
                         "reconnect for what they missed", self.channel)  # fmt: skip
                self.close_all(CLOSE_MISSED, "frames were missed: reconnect")
            heard = loop.time()
            while not stop.is_set():
                async for note in conn.notifies(timeout=TICK):
                    heard = loop.time()
                    self._heard(note.payload)
                if loop.time() - heard >= PING:
                    await conn.execute("SELECT 1")  # a silent connection may be a dead one
                    heard = loop.time()

    def _heard(self, payload: str) -> None:
        """One notification: a whole frame, or a part of one."""
        try:
            node, number, index, count, part = payload.split(":", 4)
            at, parts = int(index), int(count)
        except ValueError:
            log.warning("web chat relay: ignored a notification that is not ours: %.60r", payload)
            return
        if node == self.node:
            return  # shown here already
        if parts == 1:
            self._arrived(part)
            return
        key = (node, number)
        got = self._pending.setdefault(key, [])
        if at != len(got):  # a part missing (lost with a connection): the frame cannot be made
            self._pending.pop(key, None)
            log.warning("web chat relay: frame %s of node %s arrived incomplete", number, node)
            return
        got.append(part)
        if len(got) == parts:
            del self._pending[key]
            self._arrived("".join(got))
        elif len(self._pending) > PENDING:
            self._pending.popitem(last=False)

    def _arrived(self, relayed: str) -> None:
        """Deliver another node's frame here."""
        try:
            head, _, shown = relayed.partition("\n")
            header = json.loads(head)
            op, group_id = header["op"], int(header["group"])
            if op == "broadcast":
                self._hand(self._of(group_id), shown)
                self._member_message(shown)
            elif op == "send_to":
                self._hand(self._of(group_id, str(header["user"])), shown)
                self._member_message(shown)  # a member's `/report`, shown to them alone
            elif op == "close_user":
                Hub.close_user(self, group_id, str(header["user"]), int(header["code"]),
                               str(header["reason"]))  # fmt: skip
            else:
                log.warning("web chat relay: unknown operation %r ignored", op)
        except Exception:  # one bad frame must not end the listener
            log.exception("web chat relay: a relayed frame could not be delivered")

    @staticmethod
    def _hand(connections: list[Socket], shown: str) -> None:
        for connection in connections:
            connection.deliver(shown)

    def _member_message(self, shown: str) -> None:
        """Tell the engine a member's message was shown (it may take it now)."""
        hook = self.on_member_message
        if hook is None or '"type":"message"' not in shown:  # not worth reading
            return
        frame = json.loads(shown)
        if frame.get("type") == "message" and frame.get("bot") is False:
            hook(str(frame["id"]))


class _Publisher:
    """One thread that sends queued frames with `pg_notify`, in queue order, on a connection
    of its own; a batch of frames in one transaction."""

    def __init__(self, engine: Engine, channel: str, node: str) -> None:
        self._engine = engine
        self._channel = channel
        self._node = node
        self._numbers = 0
        self._queue: deque[str] = deque()
        self._busy = False
        self._closed = False
        self._dropped = 0
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None
        self._conn: Connection | None = None

    def put(self, relayed: str) -> None:
        with self._ready:
            if self._closed:
                return
            if len(self._queue) >= WAITING:
                self._queue.popleft()
                self._dropped += 1
                if self._dropped == 1:
                    log.error("web chat relay: %d frames wait for the database; the oldest are "
                              "dropped (other nodes' open sockets miss them)", WAITING)  # fmt: skip
            self._queue.append(relayed)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="webchat-relay",
                                                daemon=True)  # fmt: skip
                self._thread.start()
            self._ready.notify_all()

    def flush(self, timeout: float | None) -> bool:
        with self._ready:
            return self._ready.wait_for(lambda: not self._queue and not self._busy, timeout)

    def close(self, timeout: float | None) -> None:
        self.flush(timeout)
        with self._ready:
            self._closed = True
            self._queue.clear()
            self._ready.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        try:
            while True:
                with self._ready:
                    self._ready.wait_for(lambda: self._queue or self._closed)
                    if self._closed:
                        return
                    batch = [self._queue.popleft() for _ in range(min(BATCH, len(self._queue)))]
                    self._busy = True
                try:
                    self._send(batch)
                finally:
                    with self._ready:
                        self._busy = False
                        self._ready.notify_all()
        finally:
            if self._conn is not None:
                self._conn.close()

    def _send(self, batch: list[str]) -> None:
        payloads: list[str] = []
        for relayed in batch:
            self._numbers += 1
            parts = split(relayed.encode("utf-8"))
            if len(parts) > MAX_PARTS:
                log.error("web chat relay: a frame of %d bytes is too big to relay",
                          len(relayed.encode("utf-8")))  # fmt: skip
                continue
            head = f"{self._node}:{self._numbers}:"
            payloads += [f"{head}{n}:{len(parts)}:{part}" for n, part in enumerate(parts)]
        if not payloads:
            return
        for attempt in (1, 2):
            sent = False
            try:
                conn = self._connection()
                with conn.begin():
                    # One executemany: psycopg sends it in one pipeline, in order.
                    conn.execute(_NOTIFY, [{"c": self._channel, "p": p} for p in payloads])
                    sent = True
                if self._dropped:
                    log.info("web chat relay: publishing again (%d frames were dropped)",
                             self._dropped)  # fmt: skip
                    self._dropped = 0
                return
            except (SQLAlchemyError, OSError) as exc:
                self._forget_connection()
                # A connection gone stale fails on its first statement: try a fresh one once.
                # Later, part of the batch may have been committed: do not send it twice.
                if attempt == 1 and not sent:
                    continue
                log.error("web chat relay: %d frames not published (%s); other nodes' open "
                          "sockets miss them", len(batch), exc)  # fmt: skip
                return

    def _connection(self) -> Connection:
        if self._conn is None:
            self._conn = self._engine.connect()
        return self._conn

    def _forget_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.invalidate()
                conn.close()
            except SQLAlchemyError:
                pass
