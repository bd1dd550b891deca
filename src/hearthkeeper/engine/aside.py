"""Slow actions performed off the outbound queue's path (`SlowActions`: a carrier's file
upload). One is taken as the queue takes any action (claimed, within quotas, asked whether the
claim still holds) and then performed in a task of its own, which settles it (done, retried,
failed) when the carrier answers. Meanwhile the queue goes on with the rest of the batch and
with the next ones: replies, other groups' actions.

Order within a group is kept: while a group's slow action is out, the queue hands each of the
group's later actions back once, due `HELD_FOR` later (longer than any upload is waited for),
and notes it here (`park`). They are not claimed while they wait: a long upload costs one
write per action held back, not one per pass of the queue. Once the slow action is done, the
queue's next pass makes them due (`wake`, then `Store.hasten`) before it claims, so they are
taken together, in order; until then the group stays held, so an action claimed meanwhile
(a reply decided in the same transaction) waits with them rather than passing them. Should
the worker die meanwhile, they fall due by themselves `HELD_FOR` later. A held-back action
is pending, not claimed: no claim outlives the call that performs it or goes stale.

At most `slow_at_once` per carrier are out at a time; one more is held back (parked) the same
way, with its group's later actions, until one of the carrier's slow actions is done.

Exactly once: an action out stays claimed, as any action being performed does, and is marked
when its task settles it. The engine waits for the tasks before disconnecting the carriers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Mapping
from datetime import timedelta
from typing import Any

log = logging.getLogger(__name__)

Lane = tuple[str, str | None]  # (carrier, group)
# How much later a held-back action falls due by itself: longer than a carrier waits for an
# upload (QQ: 120 s), so it is taken again only once woken, or if its worker died meanwhile
# (as long as a claim of a dead process takes to go stale).
HELD_FOR = timedelta(minutes=5)


class Aside:
    """The slow actions out, one at most per carrier and group, and the actions held back
    (parked) until their group's slow action is done or their carrier has room."""

    def __init__(self) -> None:
        self._out: dict[Lane, asyncio.Task[None]] = {}
        # group -> (outbox ids held back, in the order parked; whether they wait for room)
        self._parked: dict[Lane, tuple[list[int], bool]] = {}

    def __len__(self) -> int:
        return len(self._out)

    def busy(self, lane: Lane) -> bool:
        """Whether the group's actions wait: its slow action is out, or actions of it are
        held back and not yet woken (the next ones go after them)."""
        return lane in self._out or lane in self._parked

    def room(self, carrier: str, at_once: int) -> bool:
        """Whether the carrier may have one more slow action out."""
        return sum(1 for c, _ in self._out if c == carrier) < max(1, at_once)

    def park(self, lane: Lane, item: int, *, for_room: bool = False) -> None:
        """Note an outbox item handed back for its group (due `HELD_FOR` later): behind the
        group's slow action, or (`for_room`: a slow action itself) until the carrier has room."""
        ids, waits_for_room = self._parked.get(lane, ([], False))
        ids.append(item)
        self._parked[lane] = (ids, waits_for_room or for_room)

    @property
    def parked(self) -> int:
        """How many actions are held back, not yet woken."""
        return sum(len(ids) for ids, _ in self._parked.values())

    def wake(self, at_once: Mapping[str, int]) -> list[int]:
        """The held-back items to make due now, forgotten here: those of groups whose slow
        action is done, and of groups waiting for room once their carrier (slow actions at
        most `at_once[carrier]`) has some."""
        woken: list[int] = []
        for lane, (ids, for_room) in list(self._parked.items()):
            if lane in self._out:
                continue
            if for_room and not self.room(lane[0], at_once.get(lane[0], 1)):
                continue
            woken.extend(ids)
            del self._parked[lane]
        return woken

    def start(self, lane: Lane, work: Coroutine[Any, Any, None]) -> None:
        """Perform `work` (which settles the action) in a task of its own."""
        task = asyncio.get_running_loop().create_task(work)
        self._out[lane] = task
        task.add_done_callback(lambda done: self._done(lane, done))

    async def settle(self, lane: Lane | None = None) -> None:
        """Wait until every slow action out (or the group `lane`'s) is settled."""
        while (task := self._out.get(lane) if lane else None) or (lane is None and self._out):
            await asyncio.wait([task] if task else list(self._out.values()))

    def _done(self, lane: Lane, task: asyncio.Task[None]) -> None:
        if self._out.get(lane) is task:
            del self._out[lane]
        if not task.cancelled() and task.exception() is not None:
            # left claimed: taken again once the claim is stale (`store/outbox.py`)
            log.error("a slow action in %s failed unexpectedly", lane,
                      exc_info=task.exception())  # fmt: skip
