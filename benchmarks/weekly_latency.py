"""How long members' messages wait while the engine makes the weekly report of a matrix of
groups.

The community of `benchmarks/matrix_page.py` (N web chat groups of 40 members who talked over
the last five weeks) on a new SQLite store, served by a running `Engine` (`Engine.run`, a
fake carrier standing in for the web chat). Members post 20 messages a second, spread over
the groups; once the engine is warm, the community's weekly report falls due (a late one: it
was due on Monday, the server ran none). Each message's latency is the time from its
arrival at the carrier to the end of the batch that decided it; printed for the messages
that arrived while the report was being made (from its falling due to the alert in the
inbox) and for those of the 3 s before, with how long the report took. `--work matrix`:
the hourly matrix watch falls due instead (an hour late), and "made" is its item done.

Run: .venv/bin/python -m benchmarks.weekly_latency [--groups N ...] [--seconds S]
     [--work weekly|matrix]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import timedelta

from benchmarks.matrix_page import NOW, SLUG, filled

from hearthkeeper.apply import community_playbook
from hearthkeeper.assembly import runtime_for
from hearthkeeper.capabilities.grid.watch import next_watch, plan_grid_watch, watch_key
from hearthkeeper.capabilities.health.weekly import plan_weekly_report
from hearthkeeper.engine.engine import Engine
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.executor import Processed
from hearthkeeper.store import OutboxItem, Store
from hearthkeeper.testing import EventBuilder, FakeCarrier

RATE = 20  # messages a second
SPEAKERS = 15  # the generated members who talk in each group


def _report_sent(store: Store, community_id: int) -> bool:
    return any(a.key.startswith(f"health:weekly:{community_id}:week:")
               for a in store.staff_alerts(community_id, open_only=False, limit=10**9))  # fmt: skip


def _summary(label: str, latencies: Sequence[float]) -> str:
    if not latencies:
        return f"  {label}: none"
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (f"  {label}: {len(ordered)} messages; latency median {statistics.median(ordered):.3f} s, "
            f"p95 {p95:.3f} s, max {ordered[-1]:.3f} s")  # fmt: skip


def _watch_done(store: Store, key: str) -> bool:
    item = store.scheduled(key)
    return item is not None and item.status == "done"


async def _serve(store: Store, engine: Engine, carrier: FakeCarrier, groups: int,
                 seconds: float, playbook_plan: object, sent: Callable[[], bool]) -> None:  # fmt: skip
    arrived: dict[str, float] = {}
    decided: dict[str, float] = {}
    original = engine.executor.process_claiming

    def timed(events: Sequence[Event]) -> tuple[list[Processed], list[OutboxItem]]:
        result = original(events)
        done = time.perf_counter()
        for event in events:
            decided[event.event_id] = done
        return result

    engine.executor.process_claiming = timed  # type: ignore[method-assign]
    events = EventBuilder(NOW, carrier="webchat", step=timedelta(milliseconds=50))
    stop = asyncio.Event()
    running = asyncio.create_task(engine.run(stop, idle=0.2))
    warm_until = time.perf_counter() + 5.0  # the detectors' models load on first use
    due_at: float | None = None
    sent_at: float | None = None
    n = 0
    ends = time.perf_counter() + seconds
    next_check = 0.0
    while time.perf_counter() < ends:
        group = n % groups
        event = events.message(f"u{group}-{n % SPEAKERS}", f"今天第{n}次补水，皮肤感觉不错",
                               group=f"{SLUG}-{group + 1}")  # fmt: skip
        arrived[event.event_id] = time.perf_counter()
        carrier.inject(event)
        n += 1
        now = time.perf_counter()
        if due_at is None and now >= warm_until:
            assert callable(playbook_plan)
            playbook_plan()  # the report falls due: the next tick finds it
            due_at = time.perf_counter()
        if due_at is not None and sent_at is None and now >= next_check:
            next_check = now + 0.5
            if await asyncio.to_thread(sent):
                sent_at = time.perf_counter()
                ends = min(ends, sent_at + 3.0)
        await asyncio.sleep(1 / RATE)
    await asyncio.sleep(1.0)
    stop.set()
    await running
    assert due_at is not None
    if sent_at is None:
        print(f"  not done within {seconds:.0f} s")
        sent_at = float("inf")
    during = [decided[k] - t for k, t in arrived.items() if k in decided and due_at <= t <= sent_at]
    before = [
        decided[k] - t for k, t in arrived.items() if k in decided and due_at - 3.0 <= t < due_at
    ]
    undecided = sum(1 for k in arrived if k not in decided)
    print(f"  done (the report in the inbox, the watch run) {sent_at - due_at:.1f} s after it "
          f"fell due; "
          f"{undecided} messages not decided by the stop")  # fmt: skip
    print(_summary("the 3 s before it fell due", before))
    print(_summary("while it was made", during))


def measure(count: int, seconds: float, work: str = "weekly") -> None:
    with filled(count) as made:
        store, community = made.store, made.community
        playbook = community_playbook(store, community.id)
        assert playbook is not None
        carrier = FakeCarrier("webchat")
        engine = Engine(store, made.clock, [runtime_for(store, playbook)], {"webchat": carrier})
        engine.tick()  # what applying the playbook left due, out of the way

        def plan() -> None:  # due last Monday 09:00: late, run by the next tick
            with store.transaction() as tx:  # committed now (a bare store's plan waits)
                plan_weekly_report(tx, community.id, playbook, NOW - timedelta(days=7))

        def sent() -> bool:
            return _report_sent(store, community.id)

        if work == "matrix":
            late = NOW - timedelta(hours=2)  # the watch of an hour ago, not run

            def plan() -> None:
                with store.transaction() as tx:
                    plan_grid_watch(tx, community.id, late)

            def sent() -> bool:
                return _watch_done(store, watch_key(community.id, next_watch(late)))

        print(f"{count} groups, {RATE} messages a second, {work}:")
        asyncio.run(_serve(store, engine, carrier, count, seconds, plan, sent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, nargs="+", default=[500])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--work", choices=["weekly", "matrix"], default="weekly")
    arguments = parser.parse_args()
    for count in arguments.groups:
        measure(count, arguments.seconds, arguments.work)


if __name__ == "__main__":
    main()
