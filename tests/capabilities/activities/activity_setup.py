"""A community with an offline event on the engine (fake carrier): members in two groups,
helpers to type commands, move the clock, and count what the carrier did for activities."""

from __future__ import annotations

import asyncio
from datetime import datetime

from hearthkeeper.assembly import runtime_for
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.engine import Engine
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Community as StoredCommunity
from hearthkeeper.store import Store
from hearthkeeper.testing import EventBuilder, FakeCarrier
from tests.engine_setup import RULES, Community
from tests.playbook_samples import MINIMAL

RUN = """\
mechanisms:
  points: {event: 10}
activities:
  - id: night-run
    name: Night run
    when: 2026-05-10 19:00
    place: Victoria Park gate
    capacity: 2
"""
PRICED = """\
activities:
  - id: tasting
    name: Tasting night
    schedule: "0 19 * * 4"
    place: The Cellar
    capacity: 1
    price: 45
    currency: GBP
"""


def event_community(store: Store, clock: FrozenClock, extra: str = RUN,
                    groups: tuple[str, ...] = ("g1", "g2"), *,
                    language: str = "en", private_replies: bool = True) -> Community:  # fmt: skip
    """The community with its groups (the engine adopts them), speaking `language`, on a
    carrier that shows a reply to one member alone (as the web chat does) unless
    `private_replies` is False (as QQ, Matrix and Telegram)."""
    text = (MINIMAL + RULES + extra).replace("language: en", f"language: {language}", 1)
    runtime = runtime_for(store, parse_playbook(text).playbook)
    store.add_playbook_version(runtime.community_id, text, {}, "test")  # what staff pages read
    for name in groups:
        store.add_group(runtime.community_id, name, "fake", name)
    carrier = FakeCarrier("fake", private_replies=private_replies)
    engine = Engine(store, clock, [runtime], {"fake": carrier},
                    adopt_groups_into=runtime.community_id)  # fmt: skip
    return Community(store, clock, carrier, runtime, engine, EventBuilder(clock.now()))


def performed(c: Community) -> list[Action]:
    """What the carrier performed for activities since the last look."""
    asyncio.run(c.engine.drain())
    done = [p.action for p in c.carrier.performed if p.action.handler == "activities"]
    c.carrier.performed.clear()
    return done


def say(c: Community, user: str, text: str, group: str = "g1") -> list[Action]:
    """`user` writes `text` in `group`; what the bot did about events."""
    c.engine.process([c.events.message(user, text, group=group, at=c.clock.now())])
    return performed(c)


def seat(c: Community, group: str, *users: str) -> None:
    """`users` join `group` and accept its rules."""
    c.engine.process([c.events.join(u, group=group, at=c.clock.now()) for u in users])
    c.engine.process([c.events.message(u, "agree", group=group, at=c.clock.now()) for u in users])
    asyncio.run(c.engine.drain())
    c.carrier.performed.clear()


def run_at(c: Community, when: datetime, *, restart: bool = False) -> list[Action]:
    """Move the clock (restarting first, as after a crash, if asked), run what fell due."""
    c.clock.set(when)
    if restart:
        c.restart()
    c.engine.tick()
    return performed(c)


def stored(c: Community) -> StoredCommunity:
    found = c.store.get_community(c.runtime.slug)
    assert found is not None
    return found


def code_of(c: Community, user: str, event_id: int) -> str:
    member = c.member_id(user)
    mine = [s for s in SqlActivities.on(c.store).signups(event_id) if s.member_id == member]
    return mine[0].code
