"""The 1-million-message benchmark's own parts, on a small history: the generator writes a
deterministic, well-formed CSV, and the report agrees with DuckDB and direct SQL after the
import, on both databases (benchmarks/analytics_1m.py runs the same steps at scale)."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from benchmarks.analytics import reference, steps
from benchmarks.analytics.generate import HEADER, Shape, generate

from hearthkeeper.store import MessageKind, NewMessage, Store

SMALL = Shape(messages=3_000, groups=12, members=400, days=20)


def test_the_generated_history_is_the_same_every_time_and_well_formed(tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert generate(first, SMALL) == generate(second, SMALL) == SMALL.messages
    assert first.read_bytes() == second.read_bytes()

    with first.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    assert tuple(rows[0]) == HEADER
    groups_of: dict[str, set[str]] = defaultdict(set)
    seen: dict[str, str] = {}  # id -> group
    for row in rows:
        groups_of[row["sender"]].add(row["group"])
        assert row["kind"] in {k.value for k in MessageKind}
        assert row["text"], f"{row['id']} has no text"
        assert row["timestamp"].endswith("+08:00")  # local time of the community
        if row["reply_to"]:
            assert seen.get(row["reply_to"]) == row["group"], "replies answer earlier messages"
        seen[row["id"]] = row["group"]
    assert max(len(g) for g in groups_of.values()) <= 3
    assert len({r["group"] for r in rows}) == SMALL.groups
    assert any("的" in r["text"] or "吗" in r["text"] for r in rows)  # Chinese
    assert any("the" in r["text"] for r in rows)  # and English


def test_activity_is_concentrated_like_real_groups(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    generate(path, Shape(messages=20_000, groups=20, members=2_000, days=30))
    with path.open(encoding="utf-8", newline="") as source:
        counts: dict[str, int] = defaultdict(int)
        hours: dict[int, int] = defaultdict(int)
        for row in csv.DictReader(source):
            counts[row["sender"]] += 1
            hours[datetime.fromisoformat(row["timestamp"]).hour] += 1
    ranked = sorted(counts.values(), reverse=True)
    top_tenth = sum(ranked[: len(ranked) // 10]) / sum(ranked)
    assert top_tenth > 0.5, f"the top 10% of speakers post {top_tenth:.0%}"
    assert hours[21] > 5 * hours[3], "evenings are busier than the small hours"


def test_report_sql_and_duckdb_give_the_same_numbers_after_an_import(
    store: Store, tmp_path: Path
) -> None:
    pytest.importorskip("duckdb")
    path = tmp_path / "history.csv"
    generate(path, SMALL)
    assert steps.set_up_community(store) == SMALL.timezone

    imported = steps.import_file(store, path)
    build = steps.report_builder()
    assert build is not None

    expected = reference.over_csv(path, SMALL.timezone)
    assert imported.added == expected.messages == SMALL.messages
    assert reference.differences(expected, reference.over_store(store.engine,
                                 imported.community_id, SMALL.timezone)) == []  # fmt: skip
    assert reference.differences(expected, reference.from_report(
        build(store, imported.community_id))) == []  # fmt: skip
    # The days are Shanghai's: counted by UTC days, the same history looks different.
    assert reference.over_csv(path, "UTC").daily != expected.daily


def test_direct_sql_counts_local_days_across_a_daylight_saving_change(store: Store) -> None:
    community = store.ensure_community("dst", "DST")
    group = store.add_group(community.id, "London", "import:csv", "london")
    member = store.member_for("import:csv", "ann", "Ann")
    # Europe/London moves to BST (UTC+1) at 01:00 UTC on 2026-03-29.
    sent = [
        datetime(2026, 3, 28, 23, 30, tzinfo=UTC),  # 23:30 GMT: the 28th
        datetime(2026, 3, 29, 22, 30, tzinfo=UTC),  # 23:30 BST: the 29th
        datetime(2026, 3, 29, 23, 30, tzinfo=UTC),  # 00:30 BST: the 30th
        datetime(2026, 3, 30, 12, 0, tzinfo=UTC),  # the 30th
    ]
    store.store_messages(
        [NewMessage(group.id, f"e{i}", member.id, "text", "hi", at) for i, at in enumerate(sent)]
    )
    found = reference.over_store(store.engine, community.id, "Europe/London")
    assert found.daily == {
        ("London", date(2026, 3, 28)): (1, 1),
        ("London", date(2026, 3, 29)): (1, 1),
        ("London", date(2026, 3, 30)): (2, 1),
    }
    totals = found.groups["London"]
    assert (totals.messages, totals.members) == (4, 1)
    assert totals.last_ts - totals.first_ts == timedelta(days=1, hours=12, minutes=30)


def test_differences_name_the_group_and_the_day() -> None:
    at = datetime(2026, 3, 1, tzinfo=UTC)
    expected = reference.Aggregates(
        groups={"g": reference.GroupTotals(2, 1, at, at)},
        daily={("g", date(2026, 3, 1)): (2, 1)},
    )
    found = reference.Aggregates(
        groups={"g": reference.GroupTotals(2, 1, at, at)},
        daily={("g", date(2026, 3, 1)): (1, 1), ("g", date(2026, 3, 2)): (1, 1)},
    )
    assert reference.differences(expected, found) == [
        "group 'g' on 2026-03-01: expected (messages, active members) (2, 1), found (1, 1)",
        "group 'g' on 2026-03-02: expected (messages, active members) None, found (1, 1)",
    ]
