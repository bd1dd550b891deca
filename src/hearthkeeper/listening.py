"""Where the running server is reached, for the links a command prints or sends.

`hearth serve` (and `hearth demo`) may listen on another port than the configuration's
(`--port`, or `--port 0` for a free one). While it serves, it records the address it listens
on in the data directory's `listening/` folder, one entry per process (`<host>-<pid>.json`,
with its process id), and removes its entry when it stops: several web nodes sharing one
data directory each keep their own. A command that builds a link (`hearth livecodes
create`, a ticket sent by `hearth events pay`) starts it with `[server] public_url` when that
is set; else with the address of a server of this machine running now on this data
directory (the one started last; entries of processes that are gone are ignored); else with
http://HOST:PORT of the configuration, and says that the link assumes the configured port.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hearthkeeper.config import Settings

LISTENING_NAME = "listening"  # the folder of records in the data directory, one per server
_HOST = socket.gethostname()


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
    """Record, while the block runs, that this process serves `data_dir`'s site at `url`: its
    own entry (`listening/<host>-<pid>.json`), so servers sharing the data directory (several
    web nodes, a demo) do not overwrite each other's. Entries of processes of this machine
    that are gone are removed on the way."""
    folder = data_dir / LISTENING_NAME
    path = folder / f"{_HOST}-{os.getpid()}.json"
    written = folder / f".{path.name}.tmp"
    try:
        folder.mkdir(exist_ok=True)
        _forget_the_dead(folder)
        record = {"url": url, "pid": os.getpid(), "host": _HOST}
        written.write_text(json.dumps(record), encoding="utf-8")
        written.replace(path)
    except OSError:
        written.unlink(missing_ok=True)  # an unwritable data directory: links use the config
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def site_url(settings: Settings) -> SiteUrl:
    """Where the links a command prints or sends start (see the module's text)."""
    if settings.server.public_url:
        return SiteUrl(settings.server.url(), assumed=False)
    live = live_servers(settings.data_dir)
    if live:
        return SiteUrl(live[0].rstrip("/"), assumed=False)
    return SiteUrl(settings.server.url(), assumed=True)


def live_servers(data_dir: Path) -> list[str]:
    """The addresses recorded by servers of this machine running on `data_dir` now, the one
    started last first (a record from another machine cannot be checked, so is not used)."""
    found: list[tuple[float, str]] = []
    for entry in _entries(data_dir / LISTENING_NAME):
        recorded = _recorded(entry)
        if recorded is None or recorded[2] != _HOST or not _alive(recorded[1]):
            continue
        with contextlib.suppress(OSError):
            found.append((entry.stat().st_mtime, recorded[0]))
    return [url for _, url in sorted(found, key=lambda f: f[0], reverse=True)]


def _entries(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.suffix == ".json" and not p.name.startswith(".")]
    except OSError:
        return []


def _forget_the_dead(folder: Path) -> None:
    """Remove the entries of this machine's servers that are gone (killed, not stopped)."""
    for entry in _entries(folder):
        recorded = _recorded(entry)
        if recorded is not None and recorded[2] == _HOST and not _alive(recorded[1]):
            entry.unlink(missing_ok=True)


def _recorded(path: Path) -> tuple[str, int, str] | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(raw, dict):
        return None
    url, pid, host = raw.get("url"), raw.get("pid"), raw.get("host")
    if not isinstance(url, str) or not url or not isinstance(pid, int) or isinstance(pid, bool):
        return None
    return url, pid, host if isinstance(host, str) else ""


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
