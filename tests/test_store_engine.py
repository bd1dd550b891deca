"""Events and the outbox on SQLite and PostgreSQL: each event recorded once, each action
claimed by one worker, performed once, retried when it fails, reclaimed after a crash."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from hearthkeeper.capabilities.points.repository import SqlPoints
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import (
    Done,
    Group,
    Member,
    NewOutboxItem,
    OutboxStatus,
    Store,
    StoreError,
    create_engine_for,
)


@dataclass(frozen=True)
class Place:
    group: Group
    ann: Member


@pytest.fixture
def place(store: Store) -> Place:
    community = store.ensure_community("skincare", "Skin care circle")
    return Place(
        group=store.add_group(community.id, "Morning pack", "telegram", "-100123"),
        ann=store.member_for("telegram", "1", "Ann"),
    )


def _action(text: str = "hello") -> dict[str, object]:
    return {"kind": "send", "carrier": "telegram", "group": "-100123", "text": text}


def _queue(store: Store, *priorities: int) -> list[int]:
    return [store.enqueue(f"k-{n}", "telegram", _action(), p)[0] for n, p in enumerate(priorities)]


# --- events -------------------------------------------------------------------------------


def test_an_event_is_recorded_once(store: Store, place: Place, store_clock: FrozenClock) -> None:
    at = store_clock.now() - timedelta(seconds=3)
    event_id, created = store.record_event(place.group.id, "u-1", "message", place.ann.id, at)
    again, again_created = store.record_event(place.group.id, "u-1", "message", place.ann.id, at)

    assert (created, again_created, again) == (True, False, event_id)
    event = store.get_event(event_id)
    assert event is not None
    assert (event.type, event.member_id, event.at) == ("message", place.ann.id, at)
    assert event.recorded_at == store_clock.now()
    assert store.get_event(event_id + 1) is None


def test_concurrent_deliveries_of_one_event_record_one_row(store: Store, place: Place) -> None:
    workers = 8
    start = threading.Barrier(workers)
    at = datetime.fromisoformat("2026-05-01T08:59:00+00:00")

    def deliver(_: int) -> tuple[int, bool]:
        start.wait()
        return store.record_event(place.group.id, "raced", "join", place.ann.id, at)

    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(deliver, range(workers)))

    assert sorted(created for _, created in results) == [False] * (workers - 1) + [True]
    assert len({event_id for event_id, _ in results}) == 1


def test_events_of_unknown_types_groups_or_naive_times_are_refused(
    store: Store, place: Place, store_clock: FrozenClock
) -> None:
    now = store_clock.now()
    with pytest.raises(ValueError, match="unknown event type 'poke'; the types are message"):
        store.record_event(place.group.id, "e", "poke", None, now)
    with pytest.raises(ValueError, match="no time zone"):
        store.record_event(place.group.id, "e", "timer", None, now.replace(tzinfo=None))
    with pytest.raises(StoreError, match="group 999 or member None does not exist"):
        store.record_event(999, "e", "timer", None, now)


# --- the outbox ---------------------------------------------------------------------------


def test_enqueue_is_idempotent_on_the_key(store: Store, place: Place) -> None:
    event_id, _ = store.record_event(
        place.group.id, "u-1", "message", place.ann.id, datetime.fromisoformat("2026-05-01T08Z")
    )
    first, created = store.enqueue(
        "u-1:delete", "telegram", _action("first"), 0, event_id=event_id, group_id=place.group.id
    )
    again, again_created = store.enqueue("u-1:delete", "telegram", _action("second"), 3)

    assert (created, again_created, again) == (True, False, first)
    item = store.outbox_item(first)
    assert item is not None
    assert (item.action["text"], item.priority, item.event_id) == ("first", 0, event_id)
    assert (item.status, item.attempts, item.group_id) == (OutboxStatus.PENDING, 0, place.group.id)
    assert store.outbox_counts() == {
        "pending": 1,
        "sending": 0,
        "done": 0,
        "failed": 0,
        "skipped": 0,
        "cancelled": 0,
    }


def test_a_dry_run_records_skipped_actions_that_are_never_claimed(
    store: Store, store_clock: FrozenClock
) -> None:
    item_id, _ = store.enqueue("dry:1", "telegram", _action(), 0, status="skipped")

    assert store.claim(10, store_clock.now() + timedelta(days=1)) == []
    item = store.outbox_item(item_id)
    assert item is not None
    assert (item.status, item.done_at) == (OutboxStatus.SKIPPED, store_clock.now())
    assert store.pending_outbox_count() == 0
    with pytest.raises(ValueError, match="queued pending or skipped, not done"):
        store.enqueue("dry:2", "telegram", _action(), 0, status="done")
    with pytest.raises(ValueError, match="1 to 200 characters"):
        store.enqueue("k" * 201, "telegram", _action(), 0)


def test_claims_go_by_priority_then_queue_order(store: Store, store_clock: FrozenClock) -> None:
    ids = _queue(store, 3, 0, 2, 0, 1)
    store.enqueue("other-carrier", "matrix", _action(), 0)
    later, _ = store.enqueue("later", "telegram", _action(), 0, at=store_clock.now() + timedelta(1))

    first = store.claim(2, store_clock.now(), carrier="telegram")
    rest = store.claim(10, store_clock.now(), carrier="telegram")

    assert [item.id for item in first] == [ids[1], ids[3]]
    assert [item.id for item in rest] == [ids[4], ids[2], ids[0]]
    assert {item.status for item in first + rest} == {OutboxStatus.SENDING}
    assert all(item.claimed_at == store_clock.now() for item in first + rest)
    # Not due yet, or for another carrier: not claimed.
    assert store.claim(10, store_clock.now(), carrier="telegram") == []
    in_two_days = store_clock.now() + timedelta(days=2)
    assert [i.key for i in store.claim(10, in_two_days, stale_after=timedelta(days=3))] == [
        "other-carrier",
        "later",
    ]
    assert later in {i.id for i in store.outbox_items(status="sending")}


def test_queued_and_claimed_at_once_only_what_is_new_and_due(
    store: Store, store_clock: FrozenClock
) -> None:
    now = store_clock.now()
    store.enqueue("old", "telegram", _action(), 0)  # queued earlier under a key used again

    claimed = store.enqueue_claiming([
        NewOutboxItem("welcome", "telegram", _action("welcome"), 9),
        NewOutboxItem("old", "telegram", _action("decided again"), 0),
        NewOutboxItem("delete", "telegram", _action("delete"), 1),
        NewOutboxItem("tomorrow", "telegram", _action("later"), 0, at=now + timedelta(days=1)),
        NewOutboxItem("dry", "telegram", _action("dry"), 0, status="skipped"),
    ], now)  # fmt: skip

    assert [(i.key, i.status, i.claimed_at, i.attempts) for i in claimed] == [
        ("delete", OutboxStatus.SENDING, now, 0),
        ("welcome", OutboxStatus.SENDING, now, 0),
    ]  # most urgent first, as `claim` orders them
    assert claimed[0].action == _action("delete")
    stored = {i.key: i for i in store.outbox_items(limit=10)}
    assert stored["delete"] == claimed[0] and stored["welcome"] == claimed[1]
    assert stored["old"].status == OutboxStatus.PENDING and stored["old"].action == _action()
    assert stored["tomorrow"].status == OutboxStatus.PENDING
    assert stored["dry"].status == OutboxStatus.SKIPPED
    # Claimed: no other worker gets them; the rest is claimed as usual.
    assert [i.key for i in store.claim(10, now)] == ["old"]


def test_items_claimed_at_queueing_are_handed_out_again_if_the_worker_dies(
    store: Store, store_clock: FrozenClock
) -> None:
    now = store_clock.now()
    claimed = store.enqueue_claiming([NewOutboxItem("reply", "telegram", _action(), 0)], now)
    assert [i.key for i in claimed] == ["reply"]
    assert store.claim(10, now) == []  # another worker does not take what is being performed
    store_clock.advance(timedelta(minutes=6))  # the worker died; its claim went stale
    again = store.claim(10, store_clock.now())
    assert [(i.key, i.attempts) for i in again] == [("reply", 1)]


def test_two_workers_claiming_at_once_never_get_the_same_item(
    store: Store, store_clock: FrozenClock
) -> None:
    ids = _queue(store, *[n % 4 for n in range(60)])
    workers = 4
    start = threading.Barrier(workers)

    def work(_: int) -> list[int]:
        start.wait()
        mine: list[int] = []
        while batch := store.claim(3, store_clock.now()):
            mine.extend(item.id for item in batch)
        return mine

    with ThreadPoolExecutor(workers) as pool:
        claimed = [item for mine in pool.map(work, range(workers)) for item in mine]

    assert sorted(claimed) == sorted(ids)  # every item, each exactly once
    assert store.outbox_counts()["sending"] == 60


def test_a_crashed_workers_claims_are_taken_again_but_done_items_never(
    store: Store, database_url: str, store_clock: FrozenClock
) -> None:
    crashed, done = _queue(store, 0, 0)
    now = store_clock.now()
    assert [i.id for i in store.claim(10, now)] == [crashed, done]
    store.mark_done(done, "msg-77", now + timedelta(seconds=1))
    # The worker dies before it marks `crashed`; a new process starts on the same database.
    restarted = Store(create_engine_for(database_url), store_clock)
    try:
        assert restarted.pending_outbox_count() == 1
        assert restarted.claim(10, now + timedelta(minutes=4)) == []  # may still be sending
        again = restarted.claim(10, now + timedelta(minutes=6))
        assert [i.id for i in again] == [crashed]
        assert again[0].claimed_at == now + timedelta(minutes=6)
        assert again[0].attempts == 1  # the lost attempt counts

        finished = restarted.mark_done(crashed, None, now + timedelta(minutes=7))
        assert (finished.status, finished.done_at) == ("done", now + timedelta(minutes=7))
        assert restarted.claim(10, now + timedelta(days=30)) == []
        assert restarted.pending_outbox_count() == 0
    finally:
        restarted.engine.dispose()
    # Marking done twice keeps the first receipt.
    assert store.mark_done(done, "msg-78", now + timedelta(hours=1)).receipt == "msg-77"


def test_marking_a_batch_done_records_each_receipt_and_keeps_an_earlier_one(
    store: Store, store_clock: FrozenClock
) -> None:
    first, second, earlier = _queue(store, 0, 0, 0)
    now = store_clock.now()
    store.claim(10, now)
    store.mark_done(earlier, "msg-1", now)
    later = now + timedelta(seconds=5)

    store.mark_done_many([Done(first, "msg-2", later), Done(second, None, later),
                          Done(earlier, "msg-9", later), Done(999, "msg-0", later)])  # fmt: skip

    done = {item.id: item for item in store.outbox_items(status="done")}
    assert {i: (done[i].receipt, done[i].done_at) for i in done} == {
        first: ("msg-2", later), second: (None, later), earlier: ("msg-1", now)
    }  # fmt: skip
    assert store.claim(10, now + timedelta(days=1)) == []


def test_a_failed_action_is_retried_then_given_up(store: Store, store_clock: FrozenClock) -> None:
    (item_id,) = _queue(store, 1)
    now = store_clock.now()
    store.claim(1, now)

    retry = store.mark_failed(item_id, "429 Too Many Requests", now, now + timedelta(seconds=30))

    assert (retry.status, retry.attempts, retry.claimed_at) == ("pending", 1, None)
    assert retry.last_error == "429 Too Many Requests"
    assert store.claim(1, now + timedelta(seconds=29)) == []
    assert [i.id for i in store.claim(1, now + timedelta(seconds=30))] == [item_id]

    final = store.mark_failed(item_id, "403 bot was kicked", now + timedelta(minutes=1), None)

    assert (final.status, final.attempts, final.done_at) == (
        "failed",
        2,
        now + timedelta(minutes=1),
    )
    assert store.claim(10, now + timedelta(days=1)) == []
    assert store.outbox_items(status="failed") == [final]
    # A failure reported after the item reached an end changes nothing.
    assert store.mark_failed(item_id, "late", now, now) == final
    with pytest.raises(StoreError, match="no outbox item with id 999"):
        store.mark_failed(999, "?", now, None)
    with pytest.raises(StoreError, match="no outbox item with id 999"):
        store.mark_done(999, None, now)


def test_a_rate_limited_item_is_handed_back_without_counting_an_attempt(
    store: Store, store_clock: FrozenClock
) -> None:
    (item_id,) = _queue(store, 2)
    now = store_clock.now()
    store.claim(1, now)

    released = store.release(item_id, now + timedelta(seconds=3))

    assert (released.status, released.attempts, released.claimed_at) == ("pending", 0, None)
    assert store.claim(1, now + timedelta(seconds=2)) == []
    assert [i.id for i in store.claim(1, now + timedelta(seconds=3))] == [item_id]
    store.mark_done(item_id, None, now)
    assert store.release(item_id, now).status == "done"  # too late to hand back


def test_the_actions_a_chat_waits_behind_are_read_back_after_a_crash(
    store: Store, store_clock: FrozenClock
) -> None:
    """What a killed process knew of its chats' holds, the next reads from the store: the
    pending items a 429 answered (retried when it asked) and those with part of them performed
    (a post's file, a long text's first parts), in the order they are claimed; not one
    performed since, nor one with nothing performed, nor another carrier's when asked for
    one carrier's."""
    now = store_clock.now()
    flooded, _ = store.enqueue("reply:a", "telegram", _action(), 2)
    store.enqueue("post:b", "telegram", _action(), 3)  # held behind it: nothing of its own
    partly, _ = store.enqueue("post:c", "telegram", _action(), 3)
    done, _ = store.enqueue("post:d", "telegram", _action(), 3)
    store.enqueue("post:e", "telegram", _action(), 3)
    matrix, _ = store.enqueue("post:f", "matrix", _action(), 3)
    claimed = {i.key: i for i in store.claim(10, now)}
    later = now + timedelta(hours=1)
    store.mark_rate_limited(claimed["reply:a"], "429", now, later)
    assert store.record_progress("post:c", ["file:7"])
    store.mark_failed(claimed["post:c"], "500", now, retry_at=now + timedelta(seconds=2))
    assert store.record_progress("post:d", ["file:8"])
    store.mark_done(claimed["post:d"], "8", now)
    assert store.record_progress("post:e", [])  # QQ: its file did not go
    store.release(claimed["post:e"], now)
    store.mark_rate_limited(claimed["post:f"], "429", now, later)
    store.release(claimed["post:b"], later)

    waited = store.outbox_waited_behind({"telegram"})
    assert [(i.id, i.next_attempt_at) for i in waited] == [
        (flooded, later), (partly, now + timedelta(seconds=2))
    ]  # fmt: skip
    assert [i.id for i in store.outbox_waited_behind()] == [flooded, partly, matrix]
    assert done not in [i.id for i in store.outbox_waited_behind()]


def test_a_delayed_action_can_be_called_off_until_it_is_claimed(
    store: Store, store_clock: FrozenClock
) -> None:
    now = store_clock.now()
    reminder, _ = store.enqueue("intro:ann", "telegram", _action(), 3, at=now + timedelta(hours=1))
    store.enqueue("intro:bob", "telegram", _action(), 3, at=now)

    assert store.cancel_pending("intro:ann", now) is True
    assert store.cancel_pending("intro:ann", now) is False  # already called off
    assert [i.key for i in store.claim(10, now + timedelta(hours=2))] == ["intro:bob"]
    assert store.cancel_pending("intro:bob", now) is False  # being performed: too late
    assert store.cancel_pending("never-queued", now) is False
    item = store.outbox_item(reminder)
    assert item is not None and (item.status, item.done_at) == ("cancelled", now)


def test_outbox_items_are_listed_in_queue_order(store: Store, store_clock: FrozenClock) -> None:
    ids = _queue(store, 2, 0, 1)
    store.claim(1, store_clock.now())

    assert [i.id for i in store.outbox_items()] == ids
    assert [i.id for i in store.outbox_items(limit=2)] == ids[:2]
    assert [i.id for i in store.outbox_items(status=OutboxStatus.PENDING)] == [ids[0], ids[2]]
    assert store.pending_outbox_count() == 3  # two pending, one claimed and not yet done
    with pytest.raises(ValueError, match="unknown outbox status 'sent'"):
        store.outbox_items(status="sent")


# --- one transaction ----------------------------------------------------------------------


def _record_everything(tx: Store, place: Place, now: datetime) -> int:
    """What the engine writes for one advertisement: the event, the message, a strike, a
    mute, points taken, and the actions to perform."""
    group, ann = place.group, place.ann
    event_id, created = tx.record_event(group.id, "ad-1", "message", ann.id, now)
    assert created
    tx.record_message(group.id, "ad-1", ann.id, "text", "加V信 abc123", now)
    tx.add_strike(group.community_id, ann.id, "contact", "V信", now, None, event_id=event_id)
    tx.add_sanction("mute", ann.id, "contact", now, group_id=group.id, until=now + timedelta(1))
    tx.award_points(group.community_id, ann.id, -5, "advertising", now, event_id=event_id)
    tx.enqueue("ad-1:delete", "telegram", {"kind": "delete"}, 0, event_id=event_id)
    tx.enqueue("ad-1:mute", "telegram", {"kind": "mute"}, 0, event_id=event_id)
    return event_id


def test_everything_an_event_causes_rolls_back_together(
    store: Store, place: Place, store_clock: FrozenClock
) -> None:
    now = store_clock.now()
    with pytest.raises(RuntimeError, match="crash"), store.transaction() as tx:
        _record_everything(tx, place, now)
        assert tx.pending_outbox_count() == 2  # visible inside the transaction
        raise RuntimeError("crash before commit")

    community, ann = place.group.community_id, place.ann.id
    assert store.record_event(place.group.id, "ad-1", "message", ann, now)[1] is True
    assert store.messages(place.group.id) == []
    assert store.live_strikes(community, ann, now) == 0
    assert store.active_mutes() == []
    assert SqlPoints.on(store).points_of(community, ann) == 0
    assert store.outbox_counts()["pending"] == 0


def test_everything_an_event_causes_lands_together(
    store: Store, place: Place, store_clock: FrozenClock
) -> None:
    now = store_clock.now()
    with store.transaction() as tx:
        event_id = _record_everything(tx, place, now)
        claimed = tx.claim(10, now)
        tx.mark_done(claimed[0].id, "deleted", now)

    community, ann = place.group.community_id, place.ann.id
    assert store.record_event(place.group.id, "ad-1", "message", ann, now) == (event_id, False)
    assert len(store.messages(place.group.id)) == 1
    assert store.live_strikes(community, ann, now) == 1
    assert store.muted_until(place.group.id, ann, now) == now + timedelta(days=1)
    assert SqlPoints.on(store).points_of(community, ann) == -5
    assert store.outbox_counts() == {
        "pending": 0,
        "sending": 1,
        "done": 1,
        "failed": 0,
        "skipped": 0,
        "cancelled": 0,
    }


def test_what_a_carrier_performed_of_an_item_is_kept_until_it_is_done(
    store: Store, store_clock: FrozenClock
) -> None:
    """A long Telegram post's parts sent are kept with its outbox item (0040), so a retry in
    a new process sends only the rest; nothing is recorded for an item done, or unknown."""
    item_id, _ = store.enqueue("post:long", "telegram", _action(), 0)
    assert store.outbox_progress("post:long") == []
    assert store.record_progress("post:long", ["1001"])
    [claimed] = store.claim(10, store_clock.now(), carrier="telegram")
    assert store.record_progress("post:long", ["1001", "1002"])  # while it is being sent
    store.mark_failed(claimed, "500", store_clock.now(), retry_at=store_clock.now())
    assert store.outbox_progress("post:long") == ["1001", "1002"], "kept past a failure"
    store.mark_done(item_id, "1001", store_clock.now())
    assert not store.record_progress("post:long", ["1001", "1002", "1003"]), "done: kept as was"
    assert store.outbox_progress("post:long") == ["1001", "1002"]
    assert not store.record_progress("no-such-item", ["1"])
    assert store.outbox_progress("no-such-item") == []
