"""Two trees' engines in lockstep: the process CPU each spends on the same slices of the stream.

On a machine other sessions share, two `hearth bench engine` runs a few minutes apart meet
different loads, and the load moves the process CPU too (contention for the caches). Here
each tree runs in its own process over the benchmark's stream (`hearth bench engine`'s: the
skincare template, every mechanism, a frozen clock, batches of 1,000, a new SQLite file), and
the two take turns, a slice of `--slice` batches each, the one going first alternating: both
meet the same machine within seconds. Per slice it prints each one's process CPU inside
`Engine.process`, its wall time and the actions taken (the same on both trees when the
decisions are), then the totals:

    .venv/bin/python benchmarks/engine_lockstep.py <before tree> <after tree> [-n 200000]

where a tree is a directory holding `src/hearthkeeper` (`git archive <commit> src | tar -x`,
with the shipped model copied in).
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def child(messages: int) -> None:
    """One tree's side: the engine over the stream, a slice whenever stdin says `go N`."""
    from hearthkeeper.assembly import runtime_for
    from hearthkeeper.bench.engine_bench import START
    from hearthkeeper.bench.synthetic import stream
    from hearthkeeper.clock import FrozenClock
    from hearthkeeper.engine.engine import Engine
    from hearthkeeper.playbook import parse_playbook
    from hearthkeeper.playbook.templates import template_text
    from hearthkeeper.store import Store, create_engine_for, sqlite_url, upgrade

    with tempfile.TemporaryDirectory(prefix="hearth-lockstep-") as tmp:
        url = sqlite_url(Path(tmp))
        upgrade(url)
        clock = FrozenClock(START)
        store = Store(create_engine_for(url), clock)
        runtime = runtime_for(store, parse_playbook(template_text("skincare")).playbook)
        engine = Engine(store, clock, [runtime], adopt_groups_into=runtime.community_id,
                        batch=1000)  # fmt: skip
        events = stream(messages, start=START)
        print("ready", flush=True)
        for line in sys.stdin:
            cpu = wall = 0.0
            actions = 0
            for _ in range(int(line.split()[1])):
                chunk = list(itertools.islice(events, 1000))
                cpu0, wall0 = time.process_time(), time.perf_counter()
                processed = engine.process(chunk)
                cpu += time.process_time() - cpu0
                wall += time.perf_counter() - wall0
                actions += sum(len(p.actions) for p in processed)
            print(f"{cpu:.4f} {wall:.4f} {actions}", flush=True)
        engine.executor.store.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="*", help="the two trees: before, after")
    parser.add_argument("-n", "--messages", type=int, default=200_000)
    parser.add_argument("--slice", type=int, default=10, help="batches of 1,000 per turn")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.messages)
        return
    if len(args.trees) != 2:
        parser.error("give two trees: before and after")
    names = [Path(tree).name for tree in args.trees]
    sides = []
    for tree in args.trees:
        env = dict(os.environ, PYTHONPATH=str(Path(tree) / "src"))
        side = subprocess.Popen(
            [sys.executable, __file__, "--child", "-n", str(args.messages)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        assert side.stdin is not None and side.stdout is not None
        if side.stdout.readline().strip() != "ready":
            sys.exit(f"{tree}: the engine did not start")
        sides.append(side)
    totals = [[0.0, 0.0, 0], [0.0, 0.0, 0]]
    ratios: list[float] = []
    for turn in range(args.messages // (args.slice * 1000)):
        load = Path("/proc/loadavg").read_text().split()[0]
        figures: list[tuple[float, float, int]] = [(0.0, 0.0, 0), (0.0, 0.0, 0)]
        for i in (0, 1) if turn % 2 == 0 else (1, 0):
            stdin, stdout = sides[i].stdin, sides[i].stdout
            assert stdin is not None and stdout is not None
            stdin.write(f"go {args.slice}\n")
            stdin.flush()
            cpu, wall, actions = stdout.readline().split()
            figures[i] = (float(cpu), float(wall), int(actions))
            totals[i] = [totals[i][0] + float(cpu), totals[i][1] + float(wall),
                         int(totals[i][2]) + int(actions)]  # fmt: skip
        ratios.append(figures[1][0] / figures[0][0])
        print(f"slice {turn + 1} {time.strftime('%H:%M:%S', time.gmtime())} load {load} "
              f"first {names[turn % 2]}: "
              + " | ".join(f"{n} cpu {c:.2f} s wall {w:.2f} s actions {a}"
                           for n, (c, w, a) in zip(names, figures, strict=True))
              + f" | cpu ×{ratios[-1]:.3f}", flush=True)  # fmt: skip
    for side in sides:
        assert side.stdin is not None
        side.stdin.close()
        side.wait()
    for name, (spent, waited, taken) in zip(names, totals, strict=True):
        print(f"total {name}: cpu {spent:.2f} s, wall {waited:.2f} s, actions {taken}")
    print(f"cpu {names[1]} / {names[0]}: total ×{totals[1][0] / totals[0][0]:.3f}, "
          f"median slice ×{statistics.median(ratios):.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
