"""Handlers in priority groups: moderation first, and a handler may stop the rest."""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.effects import (
    Effect,
    EffectContext,
    EffectError,
    Prepare,
    R,
    Request,
)
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.handler import Context, Handler, Stateful

if TYPE_CHECKING:
    from hearthkeeper.engine.admission import ThresholdCheck
    from hearthkeeper.playbook import Playbook


class Stage(IntEnum):
    """Priority groups; lower runs first. Within a group, the first handler whose check passes
    handles the event; then the next group runs, unless a handler said stop (a handler that
    flagged the message lets the rest run, told by `Context.flagged`)."""

    GATE = 0  # blacklist, capacity: who may be here at all
    MODERATION = 10
    CEREMONY = 20  # welcome, rules, nickname format
    MECHANISMS = 30  # FAQ, check-ins, polls, sign-ups ...
    FALLBACK = 90  # unanswered questions to staff


@dataclass(frozen=True, order=True)
class _Entry:
    stage: int
    order: int
    handler: Handler = field(compare=False)


@dataclass(frozen=True)
class Delivery:
    """An action to queue under `key` for the group `group_id`: a staff alert's copy for the
    staff (a post in the staff channel, a direct message), decided by the alert router."""

    key: str
    action: Action
    group_id: int | None


# Where a staff alert (`action`, queued under `key`) goes besides the staff inbox: run in the
# transaction that raised the alert; it may hold the alert and plan its later delivery.
AlertRouter = Callable[[Any, Action, str, EffectContext], Sequence[Delivery]]


# Rows a capability's effects lock until the commit, locked before a batch decides anything:
# given the transaction, the community and its fresh events (each with its group's
# playbook, its sender's member id and its group's id), it locks those the events will need,
# in its own sorted order (`lock_ahead`), and may read ahead what their effects (or its
# handlers) will read.
LockAhead = Callable[[Any, int, Sequence[tuple[Event, "Playbook", int, int]]], None]
# Run when the ladder puts a member out of a community (a blacklisting), in the batch's
# transaction: (tx, community id, member id, the community's playbook, a key naming the
# decision, now).
Removed = Callable[[Any, int, int, "Playbook", str, datetime], object]


@dataclass(frozen=True)
class Decision:
    """The actions decided for one event, and which handlers produced them."""

    actions: tuple[Action, ...]
    handlers: tuple[str, ...]


class Registry:
    """The handlers of one community's engine, registered explicitly by each capability module."""

    def __init__(self) -> None:
        self._entries: list[_Entry] = []
        # the handlers by priority group, in order (what `decide` walks)
        self._stages: tuple[tuple[Handler, ...], ...] = ()
        self._stage_numbers: tuple[int, ...] = ()  # each of `_stages`' priority group
        self._effects: dict[str, tuple[type[Request], Effect[Any]]] = {}
        self._prepares: dict[str, Prepare[Any]] = {}  # effects whose slow reads go aside
        self._stateful: list[Stateful] = []  # handlers to tell when a batch rolls back
        self._thresholds: dict[str, ThresholdCheck] = {}  # joining.threshold.kind -> its check
        self.alert_router: AlertRouter | None = None  # staff alerts beyond the inbox
        self._lock_ahead: list[LockAhead] = []
        self._removed: list[Removed] = []  # what to do when moderation puts a member out

    def add_effect(self, kind: type[R], effect: Effect[R], *,
                   prepare: Prepare[R] | None = None) -> None:  # fmt: skip
        """Register the store work behind a request type (`kind.effect` names it). `prepare`:
        the slow reads of scheduled work of that type, which a running engine does aside,
        in a worker thread while it goes on deciding events, before it runs the item
        (`EffectContext.prepared`)."""
        if kind.effect in self._effects:
            raise ValueError(f"effect {kind.effect!r} is registered twice")
        self._effects[kind.effect] = (kind, effect)
        if prepare is not None:
            self._prepares[kind.effect] = prepare

    def prepares(self, name: str) -> bool:
        """Whether the effect `name` has slow reads to do aside (`add_effect`'s `prepare`)."""
        return name in self._prepares

    def prepare(self, store: Any, request: Request, ctx: EffectContext) -> object:
        """What the effect of `request` reads aside (None: it has nothing to read aside)."""
        prepare = self._prepares.get(request.effect)
        return None if prepare is None else prepare(store, request, ctx)

    def perform(self, tx: Any, action: Action, ctx: EffectContext) -> Sequence[Action]:
        """Run the effect `action.request` asks for, in `tx`; the actions it answers with."""
        request = action.request
        if request is None:
            raise EffectError(f"an effect action without its request ({action.effect!r})")
        kind, effect = self._registered(request.effect)
        if not isinstance(request, kind):
            raise EffectError(f"effect {request.effect!r} was given a {type(request).__name__}")
        return effect(tx, request, ctx)

    def request_from(self, name: str, payload: Mapping[str, Any]) -> Request:
        """The request scheduled work stored as `payload` under the effect `name`."""
        return self._registered(name)[0].from_payload(payload)

    def _registered(self, name: str) -> tuple[type[Request], Effect[Any]]:
        try:
            return self._effects[name]
        except KeyError:
            raise EffectError(f"no effect {name!r} is registered") from None

    def route_alerts(self, router: AlertRouter) -> None:
        """Send staff alerts where staff are, through `router` (one capability does)."""
        if self.alert_router is not None:
            raise ValueError("staff alerts are routed twice")
        self.alert_router = router

    def add_removed(self, hook: Removed) -> None:
        """Have `hook` run, in the transaction, when the ladder blacklists a member (they are
        out of the community: offline events let their places go)."""
        self._removed.append(hook)

    def removed(self) -> tuple[Removed, ...]:
        """What runs when the ladder puts a member out of a community (`add_removed`)."""
        return tuple(self._removed)

    def add_lock_ahead(self, lock: LockAhead) -> None:
        """Have `lock` take, before a batch's events are decided, the rows their effects will
        lock until the commit (check-ins: the day's counter)."""
        self._lock_ahead.append(lock)

    def lock_ahead(self, tx: Any, community_id: int,
                   events: Sequence[tuple[Event, Playbook, int, int]]) -> None:  # fmt: skip
        """Lock what the community's `events` (each with its playbook, its sender's member id
        and its group's id) will need, each capability in the order it was registered (the same in
        every community's registry); a capability may read ahead what they will read."""
        for lock in self._lock_ahead:
            lock(tx, community_id, events)

    def add_threshold(self, kind: str, check: ThresholdCheck) -> None:
        """Register the check of the joining threshold `kind` (`open`, `paid` ...)."""
        if kind in self._thresholds:
            raise ValueError(f"threshold {kind!r} is registered twice")
        self._thresholds[kind] = check

    def thresholds(self) -> frozenset[str]:
        """The threshold kinds some capability checks."""
        return frozenset(self._thresholds)

    def threshold(self, kind: str) -> ThresholdCheck | None:
        """The check of threshold `kind`; None when no capability registered one."""
        return self._thresholds.get(kind)

    def add(self, handler: Handler, stage: int) -> None:
        """Register `handler` in priority group `stage` (and, if it keeps state in memory,
        among those `forget` tells)."""
        insort(self._entries, _Entry(int(stage), len(self._entries), handler))
        stages: dict[int, list[Handler]] = {}
        for entry in self._entries:
            stages.setdefault(entry.stage, []).append(entry.handler)
        self._stages = tuple(tuple(handlers) for handlers in stages.values())
        self._stage_numbers = tuple(stages)
        if isinstance(handler, Stateful):
            self._stateful.append(handler)

    def forget(self) -> None:
        """Tell every stateful handler to drop what it remembers (a batch rolled back)."""
        for handler in self._stateful:
            handler.forget()

    @property
    def handlers(self) -> list[str]:
        """Names of the registered handlers, in the order they are consulted."""
        return [entry.handler.name for entry in self._entries]

    def decide(self, event: Event, ctx: Context, *, through: int | None = None) -> Decision:
        """Run the handlers on one event and collect their actions (only the stages up to
        `through`, when given)."""
        actions: list[Action] = []
        used: list[str] = []
        for number, stage in zip(self._stage_numbers, self._stages, strict=True):
            if through is not None and number > through:
                break
            stop = False
            for handler in stage:
                if handler.check(event, ctx):
                    outcome = handler.handle(event, ctx)
                    actions.extend(outcome.actions)
                    used.append(handler.name)
                    stop = outcome.stop
                    if outcome.flagged and not ctx.flagged:
                        ctx = replace(ctx, flagged=True)
                    break
            if stop:
                break
        return Decision(tuple(actions), tuple(used))
