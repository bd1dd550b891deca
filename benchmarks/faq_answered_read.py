"""What reading the FAQ's automatic answers adds to a report's questions (`question_days`).

One group on a new SQLite store: N messages over 90 days, a fifth of them questions, half of
those answered by the FAQ (a reply of the handler "faq" in the outbox), and a welcome in the
outbox for every fourth message. Prints the best of three reads of the 90 days' questions, with
the FAQ's answers and with their read replaced by nothing.

Run: .venv/bin/python -m benchmarks.faq_answered_read [--messages N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import (
    QuestionDays,
    Store,
    create_engine_for,
    metric_reads,
    sqlite_url,
    upgrade,
)
from hearthkeeper.store.models import MessageRow, OutboxRow
from hearthkeeper.store.rollups import local_midnight

START = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 90


def _outbox(key: str, at: datetime, action: dict[str, Any], group_id: int) -> dict[str, Any]:
    return {"key": key, "carrier": "fake", "group_id": group_id, "priority": 2,
            "status": "done", "attempts": 1, "next_attempt_at": at, "created_at": at,
            "action": {"group": "g", "carrier": "fake", **action}}  # fmt: skip


def fill(store: Store, messages: int) -> int:
    """The group's messages and outbox; its id."""
    community = store.ensure_community("bench", "Bench")
    group = store.add_group(community.id, "G", "fake", "g").id
    members = [store.member_for("fake", f"u{i}", f"U{i}").id for i in range(200)]
    rows, box = [], []
    for i in range(messages):
        at = START + timedelta(seconds=i * DAYS * 86400 // messages)
        question = i % 5 == 0
        rows.append({"id": i + 1, "group_id": group, "member_id": members[i % 200],
                     "carrier_event_id": f"e{i}", "kind": "text",
                     "text": "where to buy?" if question else "hello there",
                     "sent_at": at, "recorded_at": at})  # fmt: skip
        if question and i % 10 == 0:
            box.append(_outbox(f"r{i}", at, {"kind": "reply", "handler": "faq", "target": f"e{i}",
                                             "reason": "FAQ: Where?", "text": "Here."}, group))  # fmt: skip
        if i % 4 == 0:
            box.append(_outbox(f"w{i}", at, {"kind": "send", "handler": "ceremony",
                                             "text": "Welcome"}, group))  # fmt: skip
    with store.engine.begin() as connection:
        for start in range(0, len(rows), 5000):
            connection.execute(insert(MessageRow), rows[start : start + 5000])
        for start in range(0, len(box), 5000):
            connection.execute(insert(OutboxRow), box[start : start + 5000])
    return group


def best_of_three(store: Store, group: int) -> tuple[float, QuestionDays]:
    zone = ZoneInfo("UTC")
    since = local_midnight(START.date(), zone)
    until = local_midnight(START.date() + timedelta(days=DAYS), zone)
    best, found = float("inf"), QuestionDays({}, [])
    for _ in range(3):
        began = time.perf_counter()
        found = store.question_days([group], since, until, zone)
        best = min(best, time.perf_counter() - began)
    return best, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = sqlite_url(Path(folder))
        upgrade(url)
        engine = create_engine_for(url)
        store = Store(engine, FrozenClock(START + timedelta(days=DAYS)))
        group = fill(store, args.messages)
        with_faq, days = best_of_three(store, group)
        read = metric_reads._faq_answered
        metric_reads._faq_answered = lambda *_: set()
        without, _ = best_of_three(store, group)
        metric_reads._faq_answered = read
        engine.dispose()
    print(f"{args.messages} messages, {sum(days.asked.values())} questions, "
          f"{sum(days.by_faq.values())} answered by the FAQ alone")  # fmt: skip
    print(f"question_days, best of 3: {with_faq:.3f} s with the FAQ's answers, "
          f"{without:.3f} s without")  # fmt: skip


if __name__ == "__main__":
    main()
