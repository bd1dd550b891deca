"""Effects: store work that capabilities register and the engine performs.

A handler stays pure: it returns an action carrying a typed request,
`SignUpJoin(list_id=3, quantity=1).action(carrier=..., group=...)`. The executor finds the
effect registered for that request's type and runs it inside the event's transaction; whatever
it decides — stock taken or refused, a streak counted — it answers with further actions (a
reply with the numbered list), which the engine performs like any other. Effects also run when
scheduled work falls due (a poll's deadline), with no member: the request is stored as JSON
(`Request.to_payload`) under its `effect` name and rebuilt from it (`Request.from_payload`).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any, ClassVar, Protocol, Self, TypeVar, dataclass_transform

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.handler import GroupView, MemberView
from hearthkeeper.playbook import Playbook
from hearthkeeper.store.scheduled import ScheduledQueries
from hearthkeeper.store.scope import StoreBase


class EffectError(Exception):
    """An effect that cannot be performed because its action is malformed (a bug, not input)."""


@dataclass_transform(kw_only_default=True, frozen_default=True)
class Request:
    """The arguments of one effect, declared with the name scheduled work stores it under:

        class SignUpJoin(Request, effect="signup.join"):
            list_id: int  # join this list
            quantity: int = 1

    Every subclass is a frozen, keyword-only dataclass; its fields stay flat (text, numbers,
    flags, dates, times, durations, tuples and enums of those), so the request survives JSON."""

    effect: ClassVar[str]
    # True for an effect that reads or takes back members' strikes: the strikes its batch
    # has gathered but not yet written are written first, so it counts them
    settles_strikes: ClassVar[bool] = False
    # True for an effect that reads the message a command replies to: the messages its batch
    # has gathered but not yet written are written first, so a reply to one of them finds it
    settles_messages: ClassVar[bool] = False
    # True for scheduled work that ends what members took part in (a poll's results, a
    # sign-up's final list, a reminder to those with a place at an event or a paid
    # membership): said even in a group closed since (`hearth groups close`); other scheduled
    # work says nothing there, each message left unsaid written in the audit log
    answers_members: ClassVar[bool] = False

    def __init_subclass__(cls, *, effect: str | None = None, answers_members: bool = False,
                          **kwargs: Any) -> None:  # fmt: skip
        super().__init_subclass__(**kwargs)
        if effect is not None:
            cls.effect = effect
        cls.answers_members = answers_members
        dataclass(frozen=True, kw_only=True)(cls)

    def action(
        self,
        *,
        carrier: str,
        group: str | None,
        member: str | None = None,
        target: str | None = None,
        handler: str = "",
        reason: str = "",
        key: str | None = None,
    ) -> Action:
        """The action that asks the engine to run this request's effect."""
        return Action(kind=ActionKind.EFFECT, carrier=carrier, group=group, member=member,
                      target=target, handler=handler, reason=reason, key=key,
                      effect=self.effect, request=self)  # fmt: skip

    def to_payload(self) -> dict[str, Any]:
        """A JSON-safe dict of the fields (what scheduled work stores)."""
        return {f.name: _plain(getattr(self, f.name)) for f in _fields(self)}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        """The request `to_payload` wrote; `EffectError` naming the field if it does not fit."""
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in _fields(cls):
            if f.name not in payload:
                continue  # a default applies (or the constructor names the missing field)
            try:
                values[f.name] = _typed(payload[f.name], hints[f.name])
            except (TypeError, ValueError) as error:
                raise EffectError(f"{cls.effect}: field {f.name!r}: {error}") from None
        try:
            return cls(**values)
        except TypeError as error:
            raise EffectError(f"{cls.effect}: {error}") from None


def _fields(request: Request | type[Request]) -> tuple[dataclasses.Field[Any], ...]:
    """A request's fields (every subclass is made a dataclass when it is declared)."""
    return dataclasses.fields(typing.cast(Any, request))


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _typed(value: Any, hint: Any) -> Any:
    """`value` read back from JSON as the annotated type `hint`."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [h for h in typing.get_args(hint) if h is not type(None)]
        if value is None:
            return None
        return _typed(value, options[0]) if len(options) == 1 else value
    if origin is tuple:
        args = typing.get_args(hint)
        item = args[0] if args else Any
        return tuple(_typed(v, item) for v in value)
    if hint is datetime:
        return datetime.fromisoformat(value)
    if hint is date:
        return date.fromisoformat(value)
    if hint is timedelta:
        return timedelta(seconds=float(value))
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    if hint is int and not isinstance(value, int):
        raise TypeError(f"expected a whole number, got {value!r}")
    return value


class Remembers(Protocol):
    """What an effect may tell the engine's memory of members (`state.State`) that it changed
    in the store itself: staff's in-chat decisions about another member."""

    def strikes_changed(self, community_id: int, member_id: int) -> None:
        """The member's strikes were added or taken back: read them again."""
        ...


@dataclass(frozen=True, kw_only=True)
class EffectContext:
    """What an effect knows besides its request: where, who (if anyone), when, and the action
    that asked for it (its carrier, group, member, target, handler and key)."""

    playbook: Playbook
    group: GroupView
    member: MemberView | None  # None for scheduled work
    now: datetime
    event_id: int | None = None
    trigger: Action | None = None
    memory: Remembers | None = None  # the engine's memory (None for scheduled work)
    # What the effect's slow reads found, read aside beforehand (`Registry.add_effect`'s
    # `prepare`, run off the engine's path by `Engine.run`); None: the effect reads itself
    prepared: object = None

    def triggered_by(self, action: Action) -> EffectContext:
        """This context for the effect `action` asks for: `dataclasses.replace(self,
        trigger=action)`, built directly (once per effect performed: `replace` reads the
        fields' descriptions each time). A field added above is added here too."""
        return EffectContext(playbook=self.playbook, group=self.group, member=self.member,
                             now=self.now, event_id=self.event_id, trigger=action,
                             memory=self.memory, prepared=self.prepared)  # fmt: skip


R = TypeVar("R", bound=Request)
Effect = Callable[[StoreBase, R, EffectContext], Sequence[Action]]
# The slow, read-only part of a scheduled effect, run outside any transaction that writes
# (`Engine.run`: in a worker thread while the engine goes on deciding events); what it
# returns reaches the effect as `EffectContext.prepared`.
Prepare = Callable[[StoreBase, R, EffectContext], object]


def schedule_request(scope: StoreBase, key: str, community_id: int, request: Request,
                     due_at: datetime, *, group_id: int | None = None) -> None:  # fmt: skip
    """Run `request`'s effect at `due_at`, once per `key` (see `Store.schedule`); written with
    the transaction's other scheduled work (`ScheduledQueries.schedule_later`)."""
    ScheduledQueries.on(scope).schedule_later(key, community_id, request.effect,
                                              request.to_payload(), due_at, group_id=group_id)  # fmt: skip
