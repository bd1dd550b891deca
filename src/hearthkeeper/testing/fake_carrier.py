"""A carrier that takes injected events and records what the engine asked it to do."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.carrier import Capabilities, CarrierError, Outcome, RateLimit
from hearthkeeper.engine.events import Event

EVERYTHING = frozenset(ActionKind)


@dataclass(frozen=True)
class Performed:
    """One action the carrier performed, with its idempotency key."""

    action: Action
    key: str


class FakeCarrier:
    """In-memory carrier: `inject` events, read `performed`; can fail on purpose."""

    def __init__(
        self,
        name: str = "fake",
        *,
        per_group: RateLimit | None = None,
        overall: RateLimit | None = None,
        idempotent: bool = False,
        private_replies: bool = False,
    ) -> None:
        self.name = name
        self.capabilities = Capabilities(can=EVERYTHING, per_group=per_group, overall=overall,
                                         idempotent=idempotent,
                                         private_replies=private_replies)  # fmt: skip
        self.performed: list[Performed] = []
        self.connected = False
        self._inbox: asyncio.Queue[Event | None] = asyncio.Queue()
        self._failures: list[CarrierError] = []
        self._seen_keys: set[str] = set()

    def inject(self, event: Event) -> None:
        """Deliver an event as if it came from the platform."""
        self._inbox.put_nowait(event)

    def fail_next(self, times: int = 1, *, retry: bool = True,
                  rate_limited_for: float | None = None) -> None:  # fmt: skip
        """Make the next `times` performs fail (given `rate_limited_for`: as the platform's rate
        limit answers, asking to wait that many seconds)."""
        limited = rate_limited_for is not None
        said = "simulated rate limit" if limited else "simulated failure"
        self._failures.extend(
            CarrierError(said, retry=retry, after=rate_limited_for, limited=limited)
            for _ in range(times)
        )

    def kinds(self) -> list[ActionKind]:
        """The kinds of the performed actions, in order."""
        return [p.action.kind for p in self.performed]

    async def connect(self) -> None:
        self.connected = True

    async def events(self) -> AsyncIterator[Event]:
        while True:
            event = await self._inbox.get()
            if event is None:
                return
            yield event

    async def perform(self, action: Action, key: str) -> str | None:
        if self._failures:
            raise self._failures.pop(0)
        if self.capabilities.idempotent and key in self._seen_keys:
            return f"dup-{key}"
        self._seen_keys.add(key)
        self.performed.append(Performed(action, key))
        return f"sent-{len(self.performed)}"

    async def disconnect(self) -> None:
        self.connected = False
        self._inbox.put_nowait(None)


class FakeTogetherCarrier(FakeCarrier):
    """A `FakeCarrier` that also performs runs of actions in one call (`PerformsTogether`),
    as the web chat does in one transaction; `runs` holds the keys of each call."""

    def __init__(self, name: str = "fake", **options: Any) -> None:
        super().__init__(name, **options)
        self.runs: list[list[str]] = []

    async def perform_together(self, jobs: Sequence[tuple[Action, str]]) -> list[Outcome]:
        self.runs.append([key for _, key in jobs])
        outcomes: list[Outcome] = []
        for action, key in jobs:
            try:
                outcomes.append(await self.perform(action, key))
            except CarrierError as exc:
                outcomes.append(exc)
            except Exception as exc:  # what follows is not tried
                outcomes.append(exc)
                break
        return outcomes
