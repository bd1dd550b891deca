"""What the engine gets from the web chat: the store's queue of members' messages, joins and
leaves, read in order and handed out once.

The store is the queue (`queue_repository.py`): each message, join and leave is queued in
the transaction that stores it, before any browser is shown it, so a crash cannot lose one.
The feed reads the queue at once when a member writes (`signal`) and every `poll` seconds as
a safety net (a row committed out of id order on PostgreSQL, or written by another process),
and deletes what the engine has committed (`handled`). Events handed out and not yet
committed are "in flight" and not read again. After a crash nothing of this is left in
memory: the next start reads the whole queue, and an event the engine recorded just before
the crash comes back marked `recorded` and is only deleted.

A member's message is committed before the group is shown it, so the feed could read it in
that moment and the bot's answer reach the browsers before the question. The engine gets a
message once the carrier `announce`s it (after showing it), or, when nobody announces it
(left by a crash), `GRACE` seconds after the feed first read it. The events of its group
queued after it wait behind it, so a group's events reach the engine in queue order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hearthkeeper.carriers.webchat.queue_repository import SqlWebChatQueue
from hearthkeeper.carriers.webchat.records import QueuedChatEvent
from hearthkeeper.carriers.webchat.uploads import media_type, picture_path
from hearthkeeper.engine.events import (
    Attachment,
    Event,
    Join,
    JoinMethod,
    Leave,
    Message,
    Rename,
    Sender,
)
from hearthkeeper.engine.outage import Outage
from hearthkeeper.store import Store
from hearthkeeper.store.errors import unavailable

log = logging.getLogger(__name__)

POLL = 1.0  # seconds between two full reads of the queue, the safety net
SWEEP = 0.5  # seconds between two deletions of taken rows (each is a write: kept rare)
GRACE = 2.0  # seconds a message no one announced waits for its showing (left by a crash)
BATCH = 500  # queued events read at a time
FEW = 16  # events read on the event loop itself when a member wakes the feed (see `stream`)
IN_FLIGHT = 2000  # events handed out and not yet committed, at most (the engine's backlog)

_Found = list[tuple[int, Event | None]]  # queue id, the event (None: recorded, or unreadable)


class Feed:
    """The carrier's reader of its queue: `stream()` for the engine, `take()` for tests and
    the simulator, `handled()` once the engine committed what it was given."""

    def __init__(self, store: Store, carrier: str, uploads_dir: Path, *, poll: float = POLL,
                 grace: float = GRACE, batch: int = BATCH,
                 in_flight: int = IN_FLIGHT) -> None:  # fmt: skip
        self.queue = SqlWebChatQueue.on(store)
        self.carrier = carrier
        self.uploads_dir = uploads_dir
        self.poll = poll
        self.grace = grace
        self.batch = batch
        self.max_in_flight = in_flight
        self.stopped = False
        self.outage = Outage(f"{carrier} feed")  # logs a store outage once, and its end
        self._cursor = 0  # the highest queue id read: the next read starts after it
        self._in_flight: dict[tuple[str, str], int] = {}  # (group, event id) -> queue id
        self._flying: set[int] = set()  # the same queue ids
        self._done: set[int] = set()  # queue ids to delete (the engine has them)
        self._announced: set[str] = set()  # event ids of messages the group was shown
        self._held: dict[int, tuple[float, Event]] = {}  # queue id -> (first read, event)
        self._lines: dict[str, deque[int]] = {}  # group -> its held queue ids, in order
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._acked: asyncio.Event | None = None

    def signal(self) -> None:
        """Something was queued: read now. Safe from any thread."""
        loop, wake = self._loop, self._wake
        if loop is None or wake is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            wake.set()
        else:
            loop.call_soon_threadsafe(wake.set)

    def announce(self, event_id: str) -> None:
        """The group was shown the message `event_id`: the engine may have it now."""
        self._announced.add(event_id)
        self.signal()

    def stop(self) -> None:
        """End `stream()` once what is queued now has been handed out."""
        self.stopped = True
        self.signal()

    def take(self) -> list[Event]:
        """Everything queued and not handed out yet, without waiting."""
        events: list[Event] = []
        while True:
            found = self._read(self._cursor, None, self.batch, frozenset())
            events += self._hand_out(found, None)
            if len(found) < self.batch:
                return events

    async def stream(self) -> AsyncIterator[Event]:
        """The queued events in order, then each new one as it is queued, until `stop()`."""
        loop = asyncio.get_running_loop()
        self._loop, self._wake, self._acked = loop, asyncio.Event(), asyncio.Event()
        wake = self._wake
        # Woken by a member, the feed reads the few new rows on the event loop: a query of a
        # millisecond, where a worker thread would wait for the interpreter lock behind the
        # busy loop several times over. The backlog at start, a burst and the safety net are
        # read on a thread of their own (the shared pool is busy storing members' messages).
        reader = ThreadPoolExecutor(1, thread_name_prefix=f"{self.carrier}-feed")
        few = False  # the last read found the queue drained: the next one reads few rows
        sweeper = asyncio.create_task(self._sweep(self._acked), name=f"{self.carrier} sweeper")
        rescan_at = loop.time() + self.poll
        try:
            while True:
                wake.clear()  # before reading: a row queued meanwhile wakes the next round
                found: _Found = []
                more = False
                if len(self._in_flight) < self.max_in_flight:
                    try:
                        if few:
                            found = self._read(self._cursor, None, FEW, frozenset())
                            more = len(found) >= FEW
                        else:
                            found = await loop.run_in_executor(
                                reader, self._read, self._cursor, None, self.batch, frozenset()
                            )
                            more = len(found) >= self.batch
                        few = not more
                        if loop.time() >= rescan_at:
                            found = await self._rescan(reader) + found
                            rescan_at = loop.time() + self.poll
                    except Exception as error:  # the database went away: the rows wait there
                        if unavailable(error):  # one warning per outage, and one when back
                            self.outage.failed(error)
                        else:
                            log.exception("%s: could not read the queue; trying again",
                                          self.carrier)  # fmt: skip
                        found, more, few = [], False, False
                        rescan_at = loop.time() + self.poll
                    else:
                        self.outage.recovered()
                now = loop.time()
                events = self._hand_out(found, now) + self._release(now)
                for event in events:
                    yield event
                if self.stopped and not events and not more:
                    return
                room = len(self._in_flight) < self.max_in_flight
                if not (more and room):
                    # Woken by a member, by the engine making room, or (only if there is room
                    # to hand out) when the first held message's grace ends or the safety net
                    # is due. With no room, only the engine making room wakes it: a deadline
                    # already past would spin the event loop until then.
                    deadline = None
                    if room:
                        fronts = self._lines.values()
                        held = (self._held[line[0]][0] + self.grace for line in fronts)
                        deadline = max(0.0, min([rescan_at, *held]) - loop.time())
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(deadline):
                            await wake.wait()
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            reader.shutdown(wait=False)

    def handled(self, events: Sequence[Event]) -> None:
        """The engine committed `events`: their queue rows can go."""
        was_full = len(self._in_flight) >= self.max_in_flight
        for event in events:
            queue_id = self._in_flight.pop((event.group, event.event_id), None)
            if queue_id is not None:
                self._flying.discard(queue_id)
                self._done.add(queue_id)
        if self._done and self._acked is not None:
            self._acked.set()
        if was_full and self._wake is not None:
            self._wake.set()

    # --- reading ----------------------------------------------------------------------------------

    async def _rescan(self, reader: ThreadPoolExecutor) -> _Found:
        """Rows below the cursor neither in flight nor done: committed after a later id was
        read (PostgreSQL hands out ids before commit), or queued by another process."""
        skip = frozenset(self._flying | self._done | self._held.keys())
        limit = len(skip) + self.batch
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(reader, self._read, 0, self._cursor, limit, skip)

    def _read(self, after: int, upto: int | None, limit: int, skip: frozenset[int]) -> _Found:
        """Queued rows in (after, upto] as events (store and picture files)."""
        rows = self.queue.backlog(self.carrier, after=after, upto=upto, limit=limit)
        return [(row.id, None if row.recorded else self._event(row)) for row in rows
                if row.id not in skip]  # fmt: skip

    def _hand_out(self, found: _Found, now: float | None) -> list[Event]:
        """Mark what was read in flight (or done, when the engine has it already); with
        `now`, a message not yet announced is held (`_release` lets it go)."""
        events: list[Event] = []
        for queue_id, event in found:
            self._cursor = max(self._cursor, queue_id)
            if queue_id in self._flying or queue_id in self._done or queue_id in self._held:
                continue
            if event is None:
                self._done.add(queue_id)
            elif now is not None and (
                event.group in self._lines  # behind a held message of its group: in order
                or (isinstance(event, Message) and event.event_id not in self._announced)
            ):
                self._held[queue_id] = (now, event)
                self._lines.setdefault(event.group, deque()).append(queue_id)
            elif self._give(queue_id, event):
                events.append(event)
        if self._done and self._acked is not None:
            self._acked.set()
        return events

    def _release(self, now: float) -> list[Event]:
        """Held messages now announced, or waiting for `grace` (no one will announce them),
        and the events of their group held behind them, in queue order: a group's events
        reach the engine in the order they were queued."""
        events: list[Event] = []
        # One event per group per round, so that a group with a long backlog (taken over from
        # a dead worker, or left by a crash) does not make the others wait behind it.
        ready = list(self._lines)
        while ready and len(self._in_flight) < self.max_in_flight:
            waiting = []
            for group in ready:
                if len(self._in_flight) >= self.max_in_flight:
                    break
                line = self._lines[group]
                seen, event = self._held[line[0]]
                shown = not isinstance(event, Message) or event.event_id in self._announced
                if not shown and now - seen < self.grace:
                    continue  # the rest of the group waits behind it
                queue_id = line.popleft()
                del self._held[queue_id]
                if self._give(queue_id, event):
                    events.append(event)
                if line:
                    waiting.append(group)
                else:
                    del self._lines[group]
            ready = waiting
        return events

    def _give(self, queue_id: int, event: Event) -> bool:
        """Put `event` in flight; False if it already is (read twice)."""
        self._announced.discard(event.event_id)
        key = (event.group, event.event_id)
        if key in self._in_flight:
            return False
        self._in_flight[key] = queue_id
        self._flying.add(queue_id)
        return True

    async def _sweep(self, acked: asyncio.Event) -> None:
        """Delete the queue rows the engine has, a batch at a time, off the event loop."""
        while True:
            await acked.wait()
            acked.clear()
            ids = sorted(self._done)
            if not ids:
                continue
            try:
                await asyncio.to_thread(self.queue.forget_events, ids)
            except Exception as error:  # the rows stay: deleted at the next try
                if unavailable(error):
                    self.outage.failed(error)
                else:
                    log.exception("%s: could not delete %d delivered events", self.carrier,
                                  len(ids))  # fmt: skip
                await asyncio.sleep(self.poll)
                acked.set()
                continue
            self._done.difference_update(ids)
            await asyncio.sleep(SWEEP)

    def _event(self, row: QueuedChatEvent) -> Event | None:
        sender = Sender(user_id=row.user_id, display_name=row.nickname)
        group, event_id = row.carrier_group_id, row.event_id
        if row.kind == "join":
            return Join(carrier=self.carrier, group=group, event_id=event_id, at=row.at,
                        sender=sender, via=JoinMethod.LINK, source=row.source)  # fmt: skip
        if row.kind == "leave":
            return Leave(carrier=self.carrier, group=group, event_id=event_id, at=row.at,
                         sender=sender, removed_by=row.removed_by)  # fmt: skip
        if row.kind == "rename":  # the nickname is the user's now, as the queue reads it
            return Rename(carrier=self.carrier, group=group, event_id=event_id, at=row.at,
                          sender=sender)  # fmt: skip
        said = row.message
        if row.kind != "message" or said is None:
            log.error("%s: queued event %d (%s) cannot be read; skipped", self.carrier, row.id,
                      row.kind)  # fmt: skip
            return None
        return Message(
            carrier=self.carrier, group=group, event_id=event_id, at=row.at, sender=sender,
            kind=said.kind, text=said.text, attachments=tuple(self._attachments(said.picture)),
            mentions=said.mentions, mentions_bot=row.mentions_bot,
            reply_to=None if said.reply_to is None else str(said.reply_to),
        )  # fmt: skip

    def _attachments(self, picture: str | None) -> Iterable[Attachment]:
        if picture is None:
            return
        path = picture_path(self.uploads_dir, picture)
        if path is None:
            log.warning("%s: picture %s is gone; the message goes without it", self.carrier,
                        picture)  # fmt: skip
            return
        data = path.read_bytes()
        yield Attachment(kind="picture", data=data, mime=media_type(picture), size=len(data),
                         name=picture)  # fmt: skip
