"""How long `hearth` takes to answer: wall clock of whole processes, median of N runs.

Commands timed: `hearth --help`, `hearth playbook validate <template>`, `hearth playbook show
<template>`, and one database command (`hearth operator list` on a deployment made by `hearth
init`). Each run is a fresh `python -m hearthkeeper` process, so the figure includes Python's own
start (~20 ms) and every import the command pays. The tree measured is the one on PYTHONPATH
(or `--src`), so one script measures two checkouts side by side:

    PYTHONPATH=/work/wt/before/src .venv/bin/python benchmarks/startup.py --json
    PYTHONPATH=src .venv/bin/python benchmarks/startup.py --json

`--compare OTHER_SRC` alternates the two trees run by run (the fair comparison on a busy
machine). It also lists which heavy libraries `hearth --help` imports (`python -X importtime`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAVY = ("jieba", "pypinyin", "fastapi", "sqlalchemy", "alembic", "aiogram", "nio", "PIL")
TEMPLATE = Path("hearthkeeper/playbook/templates/skincare.yaml")


def default_src() -> Path:
    """The first PYTHONPATH entry holding the package, else this checkout's src/."""
    for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep):
        if entry and (Path(entry) / "hearthkeeper").is_dir():
            return Path(entry).resolve()
    return (Path(__file__).resolve().parent.parent / "src").resolve()


def hearth(src: Path, *args: str, importtime: bool = False) -> subprocess.CompletedProcess[str]:
    """One `python -m hearthkeeper ARGS` process on tree `src`."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    flags = ["-X", "importtime"] if importtime else []
    return subprocess.run([sys.executable, *flags, "-m", "hearthkeeper", *args],
                          env=env, capture_output=True, text=True, check=False)  # fmt: skip


def commands(src: Path, deployment: Path) -> dict[str, list[str]]:
    template = str(src / TEMPLATE)
    return {
        "help": ["--help"],
        "validate": ["playbook", "validate", template],
        "show": ["playbook", "show", template],
        "db": ["operator", "list", "--config", str(deployment / "hearth.toml")],
    }


def prepare(src: Path, deployment: Path) -> Path:
    """A deployment (hearth.toml, playbook, migrated SQLite) made by the tree's `hearth init`."""
    made = hearth(src, "init", str(deployment))
    if made.returncode != 0:
        raise SystemExit(f"hearth init failed on {src}:\n{made.stderr}")
    return deployment


def timed(src: Path, args: list[str]) -> float:
    start = time.perf_counter()
    done = hearth(src, *args)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"hearth {' '.join(args)} failed on {src}:\n{done.stderr}")
    return seconds


def heavy_imports(src: Path) -> list[str]:
    """The heavy libraries `hearth --help` imports."""
    seen = set()
    for line in hearth(src, "--help", importtime=True).stderr.splitlines():
        name = line.rsplit("|", 1)[-1].strip()
        if name.split(".")[0] in HEAVY:
            seen.add(name.split(".")[0])
    return sorted(seen)


def measure(trees: list[Path], runs: int) -> dict[str, dict[str, float]]:
    """Median seconds per command per tree, the trees alternating run by run."""
    with tempfile.TemporaryDirectory(prefix="hearth-startup-") as work:
        plans = {src: commands(src, prepare(src, Path(work) / f"tree{n}"))
                 for n, src in enumerate(trees)}  # fmt: skip
        samples: dict[Path, dict[str, list[float]]] = {src: {} for src in trees}
        for src in trees:  # warm the file cache and the bytecode once
            for args in plans[src].values():
                timed(src, args)
        for _ in range(runs):
            for name in plans[trees[0]]:
                for src in trees:
                    samples[src].setdefault(name, []).append(timed(src, plans[src][name]))
    return {
        str(src): {f"{name}_s": round(statistics.median(values), 3)
                   for name, values in samples[src].items()}
        for src in trees
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--src", type=Path, default=None, help="Tree to measure (default: PYTHONPATH)."
    )
    parser.add_argument(
        "--compare", type=Path, default=None, help="Another src/ to alternate with."
    )
    parser.add_argument("--runs", type=int, default=7, help="Runs per command (median).")
    parser.add_argument("--json", action="store_true", help="Print one JSON object last.")
    options = parser.parse_args()
    src = (options.src or default_src()).resolve()
    trees = [src] + ([options.compare.resolve()] if options.compare else [])
    figures = measure(trees, options.runs)
    heavy = {str(tree): heavy_imports(tree) for tree in trees}
    for tree, values in figures.items():
        print(f"start-up, {tree} (median of {options.runs} processes, wall clock):")
        for name in ("help", "validate", "show", "db"):
            print(f"  hearth {name:<9} {values[f'{name}_s']:.3f} s")
        names = ", ".join(heavy[tree]) or "none of " + ", ".join(HEAVY)
        print(f"  `hearth --help` imports: {names}")
    if options.json:
        result: dict[str, object] = {"runs": options.runs, **figures[str(src)],
                                     "help_heavy_imports": heavy[str(src)]}  # fmt: skip
        if options.compare:
            other = str(trees[1])
            result["compare"] = {"src": other, **figures[other], "help_heavy_imports": heavy[other]}
        print(json.dumps(result))


if __name__ == "__main__":
    main()
