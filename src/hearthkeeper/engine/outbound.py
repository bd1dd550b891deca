"""The one outbound queue: performs recorded actions once, in priority order, within quotas.

Each action waits in the store's outbox. A worker claims a batch (sanctions first, welcomes
last), asks each carrier's quotas when it may send, performs it with the outbox key as the
idempotency key, and marks it done, or schedules a retry with backoff, or gives up. A
rate-limit answer (`CarrierError.limited`: Telegram's 429) is no failed attempt: the action
waits the time asked, up to `MAX_RATE_WAITS` times (`outbox.rate_waits`), then each counts;
its group's later actions wait behind it (`aside.py`: `behind`), not sent into the same limit,
and are handed back due when it is, so a process killed meanwhile leaves them in order: the
next one reads back which actions were so retried (`Store.outbox_waited_behind`) before it
performs anything of their carrier, and holds their groups behind them again.
An action a carrier sends as several messages (`SendsInParts`: a long text's parts) goes once
the quotas have room for all of them, and counts each.

Exactly once: an action is marked done right after the carrier accepts it. If the process
dies between the carrier accepting and the mark, the action is claimed again after a
restart. A carrier that honours idempotency keys (Matrix transaction ids) ignores the
second attempt; on other carriers that window — a crash between the carrier's answer and
our commit, milliseconds wide — is the only way an action can be performed twice.
While the store is unavailable (a restart, a lost connection, a locked SQLite file) each
store write of the queue waits and is tried again (`outage.py`): an action the carrier
performed is marked once the store is back, never performed again for want of its mark; a
run the web chat could not store is handed back, pending, and performed at the next pass.
Several engine workers may share one PostgreSQL outbox: each claims as its worker id, and a
dead worker's claims go to the next claim of another (`store/outbox.py`). A worker that was
only thought dead (its locks' connection broke, the server restarted, it stalled past the
stale limit) must not perform them too: every mark, hand-back and retry is made on the claim
as it was taken, so it changes nothing once the claim was taken over, and before performing
an action through a carrier that takes no idempotency key the worker asks whether the claim
is still its own (`Store.holds`), leaving it to its holder if not.

The queue runs on the event loop that the web shares, but its store writes (claims, marks
done, failed, retried or deferred) run in a worker thread: the loop serves other requests
while the database works or waits for a lock. On a carrier that takes no idempotency key each
item is marked, and the mark awaited, before the next one is performed. On one that does (the
web chat, Matrix) the marks of a claimed batch are written together once it is performed: a
crash before they land makes the carrier see those keys again, which it ignores, and a burst
of replies does not wait for a thread hand-off (and the interpreter lock) per reply. An
idempotent carrier that can also perform a run of actions in one go (`PerformsTogether`: the
web chat, in one transaction off the event loop) is handed the batch's consecutive items of
it at once; each is still settled on its own (done, retried, failed). An action its carrier
says can take long (`SlowActions`: a file uploaded on QQ, Telegram, Matrix) is performed
aside, in a task of its own that settles it (`aside.py`): the batch, the next batches and the
events waiting to be decided do not wait for it, and its group's later actions wait in the
outbox until it is done, handed back once each and not claimed again meanwhile. An action of
several messages retried with part of it performed (a long text's first parts, aside or not)
holds its group's later actions back the same way until the rest of it is.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from hearthkeeper.clock import Clock
from hearthkeeper.engine.actions import OPTIONAL, Action, for_the_group, group_text_differs
from hearthkeeper.engine.aside import Aside
from hearthkeeper.engine.carrier import (
    Carrier,
    CarrierError,
    LinkAdmitting,
    PerformsTogether,
    SendsInParts,
    SlowActions,
)
from hearthkeeper.engine.no_room import approval, let_in_after_waiting, waits_for_room
from hearthkeeper.engine.not_closed import FAILED, not_closed
from hearthkeeper.engine.outage import Outage
from hearthkeeper.engine.ratelimit import Quotas
from hearthkeeper.store import Done, OutboxItem, OutboxStatus, Store
from hearthkeeper.store.errors import unavailable
from hearthkeeper.store.records import IMPORTED

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# Rate-limit answers (`CarrierError.limited`: Telegram's 429) an item waits out without their
# counting as attempts: a long text's parts meeting flood control are not given up after six.
# Beyond these, each counts as a failed attempt, so an endless 429 loop ends after
# MAX_RATE_WAITS + MAX_ATTEMPTS answers.
MAX_RATE_WAITS = 24
NO_CARRIER = "no carrier serves an imported group (history only)"
T = TypeVar("T")


def backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s … capped at 5 minutes."""
    return timedelta(seconds=min(300, 2 ** max(1, attempts)))


@dataclass(frozen=True)
class Sent:
    """What one pass of the queue did."""

    done: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0
    aside: int = 0  # slow actions now performed aside (`aside.py`), settled when done

    def __add__(self, other: Sent) -> Sent:
        return Sent(self.done + other.done, self.retried + other.retried,
                    self.failed + other.failed, self.deferred + other.deferred,
                    self.aside + other.aside)  # fmt: skip


class OutboundQueue:
    """Performs the outbox through the carriers."""

    def __init__(self, store: Store, carriers: Mapping[str, Carrier], clock: Clock, *,
                 batch: int = 200, outage: Outage | None = None) -> None:  # fmt: skip
        self.store = store
        self.outage = outage or Outage("outbound queue")
        self.clock = clock
        self.batch = batch
        self.carriers: dict[str, Carrier] = {}
        # Beside other engine workers: claim only the actions of the carriers attached here
        # (another may hold Matrix, Telegram, QQ), and those of imported groups, which any
        # worker ends as skipped. False: claim everything (one process).
        self.attached_only = False
        self._quotas: dict[str, Quotas] = {}
        # carrier name → whether it is handed runs of actions (`PerformsTogether`)
        self._together: dict[str, bool] = {}
        self._slow: dict[str, SlowActions] = {}  # carriers with actions performed aside
        self._in_parts: dict[str, SendsInParts] = {}  # carriers sending long texts in parts
        self.aside = Aside()
        # carriers whose groups' holds a process before may have left in the store, not yet
        # read back (`_read_holds`)
        self._unread: set[str] = set()
        for carrier in carriers.values():
            self.attach(carrier)

    def attach(self, carrier: Carrier) -> None:
        """Send through `carrier` (replacing one of the same name), with fresh quotas."""
        self.carriers[carrier.name] = carrier
        self._quotas[carrier.name] = Quotas(carrier.capabilities)
        self._together[carrier.name] = (carrier.capabilities.idempotent
                                        and isinstance(carrier, PerformsTogether))  # fmt: skip
        self._slow.pop(carrier.name, None)
        if isinstance(carrier, SlowActions):
            self._slow[carrier.name] = carrier
        self._in_parts.pop(carrier.name, None)
        if isinstance(carrier, SendsInParts):
            self._in_parts[carrier.name] = carrier
        self._unread.add(carrier.name)

    def recover(self) -> int:
        """At start-up: the actions a dead process had claimed are pending again, at once.

        A process on its own (`store.worker` is None) hands back every claimed action: no
        one else can be performing them. One of several workers hands back only those of
        workers that are gone (and `claim` takes those at once anyway): the others' claims
        are in flight; claims made with no worker wait for the stale limit."""
        now = self.clock.now()
        if self.store.worker is not None:
            return self.store.release_orphans(now)
        items = self.store.claim(self.batch * 100, now, stale_after=timedelta(0))
        for item in items:
            self.store.release(item.id, now)
        return len(items)

    async def run_once(self) -> Sent:
        """Claim a batch and perform what the quotas allow now; first, the actions held back
        for a slow action now done are made due, to be claimed in this batch, in order."""
        await self._read_holds()
        await self.wake()
        carriers = set(self.carriers) if self.attached_only else None
        items = await self._write(lambda: self.store.claim(self.batch, self.clock.now(),
                                                            carriers=carriers))  # fmt: skip
        return await self.perform(items)

    async def wake(self) -> None:
        """Make due now the actions held back (`aside.py`) whose group's slow action is done
        or whose carrier has room again (done by `run_once`, and by the engine once it
        stopped: they are due at the next start, not minutes later)."""
        now = self.clock.now()
        woken = self.aside.wake({name: c.slow_at_once for name, c in self._slow.items()}, now)
        if woken:
            await self._write(lambda: self.store.hasten(woken, now))

    async def _read_holds(self) -> None:
        """Before anything of a carrier just attached is performed: its groups' actions that a
        process before (killed, or stopped) left retried with their group's later ones waiting
        behind them (a 429's wait, a long text's rest) hold those groups again, until each is
        performed, `HELD_FOR` after it is due at the latest (`aside.py`). What it knew of them
        died with it; the store keeps which they are, and when they are due."""
        if not self._unread:
            return
        names = set(self._unread)
        retried = await self._write(lambda: self.store.outbox_waited_behind(names))
        now = self.clock.now()
        for item in retried:
            lane = (item.carrier, item.action.get("group"))
            if not self.aside.waits_behind(lane):  # the first claimed of the group goes first
                self.aside.behind(lane, item.id, max(item.next_attempt_at, now))
        self._unread -= names

    async def _hold_back(self, item: OutboxItem, lane: tuple[str, str | None], *,
                         for_room: bool = False) -> str:  # fmt: skip
        """Hand `item` back until its group's slow action is done (or, `for_room`, until its
        carrier has room for it): due `HELD_FOR` later, made due sooner by `wake`; behind a
        retried action of its group, due when that is (`Aside.hold_until`)."""
        later = self.aside.hold_until(lane, self.clock.now())
        await self._write(lambda: self.store.release(item, later))
        self.aside.park(lane, item.id, for_room=for_room)
        return "deferred"

    async def _write(self, work: Callable[[], T]) -> T:
        """`work()` (store work) in a worker thread, tried again while the store is away."""
        return await self.outage.call(lambda: asyncio.to_thread(work))

    async def perform(self, items: Sequence[OutboxItem]) -> Sent:
        """Perform claimed `items` in order (or hand back those the quotas hold back)."""
        await self._read_holds()
        outcomes = Counter[str]()
        marks: list[Done] = []  # performed by idempotent carriers, marked together at the end
        held: dict[tuple[str, str | None], datetime] = {}  # (carrier, group) -> deferred until
        together: list[_Ready] = []  # consecutive items of one carrier that performs together
        try:
            for item in items:
                ready = await self._ready(item, held)
                if isinstance(ready, str):
                    outcomes[ready] += 1
                    if ready in ("done", "skipped", "failed"):  # ended: what waited for it goes
                        self.aside.ahead((item.carrier, item.action.get("group")), item.id)
                    continue
                slow = self._slow.get(item.carrier)
                if slow is not None and slow.slow(ready.action):
                    outcomes[await self._put_aside(ready, slow.slow_at_once)] += 1
                    continue
                if together and together[0].carrier is not ready.carrier:
                    outcomes.update(await self._perform_together(together, marks))
                    together = []
                if ready.together:
                    together.append(ready)
                    continue
                outcome = await self._settle(ready, await _attempt(ready), marks)
                outcomes[outcome] += 1
                if outcome == "done":
                    await asyncio.sleep(0)  # let what was just performed reach its reader
            if together:
                outcomes.update(await self._perform_together(together, marks))
        finally:
            if marks:
                await self._write(lambda: self.store.mark_done_many(marks))
        return Sent(outcomes["done"], outcomes["retried"], outcomes["failed"],
                    outcomes["deferred"], outcomes["aside"])  # fmt: skip

    async def _put_aside(self, ready: _Ready, at_once: int) -> str:
        """Perform a slow action in a task of its own (`aside.py`), or, when its carrier has
        `at_once` out already, hand it back (its group's later actions with it)."""
        lane = (ready.item.carrier, ready.action.group)
        if not self.aside.room(lane[0], at_once):
            return await self._hold_back(ready.item, lane, for_room=True)
        self.aside.start(lane, self._perform_aside(ready))
        return "aside"

    async def _perform_aside(self, ready: _Ready) -> None:
        marks: list[Done] = []
        await self._settle(ready, await _attempt(ready), marks)
        if marks:
            await self._write(lambda: self.store.mark_done_many(marks))

    async def _ready(self, item: OutboxItem,
                     held: dict[tuple[str, str | None], datetime]) -> _Ready | str:  # fmt: skip
        """The claimed item, ready to be performed now; or how it was settled without being
        performed: deferred (the quotas, or another worker's carrier), retried (no carrier),
        skipped (a group an import registered: no carrier will ever serve it), done (an
        optional action the carrier cannot perform).

        Once the quotas defer an item of a group, the batch's later items of that group are
        deferred with it (`held`), so the group's actions keep their order even when the
        clock passes the quota's window while the batch is being performed. An item handed
        to a carrier that performs together uses its quota now, as if performed."""
        action = Action.from_json(dict(item.action))
        carrier = self.carriers.get(item.carrier)
        now = self.clock.now()
        store = self.store
        if carrier is None and item.carrier.startswith(IMPORTED):
            # a group an import registered: history only, no carrier will ever serve it
            # (queued before such groups were left out of the calendar): ended, not retried
            await self._write(lambda: store.mark_skipped(item, NO_CARRIER, now))
            return "skipped"
        if carrier is None and self.attached_only:
            # Another worker runs this carrier: hand the action back for it to claim.
            await self._write(lambda: store.release(item, now))
            return "deferred"
        if carrier is None:
            await self._write(lambda: store.mark_failed(
                item, f"no carrier {item.carrier!r} is connected", now,
                retry_at=now + backoff(item.attempts + 1)))  # fmt: skip
            return "retried"
        if group_text_differs(action) and not carrier.capabilities.private_replies:
            action = for_the_group(action)  # the secret left out of what the group reads
            if not action.text:  # for the member alone, or nothing: nothing said here
                await self._write(lambda: store.mark_done(item, None, now))
                return "done"
        if action.extra.get(OPTIONAL) and action.kind not in carrier.capabilities.can:
            # e.g. a direct message on a carrier without them: passed over, not failed
            await self._write(lambda: store.mark_done(item, None, now))
            return "done"
        if approval(action, item.key) and not carrier.capabilities.seats_applicants:
            # an approval where every group is full waits for room, staff told
            waits = await self._write(lambda: waits_for_room(store, item, action, now))
            if waits is not None:
                return "failed"
        if self.aside.busy((item.carrier, action.group), item.id):
            # the group's slow action is still out, or a retried one is to go first, or
            # actions held back for it not yet taken again: after them, in order
            return await self._hold_back(item, (item.carrier, action.group))
        quotas = self._quotas[item.carrier]
        in_parts = self._in_parts.get(item.carrier)
        messages = max(1, in_parts.messages(action)) if in_parts is not None else 1
        free_at = quotas.free_at(action.group, now, messages)
        waiting = held.get((item.carrier, action.group))
        if waiting is not None:
            free_at = max(free_at, waiting)
        if free_at > now or waiting is not None:
            held[(item.carrier, action.group)] = free_at
            await self._write(lambda: store.release(item, free_at))
            return "deferred"
        if not carrier.capabilities.idempotent and not await self._write(
            lambda: store.holds(item, now)
        ):
            # Taken over (this worker was thought gone, or its claim went stale): whoever
            # holds it now performs it; a carrier that would perform it twice must not.
            log.warning("outbox item %d is no longer this worker's claim: left to its holder",
                        item.id)  # fmt: skip
            return "deferred"
        together = self._together[item.carrier]
        if together:
            quotas.use(action.group, now, messages)
        return _Ready(item, action, carrier, together, messages)

    async def _perform_together(self, run: list[_Ready], marks: list[Done]) -> Counter[str]:
        """Perform a run of items through their carrier's `perform_together`, then settle
        each as `perform` would have one by one. An exception other than `CarrierError`
        is raised once the items before it are settled; those after it stay claimed."""
        carrier = run[0].carrier
        assert isinstance(carrier, PerformsTogether)
        results = await carrier.perform_together([(r.action, r.item.key) for r in run])
        outcomes = Counter[str]()
        for index, (ready, result) in enumerate(zip(run, results, strict=False)):
            if isinstance(result, BaseException) and not isinstance(result, CarrierError):
                if unavailable(result):  # nothing of it was stored: performed at a next pass
                    outcomes["deferred"] += await self._hand_back(run[index:])
                    break
                raise result
            outcomes[await self._settle(ready, result, marks, used=True)] += 1
        await asyncio.sleep(0)  # let what was just performed reach its readers
        return outcomes

    async def _hand_back(self, run: Sequence[_Ready]) -> int:
        """Claimed items not performed (the store was away): pending again, due now, once
        the store answers."""
        now = self.clock.now()
        for ready in run:
            claim = ready.item
            await self._write(lambda: self.store.release(claim, now))  # noqa: B023
        return len(run)

    async def _settle(self, ready: _Ready, result: str | CarrierError | None, marks: list[Done],
                      *, used: bool = False) -> str:  # fmt: skip
        """Record how performing went: done (marked now, or with `marks` on an idempotent
        carrier), retried with backoff or failed for good. `used`: its quota was used. A
        retry its group's later actions wait behind (`aside.py`): a rate limit's, and that of
        an action of several messages with some of them sent (a long text's first parts)."""
        item, store = ready.item, self.store
        lane = (item.carrier, ready.action.group)
        if isinstance(result, CarrierError):
            now = self.clock.now()
            after = result.after
            if result.retry and result.limited and after and item.rate_waits < MAX_RATE_WAITS:
                # the platform asked to wait: not a failed attempt
                due = now + timedelta(seconds=after)
                await self._write(lambda: store.mark_rate_limited(item, str(result), now, due))
                await self._wait_behind(lane, item, due)
                return "retried"
            if result.retry and item.attempts + 1 < MAX_ATTEMPTS:
                wait = timedelta(seconds=after) if after else backoff(item.attempts + 1)
                await self._write(lambda: store.mark_failed(item, str(result), now,
                                                          retry_at=now + wait))  # fmt: skip
                if result.limited or (ready.messages > 1 and await self._partly_performed(item)):
                    await self._wait_behind(lane, item, now + wait)
                return "retried"
            self.aside.ahead(lane, item.id)
            if ready.action.kind in FAILED:  # a group closed, members still posting: staff told
                action = ready.action
                await self._write(lambda: not_closed(store, item, action, result, now))
                return "failed"
            await self._write(lambda: store.mark_failed(item, str(result), now, retry_at=None))
            return "failed"
        self.aside.ahead(lane, item.id)
        now = self.clock.now()
        can = ready.carrier.capabilities
        if approval(ready.action, item.key) and not can.seats_applicants:
            carrier = ready.carrier
            link = carrier.let_in_link(item.key) if isinstance(carrier, LinkAdmitting) else None
            await self._write(lambda: let_in_after_waiting(
                store, ready.action, item.key, now, invited=can.admits_by_invitation,
                linked=link is not None))  # fmt: skip
        if not used:
            self._quotas[item.carrier].use(ready.action.group, now, ready.messages)
        if ready.carrier.capabilities.idempotent:
            marks.append(Done(item.id, result, now, claim=item))
        else:
            marked = await self._write(lambda: store.mark_done(item, result, now))
            if marked.claimed_by != item.claimed_by or marked.status is not OutboxStatus.DONE:
                log.warning("outbox item %d was taken over while it was performed: it may be "
                            "performed twice", item.id)  # fmt: skip
        return "done"

    async def _wait_behind(self, lane: tuple[str, str | None], item: OutboxItem,
                           due: datetime) -> None:  # fmt: skip
        """The group's later actions wait behind `item`, retried from `due` (`aside.py`); those
        held back already are made due with it, not before (nor after: a wait shorter than
        `HELD_FOR`, then woken as soon as it is performed)."""
        held = self.aside.behind(lane, item.id, due)
        if held:
            await self._write(lambda: self.store.reschedule(held, due))

    async def _partly_performed(self, item: OutboxItem) -> bool:
        """Whether the carrier recorded performing part of `item` (`Store.record_progress`: a
        long text's parts sent, a post's file)."""
        return bool(await self._write(lambda: self.store.outbox_progress(item.key)))


@dataclass(frozen=True)
class _Ready:
    """A claimed item its carrier may perform now."""

    item: OutboxItem
    action: Action
    carrier: Carrier
    together: bool  # performed with its neighbours through `PerformsTogether`
    messages: int = 1  # the messages it sends (`SendsInParts`), each counted by the quotas


async def _attempt(ready: _Ready) -> str | CarrierError | None:
    """Perform one item: the carrier's receipt, or the `CarrierError` it raised."""
    try:
        return await ready.carrier.perform(ready.action, ready.item.key)
    except CarrierError as exc:
        return exc
