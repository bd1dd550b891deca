"""One free trial per client network: a fresh browser or a new nickname on the same
connection is no new newcomer (SQLite and PostgreSQL)."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from hearthkeeper.capabilities.billing import payments
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.admission import Entry
from hearthkeeper.store import Store
from tests.capabilities.billing.billing_setup import PAID, paid_community, pay, screen

TRIAL = PAID.replace("period: 6 months", "period: 6 months\n      trial: 3d")
HOME = "198.51.100.7"
PHONE = "2001:db8:1:2::/64"


def trials(store: Store, community_id: int) -> list[str]:
    """Who got a free trial, as `hearth billing list` shows them."""
    subs = SqlBilling.on(store).subscriptions(community_id)
    names = store.member_names(s.member_id for s in subs)
    return [names[s.member_id] for s in subs if s.trial_end is not None]


def test_a_connection_that_had_a_trial_gets_no_second_one_for_30_days(
    store: Store, store_clock: FrozenClock
) -> None:
    """Every fresh browser on a paid community's join link was a new person with a new
    free trial: unlimited trials from one connection."""
    c = paid_community(store, store_clock, TRIAL)
    community_id = c.runtime.community_id
    assert screen(c, "ann", network=HOME).admitted
    again = screen(c, "ann-private-window", network=HOME)
    assert again.entry is Entry.REFUSE and again.keeps_form  # the form stays: pay, then in
    assert "free trial was already used from this connection" in again.reason
    assert "Half-year membership" in again.reason and "299 CNY" in again.reason
    code = SqlBilling.on(store).reference_for("fake", "ann-private-window", "x",
                                              store_clock.now()).code  # fmt: skip
    assert code in again.reason  # what to quote when paying
    looked = screen(c, "", network=HOME, probe=True)  # the page before anything is typed
    assert not looked.admitted and "already used from this connection" in looked.reason
    assert screen(c, "bo", network=PHONE).admitted  # another connection: its own trial
    assert screen(c, "cy").admitted  # a carrier that knows no network: as before
    assert sorted(trials(store, community_id)) == ["ann", "bo", "cy"]

    pay(c, "ann-private-window", "TB-1")  # staff let them in by recording the payment
    assert screen(c, "ann-private-window", network=HOME).admitted

    store_clock.set(store_clock.now() + timedelta(days=30, seconds=1))
    assert screen(c, "dee", network=HOME).admitted  # a month later: a trial again
    assert sorted(trials(store, community_id)) == ["ann", "bo", "cy", "dee"]


def test_a_refunded_member_rejoining_under_another_nickname_gets_no_new_trial(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(store, store_clock, TRIAL)
    assert screen(c, "ann", network=HOME).admitted
    bought = pay(c, "ann", "TB-2")
    assert bought.subscription is not None
    community = store.get_community(c.runtime.slug)
    assert community is not None
    store_clock.set(store_clock.now() + timedelta(days=4))  # after the trial: access ends
    with store.transaction() as tx:
        payments.refund(tx, community, c.runtime.playbook, bought.subscription.id, "staff",
                        store_clock.now())  # fmt: skip
    assert not screen(c, "ann", network=HOME).admitted
    verdict = screen(c, "annie", network=HOME)  # a new browser, a new nickname
    assert not verdict.admitted and "already used from this connection" in verdict.reason
    assert trials(store, community.id) == ["ann"]


def test_staff_let_in_someone_who_shares_the_connection_with_a_free_period(
    store: Store, store_clock: FrozenClock
) -> None:
    """A colleague behind the same office address gets no trial; staff give them a period
    they did not pay for, saying why, as docs/membership.md tells them."""
    c = paid_community(store, store_clock, TRIAL)
    assert screen(c, "ann", network=HOME).admitted
    assert not screen(c, "bo", network=HOME).admitted
    pay(c, "bo", "GIFT-1", amount="0", discount="shares an office connection")
    assert screen(c, "bo", network=HOME).admitted


def test_two_browsers_on_one_connection_asking_at_once_get_one_trial(
    store: Store, store_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two join forms sent at the same moment from one connection each read that the
    connection had no trial yet, then each started one (PostgreSQL): the second waits now."""
    c = paid_community(store, store_clock, TRIAL)
    looked = SqlBilling.trial_from
    both = threading.Barrier(2)

    def read_then_wait(self: SqlBilling, *args: Any, **kwargs: Any) -> bool:
        seen = looked(self, *args, **kwargs)
        # hold both asks between the look and the trial, if both get that far
        with contextlib.suppress(threading.BrokenBarrierError):
            both.wait(timeout=3)
        return seen

    monkeypatch.setattr(SqlBilling, "trial_from", read_then_wait)
    with ThreadPoolExecutor(2) as pool:
        verdicts = list(pool.map(lambda who: screen(c, who, network=HOME), ["ann", "annie"]))
    assert sorted(v.admitted for v in verdicts) == [False, True]
    refused = next(v for v in verdicts if not v.admitted)
    assert "free trial was already used from this connection" in refused.reason
    assert len(trials(store, c.runtime.community_id)) == 1


def test_one_person_asking_two_groups_at_once_gets_one_trial(
    store: Store, store_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A carrier that knows no network (Telegram, QQ): one person's join requests to two
    groups, screened at the same moment, each read that they had no subscription and each
    started a trial (PostgreSQL); now the second finds the first's and is let in by it."""
    c = paid_community(store, store_clock, TRIAL)
    looked = SqlBilling.subscriptions
    both = threading.Barrier(2)

    def read_then_wait(self: SqlBilling, *args: Any, **kwargs: Any) -> list[Any]:
        seen = looked(self, *args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            both.wait(timeout=3)
        return seen

    monkeypatch.setattr(SqlBilling, "subscriptions", read_then_wait)
    with ThreadPoolExecutor(2) as pool:
        verdicts = list(pool.map(lambda group: screen(c, "ann", group), ["g1", "g2"]))
    monkeypatch.setattr(SqlBilling, "subscriptions", looked)
    assert all(v.admitted for v in verdicts)
    assert trials(store, c.runtime.community_id) == ["ann"]
