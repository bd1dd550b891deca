"""The two databases the benchmark runs on, each fresh and migrated: a SQLite file in a
temporary directory (WAL, as `hearth` runs it) and a throwaway PostgreSQL server started the
way the tests start theirs (tests/integration/postgres.py: 127.0.0.1 only, fsync off)."""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hearthkeeper.store import sqlite_url, upgrade

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # for tests.integration

from tests.integration import postgres


class Unavailable(Exception):
    """This database cannot be run here (why, in words)."""


@dataclass(frozen=True)
class Database:
    label: str  # "SQLite" or "PostgreSQL"
    url: str
    version: str


@contextmanager
def sqlite_database() -> Iterator[Database]:
    """A migrated SQLite file, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as tmp:
        url = sqlite_url(Path(tmp))
        upgrade(url)
        yield Database("SQLite", url, sqlite3.sqlite_version)


@contextmanager
def postgres_database() -> Iterator[Database]:
    """A migrated database on a throwaway PostgreSQL server, stopped afterwards.

    Raises `Unavailable` saying why when no server can be started here."""
    try:
        server = postgres.start()
    except RuntimeError as exc:
        raise Unavailable(str(exc)) from exc
    if isinstance(server, str):
        raise Unavailable(server)
    try:
        with server.admin() as admin:
            admin.execute("CREATE DATABASE bench")
        url = server.url("bench")
        upgrade(url)
        yield Database("PostgreSQL", url, server.version)
    finally:
        server.stop()
