"""A poison event (one that makes the engine raise while deciding or applying it) among good
ones: the good ones are handled once, the poison is set aside (recorded, in the staff inbox,
logged) and the engine keeps serving; the store being unavailable is never taken for one."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pytest
from sqlalchemy.exc import OperationalError

from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext, Request
from hearthkeeper.engine.events import Event, Message
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.engine.registry import Stage
from hearthkeeper.store import Store
from hearthkeeper.store.scope import StoreBase
from tests.engine_setup import Community, community

WAIT_S = 60.0  # for one condition: a guard against a hang


class Flaky(Request, effect="test.flaky"):
    pass


class Late(Request, effect="test.late"):
    pass


def late(scope: StoreBase, request: Late, ctx: EffectContext) -> Sequence[Action]:
    raise OverflowError("Python int too large to convert to SQLite INTEGER")


@dataclass
class Echo:
    """Answers every message `echo: <text>`; `poison` raises while deciding, `late poison`
    while its effect runs (in the store transaction), `flaky` fails its first try only."""

    name: str = "echo"
    fail: list[Exception] = field(default_factory=list)  # what `flaky` raises, once each

    def check(self, event: Event, ctx: Context) -> bool:
        return isinstance(event, Message)

    def handle(self, event: Event, ctx: Context) -> Outcome:
        assert isinstance(event, Message)
        if event.text == "poison":
            raise ValueError("invalid literal for int() with base 10: '²'")
        echo = Action(kind=ActionKind.REPLY, carrier=event.carrier, group=event.group,
                      target=event.event_id, text=f"echo: {event.text}", handler=self.name)  # fmt: skip
        if event.text in ("late poison", "flaky"):
            run = Late() if event.text == "late poison" else Flaky()
            return Outcome((echo, run.action(carrier=event.carrier, group=event.group)))
        return Outcome((echo,))


def _echoing(store: Store, clock: FrozenClock) -> tuple[Community, Echo]:
    c = community(store, clock)
    echo = Echo()

    def flaky(scope: StoreBase, request: Flaky, ctx: EffectContext) -> Sequence[Action]:
        if echo.fail:
            raise echo.fail.pop(0)
        return []

    c.runtime.registry.add(echo, Stage.MECHANISMS)
    c.runtime.registry.add_effect(Flaky, flaky)
    c.runtime.registry.add_effect(Late, late)
    return c, echo


def _echoes(store: Store) -> list[str]:
    return [str(i.action["text"]) for i in store.outbox_items(limit=1000)]


def test_a_poison_among_good_events_is_set_aside_and_the_others_are_handled_once(
    store: Store, store_clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    c, _ = _echoing(store, store_clock)
    batch = [c.events.message(f"u{i}", text)
             for i, text in enumerate(["a", "b", "poison", "c", "late poison", "d", "e"])]  # fmt: skip
    results = c.engine.process(batch)
    assert [r.ignored is not None and r.ignored.startswith("set aside") for r in results] == [
        False, False, True, False, True, False, False,
    ]  # fmt: skip
    assert sorted(_echoes(store)) == ["echo: a", "echo: b", "echo: c", "echo: d", "echo: e"]
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    stored = [m.text for m in store.messages(group.id)]
    assert sorted(stored) == ["a", "b", "c", "d", "e"], "each good message stored once"
    alerts = store.staff_alerts(c.runtime.community_id)
    assert sorted(a.text for a in alerts) == ["late poison", "poison"]
    assert all("could not handle this message from u" in a.reason for a in alerts)
    assert "ValueError: invalid literal for int()" in caplog.text
    # Delivered again (the carrier did not hear back, say): nothing is done twice.
    again = c.restart().process(batch)
    assert all(r.duplicate for r in again)
    assert len(_echoes(store)) == 5 and len(store.staff_alerts(c.runtime.community_id)) == 2


def test_a_batch_failing_for_the_store_is_not_set_aside(
    store: Store, store_clock: FrozenClock
) -> None:
    """The database gone or locked says nothing about the events: the batch fails whole (its
    carriers deliver it again); no event is taken for a poison and dropped."""
    c, echo = _echoing(store, store_clock)
    echo.fail = [OperationalError("UPDATE", {}, Exception("database is locked"))] * 9
    batch = [c.events.message("u1", "a"), c.events.message("u2", "flaky")]
    with pytest.raises(OperationalError):
        c.engine.process(batch)
    assert _echoes(store) == [] and store.staff_alerts(c.runtime.community_id) == []
    echo.fail = []
    assert [r.ignored for r in c.engine.process(batch)] == [None, None]
    assert sorted(_echoes(store)) == ["echo: a", "echo: flaky"]


def test_an_event_failing_once_only_is_handled_not_set_aside(
    store: Store, store_clock: FrozenClock
) -> None:
    """A conflict with another writer fails the batch once; tried again, the event is fine."""
    c, echo = _echoing(store, store_clock)
    echo.fail = [ValueError("a conflict of the moment")] * 2  # the batch, then the event alone
    results = c.engine.process([c.events.message("u1", "a"), c.events.message("u2", "flaky")])
    assert [r.ignored for r in results] == [None, None]
    assert sorted(_echoes(store)) == ["echo: a", "echo: flaky"]
    assert store.staff_alerts(c.runtime.community_id) == []


async def _serving_until(running: asyncio.Task[None], done: Callable[[], bool]) -> None:
    """Wait until `done()` holds, failing at once should the engine stop. The bound is a guard
    against a hang, not a measure of speed: it was 5 s, which a loaded CI host can take to
    decide a failing batch again event by event."""
    deadline = asyncio.get_running_loop().time() + WAIT_S
    while not done():
        assert not running.done(), "the engine stopped"
        assert asyncio.get_running_loop().time() < deadline, f"waited {WAIT_S:.0f} s"
        await asyncio.sleep(0.01)


def test_the_serving_engine_goes_on_past_a_poison_message(
    store: Store, store_clock: FrozenClock
) -> None:
    """Before, the poison's exception ended `Engine.run` (and `hearth serve` with it); a
    carrier that delivers unacknowledged events again brought it back at every start."""
    c, _ = _echoing(store, store_clock)

    async def scenario() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(c.engine.run(stop, idle=3600.0))
        try:
            c.carrier.inject(c.events.message("u1", "poison"))
            c.carrier.inject(c.events.message("u2", "after"))
            await _serving_until(
                running, lambda: "echo: after" in [p.action.text for p in c.carrier.performed]
            )
            assert [p.action.text for p in c.carrier.performed] == ["echo: after"]
            c.carrier.inject(c.events.message("u3", "later"))
            await _serving_until(running, lambda: len(c.carrier.performed) == 2)
            assert [p.action.text for p in c.carrier.performed] == ["echo: after", "echo: later"]
        finally:
            stop.set()
            await asyncio.wait_for(running, 60)

    asyncio.run(scenario())
