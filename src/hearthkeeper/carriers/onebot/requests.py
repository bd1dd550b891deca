"""Join requests waiting for staff: QQ answers one only with its `flag`, which arrives once, in
the request event. An application held for review may be approved days later, after restarts,
so the flags are kept in a small JSON file under the data directory (`requests_file`)."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Waiting:
    """A request's handle: what `set_group_add_request` needs."""

    flag: str
    sub_type: str = "add"


class PendingRequests:
    """Group and QQ number → the request's handle; written through on every change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._waiting: dict[str, Waiting] = {}
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raw = {}
        if isinstance(raw, dict):
            for key, value in raw.items():
                if isinstance(value, dict) and isinstance(value.get("flag"), str):
                    self._waiting[key] = Waiting(value["flag"], str(value.get("sub_type", "add")))

    @staticmethod
    def _key(group: str, user: str) -> str:
        return f"{group}:{user}"

    def put(self, group: str, user: str, waiting: Waiting) -> None:
        """Remember the newest request of `user` for `group`."""
        with self._lock:
            self._waiting[self._key(group, user)] = waiting
            self._save()

    def get(self, group: str, user: str) -> Waiting | None:
        with self._lock:
            return self._waiting.get(self._key(group, user))

    def drop(self, group: str, user: str) -> None:
        """Forget the request (answered)."""
        with self._lock:
            if self._waiting.pop(self._key(group, user), None) is not None:
                self._save()

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(self.path.suffix + ".tmp")
        data = {k: {"flag": w.flag, "sub_type": w.sub_type} for k, w in self._waiting.items()}
        temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temporary, self.path)
