"""The outbound queue and scheduled work shared by worker processes on a real PostgreSQL:
every item claimed once across processes (`FOR UPDATE SKIP LOCKED`), a killed worker's claims
taken over by the next claim at once, a live worker's never."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, literal, select, text

from hearthkeeper.clock import SystemClock
from hearthkeeper.engine.outbound import OutboundQueue, Sent
from hearthkeeper.engine.scheduled import run_due
from hearthkeeper.store import Done, NewOutboxItem, Store
from hearthkeeper.store.cluster import WORKER_CLASS, Cluster, live_workers
from hearthkeeper.store.database import create_engine_for
from hearthkeeper.testing import FakeCarrier

pytestmark = pytest.mark.postgres

SPAWN = multiprocessing.get_context("spawn")  # each worker a fresh interpreter, as in production
# Seconds a worker process may take to start (a fresh interpreter importing the package) and
# do its part: a guard against a hang, not a measure of speed. Four of them took over 60 s
# at a load of 17 on 2 cores; below the 300 s a test gets (pyproject.toml).
BOUND = 200
WORKERS = 4
ITEMS = 300
SCHEDULED = 120
CLOCK = SystemClock()


def _items(count: int, prefix: str) -> list[NewOutboxItem]:
    return [NewOutboxItem(f"{prefix}:{n}", "fake", {"kind": "send", "text": str(n)}, n % 3)
            for n in range(count)]  # fmt: skip


def _worker(url: str, out: str, start: Any) -> None:
    """One engine worker: claim the outbox in small batches and run due scheduled work
    until nothing is left; write what it took to `out`."""
    engine = create_engine_for(url)
    cluster = Cluster(engine)
    store = Store(engine, CLOCK)
    store.join_cluster(cluster)
    claimed: list[int] = []
    ran: list[int] = []
    start.wait()  # every worker connected: they go at once
    while True:
        items = store.claim(5, CLOCK.now())
        claimed += [item.id for item in items]
        if items:
            time.sleep(0.002)  # performing them
            store.mark_done_many([Done(item.id, None, CLOCK.now()) for item in items])
        done = run_due(store, {}, CLOCK.now(), limit=5)
        ran += [item.id for item, _ in done]
        if not items and not done:
            break
    Path(out).write_text(json.dumps({"worker": cluster.worker, "claimed": claimed, "ran": ran}))
    cluster.close()
    engine.dispose()


def _victim(url: str, out: str, ready: Any) -> None:
    """A worker that claims ten items and hangs before performing them (to be killed)."""
    engine = create_engine_for(url)
    cluster = Cluster(engine)
    store = Store(engine, CLOCK)
    store.join_cluster(cluster)
    items = store.claim(10, CLOCK.now())
    Path(out).write_text(json.dumps({"worker": cluster.worker, "claimed": [i.id for i in items]}))
    ready.set()
    time.sleep(600)


def _performer(url: str, out: str) -> None:
    """An engine worker that performs the outbox through a carrier with no idempotency keys
    until nothing is left to claim; writes the keys it performed to `out`."""
    engine = create_engine_for(url)
    cluster = Cluster(engine)
    store = Store(engine, CLOCK)
    store.join_cluster(cluster)
    carrier = FakeCarrier()
    queue = OutboundQueue(store, {"fake": carrier}, CLOCK)
    while asyncio.run(queue.run_once()) != Sent():
        pass
    Path(out).write_text(json.dumps([p.key for p in carrier.performed]))
    cluster.close()
    engine.dispose()


def _worker_store(engine: Engine) -> tuple[Store, Cluster]:
    cluster = Cluster(engine)
    store = Store(engine, CLOCK)
    store.join_cluster(cluster)
    return store, cluster


def _alive(engine: Engine, worker: int) -> bool:
    with engine.connect() as conn:
        return bool(conn.scalar(select(literal(worker).in_(live_workers()))))


def test_four_worker_processes_claim_each_item_once(pg_url: str, tmp_path: Path) -> None:
    engine = create_engine_for(pg_url)
    store = Store(engine, CLOCK)
    community = store.ensure_community("circle", "Circle")
    now = CLOCK.now()
    queued = {item_id for item_id, _ in store.enqueue_bulk(_items(ITEMS, "reply"))}
    planned = {store.schedule(f"close:{n}", community.id, "close", {}, now - timedelta(minutes=1))[0]
               for n in range(SCHEDULED)}  # fmt: skip
    start = SPAWN.Barrier(WORKERS)
    outs = [tmp_path / f"worker{n}.json" for n in range(WORKERS)]
    workers = [SPAWN.Process(target=_worker, args=(pg_url, str(out), start)) for out in outs]
    for worker in workers:
        worker.start()
    _finished(workers)
    reports = [json.loads(out.read_text()) for out in outs]

    claimed = [item for report in reports for item in report["claimed"]]
    ran = [item for report in reports for item in report["ran"]]
    assert sorted(claimed) == sorted(queued)  # every item once, none twice
    assert sorted(ran) == sorted(planned)
    assert store.outbox_counts()["done"] == ITEMS
    statuses = {work.status for n in range(SCHEDULED) if (work := store.scheduled(f"close:{n}"))}
    assert statuses == {"done"}
    # The work was shared (four processes started together on small batches), and each done
    # item names the worker that claimed it.
    assert sum(1 for report in reports if report["claimed"]) >= 2
    by_worker = {item: report["worker"] for report in reports for item in report["claimed"]}
    for item in store.outbox_items(limit=ITEMS):
        assert item.claimed_by == by_worker[item.id]
    engine.dispose()


def test_a_killed_workers_claims_go_to_the_next_claim_at_once(pg_url: str, tmp_path: Path) -> None:
    engine = create_engine_for(pg_url)
    live, live_cluster = _worker_store(engine)
    other, other_cluster = _worker_store(engine)
    try:
        live.enqueue_bulk(_items(30, "reply"))
        in_flight = live.claim(5, CLOCK.now())  # a live worker performing these
        ready = SPAWN.Event()
        out = tmp_path / "victim.json"
        victim = SPAWN.Process(target=_victim, args=(pg_url, str(out), ready))
        victim.start()
        assert ready.wait(BOUND), "the victim never claimed its items"
        report = json.loads(out.read_text())
        assert len(report["claimed"]) == 10

        # While the victim lives, its claims are its own, as are the live worker's.
        first = other.claim(100, CLOCK.now())
        assert len(first) == 15 and {i.id for i in first}.isdisjoint(report["claimed"])

        assert victim.pid is not None
        os.kill(victim.pid, signal.SIGKILL)
        victim.join(30)
        # PostgreSQL ends the session when it reads the closed socket; wait for that, not
        # for any expiry.
        _until_gone(engine, report["worker"])

        taken = other.claim(100, CLOCK.now())  # seconds after the claims, not 5 minutes
        assert sorted(i.id for i in taken) == sorted(report["claimed"])
        assert all(i.attempts == 1 and i.claimed_by == other.worker for i in taken)
        for item in in_flight:  # the live worker's claims were never taken
            now = live.outbox_item(item.id)
            assert now is not None
            assert (now.status, now.claimed_by, now.attempts) == ("sending", live.worker, 0)
        assert other.claim(100, CLOCK.now()) == []
    finally:
        live_cluster.close()
        other_cluster.close()
        engine.dispose()


def test_a_worker_that_lost_its_presence_does_not_perform_what_another_took_over(
    pg_url: str, tmp_path: Path
) -> None:
    engine = create_engine_for(pg_url)
    stalled, stalled_cluster = _worker_store(engine)
    try:
        stalled.enqueue_bulk(_sends(8, "warn"))
        items = stalled.claim(100, CLOCK.now())  # about to perform these, then it stalls
        first = stalled.worker
        assert first is not None and len(items) == 8
        # Its locks' connection is cut (a network blip, the server ended the session): to the
        # others it is gone, and another worker process performs what it had claimed.
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE "
                              "locktype = 'advisory' AND classid = :c AND objid = :w"),
                         {"c": WORKER_CLASS, "w": first})  # fmt: skip
        _until_gone(engine, first)
        out = tmp_path / "other.json"
        other = SPAWN.Process(target=_performer, args=(pg_url, str(out)))
        other.start()
        _finished([other])
        assert sorted(json.loads(out.read_text())) == sorted(i.key for i in items)

        # The stalled worker resumes its batch: nothing is performed a second time, and the
        # items stay as the other worker left them.
        carrier = FakeCarrier()
        asyncio.run(OutboundQueue(stalled, {"fake": carrier}, CLOCK).perform(items))
        assert carrier.performed == []
        for item in stalled.outbox_items(limit=100):
            assert item.status == "done" and item.claimed_by not in (None, first)
    finally:
        stalled_cluster.close()
        engine.dispose()


def _sends(count: int, prefix: str) -> list[NewOutboxItem]:
    """Warnings in a group, for a carrier that performs what it is given (no idempotency)."""
    action = {"kind": "warn", "carrier": "fake", "group": "g", "text": "no ads"}
    return [NewOutboxItem(f"{prefix}:{n}", "fake", action, 1) for n in range(count)]


def _finished(processes: list[Any]) -> None:
    """Wait for worker processes to end, each with exit status 0; those still running after
    BOUND seconds are killed and the test fails."""
    deadline = time.monotonic() + BOUND
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    running = [process.name for process in processes if process.is_alive()]
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join()
    assert not running, f"still running after {BOUND} s: {running}"
    assert [process.exitcode for process in processes] == [0] * len(processes)


def _until_gone(engine: Engine, worker: int) -> None:
    """Wait for PostgreSQL to end a closed or killed worker's session (it does so as soon as
    it reads the closed socket; no expiry is involved), at most 10 s."""
    for _ in range(200):
        if not _alive(engine, worker):
            return
        time.sleep(0.05)
    raise AssertionError(f"worker {worker} still holds its presence lock")


def test_recover_hands_back_only_dead_workers_claims(pg_url: str) -> None:
    engine = create_engine_for(pg_url)
    one, one_cluster = _worker_store(engine)
    two, two_cluster = _worker_store(engine)
    gone, gone_cluster = _worker_store(engine)
    alone = Store(engine, CLOCK)  # a process with no worker id
    try:
        now = CLOCK.now() + timedelta(seconds=5)  # the batches' actions are due by then
        mine = one.enqueue_claiming(_items(4, "one"), now)  # claimed as the batch commits
        theirs = two.enqueue_claiming(_items(4, "two"), now)
        lost = gone.enqueue_claiming(_items(3, "gone"), now)
        unowned = alone.enqueue_claiming(_items(2, "alone"), now)
        assert {i.claimed_by for i in mine} == {one.worker}
        assert {i.claimed_by for i in unowned} == {None}
        gone_cluster.close()  # that worker's session ends (the server notices at once)
        _until_gone(engine, gone.worker or 0)

        assert OutboundQueue(one, {}, CLOCK).recover() == 3
        assert OutboundQueue(two, {}, CLOCK).recover() == 0
        for item in lost:
            back = one.outbox_item(item.id)
            assert back is not None
            assert (back.status, back.claimed_by, back.attempts) == ("pending", None, 1)
        for item, worker in [*((i, one.worker) for i in mine), *((i, two.worker) for i in theirs),
                             *((i, None) for i in unowned)]:  # fmt: skip
            kept = one.outbox_item(item.id)
            assert kept is not None
            assert (kept.status, kept.claimed_by) == ("sending", worker)
        # A worker whose presence is gone claims nothing: its claims would be free to others.
        assert gone.claim(100, now) == []
        assert len(two.claim(100, now)) == 3
    finally:
        one_cluster.close()
        two_cluster.close()
        engine.dispose()
