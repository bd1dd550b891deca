"""What the weekly report's figures cost at a matrix of groups.

The community of `benchmarks/matrix_page.py` (N web chat groups of 40 members who talked over
the last five weeks, every twentieth group closed) on a new SQLite store. The weekly report
measures two weeks of the report's metrics, the heat-death warnings as of the week's last day,
and its own small reads (`capabilities/health/weekly_figures.py`), then words them; timed five
times, wall clock and CPU (on a machine other work loads, the CPU time says more).

Run: .venv/bin/python -m benchmarks.weekly_report [--groups N ...]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta

from benchmarks.matrix_page import NOW, ZONE, filled_community

from hearthkeeper.capabilities.health.weekly_figures import week_figures
from hearthkeeper.capabilities.health.weekly_text import weekly_text


def measure(count: int) -> None:
    with filled_community(count) as (store, community, playbook):
        end = NOW.astimezone(ZONE).date() - timedelta(days=1)
        took, cpu, lines = [], [], 0
        for _ in range(5):
            began, began_cpu = time.perf_counter(), time.process_time()
            figures = week_figures(store, community.id, community.name, community.slug,
                                   playbook, end)  # fmt: skip
            assert figures is not None, "the filled community's groups were open all week"
            text = weekly_text(figures, playbook.community.language)
            took.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
            lines = len(text.splitlines())
        print(f"{count} groups: {figures.messages} messages in the week, "
              f"{len(figures.warned)} groups warned, {lines} lines; "
              f"{min(took):.3f} s best, {statistics.median(took):.3f} s median of 5; "
              f"CPU {min(cpu):.3f} s best, {statistics.median(cpu):.3f} s median")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, nargs="+", default=[100])
    for count in parser.parse_args().groups:
        measure(count)


if __name__ == "__main__":
    main()
