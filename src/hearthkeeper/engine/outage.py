"""Riding out a short database outage (a PostgreSQL restart or failover, a dropped
connection, a SQLite file locked past its busy timeout): the work that found the store
unavailable (`store.errors.unavailable`) waits and is tried again, the pause doubling from
`PAUSE` up to `PAUSE_MAX` seconds. One WARNING says when an outage starts and one INFO when
the store answers again, however many tries it took; any other error is not this module's.

Work PostgreSQL rolled back for colliding with another transaction (a deadlock, a
serialization failure: `store.errors.conflict`) found the database well: it is tried again
at once, up to `CONFLICT_TRIES` times, each logged as what it was; should it keep colliding,
it is then waited for like an outage.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from hearthkeeper.store.errors import conflict, unavailable

log = logging.getLogger(__name__)

PAUSE, PAUSE_MAX = 0.5, 30.0  # seconds (read at each wait: tests make them short)
CONFLICT_TRIES = 5  # immediate tries again after a deadlock or serialization failure

T = TypeVar("T")


class Outage:
    """Whether the store is away for `what` (the engine, a feed …), and how long to wait."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.stop: asyncio.Event | None = None  # set: waiting ends, the error is raised
        self._pause = 0.0  # 0: the store answered last time
        self._since = 0.0
        self._tries = 0

    @property
    def down(self) -> bool:
        """Whether the last try found the store unavailable."""
        return self._pause > 0

    def failed(self, error: BaseException) -> float:
        """Note that the store was unavailable (`error`): logged once per outage; the seconds
        to wait before trying again."""
        if not self.down:
            self._since, self._tries = time.monotonic(), 0
            self._pause = PAUSE
            collided = conflict(error)
            if collided is not None:  # it kept colliding, CONFLICT_TRIES times in a row
                log.warning("%s: the database keeps rolling this work back for %s (%s); "
                            "waiting before trying again, nothing is lost", self.what,
                            collided, _reason(error))  # fmt: skip
            else:
                log.warning("%s: the database is unavailable (%s); waiting for it, nothing "
                            "is lost", self.what, _reason(error))  # fmt: skip
        else:
            self._pause = min(self._pause * 2, PAUSE_MAX)
        self._tries += 1
        return self._pause

    def recovered(self) -> None:
        """The store answered: an outage, if there was one, is over (logged once)."""
        if self.down:
            log.info("%s: the database is back after %.1f s (%d tries); going on", self.what,
                     time.monotonic() - self._since, self._tries)  # fmt: skip
            self._pause = 0.0

    async def wait(self, error: BaseException) -> None:
        """Wait before trying again after `error` (the store unavailable); raises `error`
        if the work is being stopped meanwhile."""
        pause = self.failed(error)
        stop = self.stop
        if stop is None:
            await asyncio.sleep(pause)
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(pause):
                await stop.wait()
        if stop.is_set():
            raise error

    async def call(self, work: Callable[[], Awaitable[T]]) -> T:
        """`work()`, tried again while it finds the store unavailable (at once after a
        collision with another transaction); other errors raise."""
        collisions = 0
        while True:
            try:
                result = await work()
            except Exception as error:
                collided = conflict(error)
                if collided is not None and collisions < CONFLICT_TRIES:
                    collisions += 1
                    log.warning("%s: the database rolled this work back for %s with another "
                                "transaction (%s); trying it again at once (%d of %d), nothing "
                                "is lost", self.what, collided, _reason(error), collisions,
                                CONFLICT_TRIES)  # fmt: skip
                    continue
                if not unavailable(error):
                    raise
                collisions = 0
                await self.wait(error)
                continue
            self.recovered()
            return result


def _reason(error: BaseException) -> str:
    orig = getattr(error, "orig", None)
    text = str(orig if orig is not None else error).strip()
    first = text.splitlines()[0] if text else type(error).__name__
    return first[:200]
