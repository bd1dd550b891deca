"""`make bench`: measure what step 1 can be slow at, and print the figures.

- validating a playbook (every template), as `hearth playbook validate` does;
- recording messages in the store (SQLite, one transaction each, as events arrive),
  and re-recording the same carrier event ids (the duplicate path);
- applying a playbook version with its diff.
"""

from __future__ import annotations

import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hearthkeeper.apply import apply_playbook
from hearthkeeper.clock import SystemClock
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import TEMPLATES, template_text
from hearthkeeper.store import MessageKind, Store, create_engine_for, sqlite_url, upgrade

MESSAGES = 5_000


def timed(label: str, count: int, unit: str, action: Callable[[], None]) -> None:
    start = time.perf_counter()
    action()
    elapsed = time.perf_counter() - start
    print(
        f"{label:<48} {count / elapsed:>10,.0f} {unit}/s   ({elapsed * 1000 / count:.3f} ms each)"
    )


def bench_validation() -> None:
    texts = [template_text(name) for name in TEMPLATES]
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(10):
            for text in texts:
                parse_playbook(text)
        samples.append((time.perf_counter() - start) / (10 * len(texts)))
    print(
        f"{'validate a template playbook (median of 5 runs)':<48} "
        f"{1 / statistics.median(samples):>10,.0f} playbooks/s   "
        f"({statistics.median(samples) * 1000:.2f} ms each)"
    )


def bench_store(data_dir: Path) -> None:
    url = sqlite_url(data_dir)
    upgrade(url)
    store = Store(create_engine_for(url), SystemClock())
    community = store.ensure_community("bench", "Bench")
    group = store.add_group(community.id, "Bench 1", "webchat", "bench-1", 500)
    members = [store.member_for("webchat", f"u{i}", f"User {i}").id for i in range(50)]
    base = datetime(2026, 1, 1, tzinfo=UTC)

    def record_all() -> None:
        for i in range(MESSAGES):
            store.record_message(
                group.id,
                f"ev-{i}",
                members[i % 50],
                MessageKind.TEXT,
                f"message {i}",
                base + timedelta(seconds=i),
            )

    timed(f"record {MESSAGES:,} new messages (SQLite, WAL)", MESSAGES, "messages", record_all)
    timed(f"re-record {MESSAGES:,} seen event ids (ignored)", MESSAGES, "messages", record_all)
    loaded = [parse_playbook(template_text(name)) for name in TEMPLATES]

    def apply_all() -> None:
        for _ in range(5):
            for item in loaded:
                apply_playbook(store, item, "bench")

    timed("apply a playbook version (unchanged after first)", 5 * len(loaded), "applies", apply_all)


def main() -> None:
    print(
        f"Hearthkeeper benchmarks — Python {platform.python_version()}, "
        f"{platform.machine()}, {platform.system()} {platform.release()}"
    )
    bench_validation()
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as tmp:
        bench_store(Path(tmp))


if __name__ == "__main__":
    main()
