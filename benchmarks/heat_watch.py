"""What the daily watch's heat-death check costs at a matrix of groups.

The community of `benchmarks/matrix_page.py` (N web chat groups of 40 members who talked over
the last five weeks, every twentieth group closed) on a new SQLite store. The watch computes
every group's heat-death warning as of today and, when any group is warned, as of the day
before (`capabilities/health/watch.py`); each is timed five times, wall clock and CPU (on a
machine other work loads, the CPU time says more). With `--versions V`, the playbook was
edited V times before (`matrix_page.edit_playbook`). With `--missed D`: instead, the reads of
a watch run D days after it was due (the server down meanwhile), which checks the days it
missed one by one (at most `CATCH_UP_DAYS`), timed once.

Run: .venv/bin/python -m benchmarks.heat_watch [--groups N ...] [--versions V] [--missed D]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta

from benchmarks.matrix_page import NOW, ZONE, filled_community

from hearthkeeper.capabilities.health.watch import HealthWatch, heat_warnings, prepare
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.handler import group_view


def catch_up(count: int, missed: int) -> None:
    with filled_community(count) as (store, community, playbook):
        today = NOW.astimezone(ZONE).date()
        group = store.list_groups(community.id)[0]
        ctx = EffectContext(playbook=playbook, group=group_view(group, community.slug),
                            member=None, now=NOW)  # fmt: skip
        began, began_cpu = time.perf_counter(), time.process_time()
        read = prepare(store, HealthWatch(day=today - timedelta(days=missed)), ctx)
        took, cpu = time.perf_counter() - began, time.process_time() - began_cpu
        gap = [a for a in read.alerts if a.key and a.key.startswith("health:gap:")]
        lines = len((gap[0].text or "").splitlines()) if gap else 0
        print(f"{count} groups, a watch {missed} days late: {len(read.alerts)} alerts "
              f"({len(gap)} of the days missed, {lines} lines); {took:.3f} s, CPU {cpu:.3f} s")  # fmt: skip


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
    parser.add_argument("--missed", type=int, default=0,
                        help="time a watch this many days late instead")  # fmt: skip
    args = parser.parse_args()
    for count in args.groups:
        if args.missed:
            catch_up(count, args.missed)
        else:
            measure(count, args.versions)


if __name__ == "__main__":
    main()
