"""`hearth bench engine`'s run, with the process CPU it spent beside its wall clock.

The command times each batch by the wall clock, which another process on the machine
stretches; this runs the same thing (`engine_bench.run`, every skincare mechanism on) and
also adds up the process CPU time spent inside `Engine.process` (the span the wall clock
times; SQLite runs in the process), so two trees can be compared on a shared machine.
With `--texts varied` the chat comes from real people's lines (`benchmarks/varied_chat.py`)
instead of the synthetic stream's ~35 repeated ones. Only public APIs that older trees have too:

    PYTHONPATH=<tree>/src .venv/bin/python benchmarks/engine_cpu.py [-n 50000] [--texts varied]
        [--mechanisms none|faq,check_in,...]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence

from varied_chat import STREAMS

from hearthkeeper.bench import engine_bench
from hearthkeeper.engine.engine import Engine
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.executor import Processed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--messages", type=int, default=50_000)
    parser.add_argument("--texts", choices=sorted(STREAMS), default="synthetic",
                        help="the chat's lines: the synthetic stream's or real ones")  # fmt: skip
    parser.add_argument("--mechanisms", default=None,
                        help="only these of the template's mechanisms, comma-separated, or `none` "
                             "(as `hearth bench engine --mechanisms`); default every one")  # fmt: skip
    args = parser.parse_args()
    mechanisms = None
    if args.mechanisms is not None:
        mechanisms = [] if args.mechanisms == "none" else args.mechanisms.split(",")
    # `engine_bench.run` reads the stream it names; older trees have no option to pass one
    engine_bench.stream = STREAMS[args.texts]
    spent = [0.0]
    process = Engine.process

    def timed(self: Engine, events: Sequence[Event]) -> list[Processed]:
        started = time.process_time()
        try:
            return process(self, events)
        finally:
            spent[0] += time.process_time() - started

    Engine.process = timed  # type: ignore[method-assign]
    figures = (engine_bench.run(args.messages) if mechanisms is None
               else engine_bench.run(args.messages, mechanisms=mechanisms))  # fmt: skip
    print(json.dumps({
        "texts": args.texts, "mechanisms": args.mechanisms or "all", "messages": args.messages, "messages_per_s": figures.messages_per_s,
        "seconds": figures.seconds, "cpu_seconds": round(spent[0], 3),
        "per_cpu_second": round(args.messages / spent[0], 1), "actions": figures.actions,
        "p50_ms": figures.p50_ms, "p99_ms": figures.p99_ms,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
