"""A paid community on the engine with a fake carrier: members in two groups, a half-year
plan, and helpers to record payments and count what the carrier did; for the console
tests, the webhooks' signing secrets."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from hearthkeeper.apply import apply_playbook
from hearthkeeper.assembly import runtime_for
from hearthkeeper.capabilities.billing.payments import Recorded, record_payment
from hearthkeeper.capabilities.billing.records import NewOrder, Provider
from hearthkeeper.capabilities.billing.settings import BillingSecrets
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.admission import Admission, JoinRequest, Verdict
from hearthkeeper.engine.engine import Engine
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store
from hearthkeeper.testing import EventBuilder, FakeCarrier
from tests.engine_setup import RULES, Community
from tests.playbook_samples import MINIMAL

PAID = """\
joining:
  threshold: {kind: paid, plan: half-year}
monetisation:
  plans:
    - id: half-year
      name: Half-year membership
      price: 299
      currency: CNY
      period: 6 months
      refund_window: 7d
      renewal_reminder: 14d
      grace: 3d
"""


if TYPE_CHECKING:
    from tests.console_setup import Console

STRIPE_SECRET = "whsec_test_secret"
HOOK_SECRET = "hook-secret"


def with_webhook_secrets(console: Console) -> Console:
    """`console`'s server, with the Stripe and the generic webhook's signing secrets set."""
    web = console.site.web
    web.settings = replace(web.settings,
                           billing=BillingSecrets(stripe=STRIPE_SECRET, webhook=HOOK_SECRET))  # fmt: skip
    return console


def paid_community(store: Store, clock: FrozenClock, extra: str = PAID,
                   groups: tuple[str, ...] = ("g1", "g2")) -> Community:  # fmt: skip
    """The community with its groups, seen once by the engine (so members are in them). Its
    playbook is stored, as `hearth apply` does: the money figures read the plans (and their
    grace) from the stored version, as in a real deployment."""
    loaded = parse_playbook(MINIMAL + RULES + extra)
    apply_playbook(store, loaded, "setup")
    runtime = runtime_for(store, loaded.playbook)
    for name in groups:
        store.add_group(runtime.community_id, name, "fake", name)
    carrier = FakeCarrier("fake")
    engine = Engine(store, clock, [runtime], {"fake": carrier},
                    adopt_groups_into=runtime.community_id)  # fmt: skip
    return Community(store, clock, carrier, runtime, engine, EventBuilder(clock.now()))


def seat(c: Community, user: str, *groups: str) -> None:
    """`user` joins `groups` (the engine records their stays)."""
    c.engine.process([c.events.join(user, group=g, at=c.clock.now()) for g in groups])
    performed(c)


def billing(actions: list[Action]) -> list[Action]:
    return [a for a in actions if a.handler == "billing"]


def pay(c: Community, user: str, receipt: str, amount: str = "299",
        discount: str = "") -> Recorded:  # fmt: skip
    """Staff record a payment of the half-year plan for `user` (on the fake carrier); one
    below the price needs the `discount` reason."""
    with c.store.transaction() as tx:
        member = tx.member_for("fake", user, user)
        community = tx.get_community(c.runtime.slug)
        assert community is not None
        order = NewOrder("half-year", Decimal(amount), "CNY", Provider.MANUAL, receipt, "staff")
        return record_payment(tx, community, c.runtime.playbook, member.id, order, c.clock.now(),
                              discount=discount)  # fmt: skip


def screen(c: Community, user: str, group: str = "g1", *, network: str | None = None,
           probe: bool = False) -> Verdict:  # fmt: skip
    """What the door says to `user` asking to join `group` (from the client `network`)."""
    found = c.store.group_for_carrier("fake", group)
    assert found is not None
    admission = Admission(c.store, c.clock, {c.runtime.community_id: c.runtime}.get)
    return admission.screen(JoinRequest(carrier="fake", group_id=found.id, user_id=user,
                                        display_name=user, network=network,
                                        probe=probe))  # fmt: skip


def performed(c: Community) -> list[Action]:
    """What the carrier performed since the last look (the outbound queue drained first)."""
    asyncio.run(c.engine.drain())
    done = [p.action for p in c.carrier.performed]
    c.carrier.performed.clear()
    return done


def kicks(actions: list[Action]) -> list[tuple[str | None, str | None]]:
    return sorted((a.group, a.member) for a in actions if a.kind is ActionKind.KICK)


def reminders(actions: list[Action]) -> list[tuple[str | None, str | None]]:
    return sorted((a.group, a.member) for a in actions if a.kind is ActionKind.SEND
                  and "ends on" in (a.text or ""))  # fmt: skip


def run_at(c: Community, when: datetime, *, restart: bool = False) -> list[Action]:
    """Move the clock to `when` (restarting the engine first, as after a crash, if asked),
    run what fell due and return what the carrier performed for billing (not, say, the
    welcome-week digest)."""
    c.clock.set(when)
    if restart:
        c.restart()
    c.engine.tick()
    return [a for a in performed(c) if a.handler == "billing"]
