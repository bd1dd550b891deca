"""CPU seconds (`time.process_time`) of building the web application, as the console and site
test fixtures do: the console fixture (tests/console_setup.py, `create_app` over the skincare
community), `create_app` alone for a second `Web` in the same process, the first console page,
the site fixture (tests/web_auth_setup.py: sign-in and REST API routers) and its first API
request. The first build (imports, the migrated SQLite file) is not counted; medians of N.

Run from a tree's root: `PYTHONPATH=src:. .venv/bin/python benchmarks/web_build.py [N]`."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.console_setup import BASE, open_console
from tests.migrated import migrated_file
from tests.web_auth_setup import build_site, sqlite_store

from hearthkeeper.clock import FrozenClock
from hearthkeeper.web.app import create_app


def main(n: int) -> None:
    migrated = migrated_file()
    rows: dict[str, list[float]] = {
        "console fixture": [],
        "first console page": [],
        "create_app (second Web)": [],
        "site fixture": [],
        "first API request": [],
    }
    for i in range(n + 1):
        clock = FrozenClock(datetime(2026, 5, 1, 9, tzinfo=UTC))
        t0 = time.process_time()
        console = open_console(migrated, Path(tempfile.mkdtemp()), clock)
        t1 = time.process_time()
        console.client.get(BASE + "/members")
        t2 = time.process_time()
        create_app(console.site.web)
        t3 = time.process_time()
        data = Path(tempfile.mkdtemp())
        site = build_site(sqlite_store(migrated, data, clock), clock, data)
        t4 = time.process_time()
        site.client.get("/api/v1/communities")
        t5 = time.process_time()
        console.store.engine.dispose()
        site.store.engine.dispose()
        if i == 0:
            continue
        for key, spent in zip(rows, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
            rows[key].append(spent)
    for key, values in rows.items():
        print(f"{key:26} median {statistics.median(values) * 1000:5.0f} ms "
              f"(min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f})")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
