"""The QQ events the OneBot implementation pushed, kept on disk until the engine recorded them.

OneBot v11 sends an event once and never again: what a process held in memory when it died
(`kill -9`, out of memory, a power cut) was gone — a burst of 100 messages killed at once lost
all 100. So each message and notice is appended to a journal file under `data_dir` as it
arrives, before it is handed on, and a line marking it done is appended once the engine has
recorded it (`OneBotCarrier.handled`). The next start reads again, first, what was not marked
done; the engine records an event once per group and id, so one recorded just before the kill
is not handled twice. Opening rewrites the file with only those, and it is emptied whenever
nothing is left to do and it has grown, so it stays small.

Lines are written without `fsync`: a killed process loses nothing the operating system was
given; a power cut may lose the last lines. Join requests are not kept (screening one twice
could answer QQ twice), nor are meta events. One process at a time owns the file: the worker
holding the QQ connection (docs/deploy.md).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

log = logging.getLogger(__name__)

KEPT = ("message", "notice")  # the post types that become the engine's events
COMPACT_AT = 1 << 20  # bytes: emptied when nothing is left to do and it is this big


class Journal:
    """Events appended as they come, marked done once recorded."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None
        self._next = 1
        self._open: set[int] = set()

    def open(self) -> list[tuple[int, dict[str, Any]]]:
        """The events a process before this one left undone, in order (numbered anew), the
        file rewritten with only them and ready for more."""
        left = self._read()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".new")
        numbered = [(number, raw) for number, raw in enumerate(left, start=1)]
        with temporary.open("w", encoding="utf-8") as out:
            for number, raw in numbered:
                out.write(_line({"n": number, "event": raw}))
        temporary.replace(self.path)
        self._next = len(numbered) + 1
        self._open = {number for number, _ in numbered}
        self._file = self.path.open("a", encoding="utf-8")
        if numbered:
            log.info("qq: %d event(s) received before the last stop and not yet recorded are "
                     "read again", len(numbered))  # fmt: skip
        return numbered

    def add(self, raw: dict[str, Any]) -> int | None:
        """Keep `raw` (a message or a notice) until `done`; its number, or None when it is
        not kept (other post types, or the journal is closed)."""
        if self._file is None or raw.get("post_type") not in KEPT:
            return None
        number = self._next
        self._next += 1
        self._write({"n": number, "event": raw})
        self._open.add(number)
        return number

    def done(self, numbers: Iterable[int]) -> None:
        """The events `numbers` are recorded: not read again after a restart."""
        finished = [n for n in numbers if n in self._open]
        if not finished or self._file is None:
            return
        self._open.difference_update(finished)
        self._write({"done": finished})
        if not self._open and self._file.tell() >= COMPACT_AT:
            self._file.truncate(0)
            self._file.seek(0)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _write(self, entry: dict[str, Any]) -> None:
        assert self._file is not None
        try:
            self._file.write(_line(entry))
            self._file.flush()
        except OSError as exc:  # a full disk: the event goes on, unkept
            log.warning("qq: the event journal %s could not be written (%s)", self.path, exc)

    def _read(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        kept: dict[int, dict[str, Any]] = {}
        with self.path.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                try:
                    entry = json.loads(line)
                except ValueError:  # the last line, cut by the kill
                    continue
                if not isinstance(entry, dict):
                    continue
                if isinstance(entry.get("event"), dict) and isinstance(entry.get("n"), int):
                    kept[entry["n"]] = entry["event"]
                for number in entry.get("done") or ():
                    kept.pop(number, None)
        return [kept[number] for number in sorted(kept)]


def _line(entry: dict[str, Any]) -> str:
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
