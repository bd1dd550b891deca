"""Attribution through the engine: joins whose link token is `code:<slug>` are counted for
their channel (once, across a restart and a redelivery); unknown, retired and other tokens
are not; who stayed 7 days, spoke and paid."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from hearthkeeper.analytics.report import build_report
from hearthkeeper.analytics.report_html import render_html
from hearthkeeper.capabilities.billing.records import NewOrder, OrderKind, Provider
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.livecodes.records import ChannelKind, ChannelStats
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.capabilities.livecodes.stats import channel_stats
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.events import Join
from hearthkeeper.store import Store
from tests.engine_setup import Community, community, playbook


def by_code(join: Join, slug: str) -> Join:
    return replace(join, source=f"code:{slug}")


def figures(tea: Community, days: int = 0) -> dict[str, tuple[int, int, int, int, int]]:
    now = tea.clock.now() + timedelta(days=days)
    found: list[ChannelStats] = channel_stats(tea.store, tea.runtime.community_id, now)
    return {s.channel.slug: (s.arrived, s.settled, s.stayed, s.spoke, s.paid) for s in found}


@pytest.fixture
def tea(store: Store, store_clock: FrozenClock) -> Community:
    # Newcomers speak without accepting the rules (else the bot deletes what they say: no
    # one 'spoke' by a message the bot deleted).
    tea = community(
        store, store_clock, playbook("joining:\n  ceremony:\n    accept_rules: false\n")
    )
    repo = SqlLiveCodes.on(store)
    for slug, kind in (("poster", ChannelKind.POSTER), ("partner", ChannelKind.PARTNER),
                       ("old", ChannelKind.SELF_MEDIA)):  # fmt: skip
        repo.add_channel(tea.runtime.community_id, slug, slug, kind, notes="", carrier="fake",
                         by="test", at=store_clock.now())  # fmt: skip
    repo.retire("old", store_clock.now())
    return tea


def test_joins_by_code_are_counted_for_their_channel_once_across_a_restart(
    tea: Community, caplog: pytest.LogCaptureFixture
) -> None:
    ev = tea.events
    ann = by_code(ev.join("ann", name="Ann"), "poster")
    joins = [ann, by_code(ev.join("bo"), "poster"), by_code(ev.join("cy"), "partner"),
             by_code(ev.join("di"), "unknown"), by_code(ev.join("ed"), "old"),
             replace(ev.join("fa"), source="ref:abc"), ev.join("gu")]  # fmt: skip
    with caplog.at_level(logging.INFO, logger="hearthkeeper.capabilities.livecodes"):
        tea.engine.process(joins)
    assert "unknown live code 'unknown'" in caplog.text
    assert "retired live code 'old'" in caplog.text
    assert figures(tea) == {"poster": (2, 0, 0, 0, 0), "partner": (1, 0, 0, 0, 0),
                            "old": (0, 0, 0, 0, 0)}  # fmt: skip

    tea.restart()  # a new engine on the same store, and the carrier delivers Ann's join again
    tea.engine.process([ann, by_code(ev.join("hu"), "poster")])
    assert figures(tea)["poster"] == (3, 0, 0, 0, 0)


def test_stayed_spoke_and_paid_per_channel(tea: Community) -> None:
    ev = tea.events
    tea.engine.process([by_code(ev.join("ann"), "poster"), by_code(ev.join("bo"), "poster"),
                        by_code(ev.join("cy"), "partner")])  # fmt: skip
    tea.engine.process([ev.message("ann", "hello, I brew oolong")])
    tea.engine.process([ev.leave("bo", at=ev.now + timedelta(days=2))])
    assert figures(tea, days=3) == {"poster": (2, 0, 0, 1, 0), "partner": (1, 0, 0, 0, 0),
                                    "old": (0, 0, 0, 0, 0)}  # fmt: skip
    # a week on: Ann stayed and spoke, Bo left on day 2, Cy stayed silent; nobody paid
    assert figures(tea, days=8) == {"poster": (2, 2, 1, 1, 0), "partner": (1, 1, 1, 0, 0),
                                    "old": (0, 0, 0, 0, 0)}  # fmt: skip


def test_the_report_shows_who_each_channel_brought(tea: Community) -> None:
    ev = tea.events
    tea.engine.process([by_code(ev.join("ann"), "poster"), ev.message("ann", "hi")])
    made = build_report(
        tea.store, tea.runtime.community_id, now=tea.clock.now() + timedelta(days=8)
    )
    poster = made.to_json()["channels"][0]
    assert (poster["slug"], poster["arrived"], poster["stayed"], poster["spoke"]) == (
        "poster", 1, 1, 1)  # fmt: skip
    assert poster["paid"] == 0
    page = render_html(made)
    assert "Live codes: who each channel brought" in page


def test_a_member_a_channel_brought_who_pays_counts_as_paid(tea: Community) -> None:
    ev = tea.events
    tea.engine.process([by_code(ev.join("ann"), "poster"), by_code(ev.join("bo"), "poster")])
    ann = tea.store.find_member("fake", "ann")
    assert ann is not None
    order = NewOrder(plan_id="year", amount=Decimal("199"), currency="CNY",
                     provider=Provider.MANUAL, provider_ref="TB-1", recorded_by="staff")  # fmt: skip
    SqlBilling.on(tea.store).record(tea.runtime.community_id, ann.id, None, order,
                                    OrderKind.PURCHASE, tea.clock.now())  # fmt: skip
    assert figures(tea)["poster"] == (2, 0, 0, 0, 1)
