"""Import and report at 1 million messages, on SQLite and on PostgreSQL, beside a reference.

1. Generate a realistic chat history as the generic CSV (200 groups, 50,000 members in one to
   three groups each, ~90 days, Zipf-like activity, a daily rhythm, Chinese and English,
   pictures, links, replies; deterministic: benchmarks/analytics/generate.py).
2. The reference: DuckDB reads the CSV and computes, per group, messages, members (distinct
   senders), first and last message, and per group and local day, messages and active
   members (benchmarks/analytics/reference.py).
3. On each database (fresh, migrated): import the file as `hearth import csv FILE
   --community bench` does (`hearthkeeper.importers`), timed; build the report
   (`hearthkeeper.analytics.report.build_report`), timed; compute the same aggregates with
   one direct SQL query per grain over `messages`, timed; check that the report, the SQL
   and DuckDB give the same numbers (exit status 1 and the differences if not), and print
   the speed ratios.

    .venv/bin/python benchmarks/analytics_1m.py [--messages N] [--databases sqlite,postgres]
        [--csv FILE] [--fallback-import] [--profile import|report] [--json]

`make bench` runs 200,000 messages; docs/benchmarks.md records the full 1,000,000.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for benchmarks.analytics

from benchmarks.analytics import reference, steps
from benchmarks.analytics.databases import (
    Database,
    Unavailable,
    postgres_database,
    sqlite_database,
)
from benchmarks.analytics.generate import Shape, generate

T = TypeVar("T")
DATABASES: dict[str, Callable[[], AbstractContextManager[Database]]] = {
    "sqlite": sqlite_database,
    "postgres": postgres_database,
}


@dataclass
class Outcome:
    database: Database
    imported: int
    import_s: float
    report_s: float
    sql_s: float
    problems: list[str]


def main() -> int:
    args = _arguments()
    shape = replace(Shape(), messages=args.messages, groups=args.groups, members=args.members)
    print(_machine())
    print(
        f"{shape.messages:,} messages, {shape.groups} groups, {shape.members:,} members, "
        f"{shape.days} days from {shape.start} ({shape.timezone}), seed {shape.seed}"
    )
    with tempfile.TemporaryDirectory(prefix="hearth-bench-csv-") as tmp:
        path = args.csv or Path(tmp) / "history.csv"
        if not path.exists():
            seconds, _ = _timed(lambda: generate(path, shape))
            print(f"generated {path} ({path.stat().st_size / 2**20:,.0f} MiB) in {seconds:.1f} s")
        duck_s, expected = _timed(lambda: reference.over_csv(path, shape.timezone))
        print(f"reference: DuckDB over the CSV in {duck_s:.2f} s ({expected.messages:,} messages)")
        outcomes = []
        for name in args.databases:
            try:
                with DATABASES[name]() as database:
                    outcomes.append(_run(database, path, shape, expected, args))
            except Unavailable as exc:
                print(f"\n{name}: skipped, {exc}")
    _table(outcomes, duck_s)
    if args.json:
        print(json.dumps(_figures(shape.messages, duck_s, outcomes)))
    failed = [o for o in outcomes if o.problems]
    for outcome in failed:
        print(f"\n{outcome.database.label}: the numbers differ from DuckDB's:")
        print("\n".join(f"  {problem}" for problem in outcome.problems))
    return 1 if failed else 0


def _run(
    database: Database, path: Path, shape: Shape, expected: reference.Aggregates, args: Any
) -> Outcome:
    print(f"\n{database.label} {database.version}:")
    with steps.open_store(database.url) as store:
        timezone = steps.set_up_community(store)
        if timezone != shape.timezone:
            raise SystemExit(f"the community runs in {timezone}, the history in {shape.timezone}")
        import_s, imported = _timed(
            lambda: steps.import_file(store, path, fallback_only=args.fallback_import),
            profile=args.profile == "import",
        )
        print(f"  import: {imported.added:,} messages in {import_s:.1f} s ({imported.how})")
        report = steps.report_builder()
        now = steps.report_clock(store, imported.community_id)
        report_s, built = _timed(
            lambda: report(store, imported.community_id, now), profile=args.profile == "report"
        )
        zone = built["community"]["timezone"]
        print(f"  report: {report_s:.2f} s ({len(built['groups'])} groups, days in {zone})")
        found = reference.from_report(built)
        problems = [f"report: {p}" for p in reference.differences(expected, found)]
        sql_s, found = _timed(
            lambda: reference.over_store(store.engine, imported.community_id, shape.timezone)
        )
        print(f"  reference: direct SQL over messages in {sql_s:.2f} s")
        problems += [f"SQL: {p}" for p in reference.differences(expected, found)]
    return Outcome(database, imported.added, import_s, report_s, sql_s, problems)


def _timed(action: Callable[[], T], *, profile: bool = False) -> tuple[float, T]:
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    result = action()
    if profiler is not None:
        profiler.disable()
    elapsed = time.perf_counter() - start
    if profiler is not None:
        stats = pstats.Stats(profiler).strip_dirs().sort_stats("cumulative")
        stats.print_stats(30)
        stats.sort_stats("tottime").print_stats(20)
    return elapsed, result


def _table(outcomes: list[Outcome], duck_s: float) -> None:
    print(
        f"\n{'database':<12}{'messages':>11}{'import':>10}{'msgs/s':>10}{'report':>10}"
        f"{'SQL ref':>10}{'report/SQL':>12}{'report/DuckDB':>15}{'same numbers':>14}"
    )
    for o in outcomes:
        report = f"{o.report_s:.2f} s"
        by_sql = f"{o.report_s / o.sql_s:.1f}x"
        by_duck = f"{o.report_s / duck_s:.1f}x"
        print(
            f"{o.database.label:<12}{o.imported:>11,}{o.import_s:>8.1f} s"
            f"{o.imported / o.import_s:>10,.0f}{report:>10}{o.sql_s:>8.2f} s{by_sql:>12}"
            f"{by_duck:>15}{'no' if o.problems else 'yes':>14}"
        )


def _figures(messages: int, duck_s: float, outcomes: list[Outcome]) -> dict[str, Any]:
    """One JSON object of the figures (`--json`: stdout's last line)."""
    found: dict[str, Any] = {"messages": messages, "duckdb_csv_s": round(duck_s, 3)}
    for o in outcomes:
        name = o.database.label.lower()
        found |= {
            f"{name}_import_s": round(o.import_s, 2),
            f"{name}_import_per_s": round(o.imported / o.import_s),
            f"{name}_report_s": round(o.report_s, 3),
            f"{name}_sql_s": round(o.sql_s, 3),
            f"{name}_same_numbers": not o.problems,
        }
    return found


def _machine() -> str:
    cpu = "?"
    for line in _lines("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return (
        f"analytics at scale — {os.cpu_count()} cores ({cpu}), {platform.machine()}, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def _lines(path: str) -> Iterator[str]:
    try:
        with open(path, encoding="utf-8") as source:
            yield from source
    except OSError:
        return


def _arguments() -> Any:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--groups", type=int, default=200)
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument(
        "--databases",
        type=lambda v: [d.strip() for d in v.split(",") if d.strip()],
        default=["sqlite", "postgres"],
        help="comma-separated: sqlite, postgres",
    )
    parser.add_argument(
        "--csv",
        type=Path,
        help="keep the generated CSV here, or reuse it (generated with the same options)",
    )
    parser.add_argument(
        "--fallback-import",
        action="store_true",
        help="import through the store's bulk methods instead of hearthkeeper.importers",
    )
    parser.add_argument("--profile", choices=("import", "report"), help="cProfile one phase")
    parser.add_argument("--json", action="store_true", help="end with one JSON object of figures")
    args = parser.parse_args()
    unknown = [d for d in args.databases if d not in DATABASES]
    if unknown:
        parser.error(f"unknown database {', '.join(unknown)}; choose from sqlite, postgres")
    return args


if __name__ == "__main__":
    sys.exit(main())
