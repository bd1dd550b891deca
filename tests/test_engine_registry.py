"""Pure decisions: priority groups, stop, action round trips, quotas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.carrier import RateLimit
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.engine.ratelimit import Window
from hearthkeeper.engine.registry import Registry, Stage


@dataclass
class Say:
    name: str
    matches: bool = True
    stop: bool = False

    def check(self, event: Event, ctx: Context) -> bool:
        return self.matches

    def handle(self, event: Event, ctx: Context) -> Outcome:
        return Outcome((Action(kind=ActionKind.SEND, carrier="c", text=self.name),), stop=self.stop)


def decide(registry: Registry) -> list[str]:
    decision = registry.decide(None, None)  # type: ignore[arg-type]
    return [a.text or "" for a in decision.actions]


def test_groups_run_in_priority_order_whatever_the_registration_order() -> None:
    registry = Registry()
    registry.add(Say("faq"), Stage.MECHANISMS)
    registry.add(Say("moderation"), Stage.MODERATION)
    registry.add(Say("welcome"), Stage.CEREMONY)
    assert decide(registry) == ["moderation", "welcome", "faq"]


def test_only_the_first_matching_handler_of_a_group_runs() -> None:
    registry = Registry()
    registry.add(Say("not-me", matches=False), Stage.MECHANISMS)
    registry.add(Say("checkin"), Stage.MECHANISMS)
    registry.add(Say("poll"), Stage.MECHANISMS)
    assert decide(registry) == ["checkin"]


def test_a_handler_can_stop_the_rest() -> None:
    registry = Registry()
    registry.add(Say("moderation", stop=True), Stage.MODERATION)
    registry.add(Say("faq"), Stage.MECHANISMS)
    assert decide(registry) == ["moderation"]


@given(
    kind=st.sampled_from(list(ActionKind)),
    text=st.none() | st.text(max_size=50),
    seconds=st.none() | st.integers(min_value=1, max_value=10**7),
    points=st.none() | st.integers(-1000, 1000),
)
def test_actions_survive_the_outbox_round_trip(kind: ActionKind, text: str | None,
                                               seconds: int | None, points: int | None) -> None:  # fmt: skip
    action = Action(kind=kind, carrier="matrix", group="!room", member="@u", text=text,
                    duration=timedelta(seconds=seconds) if seconds else None, points=points,
                    not_before=datetime(2026, 1, 1, tzinfo=UTC), key="k")  # fmt: skip
    restored = Action.from_json(action.to_json())
    assert restored.kind == action.kind and restored.text == (action.text or None)
    assert restored.duration == action.duration and restored.points == (action.points or None)
    assert restored.not_before == action.not_before


def test_sanctions_go_before_warnings_before_replies_before_welcomes() -> None:
    def prio(kind: ActionKind, welcome: bool = False) -> int:
        return Action(kind=kind, carrier="c", welcome=welcome).priority

    assert prio(ActionKind.DELETE) < prio(ActionKind.WARN) < prio(ActionKind.REPLY)
    assert prio(ActionKind.REPLY) < prio(ActionKind.SEND, welcome=True)
    assert prio(ActionKind.BAN) < prio(ActionKind.SEND, welcome=True)


def test_a_window_allows_its_count_then_says_when_there_is_room() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    window = Window(RateLimit(count=2, seconds=60))
    for offset in (0, 10):
        now = t0 + timedelta(seconds=offset)
        assert window.free_at(now) == now
        window.use(now)
    assert window.free_at(t0 + timedelta(seconds=20)) == t0 + timedelta(seconds=60)
    assert window.free_at(t0 + timedelta(seconds=61)) == t0 + timedelta(seconds=61)
