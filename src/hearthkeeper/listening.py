"""Where the running server is reached, for the links a command prints or sends.

`hearth serve` may listen on another port than the configuration's (`--port`, or `--port 0`
for a free one). While it serves, it writes the address it listens on to `listening.json` in
the data directory (with its process id) and removes the file when it stops. A command that
builds a link (`hearth livecodes create`, a ticket sent by `hearth events pay`) starts it
with `[server] public_url` when that is set; else with the address of the server running
now on this data directory; else with http://HOST:PORT of the configuration, and says that
the link assumes the configured port.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hearthkeeper.config import Settings

LISTENING_NAME = "listening.json"  # in the data directory, while `hearth serve` runs


@dataclass(frozen=True)
class SiteUrl:
    """Where links start, and whether it is only the configuration's guess."""

    url: str
    assumed: bool  # no public_url and no running server: http://host:port as configured

    def note(self) -> str:
        """What an operator is told about an assumed address (empty when it is not)."""
        if not self.assumed:
            return ""
        return (f"note: links start with {self.url}, the configured host and port (no "
                "server is running on this data directory now); if browsers reach the server "
                "elsewhere, set public_url in the [server] table of hearth.toml")  # fmt: skip


@contextlib.contextmanager
def listening_at(data_dir: Path, url: str) -> Iterator[None]:
    """Record, while the block runs, that this process serves `data_dir`'s site at `url`."""
    path = data_dir / LISTENING_NAME
    written = path.with_name(f".{LISTENING_NAME}.{os.getpid()}")
    try:
        written.write_text(json.dumps({"url": url, "pid": os.getpid()}), encoding="utf-8")
        written.replace(path)
    except OSError:
        written.unlink(missing_ok=True)  # an unwritable data directory: links use the config
    try:
        yield
    finally:
        if _recorded(path) == (url, os.getpid()):  # not a later server's record
            path.unlink(missing_ok=True)


def site_url(settings: Settings) -> SiteUrl:
    """Where the links a command prints or sends start (see the module's text)."""
    if settings.server.public_url:
        return SiteUrl(settings.server.url(), assumed=False)
    recorded = _recorded(settings.data_dir / LISTENING_NAME)
    if recorded is not None and _alive(recorded[1]):
        return SiteUrl(recorded[0].rstrip("/"), assumed=False)
    return SiteUrl(settings.server.url(), assumed=True)


def _recorded(path: Path) -> tuple[str, int] | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(raw, dict):
        return None
    url, pid = raw.get("url"), raw.get("pid")
    if not isinstance(url, str) or not url or not isinstance(pid, int) or isinstance(pid, bool):
        return None
    return url, pid


def _alive(pid: int) -> bool:
    """Whether process `pid` runs (a server killed without stopping left its record)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it runs, as another user
    except OSError:
        return False
    return True
