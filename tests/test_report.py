"""The JSON report on a small fixture, every number counted by hand, on both databases."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from datetime import date
from pathlib import Path

import pytest

from hearthkeeper.analytics.metric_records import DayPoint
from hearthkeeper.analytics.report import ReportError, build_report
from hearthkeeper.analytics.report_json import jsonable
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store
from tests.report_setup import NOW, tea_community


def _daily(entries: list[dict[str, object]]) -> list[tuple[object, object, object]]:
    return [(d["date"], d["messages"], d["active_members"]) for d in entries]


def test_report_counts_messages_members_and_days_by_local_midnight(store: Store) -> None:
    community = tea_community(store)
    report = build_report(store, community.id, now=NOW).to_json()

    assert report["community"]["timezone"] == "Asia/Shanghai"
    # The first message is 1 March 23:59 local; today is 4 March local.
    assert report["period"] == {"start": "2026-03-01", "end": "2026-03-04"}
    tea1, tea2, tea3 = report["groups"]
    assert (tea1["name"], tea1["messages"], tea1["members"]) == ("Tea 1", 4, 2)  # alice, bob
    assert tea1["first_ts"] == "2026-03-01T15:59:00+00:00"
    assert tea1["last_ts"] == "2026-03-03T01:00:00+00:00"
    # 23:59 on 1 March and 00:00 on 2 March (local) fall on different days.
    assert _daily(tea1["daily"]) == [
        ("2026-03-01", 1, 1),  # alice 23:59
        ("2026-03-02", 2, 2),  # bob 00:00, alice 10:00
        ("2026-03-03", 1, 1),  # alice 09:00
        ("2026-03-04", 0, 0),
    ]
    assert (tea2["messages"], tea2["members"]) == (2, 2)  # alice, carol
    assert _daily(tea2["daily"])[1] == ("2026-03-02", 2, 2)
    assert (tea3["messages"], tea3["members"], tea3["first_ts"], tea3["last_ts"]) == (
        0, 0, None, None,
    )  # fmt: skip
    assert [d["messages"] for d in tea3["daily"]] == [0, 0, 0, 0]
    # The community: alice speaks in both groups but counts once.
    overall = report["overall"]
    assert (overall["messages"], overall["members"]) == (6, 3)
    assert (overall["first_ts"], overall["last_ts"]) == (tea1["first_ts"], tea1["last_ts"])
    assert _daily(overall["daily"]) == [
        ("2026-03-01", 1, 1),
        ("2026-03-02", 4, 3),  # bob, alice (twice, two groups), carol
        ("2026-03-03", 1, 1),
        ("2026-03-04", 0, 0),
    ]
    json.dumps(report)  # plain JSON all the way down


def test_a_chosen_period_counts_only_its_local_days(store: Store) -> None:
    community = tea_community(store)
    report = build_report(
        store, community.id, now=NOW, start=date(2026, 3, 2), end=date(2026, 3, 2)
    ).to_json()
    tea1 = report["groups"][0]
    # Bob's 16:00 UTC on 1 March is already 2 March in Shanghai; alice's 15:59 is not.
    assert (tea1["messages"], tea1["members"]) == (2, 2)
    assert tea1["first_ts"] == "2026-03-01T16:00:00+00:00"
    assert _daily(tea1["daily"]) == [("2026-03-02", 2, 2)]
    assert report["overall"]["messages"] == 4


def test_a_report_can_be_limited_to_some_groups(store: Store) -> None:
    community = tea_community(store)
    second = store.list_groups(community.id)[1]
    report = build_report(store, community.id, now=NOW, group_ids=[second.id]).to_json()
    assert [g["name"] for g in report["groups"]] == ["Tea 2"]
    assert (report["overall"]["messages"], report["overall"]["members"]) == (2, 2)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_backwards_period_says_what_to_do(store: Store) -> None:
    community = tea_community(store)
    with pytest.raises(ReportError, match="starts on 2026-03-04, after it ends on 2026-03-02"):
        build_report(store, community.id, now=NOW, start=date(2026, 3, 4), end=date(2026, 3, 2))


def test_a_community_without_messages_reports_today_only(
    store: Store, store_clock: FrozenClock
) -> None:
    store_clock.set(NOW)  # the group is opened today
    community = store.ensure_community("quiet", "Quiet Place")
    store.add_group(community.id, "Quiet 1", "fake", "q1")
    report = build_report(store, community.id, now=NOW).to_json()
    assert report["community"]["timezone"] == "UTC"  # no playbook applied
    assert report["period"] == {"start": "2026-03-04", "end": "2026-03-04"}
    assert report["overall"]["messages"] == 0
    assert _daily(report["groups"][0]["daily"]) == [("2026-03-04", 0, 0)]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_every_field_of_the_report_is_documented(store: Store) -> None:
    community = tea_community(store)
    report = build_report(store, community.id, now=NOW).to_json()
    docs = Path(__file__).resolve().parent.parent / "docs" / "metrics.md"
    section = docs.read_text(encoding="utf-8").split("## Report format", 1)[1].split("\n## ")[0]
    group = report["groups"][0]
    fields = (
        set(report) | set(report["community"]) | set(group) | set(group["daily"][0])
        | set(group["metrics"]["total"]) | set(group["health"]) | set(group["heat"])
        | set(group["segments"]["counts"]) | set(group["cohorts"]["rows"][0])
        | set(report["lifecycle"])
    )  # fmt: skip
    # Named as `field`, `field[]` or within a path such as `metrics.total`.
    named = {
        part.removesuffix("[]") for quoted in re.findall(r"`([^`]+)`", section)
        for part in quoted.split(".")
    }  # fmt: skip
    missing = sorted(fields - named)
    assert missing == [], f"docs/metrics.md, Report format, does not name {missing}"


def test_a_days_json_is_what_any_record_becomes() -> None:
    """`DayPoint.to_json` writes out what `jsonable` makes of a record, field for field, in
    the same order (a field added to DayPoint and not to its JSON fails here)."""
    day = DayPoint(date(2026, 3, 2), 9, 4, 4, 2, 1, 3, 1, {"text": 8, "picture": 1}, 2, 6, 11)

    generic = {f.name: jsonable(getattr(day, f.name)) for f in fields(day)}

    assert list(day.to_json().items()) == list(generic.items())
