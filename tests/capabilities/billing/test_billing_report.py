"""The money figures in `hearth report` (JSON and the HTML page), from real orders through the
engine: purchases, a renewal, a refund, an unrenewed membership removed — the numbers an
operator reads, the same as the console's Billing page."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from hearthkeeper.analytics.report import build_report
from hearthkeeper.analytics.report_html import render_html
from hearthkeeper.apply import apply_playbook
from hearthkeeper.capabilities.billing.metrics import money_figures
from hearthkeeper.capabilities.billing.payments import refund
from hearthkeeper.clock import FrozenClock
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store
from tests.capabilities.billing.billing_setup import kicks, paid_community, pay, run_at, seat
from tests.playbook_samples import MINIMAL


def _section(page: str) -> str:
    """The money section of the HTML report as a reader sees it: its text, spaces squeezed."""
    found = re.search(r'<section[^>]*aria-labelledby="money-title">(.*?)</section>', page, re.S)
    assert found is not None, "no money section in the report"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def test_the_report_shows_purchase_repurchase_upgrade_and_revenue_from_real_orders(
    store: Store, store_clock: FrozenClock
) -> None:
    free = apply_playbook(store, parse_playbook(MINIMAL.replace("slug: tea", "slug: tea-free")),
                          "setup").community  # fmt: skip
    lobby = store.add_group(free.id, "Free lobby", "fake", "lobby")
    ann = store.member_for("fake", "ann", "ann")
    store.join(ann.id, lobby.id, at=store_clock.now() - timedelta(days=30))  # came from the lobby
    c = paid_community(store, store_clock)  # 2026-05-01, groups g1 and g2
    seat(c, "ann", "g1")
    seat(c, "bo", "g1")
    seat(c, "cy", "g2")
    seat(c, "di", "g2")  # never pays
    ends = pay(c, "ann", "TB-1").subscription.period_end  # type: ignore[union-attr]
    pay(c, "bo", "TB-2")
    bought = pay(c, "cy", "TB-3")
    community = store.get_community(c.runtime.slug)
    assert community is not None and bought.subscription is not None
    store_clock.set(store_clock.now() + timedelta(days=2))  # within the 7-day window
    with store.transaction() as tx:
        refund(tx, community, c.runtime.playbook, bought.subscription.id, "staff",
               store_clock.now())  # fmt: skip
    # cy refunded; di, in without paying (joined straight in, no door), a day on
    assert kicks(run_at(c, store_clock.now())) == [("g2", "cy"), ("g2", "di")]
    store_clock.set(ends - timedelta(days=10))
    assert (
        pay(c, "bo", "TB-4", amount="259", discount="loyal member").order.kind.value == "renewal"
    )  # a discount
    assert kicks(run_at(c, ends + timedelta(days=3), restart=True)) == [("g1", "ann")]
    gone = [
        c.events.leave(u, group=g, at=store_clock.now()) for u, g in (("cy", "g2"), ("ann", "g1"))
    ]
    c.engine.process(gone)  # the carrier reports the removed members gone

    report = build_report(store, c.runtime.community_id, now=store_clock.now())
    money = report.to_json()["money"]

    assert (money["payers"], money["people"], money["purchase_rate"]) == (3, 4, 0.75)
    assert (money["renewed"], money["renewable"], money["repurchase_rate"]) == (1, 2, 0.5)
    assert (money["upgraded"], money["free_members"], money["upgrade_rate"]) == (1, 1, 1.0)
    assert money["revenue"] == {"CNY": "857.00"}  # 299 + 299 + 259 + 299 − 299
    assert [(g["name"], g["members"], g["payers"], g["revenue"]) for g in money["groups"]] == [
        ("g1", 1, 2, {"CNY": "857.00"}),  # ann removed; bo stays
        ("g2", 1, 1, {"CNY": "0.00"}),  # cy paid and was refunded
    ]
    assert money["as_of"] == store_clock.now().isoformat()
    console = money_figures(store, c.runtime.community_id, store_clock.now())
    assert console.purchase_rate_text == "75% (3 of 4)"  # the Billing page says the same

    text = _section(render_html(report))
    assert "Purchase rate 75% 3 of 4 people ever in the groups paid" in text
    assert "Repurchase rate 50% 1 of 2 paid memberships due to renew renewed" in text
    assert "Free → paid 100% 1 of 1 member of free communities later paid here" in text
    assert "Revenue 857.00 CNY payments less refunds" in text
    assert "g1 1 2 857.00 CNY g2 1 1 0.00 CNY" in text
    period = report.to_json()["overall"]["metrics"]["total"]
    assert period["purchase_rate"] is None and "money" in period["notes"]["purchase_rate"]


def test_a_report_limited_to_one_group_lists_only_its_money_and_a_free_community_has_none(
    store: Store, store_clock: FrozenClock
) -> None:
    c = paid_community(store, store_clock)
    seat(c, "ann", "g2")
    pay(c, "ann", "TB-1")
    g2 = store.group_for_carrier("fake", "g2")
    assert g2 is not None
    limited = build_report(store, c.runtime.community_id, now=store_clock.now(),
                           group_ids=[g2.id]).to_json()["money"]  # fmt: skip
    assert [g["name"] for g in limited["groups"]] == ["g2"]
    assert limited["revenue"] == {"CNY": "299.00"}  # the community's total all the same

    free = apply_playbook(store, parse_playbook(MINIMAL.replace("slug: tea", "slug: tea-free")),
                          "setup").community  # fmt: skip
    report = build_report(store, free.id, now=store_clock.now())
    assert report.to_json()["money"] is None
    assert 'aria-labelledby="money-title"' not in render_html(report)


def test_a_rate_on_a_half_percent_rounds_up_as_by_hand_in_the_report_and_on_the_billing_page(
    store: Store, store_clock: FrozenClock
) -> None:
    """1 of 8 people paid: 12.5%, read "13%" (as the health score rounds), not rounded to
    even ("12%") — in the report's money section and on the Billing page alike."""
    c = paid_community(store, store_clock)
    for user in ("ann", "bo", "cy", "di", "eve", "fay", "gus", "hal"):
        seat(c, user, "g1")
    pay(c, "ann", "TB-1")

    report = build_report(store, c.runtime.community_id, now=store_clock.now())
    assert report.to_json()["money"]["purchase_rate"] == 0.125
    assert "Purchase rate 13% 1 of 8 people ever in the groups paid" in _section(
        render_html(report)
    )
    console = money_figures(store, c.runtime.community_id, store_clock.now())
    assert console.purchase_rate_text == "13% (1 of 8)"


def test_no_revenue_reads_in_the_communitys_currency_as_other_amounts(
    store: Store, store_clock: FrozenClock
) -> None:
    """Nothing taken reads "0.00 CNY" (the plan's currency), not a bare "0": on the Billing
    page (total and per group), the Health page's "Revenue to date" and the report."""
    c = paid_community(store, store_clock)
    seat(c, "ann", "g1")
    seat(c, "bo", "g2")

    before = money_figures(store, c.runtime.community_id, store_clock.now())
    assert before.revenue_text == "0.00 CNY"
    assert [g.revenue_text for g in before.per_group] == ["0.00 CNY", "0.00 CNY"]
    report = build_report(store, c.runtime.community_id, now=store_clock.now())
    assert report.to_json()["money"]["currency"] == "CNY"
    text = _section(render_html(report))
    assert "Revenue 0.00 CNY payments less refunds" in text
    assert "g1 1 0 0.00 CNY g2 1 0 0.00 CNY" in text

    pay(c, "ann", "TB-1")
    after = money_figures(store, c.runtime.community_id, store_clock.now())
    assert [g.revenue_text for g in after.per_group] == ["299.00 CNY", "0.00 CNY"]
    text = _section(render_html(build_report(store, c.runtime.community_id,
                                             now=store_clock.now())))  # fmt: skip
    assert "g1 1 1 299.00 CNY g2 1 0 0.00 CNY" in text
