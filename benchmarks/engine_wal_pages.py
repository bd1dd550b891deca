"""Which of the store's tables and indexes a batch of `hearth bench engine` writes, in pages.

SQLite in WAL mode appends every page a commit changed to the write-ahead log, so the log's
frames are the store's writes. This runs `engine_bench.run` (every skincare mechanism on,
as the command does) with the automatic checkpoint off; after each batch it reads the frames
the batch appended, finds the table or index each page belongs to (SQLite's `dbstat`), then
checkpoints and empties the log for the next batch. It prints, per table and index, the
pages written per batch (the mean over the last `--tail` batches, where the tables are
largest) and over the whole run, and the engine's process CPU. Only public APIs that older
trees have too:

    PYTHONPATH=<tree>/src .venv/bin/python benchmarks/engine_wal_pages.py [-n 50000] [--tail 10]
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import sqlite3
import struct
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from hearthkeeper.bench import engine_bench
from hearthkeeper.engine.engine import Engine
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.executor import Processed
from hearthkeeper.store import database

WAL_HEADER = 32
FRAME_HEADER = 24


def frames(wal: Path) -> list[int]:
    """The page number of each frame in the log `wal` (empty if there is none)."""
    try:
        data = wal.read_bytes()
    except FileNotFoundError:
        return []
    if len(data) < WAL_HEADER:
        return []
    page_size = struct.unpack(">I", data[8:12])[0]
    step = FRAME_HEADER + page_size
    return [
        struct.unpack(">I", data[offset : offset + 4])[0]
        for offset in range(WAL_HEADER, len(data) - step + 1, step)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--messages", type=int, default=50_000)
    parser.add_argument("--tail", type=int, default=10, help="batches at the end to average")
    args = parser.parse_args()
    database.WAL_CHECKPOINT_PAGES = 0  # no automatic checkpoint: this script empties the log
    workdir = Path(tempfile.mkdtemp(prefix="hearth-wal-"))
    path = workdir / database.SQLITE_FILE
    wal = path.with_name(path.name + "-wal")
    per_batch: list[collections.Counter[str]] = []
    spent = [0.0]
    process = Engine.process
    reader: list[sqlite3.Connection] = []

    def owners(connection: sqlite3.Connection) -> dict[int, str]:
        rows = connection.execute("SELECT name, pageno FROM temp.pages").fetchall()
        return {page: name for name, page in rows}

    def counted(self: Engine, events: Sequence[Event]) -> list[Processed]:
        started = time.process_time()
        try:
            return process(self, events)
        finally:
            spent[0] += time.process_time() - started
            if not reader:
                reader.append(sqlite3.connect(path))
                reader[0].execute("CREATE VIRTUAL TABLE temp.pages USING dbstat(main)")
            pages = frames(wal)
            owner = owners(reader[0])
            batch: collections.Counter[str] = collections.Counter()
            for page in pages:
                batch[owner.get(page, "(other: free list, header)")] += 1
            batch["(all frames)"] = len(pages)
            batch["(distinct pages)"] = len(set(pages))
            per_batch.append(batch)
            busy, _, _ = reader[0].execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                raise SystemExit("the checkpoint was refused: a reader held the log")

    Engine.process = counted  # type: ignore[method-assign]
    try:
        figures = engine_bench.run(args.messages, workdir=workdir)
        size = path.stat().st_size
    finally:
        for connection in reader:
            connection.close()
        shutil.rmtree(workdir, ignore_errors=True)
    tail = per_batch[-args.tail :]
    names = sorted({n for b in per_batch for n in b}, key=lambda n: -sum(b[n] for b in tail))
    print(json.dumps({
        "messages": args.messages, "batches": len(per_batch), "actions": figures.actions,
        "cpu_seconds": round(spent[0], 3), "per_cpu_second": round(args.messages / spent[0], 1),
        "db_bytes": size,
        "pages_per_batch_tail": {n: round(sum(b[n] for b in tail) / len(tail), 1) for n in names},
        "pages_per_batch_all": {
            n: round(sum(b[n] for b in per_batch) / len(per_batch), 1) for n in names
        },
    }, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
