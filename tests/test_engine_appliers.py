"""One applier per action kind, shared by events and scheduled work (which is refused what
only an event's actions may do); handlers that keep state in memory forget it when a batch
rolls back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.appliers import APPLIERS, SCHEDULED_APPLIERS
from hearthkeeper.engine.effects import EffectContext, Request
from hearthkeeper.engine.events import Event, Message
from hearthkeeper.engine.handler import Context, Outcome, Stateful
from hearthkeeper.engine.registry import Registry, Stage
from hearthkeeper.store import Store
from hearthkeeper.store.scope import StoreBase
from tests.engine_setup import community


@dataclass
class Greeter:
    """Greets each group once per process: the groups greeted are kept in memory."""

    name: str = "greeter"
    greeted: set[int] = field(default_factory=set)
    forgotten: int = 0

    def check(self, event: Event, ctx: Context) -> bool:
        return isinstance(event, Message)

    def handle(self, event: Event, ctx: Context) -> Outcome:
        actions: list[Action] = []
        if ctx.group.id not in self.greeted:
            self.greeted.add(ctx.group.id)
            actions.append(Action(kind=ActionKind.SEND, carrier=event.carrier, group=event.group,
                                  text="hello, group", handler=self.name))  # fmt: skip
        if isinstance(event, Message) and event.text == "boom":
            actions.append(Boom().action(carrier=event.carrier, group=event.group))
        return Outcome(tuple(actions))

    def forget(self) -> None:
        self.greeted.clear()
        self.forgotten += 1


@dataclass
class Plain:
    name: str = "plain"

    def check(self, event: Event, ctx: Context) -> bool:
        return False

    def handle(self, event: Event, ctx: Context) -> Outcome:
        return Outcome()


class Boom(Request, effect="test.boom"):
    pass


def boom(store: StoreBase, request: Boom, ctx: EffectContext) -> Sequence[Action]:
    raise RuntimeError("boom")


def test_the_registry_tells_only_stateful_handlers_to_forget() -> None:
    registry = Registry()
    greeter, plain = Greeter(), Plain()
    registry.add(plain, Stage.MECHANISMS)
    registry.add(greeter, Stage.CEREMONY)
    assert isinstance(greeter, Stateful) and not isinstance(plain, Stateful)
    greeter.greeted.add(7)
    registry.forget()
    assert greeter.greeted == set() and greeter.forgotten == 1


def test_a_rolled_back_batch_makes_stateful_handlers_forget(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    greeter = Greeter()
    c.runtime.registry.add(greeter, Stage.MECHANISMS)
    c.runtime.registry.add_effect(Boom, boom)
    [failed] = c.engine.process([c.events.message("u1", "boom")])
    assert failed.ignored == "set aside: RuntimeError: boom"  # tried twice, then set aside
    # The greeting was rolled back with each try; without forgetting, the group would count
    # as greeted and never be greeted.
    assert greeter.forgotten == 3 and greeter.greeted == set()
    assert store.outbox_items() == []
    [processed] = c.engine.process([c.events.message("u1", "hi")])
    assert [a.text for a in processed.actions] == ["hello, group"]
    assert [i.action["text"] for i in store.outbox_items()] == ["hello, group"]


class Strike(Request, effect="test.strike"):
    pass


def strike(store: StoreBase, request: Strike, ctx: EffectContext) -> Sequence[Action]:
    return [Action(kind=ActionKind.STRIKE, carrier=ctx.group.carrier, violation="spam")]


def test_scheduled_work_may_not_strike_and_is_set_aside(
    store: Store, store_clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    c = community(store, store_clock)
    c.runtime.registry.add_effect(Strike, strike)
    c.engine.process([c.events.message("u1", "hello")])
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    store.schedule("s", group.community_id, "test.strike", {}, store_clock.now(),
                   group_id=group.id)  # fmt: skip
    store_clock.advance(timedelta(seconds=1))
    assert c.engine.tick() == 0
    item = store.scheduled("s")
    assert item is not None and item.status == "failed"
    assert "scheduled work cannot strike: only send, reply, alert, cancel" in caplog.text


def test_every_kind_has_an_applier_and_scheduled_work_only_sends_alerts_cancels_or_runs_effects() -> (
    None
):
    assert set(APPLIERS) == set(ActionKind)
    assert set(SCHEDULED_APPLIERS) == {ActionKind.SEND, ActionKind.REPLY, ActionKind.ALERT_STAFF,
                                       ActionKind.DIRECT, ActionKind.CANCEL,
                                       ActionKind.EFFECT}  # fmt: skip
