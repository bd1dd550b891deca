"""Handlers in priority groups: moderation first, and a handler may stop the rest."""

from __future__ import annotations

from bisect import insort
from dataclasses import dataclass, field
from enum import IntEnum

from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.effects import Effect, EffectError
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.handler import Context, Handler


class Stage(IntEnum):
    """Priority groups; lower runs first. Within a group, the first handler whose check passes
    handles the event; then the next group runs, unless a handler said stop."""

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
class Decision:
    """The actions decided for one event, and which handlers produced them."""

    actions: tuple[Action, ...]
    handlers: tuple[str, ...]


class Registry:
    """The handlers of one community's engine, registered explicitly by each capability module."""

    def __init__(self) -> None:
        self._entries: list[_Entry] = []
        self._effects: dict[str, Effect] = {}

    def add_effect(self, name: str, effect: Effect) -> None:
        """Register the store work behind `Action(kind=EFFECT, effect=name)`."""
        if name in self._effects:
            raise ValueError(f"effect {name!r} is registered twice")
        self._effects[name] = effect

    def effect(self, name: str) -> Effect:
        """The effect registered as `name`."""
        try:
            return self._effects[name]
        except KeyError:
            raise EffectError(f"no effect {name!r} is registered") from None

    def add(self, handler: Handler, stage: int) -> None:
        """Register `handler` in priority group `stage`."""
        insort(self._entries, _Entry(int(stage), len(self._entries), handler))

    @property
    def handlers(self) -> list[str]:
        """Names of the registered handlers, in the order they are consulted."""
        return [entry.handler.name for entry in self._entries]

    def decide(self, event: Event, ctx: Context) -> Decision:
        """Run the handlers on one event and collect their actions."""
        actions: list[Action] = []
        used: list[str] = []
        index = 0
        entries = self._entries
        while index < len(entries):
            stage = entries[index].stage
            stop = False
            while index < len(entries) and entries[index].stage == stage:
                handler = entries[index].handler
                index += 1
                if handler.check(event, ctx):
                    outcome = handler.handle(event, ctx)
                    actions.extend(outcome.actions)
                    used.append(handler.name)
                    stop = outcome.stop
                    while index < len(entries) and entries[index].stage == stage:
                        index += 1
                    break
            if stop:
                break
        return Decision(tuple(actions), tuple(used))
