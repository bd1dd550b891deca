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

A group's later actions also wait, the same way, behind an action of it that is retried while
part of it is out or still to come (`behind`): one a platform's rate limit answered (Telegram's
429 counts per chat: sent meanwhile, each would meet its own, and lengthen the wait), and an
action of several messages retried with some of them sent (a long text whose later parts are
still to go, aside or in the queue's batch: members would read the next message in the middle
of it). They are woken once it is performed, or failed for good; at the latest `HELD_FOR`
after it was due (it was called off, or another worker took it). Each is handed back due when
the action it waits behind is (`hold_until`; those held back before are made due then too,
`behind`), not `HELD_FOR` later: a process killed meanwhile, which forgets all this, leaves
them due with it, not within a long wait (an hour asked). The next process reads back from the
store which of each group's actions were retried so (`Store.outbox_waited_behind`, read by
`OutboundQueue`) and holds their groups behind them again: each group's actions go in their
order, the retried one first.

Exactly once: an action out stays claimed, as any action being performed does, and is marked
when its task settles it. The engine waits for the tasks before disconnecting the carriers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Mapping
from datetime import datetime, timedelta
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
        # group -> (the retried action its later ones wait behind, when it is due, until when
        # at the latest they wait)
        self._behind: dict[Lane, tuple[int, datetime, datetime]] = {}

    def __len__(self) -> int:
        return len(self._out)

    def busy(self, lane: Lane, item: int | None = None) -> bool:
        """Whether the group's action `item` waits: its slow action is out, a retried action
        of it is to go first (`behind`; not `item` itself), or actions of it are held back and
        not yet woken (the next ones go after them)."""
        if lane in self._out:
            return True
        waited = self._behind.get(lane)
        if waited is not None:
            return waited[0] != item
        return lane in self._parked

    def behind(self, lane: Lane, item: int, due: datetime) -> list[int]:
        """The group's later actions wait behind `item`, retried from `due`, until it is
        performed or failed for good (`ahead`), `HELD_FOR` after `due` at the latest. The ids
        of those already held back, to be made due with it (not before: should the process
        die, they would go first)."""
        self._behind[lane] = (item, due, due + HELD_FOR)
        ids, _ = self._parked.get(lane, ([], False))
        return [held for held in ids if held != item]

    def hold_until(self, lane: Lane, now: datetime) -> datetime:
        """When an action of the group handed back `now` falls due by itself: with the retried
        action it waits behind, when that is due later; else `HELD_FOR` later (woken sooner,
        once what it waits for is done)."""
        waited = self._behind.get(lane)
        if waited is not None and waited[1] > now:
            return waited[1]
        return now + HELD_FOR

    def waits_behind(self, lane: Lane) -> bool:
        """Whether the group's later actions wait behind a retried action of it."""
        return lane in self._behind

    def ahead(self, lane: Lane, item: int) -> None:
        """`item` is performed or failed for good: its group's later actions go (once woken)."""
        waited = self._behind.get(lane)
        if waited is not None and waited[0] == item:
            del self._behind[lane]

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

    def wake(self, at_once: Mapping[str, int], now: datetime) -> list[int]:
        """The held-back items to make due now, forgotten here: those of groups whose slow
        action is done (and no retried one is to go first: once `now` is past the time they
        wait for it at most, they no longer do), and of groups waiting for room once their
        carrier (slow actions at most `at_once[carrier]`) has some."""
        for lane, (_, _, until) in list(self._behind.items()):
            if until <= now:
                log.warning("%s: the retried action %d was not performed again in time; the "
                            "actions behind it go", lane, self._behind[lane][0])  # fmt: skip
                del self._behind[lane]
        woken: list[int] = []
        for lane, (ids, for_room) in list(self._parked.items()):
            if lane in self._out:
                continue
            waited = self._behind.get(lane)
            if waited is not None and waited[0] not in ids:
                continue  # the retried action (unless parked here for room) goes first
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
