"""The sync position kept between runs, as a small JSON file under the data directory.

For now a file, not a table: it belongs to one bot account on one server. A restart resumes
from the position *before* the last batch the carrier handed out, so that batch is delivered
again and the engine skips what it already recorded (events are unique by event id); what
it had not recorded yet is not lost.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


class SyncPosition:
    """`since` tokens of one account, saved atomically (write a temp file, then rename)."""

    def __init__(self, path: Path) -> None:
        self.path = path

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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.path.with_name(self.path.name + ".tmp")
        temp.write_text(json.dumps({"since": since}), encoding="utf-8")
        os.replace(temp, self.path)
