"""What the daily watch's heat-death check costs at a matrix of groups.

The community of `benchmarks/matrix_page.py` (N web chat groups of 40 members who talked over
the last five weeks, every twentieth group closed) on a new SQLite store. The watch computes
every group's heat-death warning as of today and, when any group is warned, as of the day
before (`capabilities/health/watch.py`); each is timed five times, wall clock and CPU (on a
machine other work loads, the CPU time says more).

Run: .venv/bin/python -m benchmarks.heat_watch [--groups N ...]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta

from benchmarks.matrix_page import NOW, ZONE, filled_community

from hearthkeeper.capabilities.health.watch import heat_warnings


def measure(count: int) -> None:
    with filled_community(count) as (store, community, playbook):
        today = NOW.astimezone(ZONE).date()
        print(f"{count} groups")
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
    for count in parser.parse_args().groups:
        measure(count)


if __name__ == "__main__":
    main()
