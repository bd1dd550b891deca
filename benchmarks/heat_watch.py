"""What the daily watch's heat-death check costs at a matrix of groups.

The community of `benchmarks/matrix_page.py` (N web chat groups of 40 members who talked over
the last five weeks, every twentieth group closed) on a new SQLite store. The watch computes
every group's heat-death warning as of today and, when any group is warned, as of the day
before (`capabilities/health/watch.py`); each is timed five times, wall clock and CPU (on a
machine other work loads, the CPU time says more). With `--versions V`, the playbook was
edited V times before (`matrix_page.edit_playbook`).

Run: .venv/bin/python -m benchmarks.heat_watch [--groups N ...] [--versions V]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta

from benchmarks.matrix_page import NOW, ZONE, filled_community

from hearthkeeper.capabilities.health.watch import heat_warnings


def measure(count: int, versions: int = 0) -> None:
    with filled_community(count, versions) as (store, community, playbook):
        today = NOW.astimezone(ZONE).date()
        print(f"{count} groups, {versions + 1} playbook versions")
        for label, day in (("as of today", today), ("as of the day before", today - timedelta(1))):
            took, cpu, warned = [], [], 0
            for _ in range(5):
                began, began_cpu = time.perf_counter(), time.process_time()
                warnings = heat_warnings(store, community.id, day, ZONE, playbook)
                took.append(time.perf_counter() - began)
                cpu.append(time.process_time() - began_cpu)
                warned = sum(1 for w in warnings if w.warning)
            print(f"  {label}: {len(warnings)} groups, {warned} warned; "
                  f"{min(took):.3f} s best, {statistics.median(took):.3f} s median of 5; "
                  f"CPU {min(cpu):.3f} s best, {statistics.median(cpu):.3f} s median")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, nargs="+", default=[100])
    parser.add_argument("--versions", type=int, default=0,
                        help="playbook versions stored besides the first (edits)")  # fmt: skip
    args = parser.parse_args()
    for count in args.groups:
        measure(count, args.versions)


if __name__ == "__main__":
    main()
