"""A joiner a paid community's door never screened (a direct join on Telegram, QQ or Matrix:
a link that does not ask to join, added by a member) was welcomed, given no trial, never
asked to pay and never removed; `/membership` told them they held none. They are treated as
the door would have: a trial if the plan has one, else told how to pay and removed after
`joining.threshold.unpaid_stay` unless they paid. Staff and the members who were there before
the door asked for payment are not touched."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from hearthkeeper.apply import apply_playbook
from hearthkeeper.assembly import runtime_for
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.engine import Engine
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store
from hearthkeeper.testing import EventBuilder, FakeCarrier
from tests.capabilities.billing.billing_setup import (
    PAID,
    kicks,
    paid_community,
    pay,
    performed,
    run_at,
)
from tests.engine_setup import RULES, Community
from tests.playbook_samples import MINIMAL

TRIAL = PAID.replace("period: 6 months", "period: 6 months\n      trial: 3d")
STAFF = "structure:\n  roles:\n    host: {title: Host, permissions: [receive_alerts]}\n"


def _join(c: Community, user: str, group: str = "g1") -> list[Action]:
    c.engine.process([c.events.join(user, group=group, at=c.clock.now())])
    return performed(c)


def _said(actions: list[Action], handler: str) -> str:
    return "\n".join(a.text or "" for a in actions
                     if a.handler == handler and a.kind is ActionKind.SEND)  # fmt: skip


def _membership(c: Community, user: str) -> str:
    c.engine.process([c.events.message(user, "agree", group="g1", at=c.clock.now())])
    performed(c)
    c.engine.process([c.events.message(user, "/membership", group="g1", at=c.clock.now())])
    return "\n".join(a.text or "" for a in performed(c) if a.handler == "billing")


def test_a_direct_joiner_gets_the_trial_the_door_would_have_given(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(store, store_clock, TRIAL)  # 2026-05-01 09:00 UTC, London
    welcome = _said(_join(c, "ann"), "welcome")  # no join request: straight in
    assert (
        "You are on a free trial of “Half-year membership” until 2026-05-04; to stay after it, "
        "the plan is 299 CNY every 6 months."
    ) in welcome
    answer = _membership(c, "ann")
    assert "“Half-year membership”: free trial until 2026-05-04" in answer
    assert "You hold no membership now." not in answer
    subs = SqlBilling.on(store).subscriptions(c.runtime.community_id, member_id=c.member_id("ann"))
    assert len(subs) == 1 and subs[0].trial_end is not None  # one trial, the door's
    _join(c, "ann", "g2")  # a second group: the same trial, not another
    assert len(SqlBilling.on(store).subscriptions(c.runtime.community_id)) == 1
    assert kicks(run_at(c, store_clock.now() + timedelta(days=3), restart=True)) == [
        ("g1", "ann"), ("g2", "ann")]  # fmt: skip


def test_a_direct_joiner_without_a_trial_is_told_to_pay_and_removed_a_day_later_unless_paid(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(store, store_clock)  # the plan has no trial
    t0 = store_clock.now()
    joined = _join(c, "ann")
    told = _said(joined, "billing")
    code = SqlBilling.on(store).reference_for("fake", "ann", "ann", store_clock.now()).code
    assert told.startswith(
        "ann, Tea Friends is a paid community and you joined without a membership"
    )
    assert "“Half-year membership” (299 CNY every 6 months) by Sat 2 May 10:00" in told
    assert f"quote your payment reference {code}." in told
    assert [a.member for a in joined if a.handler == "billing"] == ["ann"]
    assert [a.handler for a in joined] == ["welcome", "billing"]  # the welcome first
    store_clock.advance(timedelta(hours=2))
    again = _join(c, "ann", "g2")  # a second group while unpaid: no new deadline, no new text
    assert _said(again, "billing") == ""
    _join(c, "bob")
    pay(c, "bob", "shop-1")  # bob pays in time
    assert run_at(c, t0 + timedelta(hours=23)) == []
    assert kicks(run_at(c, t0 + timedelta(hours=24), restart=True)) == [
        ("g1", "ann"), ("g2", "ann")]  # fmt: skip
    assert run_at(c, t0 + timedelta(hours=27), restart=True) == []  # the one removal
    assert "paid" in _membership(c, "bob")


def test_with_no_unpaid_stay_a_direct_joiner_is_removed_at_once_without_a_welcome(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(store, store_clock, PAID.replace("plan: half-year}",
                                                        "plan: half-year, unpaid_stay: none}"))  # fmt: skip
    done = _join(c, "ann")
    assert kicks(done) == [("g1", "ann")]
    assert _said(done, "welcome") == ""
    assert "once it is credited, join again" in _said(done, "billing")


def test_members_there_before_the_door_asked_for_payment_and_staff_are_not_touched(
    store: Store, store_clock: FrozenClock
) -> None:
    """The tea club was free; `old` joined, `talker` only spoke (there before the bot saw
    joins), `gone` joined and left. A day later the operator applies a paid threshold: `old`
    and `talker` join the second group and stay, unasked; `gone` is asked, as at the door.
    `host`, made staff, joins the second group: not asked either."""
    free = parse_playbook(MINIMAL + RULES + STAFF)
    apply_playbook(store, free, "setup")
    runtime = runtime_for(store, free.playbook)
    for name in ("g1", "g2"):
        store.add_group(runtime.community_id, name, "fake", name)
    carrier = FakeCarrier("fake")
    engine = Engine(store, store_clock, [runtime], {"fake": carrier},
                    adopt_groups_into=runtime.community_id)  # fmt: skip
    c = Community(store, store_clock, carrier, runtime, engine, EventBuilder(store_clock.now()))
    _join(c, "old")
    c.engine.process([c.events.message("talker", "hello all", group="g1", at=store_clock.now())])
    _join(c, "gone")
    c.engine.process([c.events.message("gone", "bye all", group="g1", at=store_clock.now())])
    c.engine.process([c.events.leave("gone", group="g1", at=store_clock.now())])
    store_clock.advance(timedelta(days=1))
    paid = parse_playbook(MINIMAL + RULES + STAFF + PAID)
    apply_playbook(store, paid, "setup")
    c.runtime = runtime_for(store, paid.playbook)
    c.restart()
    c.clock.advance(timedelta(minutes=1))
    assert _said(_join(c, "old", "g2"), "billing") == ""
    assert _said(_join(c, "talker", "g2"), "billing") == ""
    assert "paid community" in _said(_join(c, "gone", "g2"), "billing")  # had left: asked
    assert "paid community" in _said(_join(c, "host"), "billing")  # a newcomer, not staff yet
    host = c.member_id("host")
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    store.set_role(host, group.id, "host")
    c.restart()  # the engine reads the role afresh
    assert _said(_join(c, "host", "g2"), "billing") == ""
    assert _said(_join(c, "new", "g2"), "billing") != ""  # one who came after is asked
    removed = run_at(c, store_clock.now() + timedelta(days=2), restart=True)
    assert kicks(removed) == [("g2", "gone"), ("g2", "new")]  # host, made staff, stays in g1
    asyncio.run(c.engine.drain())
