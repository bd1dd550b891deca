"""Typed effect requests: what scheduled work stores comes back as the same request, and the
registry runs the effect registered for a request's type."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

import pytest

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext, EffectError, Request
from hearthkeeper.engine.handler import GroupView
from hearthkeeper.engine.registry import Registry
from hearthkeeper.store.scope import StoreBase
from tests.engine_setup import playbook


class Mood(StrEnum):
    CALM = "calm"


class Close(Request, effect="test.close"):
    list_id: int
    at: datetime
    day: date | None = None
    grace: timedelta = timedelta(minutes=5)
    numbers: tuple[int, ...] = ()
    mood: Mood = Mood.CALM


def _close(scope: StoreBase, request: Close, ctx: EffectContext) -> Sequence[Action]:
    return [Action(kind=ActionKind.SEND, carrier=ctx.group.carrier, group="g",
                   text=f"closed {request.list_id} at {request.at:%H:%M}")]  # fmt: skip


GROUP = GroupView(id=1, name="g", carrier="fake", carrier_group_id="g", capacity=None,
                  community_id=1, community_slug="c")  # fmt: skip
REQUEST = Close(list_id=3, at=datetime(2026, 1, 2, 9, 30, tzinfo=UTC), day=date(2026, 1, 2),
                numbers=(1, 2), grace=timedelta(hours=1))  # fmt: skip


def test_a_request_is_a_frozen_keyword_only_dataclass_named_for_its_effect() -> None:
    assert Close.effect == "test.close"
    with pytest.raises(TypeError):
        Close(3, datetime(2026, 1, 2, tzinfo=UTC))  # type: ignore[misc]
    with pytest.raises(AttributeError):
        REQUEST.list_id = 4  # type: ignore[misc]


def test_a_request_survives_the_json_that_scheduled_work_stores() -> None:
    import json

    stored = json.loads(json.dumps(REQUEST.to_payload()))
    assert Close.from_payload(stored) == REQUEST


def test_a_payload_that_does_not_fit_names_the_effect_and_field() -> None:
    with pytest.raises(EffectError, match=r"test\.close: field 'list_id'"):
        Close.from_payload({"list_id": "three", "at": "2026-01-02T09:30:00+00:00"})
    with pytest.raises(EffectError, match=r"test\.close"):
        Close.from_payload({"list_id": 3})


def test_the_registry_runs_the_effect_of_the_request_type_also_from_a_payload() -> None:
    registry = Registry()
    registry.add_effect(Close, _close)
    ctx = EffectContext(playbook=playbook(), group=GROUP, member=None,
                        now=datetime(2026, 1, 2, tzinfo=UTC))  # fmt: skip
    action = REQUEST.action(carrier="fake", group="g")
    store: Any = None  # the effect reads nothing
    [said] = registry.perform(store, action, ctx)
    assert said.text == "closed 3 at 09:30"
    from_schedule = registry.request_from("test.close", REQUEST.to_payload())
    assert registry.perform(store, from_schedule.action(carrier="fake", group="g"), ctx)[
        0
    ].text == ("closed 3 at 09:30")
    assert from_schedule == REQUEST
    with pytest.raises(ValueError, match="registered twice"):
        registry.add_effect(Close, _close)
    with pytest.raises(EffectError, match=r"no effect .test\.open."):
        registry.request_from("test.open", {})
    with pytest.raises(EffectError, match="without its request"):
        registry.perform(store, Action(kind=ActionKind.EFFECT, carrier="fake", effect="test.close"),
                         ctx)  # fmt: skip


def test_an_effect_is_told_the_action_that_asked_for_it_and_all_else_the_engine_knew() -> None:
    # `triggered_by` builds the context field by field (the engine calls it per effect): a
    # field added to `EffectContext` and not copied there would reach effects as its default
    from dataclasses import fields, replace

    from hearthkeeper.engine.handler import MemberView

    member = MemberView(id=7, user_id="u7", display_name="Mei")
    ctx = EffectContext(playbook=playbook(), group=GROUP, member=member,
                        now=datetime(2026, 6, 1, tzinfo=UTC), event_id=42,
                        memory=object(), prepared=object())  # type: ignore[arg-type]  # fmt: skip
    assert all(getattr(ctx, f.name) != f.default for f in fields(EffectContext)
               if f.name != "trigger"), "every field set: a missed one would show"  # fmt: skip
    action = Action(kind=ActionKind.SEND, carrier="fake", group="g", text="hi")
    assert ctx.triggered_by(action) == replace(ctx, trigger=action)
