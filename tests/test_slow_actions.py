"""Slow actions performed aside (`engine/aside.py`): while a group's file upload is out, the
group's later actions wait in the outbox without being claimed and handed back at every pass
of the queue; once it is done they are performed in order, each once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest

from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.outbound import OutboundQueue
from hearthkeeper.store import OutboxItem, Store
from hearthkeeper.testing import FakeCarrier
from tests.engine_setup import community

pytestmark = pytest.mark.asyncio

PASS = timedelta(seconds=0.2)  # how often the engine runs the queue when idle
UPLOAD = timedelta(seconds=120)  # as long as QQ may take to answer an upload


class Uploads(FakeCarrier):
    """A carrier whose posts with a file take as long as the test says (`done`)."""

    slow_at_once = 2

    def __init__(self) -> None:
        super().__init__("slow")
        self.gates: dict[str, asyncio.Event] = {}
        self.started: list[str] = []

    def slow(self, action: Action) -> bool:
        return "file" in action.extra

    def done(self, key: str) -> None:
        self.gates.setdefault(key, asyncio.Event()).set()

    async def perform(self, action: Action, key: str) -> str | None:
        if self.slow(action):
            self.started.append(key)
            await self.gates.setdefault(key, asyncio.Event()).wait()
        return await super().perform(action, key)


class Writes:
    """Counts the queue's hand-backs and the items its claims take, per outbox key."""

    def __init__(self, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
        self.released = Counter[str]()
        self.claimed = Counter[str]()
        claim, release = store.claim, store.release

        def counted_claim(*args: Any, **kwargs: Any) -> list[OutboxItem]:
            items = claim(*args, **kwargs)
            self.claimed.update(item.key for item in items)
            return items

        def counted_release(item: int | OutboxItem, at: datetime) -> OutboxItem:
            released = release(item, at)
            self.released[released.key] += 1
            return released

        monkeypatch.setattr(store, "claim", counted_claim)
        monkeypatch.setattr(store, "release", counted_release)


def post(store: Store, key: str, group: str, text: str, *, file: bool = False) -> None:
    extra = {"file": f"/srv/files/{key}.pdf"} if file else {}
    action = Action(kind=ActionKind.SEND, carrier="slow", group=group, text=text,
                    handler="calendar", key=key, extra=extra)  # fmt: skip
    store.enqueue(key, "slow", action.to_json(), action.priority)


async def idle(queue: OutboundQueue, clock: FrozenClock, span: timedelta) -> None:
    """The engine's idle passes over `span` of (frozen) time."""
    for _ in range(int(span / PASS)):
        clock.advance(PASS)
        await queue.run_once()


def done_only(store: Store) -> int:
    """How many outbox items are done; fails if any is not."""
    counts = {status: n for status, n in store.outbox_counts().items() if n}
    assert set(counts) == {"done"}, counts
    return counts["done"]


def texts(carrier: FakeCarrier, group: str) -> list[str | None]:
    return [p.action.text for p in carrier.performed if p.action.group == group]


async def test_a_long_upload_holds_its_group_back_without_claiming_it_again_and_again(
    store: Store, store_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Group A's course file takes two minutes to upload. Before, A's next two posts were
    claimed and handed back at every pass of the queue (five a second: about 600 writes
    each over the upload, round trips on PostgreSQL). Now each is handed back once; a reply
    decided meanwhile waits with them; all follow the file in order once it is done."""
    carrier = Uploads()
    queue = OutboundQueue(store, {"slow": carrier}, store_clock)
    writes = Writes(store, monkeypatch)
    post(store, "course:file", "A", "课件在群文件里", file=True)
    post(store, "course:live", "A", "今晚八点直播答疑")
    post(store, "course:quiz", "A", "明天小测")
    post(store, "lounge:hi", "B", "大家好")
    await queue.run_once()
    assert carrier.started == ["course:file"]
    assert texts(carrier, "B") == ["大家好"]  # other groups do not wait

    await idle(queue, store_clock, UPLOAD / 2)
    post(store, "course:reply", "A", "收到")  # decided while the upload is out
    await idle(queue, store_clock, UPLOAD / 2)
    assert texts(carrier, "A") == []
    assert writes.released == {"course:live": 1, "course:quiz": 1, "course:reply": 1}
    assert set(writes.claimed.values()) == {1}, writes.claimed
    assert store.outbox_counts().get("sending", 0) == 1  # the upload only

    carrier.done("course:file")
    await queue.aside.settle()
    await queue.run_once()
    assert texts(carrier, "A") == ["课件在群文件里", "今晚八点直播答疑", "明天小测", "收到"]
    assert done_only(store) == 5


async def test_an_action_claimed_with_its_event_after_the_upload_waits_for_those_held_back(
    store: Store, store_clock: FrozenClock
) -> None:
    """The upload is done, the queue has not passed yet, and a reply in the group is claimed
    in the transaction that decided it: it goes after the posts held back, not before."""
    carrier = Uploads()
    queue = OutboundQueue(store, {"slow": carrier}, store_clock)
    post(store, "course:file", "A", "课件", file=True)
    post(store, "course:live", "A", "直播答疑")
    await queue.run_once()
    carrier.done("course:file")
    await queue.aside.settle()

    post(store, "course:reply", "A", "收到")
    claimed = store.claim(10, store_clock.now())
    assert [i.key for i in claimed] == ["course:reply"]
    await queue.perform(claimed)
    store_clock.advance(PASS)
    await queue.run_once()
    assert texts(carrier, "A") == ["课件", "直播答疑", "收到"]
    assert done_only(store) == 3


async def test_an_upload_waiting_for_room_is_not_claimed_again_and_again(
    store: Store, store_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three groups' files fall due together; two go at once. The third, and the post after
    it, are handed back once each while the two upload, and go once one of them is done."""
    carrier = Uploads()
    queue = OutboundQueue(store, {"slow": carrier}, store_clock)
    writes = Writes(store, monkeypatch)
    for group in "ABC":
        post(store, f"{group}:file", group, f"{group} 的课件", file=True)
    post(store, "C:after", "C", "C 的直播")
    await queue.run_once()
    await idle(queue, store_clock, UPLOAD)
    assert carrier.started == ["A:file", "B:file"]
    assert writes.released == {"C:file": 1, "C:after": 1}

    carrier.done("A:file")
    await queue.aside.settle(("slow", "A"))  # B's is still out
    await queue.run_once()
    assert carrier.started == ["A:file", "B:file", "C:file"]
    await idle(queue, store_clock, UPLOAD)
    assert writes.released == {"C:file": 1, "C:after": 2}  # once more: behind its own file

    carrier.done("B:file")
    carrier.done("C:file")
    await queue.aside.settle()
    await queue.run_once()
    assert texts(carrier, "C") == ["C 的课件", "C 的直播"]
    assert done_only(store) == 4
    # taken once more each time it was woken: not once a pass
    assert writes.claimed == {"A:file": 1, "B:file": 1, "C:file": 2, "C:after": 3}


async def test_a_stopping_engine_leaves_what_waited_for_the_upload_due_for_the_next_start(
    store: Store, store_clock: FrozenClock
) -> None:
    """The server is stopped while a file uploads: it waits for the upload to end, and the
    posts held back behind it are due at once for the next start, not 5 minutes later."""
    c = community(store, store_clock)
    carrier = Uploads()
    carrier.name = "fake"
    c.engine.carriers["fake"] = carrier
    c.engine.queue.attach(carrier)
    for key, text, file in (("course:file", "课件", True), ("course:live", "直播答疑", False)):
        extra = {"file": "/srv/files/course.pdf"} if file else {}
        action = Action(kind=ActionKind.SEND, carrier="fake", group="A", text=text,
                        handler="calendar", key=key, extra=extra)  # fmt: skip
        store.enqueue(key, "fake", action.to_json(), action.priority)
    stop = asyncio.Event()
    running = asyncio.create_task(c.engine.run(stop, idle=0.01))
    for _ in range(2000):  # until the upload is out and the next post held back behind it
        if c.engine.queue.aside.parked:
            break
        await asyncio.sleep(0.005)
    assert carrier.started == ["course:file"] and c.engine.queue.aside.parked == 1
    stop.set()
    carrier.done("course:file")
    await running
    [live] = [i for i in store.outbox_items() if i.key == "course:live"]
    # sent by a last pass before the loop saw the stop, or due at once for the next start
    assert live.status.value == "done" or (
        live.status.value == "pending" and live.next_attempt_at <= store_clock.now()
    ), live
