"""The engine serving: answers performed straight after their batch, carriers told what
was recorded, a stop heard at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta

import pytest

from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.events import Event
from hearthkeeper.store import OutboxStatus, Store
from hearthkeeper.testing import FakeCarrier
from tests.engine_setup import Community, community

AD = "加我微信 abc12345 低价出货"
AN_HOUR = 3600.0  # the timers' interval in these tests: they run once, at the start


class RecordingCarrier(FakeCarrier):
    """A fake carrier that asks to be told what the engine recorded, and checks it was."""

    def __init__(self, store: Store) -> None:
        super().__init__("fake")
        self.store = store
        self.handled_ids: list[str] = []
        self.unrecorded: list[str] = []

    def handled(self, events: Sequence[Event]) -> None:
        for event in events:
            self.handled_ids.append(event.event_id)
            found = self.store.group_ids([(self.name, event.group)])
            group_id = found.get((self.name, event.group))
            stored = self.store.messages(group_id) if group_id is not None else []
            if event.event_id not in {m.carrier_event_id for m in stored}:
                self.unrecorded.append(event.event_id)


class StumblingCarrier(FakeCarrier):
    """A fake carrier whose event stream fails once, after its first event (as a carrier's
    reading does when its platform sends what it cannot handle)."""

    def __init__(self) -> None:
        super().__init__("fake")
        self.streams = 0

    async def events(self) -> AsyncIterator[Event]:
        self.streams += 1
        if self.streams == 1:
            event = await self._inbox.get()
            assert event is not None
            yield event
            raise RuntimeError("a frame the carrier could not read")
        async for event in super().events():
            yield event


async def until(condition: object, what: str, seconds: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"waited {seconds:.0f} s for {what}")
        await asyncio.sleep(0.01)


async def serve(c: Community, *steps: object) -> None:
    stop = asyncio.Event()
    running = asyncio.create_task(c.engine.run(stop, idle=AN_HOUR))
    try:
        for step in steps:
            await step  # type: ignore[misc]
    finally:
        stop.set()
        await asyncio.wait_for(running, 60)


def test_an_answer_is_performed_at_once_not_at_the_next_timer_pass(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)

    async def scenario() -> None:
        await until(lambda: c.carrier.connected, "the carrier to connect")
        await asyncio.sleep(0.05)  # past the first timer pass: the next is an hour away
        c.carrier.inject(c.events.message("spammer", AD))
        await until(lambda: ActionKind.WARN in c.carrier.kinds(), "the warning")

    asyncio.run(serve(c, scenario()))
    assert c.carrier.kinds().count(ActionKind.DELETE) == 1
    statuses = {item.status for item in store.outbox_items(limit=10)}
    assert statuses == {OutboxStatus.DONE}, "performed once and marked done, nothing left"


def test_a_carrier_is_told_of_events_only_once_they_are_recorded(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    carrier = RecordingCarrier(store)
    c.carrier = carrier
    c.engine.carriers = {carrier.name: carrier}
    c.engine.queue.attach(carrier)

    async def scenario() -> None:
        await until(lambda: carrier.connected, "the carrier to connect")
        first, second = c.events.message("ann", "早上好"), c.events.message("bob", "hello")
        carrier.inject(first)
        carrier.inject(second)
        carrier.inject(first)  # delivered again: a duplicate is handled too
        await until(lambda: len(carrier.handled_ids) == 3, "three events handled")

    asyncio.run(serve(c, scenario()))
    assert carrier.unrecorded == []
    group = c.events.message("x", "").group
    group_id = store.group_ids([("fake", group)])[("fake", group)]
    assert len(store.messages(group_id)) == 2


def test_stopping_does_not_wait_for_the_next_timer_pass(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)

    async def scenario() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(c.engine.run(stop, idle=AN_HOUR))
        await until(lambda: c.carrier.connected, "the carrier to connect")
        await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(running, 60)  # not the hour until the next timer pass
        assert not c.carrier.connected

    asyncio.run(scenario())


def test_what_falls_due_later_is_performed_by_the_timer_pass(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.message("spammer", AD)])  # recorded before the engine ran
    store_clock.advance(timedelta(seconds=1))

    async def scenario() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(c.engine.run(stop, idle=0.05))
        await until(lambda: ActionKind.WARN in c.carrier.kinds(), "the queued warning")
        stop.set()
        await asyncio.wait_for(running, 60)

    asyncio.run(scenario())
    assert c.carrier.kinds().count(ActionKind.DELETE) == 1


def test_a_carrier_whose_events_fail_is_read_again_and_its_groups_still_served(
    store: Store, store_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """Before, the engine's reading of a carrier ended with the first exception of its
    stream, silently: the service ran on and that carrier's groups were never read again."""
    monkeypatch.setattr("hearthkeeper.engine.engine.PUMP_PAUSE", 0.01)
    c = community(store, store_clock)
    carrier = StumblingCarrier()
    c.carrier = carrier
    c.engine.carriers = {carrier.name: carrier}
    c.engine.queue.attach(carrier)

    async def scenario() -> None:
        await until(lambda: carrier.connected, "the carrier to connect")
        carrier.inject(c.events.message("ann", "早上好"))  # then the stream fails
        await until(lambda: carrier.streams == 2, "the stream read again")
        carrier.inject(c.events.message("spammer", AD))
        await until(lambda: ActionKind.WARN in carrier.kinds(), "the spam answered")

    asyncio.run(serve(c, scenario()))
    assert "the fake carrier's events failed; reading them again" in caplog.text
    group = c.events.message("x", "").group
    group_id = store.group_ids([("fake", group)])[("fake", group)]
    assert [m.text for m in store.messages(group_id)][:1] == ["早上好"]
