"""The engine assembled: executor, outbound queue and timers, fed by carriers."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext

from hearthkeeper.clock import Clock
from hearthkeeper.engine.carrier import Acknowledging, Carrier
from hearthkeeper.engine.events import Event, Message
from hearthkeeper.engine.executor import Executor, Processed, Runtime
from hearthkeeper.engine.outage import Outage
from hearthkeeper.engine.outbound import OutboundQueue, Sent
from hearthkeeper.engine.scheduled import prepare_aside, run_due
from hearthkeeper.engine.timers import lift_due_mutes
from hearthkeeper.store import OutboxItem, Scheduled, Store
from hearthkeeper.store.cluster import ClusterLost
from hearthkeeper.store.errors import unavailable

log = logging.getLogger(__name__)

SMALL_BATCH = 8  # events decided on the event loop itself (larger batches: a worker thread)
PUMP_PAUSE, PUMP_PAUSE_MAX = 1.0, 60.0  # seconds before a failed event stream is read again
PREPARED_KEPT = 3600.0  # seconds a result read aside waits for its item (another worker ran it)
# The interpreter's switch interval while reads aside run (Python's default is 5 ms). The
# reads hold the interpreter between their statements; the engine's thread lets it go at
# each of its own (SQLite works in this process) and waited up to the interval each time to
# have it back: a batch of one message took ~1 s instead of ~0.1 s beside the weekly report
# of 500 groups. 0.5 ms: messages waited at most ~2 s instead of ~14 s (docs/benchmarks.md,
# session 40).
ASIDE_SWITCH_INTERVAL = 0.0005


_SETTLED = [False]


# The cycle collector's thresholds once the engine runs (Python's are 700, 10, 10): a message
# allocates a few hundred objects, nearly all freed by their counts and few in cycles (~0.4 a
# message), so a young collection every 700 allocations walked live objects for nothing:
# ~5% of the CPU with every mechanism on, ~2.5% with these (1,134 young, 103 middle and 10
# full passes over 25,000 messages became 138, 7 and 1). What waits longer for a pass is
# the few cycles made since the last one: well under a megabyte. A young pass every 50,000
# allocations rather than 5,000 (session 31): a batch's own objects (its events, actions and
# rows, alive until its commit) were walked again by each of a batch's ~8 young passes and
# then by the middle ones; the collector's time over 40,000 messages 0.40 → 0.17 s.
COLLECTOR_THRESHOLDS = (50_000, 20, 10)


def _settle_heap() -> None:
    """Once per process, after the first batch decided anything: the models the detectors
    loaded on first use (the scorer's n-gram counts, jieba's dictionary, the sentiment
    counts: some 400,000 objects that live as long as the process) leave the collector's
    care, so that its full collections (each walking every object) stop costing ~7% of the
    CPU per message; and the collector runs less often (`COLLECTOR_THRESHOLDS`). Garbage
    is collected first, so nothing unreachable is kept."""
    if _SETTLED[0]:
        return
    _SETTLED[0] = True
    gc.collect()
    gc.freeze()
    # raised, never lowered: a host that tuned its collector keeps what it chose above ours
    gc.set_threshold(*map(max, gc.get_threshold(), COLLECTOR_THRESHOLDS))


class Engine:
    """Events in; decisions recorded; actions performed once through the carriers."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        runtimes: Sequence[Runtime],
        carriers: Mapping[str, Carrier] | None = None,
        *,
        adopt_groups_into: int | None = None,
        batch: int = 1000,
        standby: Mapping[str, Carrier] | None = None,
        take_standby: Callable[[], bool] | None = None,
        hold_group: Callable[[int], AbstractContextManager[bool]] | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.carriers = dict(carriers or {})
        self.executor = Executor(store, clock, {r.community_id: r for r in runtimes},
                                 adopt_groups_into=adopt_groups_into)  # fmt: skip
        # One outage at a time for the engine's store work: the batch, the queue, the timers.
        self.outage = Outage("engine")
        self.queue = OutboundQueue(store, self.carriers, clock, outage=self.outage)
        self.batch = batch
        self.runtimes = {r.community_id: r for r in runtimes}
        # Carriers run only once `take_standby()` says this process may (one engine worker
        # of several holds the carriers with one connection to their platform).
        self.standby = dict(standby or {})
        self._take_standby = take_standby
        # Beside other workers (`take_standby` given): claim only what this one can perform.
        self.queue.attached_only = take_standby is not None
        # Beside other workers: the groups of the carriers shared by every worker (the web
        # chat) are decided by the holder of their lease (`hold_group` takes and keeps it).
        self._hold_group = hold_group
        self._leased = frozenset(self.carriers) if hold_group is not None else frozenset()
        # Scheduled work's slow reads done aside (`run`): by item key, what was read and when;
        # and the reads under way. Touched on the event loop only.
        self._prepared: dict[str, tuple[object, float]] = {}
        self._preparing: dict[str, asyncio.Task[None]] = {}
        self._switch_interval = sys.getswitchinterval()  # the interpreter's, outside reads aside
        self._reading_aside = 0  # reads aside under way
        self.ticks = 0  # ticks done (`tick` or `run`'s): what a caller may wait on

    def replace_runtime(self, runtime: Runtime) -> None:
        """Run `runtime` for its community from the next batch on (a new playbook version).
        The maps are replaced whole, so a batch being decided keeps the maps it started with.
        The community's strikes are read again at the next batch: applying the version may
        have re-dated them (a changed `rules.strike_expiry`), and what is held of them would
        otherwise count the old expiries until the state's refresh (a minute)."""
        self.runtimes = {**self.runtimes, runtime.community_id: runtime}
        self.executor.runtimes = {**self.executor.runtimes, runtime.community_id: runtime}
        self.executor.state.forget_strikes(runtime.community_id)

    def process(self, events: Sequence[Event]) -> list[Processed]:
        """Record and decide a batch of events."""
        processed = self.executor.process(events)
        if processed:
            _settle_heap()
        return processed

    def tick(self) -> int:
        """Do what time asks for now: lift ended mutes, run scheduled work that fell due,
        and learn the moderation decisions staff took since the last tick."""
        return self._tick(None, None)[0]

    def _tick(self, prepared: Mapping[str, object] | None,
              aside: list[Scheduled] | None) -> tuple[int, list[str]]:  # fmt: skip
        """`tick`; with `aside`, scheduled work with slow reads not yet in `prepared` is
        left pending and named there (`run_due`). Also the keys of the work that ran."""
        now = self.clock.now()
        self.executor.state.refresh_examples()
        beside = self._hold_group is not None
        lifted = lift_due_mutes(self.store, now, may_lift=self._decides if beside else None)
        if aside is not None:
            aside.clear()  # a tick the outage made try again starts over
        ran = run_due(self.store, self.runtimes, now, may_run=self._may_run if beside else None,
                      prepared=prepared, aside=aside)  # fmt: skip
        self.ticks += 1
        return lifted + len(ran), [item.key for item, _ in ran]

    async def _timed_work(self) -> None:
        """`tick` as `run` does it: scheduled work whose reads are slow (the weekly report,
        the daily watch at hundreds of groups) is read aside in a worker thread while events
        go on being decided; the tick after the reads end runs it with what they found."""
        prepared = {key: found for key, (found, _) in self._prepared.items()}
        aside: list[Scheduled] = []
        _, ran = await self.outage.call(lambda: asyncio.to_thread(self._tick, prepared, aside))
        for key in ran:
            self._prepared.pop(key, None)
        now = asyncio.get_running_loop().time()
        self._prepared = {k: v for k, v in self._prepared.items() if now - v[1] < PREPARED_KEPT}
        for item in aside:
            if item.key not in self._preparing:
                self._preparing[item.key] = asyncio.create_task(self._prepare(item))

    async def _prepare(self, item: Scheduled) -> None:
        """Read aside what `item`'s effect needs; should that fail, the item runs its own
        reads at the next tick (where a failure sets it aside as any failed work)."""
        found: object = None
        if not self._reading_aside:
            self._switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(self._switch_interval, ASIDE_SWITCH_INTERVAL))
        self._reading_aside += 1
        try:
            found = await asyncio.to_thread(prepare_aside, self.store, self.runtimes, item,
                                            self.clock.now())  # fmt: skip
        except Exception:
            log.exception("scheduled %s (%s): its reads aside failed; it reads itself",
                          item.key, item.effect)  # fmt: skip
        finally:
            self._preparing.pop(item.key, None)
            self._reading_aside -= 1
            if not self._reading_aside:
                sys.setswitchinterval(self._switch_interval)
        self._prepared[item.key] = (found, asyncio.get_running_loop().time())

    def _may_run(self, tx: Store, item: Scheduled) -> AbstractContextManager[bool]:
        """Whether this worker runs the scheduled `item` (beside others): `_decides`."""
        return self._decides(tx, item.group_id)

    def _decides(self, tx: Store, group_id: int | None) -> AbstractContextManager[bool]:
        """Whether this worker does the group's timed work (scheduled items, lifting mutes)
        beside others, held so while the block runs: where its events are decided, by the
        lease's holder or the worker running its carrier. Work of no group: any worker."""
        group = None if group_id is None else tx.get_group(group_id)
        if group is None or self._hold_group is None:
            return nullcontext(True)
        if group.carrier in self._leased:
            return self._hold_group(group.id)
        return nullcontext(group.carrier not in self.standby)

    async def drain(self, rounds: int = 100) -> Sent:
        """Perform what can be performed now, the slow actions performed aside included (and
        what waited for them); stop when a pass does nothing."""
        total = await self._drain(rounds)
        while len(self.queue.aside):
            await self.queue.aside.settle()
            total += await self._drain(rounds)
        return total

    async def _drain(self, rounds: int) -> Sent:
        """Perform what can be performed now, leaving slow actions out (`aside.py`)."""
        total = Sent()
        for _ in range(rounds):
            sent = await self.queue.run_once()
            total += sent
            if sent.done == 0 and sent.failed == 0:
                break
        return total

    async def run(self, stop: asyncio.Event, *, idle: float = 0.2) -> None:
        """Connect the carriers and serve until `stop` is set.

        Events are decided as they come; what a batch decided and is due now is claimed in
        its own transaction and performed at once, so a member's answer waits neither for
        the timers nor for another claim. Every `idle` seconds, busy or not, the engine
        does what time asks for (`tick`) and performs whatever else is due (retries,
        scheduled posts, actions queued from the console). Store work runs in worker
        threads (except deciding a small batch), so the web on this loop stays responsive.

        While the store is unavailable (`store.errors.unavailable`: a restart, a failover, a
        lost connection, a locked SQLite file) the work that found it so waits and is tried
        again (`outage.py`): a batch is decided once the store is back, nothing is lost,
        and the engine goes on. Stopped meanwhile, it leaves the rest in the store."""
        self.outage.stop = stop
        try:
            await self._run(stop, idle)
        except Exception as error:
            if not (stop.is_set() and unavailable(error)):
                raise
            log.warning("engine: stopped while the database was unavailable; what it had "
                        "not done waits in the database for the next start")  # fmt: skip

    async def _run(self, stop: asyncio.Event, idle: float) -> None:
        await self.outage.call(lambda: asyncio.to_thread(self.queue.recover))
        inbox: asyncio.Queue[Event | None] = asyncio.Queue()
        for carrier in self.carriers.values():
            await carrier.connect()
        pumps = [asyncio.create_task(self._pump(c, inbox)) for c in self.carriers.values()]
        await self._take_over(pumps, inbox)
        # `stop` wakes the loop at once: None in the inbox.
        stopping = asyncio.create_task(stop.wait())
        stopping.add_done_callback(lambda _: inbox.put_nowait(None))
        loop = asyncio.get_running_loop()
        due = loop.time()
        try:
            while not stop.is_set():
                events = await self._gather(inbox, max(0.0, due - loop.time()))
                if events:
                    await self._decide_and_perform(events)
                if loop.time() >= due:
                    await self._take_over(pumps, inbox)
                    await self._timed_work()
                    await self._drain(100)
                    due = loop.time() + idle
        finally:
            stopping.cancel()
            for task in [*pumps, *self._preparing.values()]:
                task.cancel()
            for task in [*pumps, *self._preparing.values()]:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if len(self.queue.aside):
                # an upload cut off now would be sent again after the restart: let it end
                log.info("engine: waiting for %d slow action(s) to finish before stopping",
                         len(self.queue.aside))  # fmt: skip
                await self.queue.aside.settle()
            if self.queue.aside.parked:  # also when the upload ended just before the stop
                try:  # what they held back is due at the next start, not minutes later
                    await self.queue.wake()
                except Exception as error:
                    log.warning("engine: the actions held back for them fall due by "
                                "themselves (%s)", error)  # fmt: skip
            for carrier in self.carriers.values():
                await carrier.disconnect()

    async def _take_over(self, pumps: list[asyncio.Task[None]],
                         inbox: asyncio.Queue[Event | None]) -> None:  # fmt: skip
        """Connect the carriers on standby once this process may run them (the worker that
        ran them died, or none did yet)."""
        if not self.standby or self._take_standby is None:
            return
        try:
            mine = await asyncio.to_thread(self._take_standby)
        except Exception as error:  # the database went away for a moment: ask again later
            if unavailable(error) or isinstance(error, ClusterLost):
                self.outage.failed(error)
            else:
                log.exception("could not ask whether this worker runs the carriers")
            return
        if not mine:
            return
        standby, self.standby = self.standby, {}
        for name, carrier in standby.items():
            await carrier.connect()
            self.carriers[name] = carrier
            self.queue.attach(carrier)
            pumps.append(asyncio.create_task(self._pump(carrier, inbox)))
            log.info("this worker runs the %s carrier now", name)

    async def _decide_and_perform(self, events: list[Event]) -> None:
        # A large batch is decided in a worker thread, so that the web, which shares this
        # event loop, stays responsive meanwhile; a small one (a few milliseconds) is
        # decided here, where handing it to a thread and back would cost about as much —
        # unless a picture is in it: looking for QR codes takes long whatever the batch.
        # A batch that found the store unavailable rolled back whole: it is decided again,
        # once, when the store answers (events already recorded count as duplicates).
        # While the store is away (a SQLite lock waits out its busy timeout) even a small
        # batch is tried in a thread, so the web on this loop keeps answering.
        small = (len(events) <= SMALL_BATCH and not self.outage.down
                 and not any(_has_picture(e) for e in events))  # fmt: skip

        async def decide() -> tuple[list[Processed], list[OutboxItem]]:
            if small:
                return self.executor.process_claiming(events)
            return await asyncio.to_thread(self.executor.process_claiming, events)

        _, claimed = await self.outage.call(decide)
        if self.queue.attached_only:
            # Beside other workers: what a dead one left claimed (and anything else due) is
            # performed before what this batch decided, so a group taken over keeps its order.
            await self.queue.run_once()
        await self.queue.perform(claimed)
        for carrier in self.carriers.values():
            if isinstance(carrier, Acknowledging):
                carrier.handled([e for e in events if e.carrier == carrier.name])

    async def _pump(self, carrier: Carrier, inbox: asyncio.Queue[Event | None]) -> None:
        """The carrier's events into the inbox. Should its stream fail (a bug its platform's
        input sets off), the failure is logged and the stream started again after a pause
        (1 s, doubling to a minute while it keeps failing at once): a carrier that silently
        stopped delivering would leave its groups unserved while the service looks healthy.
        Whatever it delivers twice is recorded once. The stream ending is the carrier's
        own decision (it disconnected): the pump ends with it."""
        pause = PUMP_PAUSE
        while True:
            started = asyncio.get_running_loop().time()
            try:
                async for event in carrier.events():
                    await inbox.put(event)
                return
            except Exception:
                if asyncio.get_running_loop().time() - started > PUMP_PAUSE_MAX:
                    pause = PUMP_PAUSE  # it ran a good while: a fresh failure
                log.exception("the %s carrier's events failed; reading them again in %.0f s",
                              carrier.name, pause)  # fmt: skip
                await asyncio.sleep(pause)
                pause = min(pause * 2, PUMP_PAUSE_MAX)

    async def _gather(self, inbox: asyncio.Queue[Event | None], wait: float) -> list[Event]:
        """The events waiting (at least one, if one comes within `wait` seconds); fewer
        than that, or none, when the engine is being stopped (a None in the inbox)."""
        try:
            async with asyncio.timeout(wait):  # no extra task: woken as soon as one is put
                first = await inbox.get()
        except TimeoutError:
            return []
        events = [first]
        while len(events) < self.batch and not inbox.empty():
            events.append(inbox.get_nowait())
        return [e for e in events if e is not None]


def _has_picture(event: Event) -> bool:
    """Whether moderation may decode a picture of `event` (a file or sticker fetched too)."""
    return isinstance(event, Message) and any(a.kind == "picture" or a.data
                                              for a in event.attachments)  # fmt: skip
