"""`hearth import csv` of a real chat corpus, on SQLite and PostgreSQL, beside DuckDB.

Builds the Chit-Chat corpus as the generic CSV (benchmarks/corpus/chitchat_csv.py: 258,145
real messages, 1,315 people, 35 topic groups, replies), then on each database (fresh,
migrated; PostgreSQL a throwaway server as the tests start it) imports it as
`hearth import csv FILE --community chitchat` does (`hearthkeeper.importers.open_source` and
`import_source`: parsing, members, messages, reply linking, the rollups' rebuild), timed from
opening the file to the end. `--again` also times importing the same file a second time
(nothing is added). DuckDB reading the same file into a table is timed beside it: the floor
of reading this CSV on this machine.

    .venv/bin/python benchmarks/import_speed.py [--messages N] [--databases sqlite,postgres]
        [--again] [--profile] [--json]

`--messages N` imports the first N messages (default: all 258,145). Only public APIs that
exist before and after step 13 are used, so the same script measures both trees.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import json
import os
import platform
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for benchmarks.*

from benchmarks.analytics.databases import (
    Database,
    Unavailable,
    postgres_database,
    sqlite_database,
)
from benchmarks.corpus import chitchat_csv

from hearthkeeper import importers
from hearthkeeper.clock import SystemClock
from hearthkeeper.store import Store, create_engine_for

COMMUNITY = "chitchat"
DATABASES: dict[str, Callable[[], AbstractContextManager[Database]]] = {
    "sqlite": sqlite_database,
    "postgres": postgres_database,
}


def main() -> int:
    args = _arguments()
    say = (lambda *_: None) if args.json else print
    figures: dict[str, Any] = {"machine": _machine()}
    say(figures["machine"])
    with tempfile.TemporaryDirectory(prefix="hearth-bench-import-") as tmp:
        path = Path(tmp) / "chitchat.csv"
        started = time.perf_counter()
        count = _write_corpus(path, args.messages)
        say(f"wrote {count:,} Chit-Chat messages to the CSV ({path.stat().st_size / 2**20:.0f} MiB)"
            f" in {time.perf_counter() - started:.1f} s")  # fmt: skip
        figures["messages"] = count
        duck_s, duck_rows = _duckdb(path)
        figures["duckdb_s"] = round(duck_s, 3)
        figures["duckdb_messages_per_s"] = round(duck_rows / duck_s)
        say(f"DuckDB reads the CSV into a table: {duck_rows:,} rows in {duck_s:.2f} s")
        for name in args.databases:
            try:
                with DATABASES[name]() as database:
                    figures[name] = _run(database, path, count, args, say)
            except Unavailable as exc:
                say(f"{name}: skipped, {exc}")
                figures[name] = {"skipped": str(exc)}
    say("")
    say(
        f"{'database':<12}{'messages':>10}{'import':>10}{'msgs/s':>10}{'again':>10}{'vs DuckDB':>11}"
    )
    for name in args.databases:
        got = figures[name]
        if "skipped" in got:
            continue
        again = f"{got['again_s']:.1f} s" if "again_s" in got else "-"
        say(f"{name:<12}{got['added']:>10,}{got['import_s']:>8.1f} s{got['messages_per_s']:>10,}"
            f"{again:>10}{got['import_s'] / duck_s:>10.0f}x")  # fmt: skip
    say(f"{'duckdb':<12}{duck_rows:>10,}{duck_s:>8.2f} s{figures['duckdb_messages_per_s']:>10,}")
    if args.json:
        print(json.dumps(figures))
    bad = [n for n in args.databases if figures[n].get("added", count) != count]
    return 1 if bad else 0


def _run(
    database: Database, path: Path, count: int, args: Any, say: Callable[..., None]
) -> dict[str, Any]:
    say(f"\n{database.label} {database.version}:")
    engine = create_engine_for(database.url)
    try:
        store = Store(engine, SystemClock())
        seconds, summary = _timed(lambda: _import(store, path), profile=args.profile)
        rate = round(summary.messages_added / seconds)
        say(f"  import: {summary.messages_added:,} messages in {seconds:.1f} s ({rate:,}/s), "
            f"{summary.members:,} members, {len(summary.groups)} groups")  # fmt: skip
        if summary.messages_added != count:
            say(f"  expected {count:,} messages added")
        got: dict[str, Any] = {
            "version": database.version,
            "added": summary.messages_added,
            "import_s": round(seconds, 3),
            "messages_per_s": rate,
        }
        if args.again:
            again_s, again = _timed(lambda: _import(store, path), profile=args.profile)
            say(f"  again: {again.messages_added:,} added, {again.messages_already:,} already "
                f"there, in {again_s:.1f} s ({round(count / again_s):,}/s)")  # fmt: skip
            got["again_s"] = round(again_s, 3)
            got["again_added"] = again.messages_added
        return got
    finally:
        engine.dispose()


def _import(store: Store, path: Path) -> importers.ImportSummary:
    """As `hearth import csv FILE --community chitchat` does, without its progress bar."""
    source = importers.open_source("csv", path, importers.ImportOptions())
    summary = importers.import_source(
        store, source, community=COMMUNITY, progress=lambda d, t: None
    )
    if summary.bad_rows:
        raise SystemExit(f"the import skipped {len(summary.bad_rows)} rows: {summary.bad_rows[0]}")
    return summary


def _write_corpus(path: Path, messages: int | None) -> int:
    """The Chit-Chat CSV, cut to its first `messages` rows when given; the rows written."""
    written = chitchat_csv.write_csv(chitchat_csv.dataset(), path)
    if messages is None or messages >= written:
        return written
    whole = path.with_suffix(".all.csv")
    path.rename(whole)
    with whole.open(encoding="utf-8", newline="") as src, path.open("w", encoding="utf-8",
                                                                   newline="") as out:  # fmt: skip
        reader, writer = csv.reader(src), csv.writer(out)
        writer.writerow(next(reader))
        for _, row in zip(range(messages), reader, strict=False):
            writer.writerow(row)
    whole.unlink()
    return messages


def _duckdb(path: Path) -> tuple[float, int]:
    """DuckDB reading the CSV into a table of the same columns (seconds, rows)."""
    import duckdb  # a dev dependency; only the reference needs it

    connection = duckdb.connect()
    try:
        start = time.perf_counter()
        connection.execute(
            "CREATE TABLE m AS SELECT * FROM read_csv(?, header = true, quote = '\"', "
            "escape = '\"', columns = {'id': 'VARCHAR', 'timestamp': 'TIMESTAMPTZ', "
            "'group': 'VARCHAR', 'sender': 'VARCHAR', 'sender_name': 'VARCHAR', "
            "'text': 'VARCHAR', 'reply_to': 'VARCHAR'})",
            [str(path)],
        )
        seconds = time.perf_counter() - start
        row = connection.execute("SELECT count(*) FROM m").fetchone()
    finally:
        connection.close()
    return seconds, int(row[0]) if row else 0


def _timed(action: Callable[[], Any], *, profile: bool = False) -> tuple[float, Any]:
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    result = action()
    if profiler is not None:
        profiler.disable()
    elapsed = time.perf_counter() - start
    if profiler is not None:
        stats = pstats.Stats(profiler, stream=sys.stderr).strip_dirs()
        stats.sort_stats("cumulative").print_stats(35)
        stats.sort_stats("tottime").print_stats(25)
    return elapsed, result


def _machine() -> str:
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")  # fmt: skip


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=None, help="import only the first N")
    parser.add_argument("--databases", default="sqlite,postgres",
                        type=lambda s: [d for d in s.split(",") if d])  # fmt: skip
    parser.add_argument("--again", action="store_true", help="also time a second import")
    parser.add_argument("--profile", action="store_true", help="cProfile the imports (stderr)")
    parser.add_argument("--json", action="store_true", help="one JSON object on the last line")
    args = parser.parse_args()
    unknown = [d for d in args.databases if d not in DATABASES]
    if unknown:
        parser.error(f"unknown database {unknown[0]!r}; the databases are {', '.join(DATABASES)}")
    return args


if __name__ == "__main__":
    sys.exit(main())
