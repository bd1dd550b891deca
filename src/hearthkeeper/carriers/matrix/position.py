"""The sync position kept between runs, as a small JSON file under the data directory.

For now a file, not a table: it belongs to one bot account on one server. The position
saved is the *safe* one: the engine has recorded every event handed out before it
(`Acknowledged`). A restart resumes there, so a batch the engine had not recorded yet is
delivered again, never lost, and one it had recorded is skipped by event id.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


class SyncPosition:
    """`since` tokens of one account, saved atomically (write a temp file, then rename)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # the sync loop saves from a worker thread while a disconnect saves from the event
        # loop: one at a time, or one rename finds the other's temp file already gone
        self._saving = threading.Lock()

    def load(self) -> str | None:
        """The token to resume from, or None on a first start (or an unreadable file)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        token = data.get("since") if isinstance(data, dict) else None
        return token if isinstance(token, str) and token else None

    def save(self, since: str) -> None:
        """Resume from `since` next time."""
        with self._saving:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temp = self.path.with_name(self.path.name + ".tmp")
            temp.write_text(json.dumps({"since": since}), encoding="utf-8")
            os.replace(temp, self.path)


@dataclass
class _Batch:
    since: str | None  # the position that produced it
    waiting: set[str] = field(default_factory=set)  # its event ids not yet recorded


class Acknowledged:
    """Which sync position is safe to resume from: that of the oldest batch with an event
    the engine has not recorded yet, or, when every event handed out is recorded, the
    position after the last batch. `moved` is set when the safe position changes."""

    def __init__(self, start: str | None = None) -> None:
        self._batches: deque[_Batch] = deque()
        self._next: str | None = start  # the position after the last batch handed out
        self.saved: str | None = start  # what the position file holds (kept by the saver)
        self.moved = asyncio.Event()
        self.settled = asyncio.Event()  # set while every event handed out is recorded
        self.settled.set()

    @property
    def safe(self) -> str | None:
        return self._batches[0].since if self._batches else self._next

    def handed_out(self, since: str | None, next_batch: str, event_ids: Iterable[str]) -> None:
        """A sync response from `since` to `next_batch` handed out `event_ids`."""
        before = self.safe
        waiting = set(event_ids)
        if waiting:
            self._batches.append(_Batch(since, waiting))
            self.settled.clear()
        self._next = next_batch
        self._moved(before)

    def handled(self, event_ids: Iterable[str]) -> None:
        """The engine recorded these events (some may be of batches already settled)."""
        before = self.safe
        done = set(event_ids)
        for batch in self._batches:
            batch.waiting -= done
        while self._batches and not self._batches[0].waiting:
            self._batches.popleft()
        if not self._batches:
            self.settled.set()
        self._moved(before)

    def _moved(self, before: str | None) -> None:
        if self.safe != before:
            self.moved.set()
