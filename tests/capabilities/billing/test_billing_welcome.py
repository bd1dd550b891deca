"""A newcomer let in on a free trial reads in the welcome that they are on one, until when,
and what staying costs, in the community's language; a member who paid reads no such line."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from hearthkeeper.assembly import runtime_for
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.engine import Engine
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store
from hearthkeeper.testing import EventBuilder, FakeCarrier
from tests.capabilities.billing.billing_setup import PAID, paid_community, pay, screen
from tests.engine_setup import RULES, Community
from tests.playbook_samples import MINIMAL

TRIAL = PAID.replace("period: 6 months", "period: 6 months\n      trial: 3d")


def welcome_of(c: Community, user: str) -> str:
    c.engine.process([c.events.join(user, group="g1", at=c.clock.now())])
    asyncio.run(c.engine.drain())
    found: list[Action] = [
        p.action
        for p in c.carrier.performed
        if p.action.handler == "welcome" and p.action.reason == "welcome"
    ]
    c.carrier.performed.clear()
    # the welcome, then (a member on a trial) the trial's line in a message of its own, shown
    # to them alone where the carrier can (tests/carriers/webchat/test_private_replies.py)
    assert 1 <= len(found) <= 2, found
    return "\n".join(a.text or "" for a in found)


def test_a_newcomer_on_a_trial_reads_it_in_the_welcome(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(store, store_clock, TRIAL)  # 2026-05-01 09:00 UTC, London
    assert screen(c, "ann").admitted  # the door starts ann's 3-day trial
    text = welcome_of(c, "ann")
    assert (
        "You are on a free trial of “Half-year membership” until 2026-05-04; to stay after it, "
        "the plan is 299 CNY every 6 months. You will be reminded how to pay before the trial "
        "ends."
    ) in text.split("\n")


def test_a_member_who_paid_reads_no_trial_in_the_welcome(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(store, store_clock, TRIAL)
    pay(c, "bob", "shop-1")
    assert screen(c, "bob").admitted
    assert "trial" not in welcome_of(c, "bob")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_chinese_community_says_the_trial_in_chinese(
    store: Store, store_clock: FrozenClock
) -> None:
    text = (MINIMAL + RULES + TRIAL).replace("language: en", "language: zh-CN")
    runtime = runtime_for(store, parse_playbook(text).playbook)
    store.add_group(runtime.community_id, "g1", "fake", "g1")
    carrier = FakeCarrier("fake")
    engine = Engine(store, store_clock, [runtime], {"fake": carrier},
                    adopt_groups_into=runtime.community_id)  # fmt: skip
    c = Community(store, store_clock, carrier, runtime, engine, EventBuilder(store_clock.now()))
    assert screen(c, "ann").admitted
    assert (
        "你正在免费试用「Half-year membership」，试用到 2026-05-04；之后开通 299 元 / 6 个月 "
        "即可继续留在群里。试用结束前会提醒你如何付款。"
    ) in welcome_of(c, "ann")


def test_a_member_back_within_their_trial_reads_it_in_the_welcome_back(
    store: Store, store_clock: FrozenClock
) -> None:
    """Ann, on a trial, leaves the group and joins again the next day: her short welcome back
    said nothing of the trial, so she was not told it ends in two days and what staying
    costs, as her first welcome did."""
    c = paid_community(store, store_clock, TRIAL)
    assert screen(c, "ann").admitted
    welcome_of(c, "ann")
    c.engine.process([c.events.leave("ann", group="g1", at=c.clock.now())])
    asyncio.run(c.engine.drain())
    c.clock.advance(timedelta(days=1))
    assert screen(c, "ann").admitted  # her trial still lets her in
    text = welcome_of(c, "ann")
    assert "back" in text.lower()  # the short welcome back, not the newcomer's
    assert (
        "You are on a free trial of “Half-year membership” until 2026-05-04; to stay after it, "
        "the plan is 299 CNY every 6 months."
    ) in text


def _sent_on_join(c: Community, user: str) -> list[Action]:
    c.engine.process([c.events.join(user, group="g1", at=c.clock.now())])
    asyncio.run(c.engine.drain())
    return [p.action for p in c.carrier.performed if p.action.handler == "welcome"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_without_private_replies_the_trial_line_is_said_in_the_welcomes_own_message(
    store: Store, store_clock: FrozenClock
) -> None:
    """On QQ, Telegram and Matrix (no private replies) the trial line was a second message
    in the group, one more against Telegram's and QQ's per-group quotas: it is the welcome's
    last line now. On the web chat it stays a message of its own, shown to the member alone."""
    c = paid_community(store, store_clock, TRIAL)  # the fake carrier: no private replies
    assert screen(c, "ann").admitted
    [welcome] = _sent_on_join(c, "ann")
    lines = welcome.text.split("\n") if welcome.text else []
    assert lines[0].startswith("Welcome to g1, ann!")
    assert lines[-1].startswith("You are on a free trial of “Half-year membership” until")

    private = FakeCarrier("fake", private_replies=True)  # as the web chat
    c.carrier = private
    c.engine = Engine(store, store_clock, [c.runtime], {"fake": private},
                      adopt_groups_into=c.runtime.community_id)  # fmt: skip
    assert screen(c, "bob").admitted
    shown, trial = _sent_on_join(c, "bob")
    assert shown.text and "trial" not in shown.text
    assert trial.text and trial.text.startswith("You are on a free trial") and trial.member == "bob"
