"""Live WebSocket connections, per group, and broadcasting to them without waiting on any.

Each connection has its own small outgoing queue and one writer task (`Connection.pump`):
a broadcast only appends to the queues, so 200 members cost 200 appends, and one slow
browser never holds up the others. A browser that falls too far behind is disconnected
(its page reconnects and gets the history again). Delivering is safe from any thread or
event loop: the append is handed to the connection's own loop.

A member holds at most `MOST_PER_MEMBER` connections on one server, across their groups
(tabs and devices): each costs memory and a send per broadcast, so a script opening
thousands for one seat is the whole server's cost. The newest is kept, the oldest closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from hearthkeeper.carriers.webchat.protocol import encode

BACKLOG = 256  # frames waiting for one browser before it is dropped
CLOSE_TOO_SLOW = 1013  # "try again later"
CLOSE_WAIT = 5.0  # seconds to wait for a close frame to go out
MOST_PER_MEMBER = 12  # one member's open connections on this server, all groups together

log = logging.getLogger(__name__)

Send = Callable[[str], Awaitable[None]]
Close = Callable[[int, str], Awaitable[None]]


class Connection:
    """One browser's socket in one group, as the hub sees it."""

    def __init__(self, group_id: int, user_id: str, *, backlog: int = BACKLOG) -> None:
        self.group_id = group_id
        self.user_id = user_id
        self._loop = asyncio.get_running_loop()
        self._backlog = backlog
        self._frames: deque[str] = deque()
        self._wake = asyncio.Event()
        self._closing: tuple[int, str] | None = None
        self._task: asyncio.Task[None] | None = None
        self._sending = False
        self._stalled = False

    @property
    def closing(self) -> bool:
        """Whether the connection was told to close (it sends what is queued, then closes)."""
        return self._closing is not None

    def deliver(self, text: str) -> None:
        """Queue an encoded frame for this browser."""
        self._on_loop(self._push, text)

    def end(self, code: int, reason: str) -> None:
        """Close after the frames already queued."""
        self._on_loop(self._finish, code, reason)

    async def pump(self, send: Send, close: Close) -> None:
        """Send queued frames in order until told to close; returns after closing. A failing
        `send` (the browser went away) raises out of here."""
        self._task = asyncio.current_task()
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                while self._frames:
                    self._sending = True
                    await send(self._frames.popleft())
                    self._sending = False
            except asyncio.CancelledError:
                if not self._stalled or self._task is None:
                    raise
                self._task.uncancel()  # we cancelled the send we gave up on; now close
            if self._closing is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(close(*self._closing), CLOSE_WAIT)
                return

    def _on_loop(self, work: Callable[..., None], *args: Any) -> None:
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            work(*args)
        elif not self._loop.is_closed():
            self._loop.call_soon_threadsafe(work, *args)

    def _push(self, text: str) -> None:
        if self._closing is not None:
            return
        if len(self._frames) >= self._backlog:
            # The browser stopped reading: give up on it rather than queue without end.
            self._frames.clear()
            self._stalled = True
            self._finish(CLOSE_TOO_SLOW, "too far behind; reconnect to catch up")
            if self._sending and self._task is not None:
                self._task.cancel()
            return
        self._frames.append(text)
        self._wake.set()

    def _finish(self, code: int, reason: str) -> None:
        if self._closing is None:
            self._closing = (code, reason)
            self._wake.set()


class Hub:
    """Every open chat connection, by group."""

    def __init__(self, *, most_per_member: int = MOST_PER_MEMBER) -> None:
        self._groups: dict[int, set[Connection]] = {}
        self._members: dict[str, deque[Connection]] = {}  # oldest first
        self._most = most_per_member
        self._lock = threading.Lock()

    def add(self, connection: Connection) -> list[Connection]:
        """Start delivering the group's frames to `connection`; the member's oldest
        connections beyond `most_per_member` are returned, no longer delivered to, for the
        caller to close."""
        with self._lock:
            self._groups.setdefault(connection.group_id, set()).add(connection)
            mine = self._members.setdefault(connection.user_id, deque())
            mine.append(connection)
            over = [mine.popleft() for _ in range(len(mine) - self._most)]
            for old in over:
                self._forget(old)
        return over

    def discard(self, connection: Connection) -> None:
        """Stop delivering to `connection` (it closed)."""
        with self._lock:
            self._forget(connection)
            mine = self._members.get(connection.user_id)
            if mine is not None:
                with contextlib.suppress(ValueError):
                    mine.remove(connection)
                if not mine:
                    del self._members[connection.user_id]

    def _forget(self, connection: Connection) -> None:
        group = self._groups.get(connection.group_id)
        if group is not None:
            group.discard(connection)
            if not group:
                del self._groups[connection.group_id]

    def broadcast(self, group_id: int, frame: dict[str, Any]) -> int:
        """Send `frame` to everyone connected to the group; returns how many connections."""
        return self._deliver(self._of(group_id), frame)

    def send_to(self, group_id: int, user_id: str, frame: dict[str, Any]) -> int:
        """Send `frame` to one member's connections in the group."""
        return self._deliver(self._of(group_id, user_id), frame)

    def close_user(self, group_id: int, user_id: str, code: int, reason: str) -> None:
        """Close one member's connections in the group, after what is queued for them."""
        for connection in self._of(group_id, user_id):
            connection.end(code, reason)

    def close_all(self, code: int, reason: str) -> None:
        """Close every connection (the server is stopping)."""
        with self._lock:
            everyone = [c for group in self._groups.values() for c in group]
        for connection in everyone:
            connection.end(code, reason)

    def connected(self, group_id: int) -> int:
        """How many connections the group has now."""
        return len(self._of(group_id))

    def _of(self, group_id: int, user_id: str | None = None) -> list[Connection]:
        with self._lock:
            group = list(self._groups.get(group_id, ()))
        return [c for c in group if user_id is None or c.user_id == user_id]

    @staticmethod
    def _deliver(connections: list[Connection], frame: dict[str, Any]) -> int:
        if connections:
            try:
                text = encode(frame)
            except (TypeError, ValueError):  # a bug in a frame must not fail what sent it
                log.exception("web chat frame of type %r cannot be encoded", frame.get("type"))
                return 0
            for connection in connections:
                connection.deliver(text)
        return len(connections)
