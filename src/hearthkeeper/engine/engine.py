"""The engine assembled: executor, outbound queue and timers, fed by carriers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence

from hearthkeeper.clock import Clock
from hearthkeeper.engine.carrier import Carrier
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.executor import Executor, Processed, Runtime
from hearthkeeper.engine.outbound import OutboundQueue, Sent
from hearthkeeper.engine.scheduled import run_due
from hearthkeeper.engine.timers import lift_due_mutes
from hearthkeeper.store import Store


class Engine:
    """Events in; decisions recorded; actions performed once through the carriers."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        runtimes: Sequence[Runtime],
        carriers: Mapping[str, Carrier] | None = None,
        *,
        dry_run: bool = False,
        adopt_groups_into: int | None = None,
        batch: int = 1000,
    ) -> None:
        self.store = store
        self.clock = clock
        self.carriers = dict(carriers or {})
        self.executor = Executor(store, clock, {r.community_id: r for r in runtimes},
                                 dry_run=dry_run, adopt_groups_into=adopt_groups_into)  # fmt: skip
        self.queue = OutboundQueue(store, self.carriers, clock)
        self.batch = batch
        self.dry_run = dry_run
        self.runtimes = {r.community_id: r for r in runtimes}

    def replace_runtime(self, runtime: Runtime) -> None:
        """Run `runtime` for its community from the next batch on (a new playbook version).
        The maps are replaced whole, so a batch being decided keeps the maps it started with."""
        self.runtimes = {**self.runtimes, runtime.community_id: runtime}
        self.executor.runtimes = {**self.executor.runtimes, runtime.community_id: runtime}

    def process(self, events: Sequence[Event]) -> list[Processed]:
        """Record and decide a batch of events."""
        return self.executor.process(events)

    def tick(self) -> int:
        """Do what time asks for now: lift ended mutes, run scheduled work that fell due."""
        now = self.clock.now()
        lifted = lift_due_mutes(self.store, now)
        ran = run_due(self.store, self.runtimes, now, dry_run=self.dry_run)
        return lifted + len(ran)

    async def drain(self, rounds: int = 100) -> Sent:
        """Perform what can be performed now; stop when a pass does nothing."""
        total = Sent()
        for _ in range(rounds):
            sent = await self.queue.run_once()
            total = Sent(total.done + sent.done, total.retried + sent.retried,
                         total.failed + sent.failed, total.deferred + sent.deferred)  # fmt: skip
            if sent.done == 0 and sent.failed == 0:
                break
        return total

    async def run(self, stop: asyncio.Event, *, idle: float = 0.2) -> None:
        """Connect the carriers and serve until `stop` is set."""
        self.queue.recover()
        inbox: asyncio.Queue[Event] = asyncio.Queue()
        for carrier in self.carriers.values():
            await carrier.connect()
        pumps = [asyncio.create_task(self._pump(c, inbox)) for c in self.carriers.values()]
        try:
            while not stop.is_set():
                events = await self._gather(inbox, idle)
                # The store work runs in a worker thread so that the web, which shares this
                # event loop, stays responsive while a batch is decided.
                if events:
                    await asyncio.to_thread(self.process, events)
                await asyncio.to_thread(self.tick)
                await self.drain()
        finally:
            for task in pumps:
                task.cancel()
            for task in pumps:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            for carrier in self.carriers.values():
                await carrier.disconnect()

    async def _pump(self, carrier: Carrier, inbox: asyncio.Queue[Event]) -> None:
        async for event in carrier.events():
            await inbox.put(event)

    async def _gather(self, inbox: asyncio.Queue[Event], idle: float) -> list[Event]:
        try:
            first = await asyncio.wait_for(inbox.get(), timeout=idle)
        except TimeoutError:
            return []
        events = [first]
        while len(events) < self.batch and not inbox.empty():
            events.append(inbox.get_nowait())
        return events
