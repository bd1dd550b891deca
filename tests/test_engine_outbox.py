"""Exactly once: recorded actions survive crashes and restarts, and are performed once."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.carrier import RateLimit
from hearthkeeper.engine.outbound import MAX_ATTEMPTS, MAX_RATE_WAITS, OutboundQueue
from hearthkeeper.store import Store
from hearthkeeper.store.database import create_engine_for
from hearthkeeper.testing import FakeCarrier, FakeTogetherCarrier
from tests.engine_setup import Community, community

AD = "加我微信 abc12345 低价出货"


def drain(c: Community) -> None:
    asyncio.run(c.engine.drain())


def test_an_event_seen_twice_is_handled_once(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock)
    ad = c.events.message("spammer", AD)
    first, again = c.engine.process([ad]), c.engine.process([ad])
    assert not first[0].duplicate and first[0].actions
    assert again[0].duplicate and again[0].actions == ()
    drain(c)
    assert c.carrier.kinds().count(ActionKind.DELETE) == 1


def test_crash_after_recording_before_sending_performs_each_action_once(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.message("spammer", AD)])
    assert c.carrier.performed == []  # the process dies here, before the queue ran
    c.restart()
    c.engine.queue.recover()
    drain(c)
    kinds = c.carrier.kinds()
    assert kinds.count(ActionKind.DELETE) == 1 and kinds.count(ActionKind.WARN) == 1
    drain(c)
    c.restart()
    c.engine.queue.recover()
    drain(c)
    assert c.carrier.performed == [], "nothing is performed again after a clean finish"


def test_crash_between_claiming_and_marking_done_is_retried_once(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.message("spammer", AD)])
    claimed = store.claim(10, store_clock.now())  # a worker claimed them, then died
    assert claimed and all(item.status == "sending" for item in claimed)
    c.restart()
    assert c.engine.queue.recover() == len(claimed)
    drain(c)
    assert sorted(p.key for p in c.carrier.performed) == sorted(i.key for i in claimed)


def test_an_idempotent_carrier_never_double_sends(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock)
    carrier = FakeCarrier("fake", idempotent=True)
    c.engine.queue.attach(carrier)
    c.engine.process([c.events.message("spammer", AD)])
    items = store.claim(10, store_clock.now())
    for item in items:  # performed, but the process died before marking them done
        asyncio.run(carrier.perform(Action.from_json(dict(item.action)), item.key))
    before = len(carrier.performed)
    c.engine.queue.recover()
    asyncio.run(c.engine.queue.run_once())
    assert len(carrier.performed) == before


def test_sanctions_are_sent_before_welcomes(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.join("newbie"), c.events.message("spammer", AD)])
    drain(c)
    kinds = c.carrier.kinds()
    assert kinds.index(ActionKind.DELETE) < kinds.index(ActionKind.SEND)


def test_failures_are_retried_with_backoff_then_performed_once(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.message("spammer", AD)])
    c.carrier.fail_next(2)
    asyncio.run(c.engine.queue.run_once())
    assert ActionKind.DELETE not in c.carrier.kinds()
    store_clock.advance(timedelta(minutes=10))
    drain(c)
    store_clock.advance(timedelta(minutes=10))
    drain(c)
    assert c.carrier.kinds().count(ActionKind.DELETE) == 1
    assert store.outbox_counts().get("pending", 0) == 0


def test_a_refusal_that_cannot_succeed_is_marked_failed(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.message("spammer", AD)])
    c.carrier.fail_next(10, retry=False)
    drain(c)
    assert store.outbox_counts().get("failed", 0) >= 1


def test_a_rate_limit_answer_waits_the_time_asked_and_uses_up_no_attempt(
    store: Store, store_clock: FrozenClock
) -> None:
    """Telegram's 429 asks to wait `retry_after`: it counted as a failed attempt, so a long
    text whose parts met a few was given up after six. It now waits what was asked, its
    attempts untouched, however many come (within `MAX_RATE_WAITS`); the group's other
    actions wait behind it, none sent into the limit meanwhile."""
    c = community(store, store_clock)
    c.engine.process([c.events.message("spammer", AD)])
    queued = len(store.outbox_items("pending"))
    assert queued > 1 and len({i.action.get("group") for i in store.outbox_items()}) == 1
    c.carrier.fail_next(MAX_ATTEMPTS + 2, rate_limited_for=30)
    for _ in range(MAX_ATTEMPTS + 2):
        drain(c)
        assert c.carrier.performed == []
        store_clock.advance(timedelta(seconds=29))
        drain(c)
        assert c.carrier.performed == [], "not before the time asked"
        store_clock.advance(timedelta(seconds=1))
    drain(c)
    assert ActionKind.DELETE in c.carrier.kinds()
    done = store.outbox_items("done")
    assert len(done) == queued and len(c.carrier.performed) == queued
    assert sorted((i.attempts, i.rate_waits) for i in done) == [(0, 0)] * (queued - 1) + [
        (0, MAX_ATTEMPTS + 2)]  # fmt: skip


def test_an_endless_rate_limit_ends_after_a_bound(store: Store, store_clock: FrozenClock) -> None:
    """A platform that answers every try with its rate limit: after `MAX_RATE_WAITS` waits,
    each answer counts as a failed attempt, and the action fails after `MAX_ATTEMPTS`; then
    the next of its group, which waited behind it, meets the same."""
    c = community(store, store_clock)
    c.engine.process([c.events.message("spammer", AD)])
    queued = len(store.outbox_items("pending"))
    c.carrier.fail_next(10_000, rate_limited_for=30)
    for _ in range(queued * (MAX_RATE_WAITS + MAX_ATTEMPTS) + 5):
        drain(c)
        store_clock.advance(timedelta(minutes=6))
    failed = store.outbox_items("failed")
    assert len(failed) == queued and c.carrier.performed == []
    assert {(i.attempts, i.rate_waits) for i in failed} == {(MAX_ATTEMPTS, MAX_RATE_WAITS)}
    assert all("simulated rate limit" in (i.last_error or "") for i in failed)


def test_group_quotas_defer_sends_instead_of_dropping_them(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    limited = FakeCarrier("fake", per_group=RateLimit(count=2, seconds=60))
    c.engine.queue.attach(limited)
    c.engine.process([c.events.join(f"user{i}") for i in range(5)])
    drain(c)
    assert len(limited.performed) == 2
    store_clock.advance(timedelta(seconds=61))
    drain(c)
    assert len(limited.performed) == 4
    store_clock.advance(timedelta(seconds=61))
    drain(c)
    assert len([p for p in limited.performed if p.action.kind is ActionKind.SEND]) == 5


def test_a_timed_mute_is_lifted_after_a_restart(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.message("spammer", AD), c.events.message("spammer", AD + "!")])
    drain(c)
    assert ActionKind.MUTE in c.carrier.kinds()
    c.restart()  # the server restarts; the mute must still end on time
    store_clock.advance(timedelta(minutes=30))
    assert c.engine.tick() == 0
    store_clock.advance(timedelta(hours=1))
    assert c.engine.tick() == 1
    drain(c)
    assert c.carrier.kinds() == [ActionKind.UNMUTE]
    c.restart()
    assert c.engine.tick() == 0
    drain(c)
    assert c.carrier.performed == []


class _Breaks(FakeCarrier):
    """An idempotent carrier whose third perform raises something unexpected (a bug)."""

    async def perform(self, action: Action, key: str) -> str | None:
        if len(self.performed) == 2:
            raise RuntimeError("carrier bug")
        return await super().perform(action, key)


class _BreaksTogether(_Breaks, FakeTogetherCarrier):
    """`_Breaks`, handed the batch's run in one call."""


@pytest.mark.parametrize("breaks", [_Breaks, _BreaksTogether])
def test_on_an_idempotent_carrier_what_was_performed_is_marked_even_if_the_batch_breaks(
    store: Store, store_clock: FrozenClock, breaks: type[_Breaks]
) -> None:
    c = community(store, store_clock)
    broken = breaks("fake", idempotent=True)
    c.engine.queue.attach(broken)
    _hellos(store, 4)
    with pytest.raises(RuntimeError, match="carrier bug"):
        drain(c)
    statuses = {i.key: i.status.value for i in store.outbox_items()}
    if isinstance(broken, FakeTogetherCarrier):
        assert broken.runs == [["hello:0", "hello:1", "hello:2", "hello:3"]]
    assert [p.action.text for p in broken.performed] == ["hello 0", "hello 1"]
    assert statuses["hello:0"] == statuses["hello:1"] == "done", "performed, so never sent again"
    assert statuses["hello:2"] == statuses["hello:3"] == "sending"  # claimed; recovered at start


def _hellos(store: Store, count: int) -> None:
    for i in range(count):
        store.enqueue(f"hello:{i}", "fake", Action(kind=ActionKind.SEND, carrier="fake",
                                                   group="g1", text=f"hello {i}").to_json(), 3)  # fmt: skip


def test_a_carrier_that_performs_together_gets_a_run_in_one_call_each_settled_alone(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    together = FakeTogetherCarrier("fake", idempotent=True)
    c.engine.queue.attach(together)
    _hellos(store, 4)
    together.fail_next(1)  # the first of the run is refused for now
    sent = asyncio.run(c.engine.queue.run_once())
    assert (sent.done, sent.retried) == (3, 1)
    assert together.runs == [["hello:0", "hello:1", "hello:2", "hello:3"]]
    statuses = {i.key: i.status.value for i in store.outbox_items()}
    assert statuses == {"hello:0": "pending", "hello:1": "done", "hello:2": "done",
                        "hello:3": "done"}  # fmt: skip
    store_clock.advance(timedelta(minutes=1))
    drain(c)
    assert [p.action.text for p in together.performed] == [f"hello {i}" for i in (1, 2, 3, 0)]
    assert {i.status.value for i in store.outbox_items()} == {"done"}


class _SlowClock(FrozenClock):
    """Time that moves 4 s each time the queue reads it, as under a slow store or network."""

    def now(self) -> datetime:
        self.advance(timedelta(seconds=4))
        return super().now()


def test_a_group_keeps_its_order_when_the_quota_frees_up_during_a_batch(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    limited = FakeCarrier("fake", per_group=RateLimit(count=1, seconds=10))
    c.engine.queue.attach(limited)
    c.engine.process([c.events.join(f"user{i}") for i in range(4)])
    c.engine.queue.clock = _SlowClock(store_clock.now())
    for _ in range(12):
        drain(c)
        c.engine.queue.clock.advance(timedelta(seconds=10))
    welcomed = [p.action.text for p in limited.performed if p.action.kind is ActionKind.SEND]
    assert len(welcomed) == 4
    assert [next(f"user{i}" for i in range(4) if f"user{i}" in (t or "")) for t in welcomed] == [
        "user0", "user1", "user2", "user3"]  # fmt: skip


def test_a_worker_whose_stale_claim_was_taken_over_neither_performs_nor_marks_it(
    database_url: str, store: Store, store_clock: FrozenClock
) -> None:
    # Two processes with no worker id (SQLite, or one engine per PostgreSQL database) share
    # the outbox: one claims a warning and stalls past the stale limit; the other takes it.
    warn = Action(kind=ActionKind.WARN, carrier="fake", group="g", text="no")
    store.enqueue("warn:1", "fake", warn.to_json(), 0)
    start = store_clock.now()
    stalled = store.claim(10, start)
    other = Store(create_engine_for(database_url), store_clock)
    try:
        later = start + timedelta(minutes=6)
        taken = other.claim(10, later)
        assert [i.id for i in taken] == [i.id for i in stalled]

        # The stalled worker wakes up: it performs nothing and its marks change nothing.
        store_clock.set(later)
        slow, live = FakeCarrier(), FakeCarrier()
        sent = asyncio.run(OutboundQueue(store, {"fake": slow}, store_clock).perform(stalled))
        assert slow.performed == [] and sent.done == 0
        for mark in (lambda i: store.mark_done(i, "late", later),
                     lambda i: store.mark_failed(i, "late", later, retry_at=later),
                     lambda i: store.release(i, later)):  # fmt: skip
            kept = mark(stalled[0])
            assert (kept.status, kept.attempts, kept.claimed_at) == ("sending", 1, later)

        # The worker holding it now performs it, once.
        asyncio.run(OutboundQueue(other, {"fake": live}, store_clock).perform(taken))
        assert live.kinds() == [ActionKind.WARN]
        done = store.outbox_item(stalled[0].id)
        assert done is not None and (done.status, done.receipt) == ("done", "sent-1")
    finally:
        other.engine.dispose()
