"""The web chat's queue read by several engine workers at once (PostgreSQL): each group's
events are handed out by the one worker that holds the group's lease (`store/cluster.py`).

A worker takes the leases of groups with queued events, up to its fair share (the groups with
anything queued divided by the live workers), and gives back a group once nothing of it is
queued or in flight. Within a group, rows are queued one writer at a time
(`repository.queue_chat_event` locks the group's row), so their ids are in commit order: the
holder reads a group from its last id on and never passes over a row committed later. When a
worker dies, PostgreSQL frees its leases with its session; the next holder of each group
reads the group's queue from the start: what the dead worker's engine committed comes back
`recorded` (only deleted), what it had not committed is handed out again, in order.

Everything else (holding a member's message until the group was shown it, deleting what the
engine committed, the in-flight limit) is `Feed`'s.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hearthkeeper.carriers.webchat.feed import BATCH, GRACE, Feed, _Found
from hearthkeeper.engine.events import Event
from hearthkeeper.store import Store
from hearthkeeper.store.cluster import Cluster, ClusterLost

log = logging.getLogger(__name__)

ANNOUNCED = 50_000  # announcements remembered, at most (most are of other workers' groups)
# Events handed to this worker's engine and not yet committed, at most: small, so that groups
# taken over from a dead worker do not wait behind a long read-ahead of this one's.
IN_FLIGHT_SHARED = 500
POLL = 0.25  # seconds between two looks for groups to take (and rows no one announced)


class SharedFeed(Feed):
    """`Feed` over the groups this worker holds."""

    def __init__(self, store: Store, carrier: str, uploads_dir: Path, cluster: Cluster, *,
                 poll: float = POLL, grace: float = GRACE, batch: int = BATCH,
                 in_flight: int = IN_FLIGHT_SHARED) -> None:  # fmt: skip
        super().__init__(store, carrier, uploads_dir, poll=poll, grace=grace, batch=batch,
                         in_flight=in_flight)  # fmt: skip
        self.cluster = cluster
        self._after: dict[int, int] = {}  # group id -> the highest queue id read of it
        self._group_of: dict[int, int] = {}  # queue id in flight or held -> its group id
        self._looked = -math.inf  # when leases were last reconsidered (monotonic seconds)
        self._announced_order: deque[str] = deque()
        self._losses = cluster.losses  # the cluster's losses this feed has acted on
        self._drop = False  # the leases were lost: drop what is held (on the event loop)

    def announce(self, event_id: str) -> None:
        """The group was shown the message `event_id` (on any node). Announcements of groups
        another worker holds are never handed out here: the oldest are forgotten."""
        self._announced_order.append(event_id)
        if len(self._announced_order) > ANNOUNCED:
            self._announced.discard(self._announced_order.popleft())
        super().announce(event_id)

    # --- reading (Feed's hooks) -------------------------------------------------------------------

    def _read(self, after: int, upto: int | None, limit: int, skip: frozenset[int]) -> _Found:
        """The new rows of the groups held (taking groups first when it is time to)."""
        if time.monotonic() - self._looked >= self.poll:
            self._reconsider()
        held = self.cluster.held
        if not held:
            return []
        rows = self.queue.backlog(self.carrier, limit=limit,
                                  groups={g: self._after.get(g, 0) for g in held})  # fmt: skip
        found: _Found = []
        for row in rows:
            if row.id <= self._after.get(row.group_id, 0):
                continue
            self._after[row.group_id] = row.id
            self._group_of[row.id] = row.group_id
            found.append((row.id, None if row.recorded else self._event(row)))
        return found

    async def _rescan(self, reader: ThreadPoolExecutor) -> _Found:
        """No rescan is needed (a group's rows are read in commit order); instead, the leases
        are reconsidered, and the next round reads the groups they give."""
        await asyncio.get_running_loop().run_in_executor(reader, self._reconsider)
        self.signal()
        return []

    # --- leases --------------------------------------------------------------------------------

    def _reconsider(self) -> None:
        """Give back groups with nothing queued or in flight; take groups with queued rows,
        up to this worker's fair share. First, whether the leases are still held: once the
        locks' connection is lost (whoever noticed), nothing more of the groups it held is
        handed out here (`_lost`)."""
        self._looked = time.monotonic()
        try:
            if self.cluster.losses == self._losses:
                self.cluster.check()
        except ClusterLost:
            pass
        finally:
            if self.cluster.losses != self._losses:
                self._lost()
        try:
            queued = set(self.queue.queued_groups(self.carrier))
            busy = {self._group_of[q] for q in (*self._flying, *self._held) if q in self._group_of}
            idle = self.cluster.held - queued - busy
            if idle:
                self.cluster.release(idle)
                for group_id in idle:
                    self._after.pop(group_id, None)
            held = self.cluster.held
            free = list(queued - held)
            if not free:
                return
            share = math.ceil(len(queued | held) / max(1, self.cluster.workers()))
            room = share - len(held)
            if room > 0:
                random.shuffle(free)  # workers looking at once do not all try the same groups
                self.cluster.take(free[:room])
        except ClusterLost:
            self._lost()

    def _lost(self) -> None:
        """The leases are gone: another worker may be deciding these groups now. What was
        read of them and not handed out yet (messages held until shown) is dropped, to be
        read again from the queue by whoever holds each group next (this worker too, once
        it takes a group again). Events already handed to the engine are decided at most
        once (`events`' unique index: the second decider finds them recorded)."""
        self._losses = self.cluster.losses
        log.warning("%s: this worker lost its group leases; it hands out nothing more of "
                    "them until it holds them again", self.carrier)  # fmt: skip
        self._after.clear()
        self._drop = True  # done on the event loop, which reads what is held (`_hand_out`)

    def _hand_out(self, found: _Found, now: float | None) -> list[Event]:
        if self._drop:
            self._drop = False
            for queue_id in self._held:
                self._group_of.pop(queue_id, None)
            self._held.clear()
            self._lines.clear()
        return super()._hand_out(found, now)

    def _forget_group_of(self) -> None:
        live = self._flying | self._held.keys()
        for queue_id in [q for q in self._group_of if q not in live]:
            del self._group_of[queue_id]

    def handled(self, events: Sequence[Event]) -> None:
        """The engine committed `events`: their rows can go, their groups be given back."""
        super().handled(events)
        self._forget_group_of()
