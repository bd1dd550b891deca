"""A small community running on the engine with a fake carrier, for engine and handler tests."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from hearthkeeper.assembly import runtime_for
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.engine import Engine
from hearthkeeper.engine.executor import Processed, Runtime
from hearthkeeper.playbook import Playbook, parse_playbook
from hearthkeeper.store import Store
from hearthkeeper.testing import EventBuilder, FakeCarrier
from hearthkeeper.text.scan import ScorerChoice
from tests.playbook_samples import MINIMAL

RULES = """\
rules:
  texts:
    - No advertising.
    - Be kind.
"""


def playbook(extra: str = "") -> Playbook:
    return parse_playbook(MINIMAL + RULES + extra).playbook


@dataclass
class Community:
    store: Store
    clock: FrozenClock
    carrier: FakeCarrier
    runtime: Runtime
    engine: Engine
    events: EventBuilder

    def restart(self) -> Engine:
        """A new engine and carrier on the same store, as after a crash: nothing the engine
        held carried over. The runtime is kept, and with it what its handlers remember; a test
        of what a restart forgets builds a new one (`runtime_for`) first."""
        self.carrier = FakeCarrier(self.carrier.name)
        self.engine = Engine(self.store, self.clock, [self.runtime], {self.carrier.name: self.carrier},
                             adopt_groups_into=self.runtime.community_id)  # fmt: skip
        return self.engine

    def member_id(self, user: str) -> int:
        found = self.store.find_member(self.carrier.name, user)
        assert found is not None
        return found.id

    def manager(self, user: str = "boss") -> None:
        """`user` says hello in group `g1` and is made its manager; the engine restarted, so
        it reads the role afresh."""
        self.engine.process([self.events.message(user, "hello")])
        group = self.store.group_for_carrier(self.carrier.name, "g1")
        assert group is not None
        self.store.join(self.member_id(user), group.id, role="manager")
        self.restart()


def community(store: Store, clock: FrozenClock, pb: Playbook | None = None,
              scorer: ScorerChoice = "shipped") -> Community:  # fmt: skip
    carrier = FakeCarrier("fake")
    runtime = runtime_for(store, pb or playbook(), scorer=scorer)
    engine = Engine(store, clock, [runtime], {"fake": carrier},
                    adopt_groups_into=runtime.community_id)  # fmt: skip
    return Community(store, clock, carrier, runtime, engine, EventBuilder(clock.now()))


def at(clock: FrozenClock, when: datetime) -> None:
    clock.set(when)


def up_the_ladder(c: Community, user: str, text: str) -> list[Processed]:
    """Three offences by `user` up the default ladder (warn, mute 1 h, kick + blacklist): the
    third once the mute is over (sent while muted, it would only be deleted)."""
    done = c.engine.process([c.events.message(user, f"{text} {i}") for i in range(2)])
    later = c.events.now + timedelta(hours=1, minutes=1)
    return done + c.engine.process([c.events.message(user, f"{text} 2", at=later)])


def decided_while_read_aside(c: Community, monkeypatch: pytest.MonkeyPatch, owner: object,
                             read: str, done: Callable[[], bool]) -> tuple[bool, bool]:  # fmt: skip
    """Run `c`'s engine with scheduled work's slow read `owner.read` held until a member's
    message, sent once the read began, has been decided; then let it go and wait until
    `done()`. Whether the message was decided before the read was let go (and the work not
    yet done), and whether it was decided at all."""
    reading, release = threading.Event(), threading.Event()
    real = getattr(owner, read)

    def held(*args: Any) -> Any:
        reading.set()
        release.wait(timeout=30)  # before, the message was decided only after this
        return real(*args)

    monkeypatch.setattr(owner, read, held)

    def decided() -> bool:
        return c.store.find_member(c.carrier.name, "newbie") is not None

    async def until(check: Callable[[], bool], what: str) -> None:
        for _ in range(1200):  # up to a minute: a safety, not a measure
            if await asyncio.to_thread(check):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"never: {what}")

    async def serve() -> tuple[bool, bool]:
        stop = asyncio.Event()
        running = asyncio.create_task(c.engine.run(stop, idle=0.05))
        try:
            await until(reading.is_set, f"{read} was called")
            c.carrier.inject(c.events.message("newbie", "hello", at=c.clock.now()))
            await until(lambda: decided() or release.is_set(), "the message was decided")
            before_release = decided() and not done()
            release.set()
            await until(done, "the work was done")
            return before_release, decided()
        finally:
            release.set()
            stop.set()
            await running

    return asyncio.run(serve())
