"""A chat's messages, as its members read them, when the platform's rate limits answer: a
429 for one chat holds that chat's other messages back until the wait is over (not each sent
into the flood, which only lengthens it), other chats unaffected; a long text's parts each count
against the chat's messages a minute; the rest of a long text that failed part-way goes before
the messages queued behind it. Each message once, in order."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.aside import HELD_FOR
from hearthkeeper.engine.carrier import CarrierError, RateLimit
from hearthkeeper.engine.outbound import OutboundQueue
from hearthkeeper.store import Store
from tests.chat_platform import NAME, Chats

pytestmark = pytest.mark.asyncio

# Three lines of more than a message (20 characters) together: three messages.
LONG = "本周护肤课第一段：早晚洗脸\n第二段：白天一定要涂防晒\n第三段：晚上早点睡觉"
LINES = LONG.split("\n")


def queue_text(store: Store, key: str, chat: str, text: str,
               kind: ActionKind = ActionKind.SEND) -> None:  # fmt: skip
    action = Action(kind=kind, carrier=NAME, group=chat, text=text, handler="test", key=key)
    store.enqueue(key, NAME, action.to_json(), action.priority)


async def drain(queue: OutboundQueue) -> None:
    """The engine's passes at this moment of the (frozen) clock, slow actions let finish."""
    for _ in range(10):
        await queue.run_once()
        await queue.aside.settle()


def all_done_once(store: Store, chats: Chats) -> None:
    counts = {status: n for status, n in store.outbox_counts().items() if n}
    assert set(counts) == {"done"}, counts
    keys = [p.key for p in chats.performed]
    assert len(keys) == len(set(keys)) == counts["done"], keys


async def test_a_flood_in_one_chat_holds_its_other_messages_until_the_wait_is_over(
    store: Store, store_clock: FrozenClock
) -> None:
    """Chat A is flooded: its first message is answered "retry after 30 s". Its next two were
    sent at once anyway, each answered with a 429 of its own, and each made the flood longer:
    at the 30 s asked, A still read nothing. They now wait behind the first; B is not held."""
    chats = Chats(store, store_clock)
    queue = OutboundQueue(store, {NAME: chats}, store_clock)
    chats.flood("A", 20, lengthened_by=10)
    queue_text(store, "a1", "A", "早安")
    queue_text(store, "a2", "A", "今天打卡")
    queue_text(store, "b1", "B", "大家好")
    queue_text(store, "a3", "A", "晚安")
    await drain(queue)
    assert dict(chats.seen) == {"B": ["大家好"]}
    assert chats.refused == [("A", "早安")]  # asked to wait 30 s

    store_clock.advance(timedelta(seconds=29))
    await drain(queue)
    assert chats.seen["A"] == [] and len(chats.refused) == 1

    store_clock.advance(timedelta(seconds=1))
    await drain(queue)
    assert chats.seen["A"] == ["早安", "今天打卡", "晚安"]
    assert len(chats.refused) == 1
    all_done_once(store, chats)
    assert {i.attempts for i in store.outbox_items()} == {0}


async def test_a_reply_decided_during_the_wait_goes_after_the_flooded_message(
    store: Store, store_clock: FrozenClock
) -> None:
    """A reply, decided while A's post waits out its 429, goes after the post (replies go
    before posts when both are due: here the post was first in line)."""
    chats = Chats(store, store_clock)
    queue = OutboundQueue(store, {NAME: chats}, store_clock)
    chats.flood("A", 30)
    queue_text(store, "post", "A", "今晚八点直播")
    await drain(queue)
    queue_text(store, "reply", "A", "收到", ActionKind.REPLY)
    await drain(queue)
    store_clock.advance(timedelta(seconds=30))
    await drain(queue)
    assert chats.seen["A"] == ["今晚八点直播", "收到"]
    assert chats.refused == [("A", "今晚八点直播")]
    all_done_once(store, chats)


async def test_each_part_of_a_long_text_counts_against_the_chats_messages_a_minute(
    store: Store, store_clock: FrozenClock
) -> None:
    """Five messages a minute in a chat (the platform's limit, and the carrier's quota): a
    long text of three parts counted as one, so four more went in the same minute, and the
    platform refused the last two. Each part now counts: two go, the other two a minute on."""
    five = RateLimit(count=5, seconds=60)
    chats = Chats(store, store_clock, per_group=five, per_minute=5)
    queue = OutboundQueue(store, {NAME: chats}, store_clock)
    queue_text(store, "lesson", "A", LONG)
    for n in range(4):
        queue_text(store, f"notice{n}", "A", f"通知{n}")
    await drain(queue)
    assert chats.seen["A"] == [*LINES, "通知0", "通知1"]
    assert chats.refused == []

    store_clock.advance(timedelta(seconds=60))
    await drain(queue)
    assert chats.seen["A"] == [*LINES, "通知0", "通知1", "通知2", "通知3"]
    assert chats.refused == []
    all_done_once(store, chats)


async def test_the_rest_of_a_long_text_goes_before_the_messages_behind_it(
    store: Store, store_clock: FrozenClock
) -> None:
    """A long text's second part failed (the connection dropped): the text is retried 2 s
    later. Meanwhile the messages queued behind it went, and a reply decided meanwhile:
    members read its first part, then the others, then the rest of it. They now wait for its
    last part (then go as any due together: the reply first); chat B does not wait."""
    chats = Chats(store, store_clock)
    queue = OutboundQueue(store, {NAME: chats}, store_clock)
    chats.fail_once(LINES[1], CarrierError("connection reset", retry=True))
    queue_text(store, "lesson", "A", LONG)
    queue_text(store, "quiz", "A", "明天小测")
    queue_text(store, "hello", "B", "大家好")
    await drain(queue)
    queue_text(store, "reply", "A", "收到", ActionKind.REPLY)  # decided meanwhile
    await drain(queue)
    assert chats.seen["A"] == LINES[:1] and chats.seen["B"] == ["大家好"]

    store_clock.advance(timedelta(seconds=2))
    await drain(queue)
    assert chats.seen["A"] == [*LINES, "收到", "明天小测"]
    all_done_once(store, chats)


async def test_the_rest_of_a_long_text_sent_in_the_batch_goes_before_what_follows_it(
    store: Store, store_clock: FrozenClock
) -> None:
    """On a carrier that sends a long text in the queue's batch, not aside (Matrix), the
    message behind it in the batch went straight after its failed part: members read its
    first part, the next message, then the rest. It now waits for the rest."""
    chats = Chats(store, store_clock, aside=False)
    queue = OutboundQueue(store, {NAME: chats}, store_clock)
    chats.fail_once(LINES[1], CarrierError("connection reset", retry=True))
    queue_text(store, "lesson", "A", LONG)
    queue_text(store, "quiz", "A", "明天小测")
    await drain(queue)
    assert chats.seen["A"] == LINES[:1]
    store_clock.advance(timedelta(seconds=2))
    await drain(queue)
    assert chats.seen["A"] == [*LINES, "明天小测"]
    all_done_once(store, chats)


async def test_the_rest_of_a_long_text_flooded_part_way_goes_before_what_is_behind_it(
    store: Store, store_clock: FrozenClock
) -> None:
    """The same when the platform's flood control answers its second part (retry after
    30 s): a reply decided meanwhile waits for the rest, not only for the 30 s."""
    chats = Chats(store, store_clock)
    queue = OutboundQueue(store, {NAME: chats}, store_clock)
    flood = CarrierError("flood control, retry after 30s", after=30, limited=True)
    chats.fail_once(LINES[1], flood)
    queue_text(store, "lesson", "A", LONG)
    await drain(queue)
    queue_text(store, "reply", "A", "收到", ActionKind.REPLY)  # decided meanwhile
    await drain(queue)
    assert chats.seen["A"] == LINES[:1]
    store_clock.advance(timedelta(seconds=29))
    await drain(queue)
    assert chats.seen["A"] == LINES[:1]
    store_clock.advance(timedelta(seconds=1))
    await drain(queue)
    assert chats.seen["A"] == [*LINES, "收到"]
    all_done_once(store, chats)
    [lesson] = [i for i in store.outbox_items() if i.key == "lesson"]
    assert (lesson.attempts, lesson.rate_waits) == (0, 1)


async def test_what_waited_behind_a_message_called_off_meanwhile_still_goes(
    store: Store, store_clock: FrozenClock
) -> None:
    """The flooded message is called off while it waits (a reminder no longer needed): the
    one behind it is not held for ever, it goes at most `HELD_FOR` after the time asked."""
    chats = Chats(store, store_clock)
    queue = OutboundQueue(store, {NAME: chats}, store_clock)
    chats.flood("A", 30)
    queue_text(store, "reminder", "A", "报名快截止了")
    queue_text(store, "notice", "A", "今晚八点直播")
    await drain(queue)
    assert store.cancel_pending("reminder", store_clock.now())
    store_clock.advance(timedelta(seconds=30))
    await drain(queue)
    assert chats.seen["A"] == []  # still behind it: the queue does not know yet
    store_clock.advance(HELD_FOR)
    await drain(queue)
    assert chats.seen["A"] == ["今晚八点直播"]
    store_clock.advance(HELD_FOR)
    await drain(queue)
    assert chats.seen["A"] == ["今晚八点直播"] and chats.refused == [("A", "报名快截止了")]


async def test_a_stopping_engine_leaves_what_waited_behind_a_flood_due_with_it(
    store: Store, store_clock: FrozenClock
) -> None:
    """The server stops while A's first message waits out its 429: the one behind it is due
    when the first is (the next start sends both, in order), not `HELD_FOR` later."""
    chats = Chats(store, store_clock)
    queue = OutboundQueue(store, {NAME: chats}, store_clock)
    chats.flood("A", 30)
    queue_text(store, "a1", "A", "早安")
    queue_text(store, "a2", "A", "晚安")
    await drain(queue)
    await queue.wake()  # the engine stops (what it does last)

    restarted = OutboundQueue(store, {NAME: chats}, store_clock)
    store_clock.advance(timedelta(seconds=30))
    await drain(restarted)
    assert chats.seen["A"] == ["早安", "晚安"]
    all_done_once(store, chats)


async def test_a_chat_flooded_for_an_hour_keeps_its_order_across_a_restart(
    store: Store, store_clock: FrozenClock
) -> None:
    """Chat A is asked to wait an hour. The engine stops and starts again meanwhile: the
    messages held behind A's first fell due at the next start (held back five minutes at a
    time, sooner than the hour), so the new engine sent the second into the same flood (a
    second 429, the flood longer) and, once it ended, members read it before the first. They
    now go after it, once each; chat B is not held."""
    chats = Chats(store, store_clock)
    queue = OutboundQueue(store, {NAME: chats}, store_clock)
    chats.flood("A", 3600)
    for n in range(3):
        queue_text(store, f"a{n}", "A", f"通知{n}")
        queue_text(store, f"b{n}", "B", f"公告{n}")
    await drain(queue)
    store_clock.advance(HELD_FOR * 2)
    await drain(queue)
    assert chats.seen["B"] == ["公告0", "公告1", "公告2"] and chats.seen["A"] == []
    await queue.wake()  # the engine stops; another starts
    queue = OutboundQueue(store, {NAME: chats}, store_clock)
    queue.recover()
    for _ in range(60):  # the rest of the hour and some, a pass a minute
        store_clock.advance(timedelta(minutes=1))
        await drain(queue)
    assert chats.seen["A"] == ["通知0", "通知1", "通知2"]
    assert chats.refused == [("A", "通知0")]
    all_done_once(store, chats)


async def test_a_chat_flooded_for_an_hour_keeps_its_order_across_a_crash(
    store: Store, store_clock: FrozenClock
) -> None:
    """The same when the server is killed (kill -9) during the hour: nothing is handed over.
    The messages held behind A's first were due five minutes on, and a reply decided meanwhile
    too: the next server sent them into the same flood (each a 429 of its own) and members
    read the reply before the post it followed. Each held message is now due when the first
    is (the store says so, on SQLite and PostgreSQL alike), and the next server holds the
    chat behind the first again: they go after it, in order, once each."""
    chats = Chats(store, store_clock)
    queue = OutboundQueue(store, {NAME: chats}, store_clock)
    chats.flood("A", 3600)
    for n in range(3):
        queue_text(store, f"a{n}", "A", f"通知{n}")
    queue_text(store, "b0", "B", "公告0")
    await drain(queue)
    store_clock.advance(HELD_FOR * 2)
    queue_text(store, "reply", "A", "收到", ActionKind.REPLY)  # decided during the wait
    await drain(queue)
    due = {i.key: i.next_attempt_at for i in store.outbox_items() if i.status.value == "pending"}
    assert set(due) == {"a0", "a1", "a2", "reply"}
    assert due["a1"] == due["a2"] == due["reply"] == due["a0"]  # with the 429's, not before
    assert chats.seen["B"] == ["公告0"] and chats.seen["A"] == []

    chats.restart()  # killed: the process forgets every hold; another starts
    queue = OutboundQueue(store, {NAME: chats}, store_clock)
    queue.recover()
    for _ in range(60):  # the rest of the hour and some, a pass a minute
        store_clock.advance(timedelta(minutes=1))
        await drain(queue)
    assert chats.seen["A"] == ["通知0", "收到", "通知1", "通知2"]
    assert chats.refused == [("A", "通知0")]
    all_done_once(store, chats)


async def test_the_rest_of_a_long_text_goes_before_a_reply_decided_after_a_crash(
    store: Store, store_clock: FrozenClock
) -> None:
    """A long text's second part failed (the connection dropped); the server is killed before
    the retry. A reply decided by the next server, due at once, went before the rest of the
    text: members read its first part, the reply, then the rest. The next server reads back
    from the store that the text went part-way and holds the chat behind it."""
    chats = Chats(store, store_clock)
    queue = OutboundQueue(store, {NAME: chats}, store_clock)
    chats.fail_once(LINES[1], CarrierError("connection reset", retry=True))
    queue_text(store, "lesson", "A", LONG)
    await drain(queue)
    assert chats.seen["A"] == LINES[:1]

    chats.restart()  # killed before the retry
    queue = OutboundQueue(store, {NAME: chats}, store_clock)
    queue.recover()
    queue_text(store, "reply", "A", "收到", ActionKind.REPLY)
    await drain(queue)
    assert chats.seen["A"] == LINES[:1]
    store_clock.advance(timedelta(seconds=2))
    await drain(queue)
    assert chats.seen["A"] == [*LINES, "收到"]
    all_done_once(store, chats)
