"""Slow actions performed off the outbound queue's path (`SlowActions`: a carrier's file
upload). One is taken as the queue takes any action (claimed, within quotas, asked whether the
claim still holds) and then performed in a task of its own, which settles it (done, retried,
failed) when the carrier answers. Meanwhile the queue goes on with the rest of the batch and
with the next ones: replies, other groups' actions.

Order within a group is kept: while a group's slow action is out, the queue hands the group's
later actions back, due at once, and takes them again at a later pass once it is done; they
are claimed only while being performed, so a claim never outlives the call that performs it
(and never goes stale while it waits). At most `slow_at_once` per carrier are out at a time;
one more waits in the outbox, as its group's later actions do.

Exactly once: an action out stays claimed, as any action being performed does, and is marked
when its task settles it. The engine waits for the tasks before disconnecting the carriers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)

Lane = tuple[str, str | None]  # (carrier, group)


class Aside:
    """The slow actions out, one at most per carrier and group."""

    def __init__(self) -> None:
        self._out: dict[Lane, asyncio.Task[None]] = {}

    def __len__(self) -> int:
        return len(self._out)

    def busy(self, lane: Lane) -> bool:
        """Whether the group has a slow action out (its later actions wait for it)."""
        return lane in self._out

    def room(self, carrier: str, at_once: int) -> bool:
        """Whether the carrier may have one more slow action out."""
        return sum(1 for c, _ in self._out if c == carrier) < max(1, at_once)

    def start(self, lane: Lane, work: Coroutine[Any, Any, None]) -> None:
        """Perform `work` (which settles the action) in a task of its own."""
        task = asyncio.get_running_loop().create_task(work)
        self._out[lane] = task
        task.add_done_callback(lambda done: self._done(lane, done))

    async def settle(self) -> None:
        """Wait until every slow action out is settled."""
        while self._out:
            await asyncio.wait(list(self._out.values()))

    def _done(self, lane: Lane, task: asyncio.Task[None]) -> None:
        if self._out.get(lane) is task:
            del self._out[lane]
        if not task.cancelled() and task.exception() is not None:
            # left claimed: taken again once the claim is stale (`store/outbox.py`)
            log.error("a slow action in %s failed unexpectedly", lane,
                      exc_info=task.exception())  # fmt: skip
