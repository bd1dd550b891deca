"""What dismissing the reports of a hidden message costs when the message is old: a SQLite
database at the tree's newest migration, one community of `--groups` groups with `-n`
messages spread over `--days` days (the rollups rebuilt, as after an import), then `--runs`
messages of the first group, each `--age` days old, hidden by reports (marked deleted and
taken out of the rollups, as the engine does) and their reports dismissed one at a time
through `decisions.dismiss` (which brings the message back and counts it again). Prints
the median and the worst milliseconds a dismissal (wall clock; CPU: median), and checks the rollups agree with a full
rebuild afterwards.

Run it against two trees to compare (the script needs nothing the older tree lacks):

    PYTHONPATH=<tree>/src .venv/bin/python benchmarks/report_restore.py [-n 5000] [--age 60]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hearthkeeper.capabilities.reports import decisions
from hearthkeeper.capabilities.reports.repository import HIDDEN_BY, SqlReports
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import MessageDeletion, Store, create_engine_for, sqlite_url, upgrade
from hearthkeeper.store.pointing import PointingQueries
from hearthkeeper.store.records import ImportRow

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
MEMBERS = 200


def fill(store: Store, messages: int, days: int, groups: int) -> tuple[int, list[int]]:
    """The community's id and its groups' ids, `messages` of them spread evenly over the
    last `days` days and over the groups, then the rollups rebuilt."""
    community = store.ensure_community("tea", "Tea")
    ids = [store.add_group(community.id, f"g{n}", "fake", f"g{n}").id for n in range(groups)]
    members = [store.member_for("fake", f"u{n}", f"member {n}").id for n in range(MEMBERS)]
    start = NOW - timedelta(days=days)
    step = timedelta(days=days) / messages
    rows: list[ImportRow] = [
        (ids[n % groups], members[n % MEMBERS], f"m{n}", "text",
         f"message {n}" + ("?" if n % 5 == 0 else ""), start + step * n, None)
        for n in range(messages)
    ]  # fmt: skip
    store.add_imported_rows(rows)
    store.rebuild_rollups(ids)
    return community.id, ids


def hide(store: Store, community_id: int, group_id: int, age: int, runs: int) -> list[int]:
    """`runs` reported messages of the group, `age` days old, hidden by reports."""
    reports = SqlReports.on(store)
    reporter = store.member_for("fake", "reporter", "reporter").id
    author = store.member_for("fake", "author", "author").id
    when = NOW - timedelta(days=age)
    rows: list[ImportRow] = [(group_id, author, f"old-{n}", "text", f"old ad {n}",
                              when + timedelta(minutes=n), None) for n in range(runs)]  # fmt: skip
    store.add_imported_rows(rows)
    store.rebuild_rollups([group_id])  # counted, as the engine counted them live
    hidden = []
    for n in range(runs):
        found = PointingQueries.on(store).message_replied_to(group_id, f"old-{n}")
        assert found is not None
        with store.transaction() as tx:
            flagged = SqlReports.on(tx).flag(community_id, group_id, found, author, NOW)
            SqlReports.on(tx).add(flagged.id, reporter, "ad", None, NOW)
            SqlReports.on(tx).hide(flagged.id, NOW)
            tx.delete_messages([MessageDeletion(group_id, f"old-{n}", HIDDEN_BY, NOW)])
        hidden.append(flagged.id)
    assert len(reports.waiting(community_id)) == runs
    return hidden


def figures(store: Store, group_ids: list[int]) -> list[object]:
    """Every rollup row of the groups, to compare with a full rebuild."""
    first, last = (NOW - timedelta(days=400)).date(), NOW.date()
    return [*store.group_days(group_ids, first, last),
            *store.activity_days(group_ids, first, last),
            *store.group_day_kinds(group_ids, first, last)]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=5000, help="messages in the community")
    parser.add_argument("--days", type=int, default=90, help="days they span")
    parser.add_argument("--groups", type=int, default=4, help="groups they are spread over")
    parser.add_argument("--age", type=int, default=60, help="days old the hidden messages are")
    parser.add_argument("--runs", type=int, default=9, help="messages hidden, then dismissed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = sqlite_url(Path(folder))
        upgrade(url)
        engine = create_engine_for(url)
        store = Store(engine, FrozenClock(NOW))
        community_id, groups = fill(store, args.n, args.days, args.groups)
        hidden = hide(store, community_id, groups[0], args.age, args.runs)
        took, cpu = [], []
        for reported_id in hidden:
            began, began_cpu = time.perf_counter(), time.process_time()
            decisions.dismiss(store, reported_id, "bench", NOW)
            took.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
        kept = figures(store, groups)
        store.rebuild_rollups(groups)
        agrees = kept == figures(store, groups)
        print(f"{args.n} messages over {args.days} days in {args.groups} groups; a message "
              f"{args.age} days old dismissed: wall median {statistics.median(took):.1f} ms, "
              f"worst {max(took):.1f} ms; CPU median {statistics.median(cpu):.1f} ms "
              f"({args.runs} runs); rollups agree with a full rebuild: {agrees}")  # fmt: skip
        engine.dispose()


if __name__ == "__main__":
    main()
