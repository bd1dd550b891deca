"""TAG and AWARD_POINTS reach the member the action names, not only the sender."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hearthkeeper.capabilities.points.repository import SqlPoints
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.events import Event, Message
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.engine.registry import Stage
from hearthkeeper.store import Store
from tests.engine_setup import community


@dataclass
class Thanks:
    """`thanks @user` gives that user 5 points and a tag."""

    name: str = "thanks"

    def check(self, event: Event, ctx: Context) -> bool:
        return isinstance(event, Message) and event.text.startswith("thanks")

    def handle(self, event: Event, ctx: Context) -> Outcome:
        assert isinstance(event, Message)
        who = event.mentions[0]
        actions: Sequence[Action] = (
            Action(kind=ActionKind.AWARD_POINTS, carrier=event.carrier, member=who, points=5,
                   reason="thanked"),
            Action(kind=ActionKind.TAG, carrier=event.carrier, member=who, tag="helper"),
        )  # fmt: skip
        return Outcome(tuple(actions), stop=True)


def test_points_and_tags_go_to_the_member_named(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock)
    c.runtime.registry.add(Thanks(), Stage.MECHANISMS - 1)
    c.engine.process([c.events.message("mei", "hello"), c.events.message("bo", "hi")])
    c.engine.process([c.events.message("bo", "thanks mei", mentions=("mei",))])
    community_id = c.runtime.community_id
    assert SqlPoints.on(store).points_of(community_id, c.member_id("mei")) == 5
    assert SqlPoints.on(store).points_of(community_id, c.member_id("bo")) == 0
    assert [t.tag for t in store.member_tags(c.member_id("mei"))] == ["helper"]
