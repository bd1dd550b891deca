"""Step 13's figures before and after, measured side by side in one run.

Checks out the code of an earlier commit (default: the last commit before step 13) into a
temporary git worktree, then runs each benchmark twice in turn — once with the earlier
`src/` on `PYTHONPATH`, once with this checkout's — alternating `--repeats` times, and
prints a table of both sides' figures (the median of the repeats) and their ratio. The
benchmark scripts are this checkout's; they only use APIs both versions have.

    .venv/bin/python benchmarks/compare.py [--before REV] [--only NAME,...]
        [--repeats N] [--full] [--json FILE]

`make bench` runs the quick sizes; `--full` runs the sizes docs/benchmarks.md records.
Outside a git checkout (a source archive) there is no "before": the table shows this
checkout's figures alone.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The last commit before step 13's speed work: the code the "before" column measures.
BEFORE = "5929860"
MODEL = Path("src/hearthkeeper/text/model/spam_nb.json.gz")


@dataclass(frozen=True)
class Bench:
    """One benchmark: the command after `python`, at quick and full size."""

    name: str
    quick: tuple[str, ...]
    full: tuple[str, ...]
    timeout: float


BENCHES = (
    Bench(
        "startup",
        ("benchmarks/startup.py", "--runs", "5", "--json"),
        ("benchmarks/startup.py", "--runs", "15", "--json"),
        900,
    ),
    Bench(
        "engine",
        ("-m", "hearthkeeper", "bench", "engine", "--messages", "50000", "--json"),
        ("-m", "hearthkeeper", "bench", "engine", "--json"),
        1800,
    ),
    Bench(
        # the same run on real chat lines (benchmarks/varied_chat.py), per CPU second too
        "engine, varied chat",
        ("benchmarks/engine_cpu.py", "-n", "20000", "--texts", "varied"),
        ("benchmarks/engine_cpu.py", "-n", "50000", "--texts", "varied"),
        1800,
    ),
    Bench(
        "engine per mechanism",
        ("benchmarks/engine_mechanisms.py", "--json"),
        ("benchmarks/engine_mechanisms.py", "--messages", "20000", "--json"),
        3600,
    ),
    Bench(
        "import",
        ("benchmarks/import_speed.py", "--messages", "100000", "--json"),
        ("benchmarks/import_speed.py", "--json"),
        3600,
    ),
    Bench(
        "report",
        ("benchmarks/analytics_1m.py", "--messages", "200000", "--json"),
        ("benchmarks/analytics_1m.py", "--messages", "1000000", "--json"),
        7200,
    ),
)


@contextmanager
def checkout(rev: str) -> Iterator[Path | None]:
    """The source tree of `rev` in a temporary worktree, or None outside a git checkout."""
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        yield None
        return
    found = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
        capture_output=True,
        text=True,
    )
    if found.returncode != 0:
        print(f"compare: commit {rev} is not in this clone; showing this checkout alone")
        yield None
        return
    place = Path(tempfile.mkdtemp(prefix="hearth-before-")) / "tree"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(place), rev],
        check=True,
    )
    try:
        if (ROOT / MODEL).exists() and not (place / MODEL).exists():
            shutil.copy2(ROOT / MODEL, place / MODEL)  # built by `make`, not committed
        yield place
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(place)], check=False
        )
        shutil.rmtree(place.parent, ignore_errors=True)


def run_once(bench: Bench, tree: Path, full: bool) -> dict[str, float]:
    """One run of `bench` with `tree`'s sources: the numeric figures of its last JSON line."""
    env = dict(os.environ, PYTHONPATH=str(tree / "src"))
    argv = [sys.executable, *(bench.full if full else bench.quick)]
    done = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=bench.timeout
    )
    lines = [line for line in done.stdout.splitlines() if line.strip().startswith("{")]
    if done.returncode not in (0,) or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"{bench.name} failed on {tree}: " + " | ".join(tail))
    figures = flatten(json.loads(lines[-1]))
    return figures


def flatten(value: object, prefix: str = "") -> dict[str, float]:
    """Nested JSON objects as `a.b.c` keys; only numbers are figures."""
    out: dict[str, float] = {}
    if isinstance(value, dict):
        for key, inner in value.items():
            out.update(flatten(inner, f"{prefix}{key}."))
    elif isinstance(value, bool):
        pass
    elif isinstance(value, int | float):
        out[prefix.rstrip(".")] = float(value)
    return out


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    keys = sorted({key for run in runs for key in run})
    return {
        key: statistics.median(run[key] for run in runs if key in run)
        for key in keys
        if any(key in run for run in runs)
    }


def show(value: float | None) -> str:
    if value is None:
        return "—"
    if value == int(value) and abs(value) >= 100:
        return f"{int(value):,}"
    return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="the commit the 'before' column runs")
    parser.add_argument(
        "--only", default="", help="comma-separated names: " + ", ".join(b.name for b in BENCHES)
    )
    parser.add_argument("--repeats", type=int, default=1, help="alternating runs per side")
    parser.add_argument("--full", action="store_true", help="the sizes docs/benchmarks.md records")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args()
    wanted = {name for name in args.only.split(",") if name}
    benches = [bench for bench in BENCHES if not wanted or bench.name in wanted]
    unknown = wanted - {bench.name for bench in BENCHES}
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    print(
        f"compare: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M %Z')}"
    )
    results: dict[str, dict[str, dict[str, float]]] = {}
    with checkout(args.before) as before:
        for bench in benches:
            sides: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
            for _ in range(args.repeats):
                if before is not None:
                    sides["before"].append(run_once(bench, before, args.full))
                sides["after"].append(run_once(bench, ROOT, args.full))
            results[bench.name] = {side: median_of(runs) for side, runs in sides.items() if runs}
            print_table(bench.name, results[bench.name], args.before if before else None)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


def print_table(name: str, sides: dict[str, dict[str, float]], before_rev: str | None) -> None:
    after = sides.get("after", {})
    earlier = sides.get("before", {})
    label = f"before ({before_rev})" if before_rev else "before"
    print(f"\n{name}")
    print(f"  {'figure':<44} {label:>18} {'after':>14} {'after ÷ before':>15}")
    for key in sorted(set(after) | set(earlier)):
        old, new = earlier.get(key), after.get(key)
        ratio = f"{new / old:.2f}×" if old and new is not None else ""
        print(f"  {key:<44} {show(old):>18} {show(new):>14} {ratio:>15}")


if __name__ == "__main__":
    sys.exit(main())
