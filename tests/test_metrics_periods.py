"""Periods (ISO weeks, months, cut to the range) and the per-member inputs of segments and
cohorts (`analytics.activity`)."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from pathlib import Path

from hearthkeeper.analytics.activity import member_activity, members_joined
from hearthkeeper.analytics.metrics import PeriodMetrics
from hearthkeeper.analytics.periods import months, weeks, whole
from hearthkeeper.store import Store
from tests.metrics_setup import at, d, town


def test_iso_weeks_start_on_monday_and_are_cut_to_the_range() -> None:
    found = [(p.label, p.start, p.end) for p in weeks(date(2026, 3, 4), date(2026, 3, 17))]
    assert found == [
        ("2026-W10", date(2026, 3, 4), date(2026, 3, 8)),  # Wednesday to Sunday
        ("2026-W11", date(2026, 3, 9), date(2026, 3, 15)),
        ("2026-W12", date(2026, 3, 16), date(2026, 3, 17)),
    ]
    # 2026 has 53 ISO weeks; 1 January 2027 belongs to it.
    assert [p.label for p in weeks(date(2026, 12, 30), date(2027, 1, 5))] == ["2026-W53",
                                                                               "2027-W01"]  # fmt: skip


def test_months_and_the_whole_range() -> None:
    found = [(p.label, p.start, p.end, p.days) for p in months(date(2026, 1, 30), date(2026, 3, 2))]
    assert found == [
        ("2026-01", date(2026, 1, 30), date(2026, 1, 31), 2),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28), 28),
        ("2026-03", date(2026, 3, 1), date(2026, 3, 2), 2),
    ]
    assert whole(date(2026, 1, 30), date(2026, 3, 2)).label == "2026-01-30..2026-03-02"


def test_member_activity_and_first_joins(store: Store) -> None:
    t = town(store)
    t.stay("ann", "a", at("02-10"), at("02-11"))
    t.stay("ann", "b", at("02-05"))  # her first join in the community
    t.stay("bob", "a", at("03-01"))
    t.say("ann", "a", at("03-02", 9))
    t.say("ann", "b", at("03-02", 10))
    t.say("ann", "a", at("03-04"))
    t.say("bob", "a", at("03-04"))
    t.say("cat", "a", at("03-09"))  # after the period; cat never joined
    store.rebuild_rollups(t.groups.values())

    activity = member_activity(store, t.community_id, start=d("03-01"), end=d("03-08"))
    assert activity == {t.member("ann"): [(d("03-02"), 2), (d("03-04"), 1)],
                        t.member("bob"): [(d("03-04"), 1)]}  # fmt: skip
    only_b = member_activity(store, t.community_id, start=d("03-01"), end=d("03-08"),
                             group_ids=[t.group("b")])  # fmt: skip
    assert only_b == {t.member("ann"): [(d("03-02"), 1)]}
    assert members_joined(store, t.community_id) == {t.member("ann"): d("02-05"),
                                                     t.member("bob"): d("03-01")}  # fmt: skip


def test_docs_define_every_metric() -> None:
    text = (Path(__file__).resolve().parent.parent / "docs" / "metrics.md").read_text("utf-8")
    names = [f.name for f in fields(PeriodMetrics) if f.name not in {"grain", "label", "start",
                                                                      "end", "notes"}]  # fmt: skip
    assert [n for n in names if f"`{n}`" not in text] == []
