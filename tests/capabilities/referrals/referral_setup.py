"""A community running the invite task on the engine (fake carrier), and the steps the
referral tests take: join by a link, ask for one, let days pass."""

from __future__ import annotations

import asyncio
import itertools
import re
from datetime import UTC, datetime, timedelta

from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.events import Join, JoinMethod, Sender
from hearthkeeper.store import Store
from hearthkeeper.testing import FakeCarrier
from tests.engine_setup import Community, community, playbook

TASK = """\
mechanisms:
  points:
    rewards:
      - {id: mug, name: Tea mug, cost: 100, stock: 5}
  referrals:
    enabled: true
    invites: 2
    stay: 7d
    reward: {points: 20, title: Connector, reward: mug}
joining:
  ceremony: {accept_rules: false}
structure:
  roles:
    host: {title: Host, permissions: [receive_alerts]}
"""
DAY = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
_IDS = itertools.count(1)


def join(c: Community, user: str, token: str | None = None, *, group: str = "g1",
         at: datetime | None = None, says: bool = True) -> None:  # fmt: skip
    """`user` joins `group`, by the referral link `token` when given; a friend joining by a
    link then says hello (the task counts friends who post), unless `says` is False."""
    when = at or c.clock.now()
    event = Join(carrier="fake", group=group, event_id=f"j{next(_IDS)}", at=when,
                 sender=Sender(user_id=user, display_name=user), via=JoinMethod.LINK,
                 source=None if token is None else f"ref:{token}")  # fmt: skip
    c.engine.process([event])
    if token is not None and says:
        hello = c.events.message(user, f"hello from {user}", group=group,
                                 at=when + timedelta(minutes=5))  # fmt: skip
        c.engine.process([hello])


def invite_link(c: Community, user: str) -> tuple[str, str]:
    """`user` asks for their link: (the token, the whole reply)."""
    [done] = c.engine.process([c.events.message(user, "/invite", at=c.clock.now())])
    [reply] = [a.text for a in done.actions if a.kind is ActionKind.REPLY and a.text]
    found = re.search(r"/ref/([A-Za-z0-9_-]+)", reply)
    assert found is not None, reply
    return found[1], reply


def at_day(c: Community, days: float) -> None:
    """Move to `days` after DAY and run what fell due, performing what it decided."""
    c.clock.set(DAY + timedelta(days=days))
    c.engine.tick()
    asyncio.run(c.engine.drain())


def sent(carrier: FakeCarrier, kind: ActionKind = ActionKind.SEND) -> list[str]:
    """What the referrals said (a message in the group, or alerts to staff)."""
    return [p.action.text or "" for p in carrier.performed
            if p.action.kind is kind and p.action.handler == "referrals"]  # fmt: skip


def setup(store: Store, clock: FrozenClock) -> tuple[Community, str]:
    clock.set(DAY)
    c = community(store, clock, playbook(TASK))
    join(c, "ann")
    token, _ = invite_link(c, "ann")
    return c, token
