"""A SQLite database migrated once per test process, copied where a test needs a new one.

Migrating a SQLite file runs every Alembic revision (about a second on a busy 2-core host);
copying one already migrated gives the same file in milliseconds. Tests about migrating
itself (tests/test_store_migrate.py, `hearth migrate`) still migrate for real.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from hearthkeeper.store import sqlite_url, upgrade
from hearthkeeper.store.database import SQLITE_FILE

_template: list[Path] = []


def migrated_file() -> Path:
    """This process's migrated SQLite file (migrated on first use; never written to)."""
    if not _template:
        folder = Path(tempfile.mkdtemp(prefix="hearth-migrated-"))
        atexit.register(shutil.rmtree, folder, True)
        upgrade(sqlite_url(folder))  # closes every connection: the file is complete on its own
        _template.append(folder / SQLITE_FILE)
    return _template[0]


def migrated_sqlite(data_dir: Path) -> str:
    """A newly migrated SQLite database in `data_dir` (made if missing; none there yet): its
    URL, as `sqlite_url(data_dir)` spells it."""
    url = sqlite_url(data_dir)
    target = data_dir / SQLITE_FILE
    assert not target.exists(), f"{target} exists: migrate it instead"
    shutil.copyfile(migrated_file(), target)
    return url


def migrate(url: str) -> None:
    """`upgrade(url)`, or, for a SQLite database not made yet, a copy of the migrated file."""
    if url.startswith("sqlite:///"):
        target = Path(url.removeprefix("sqlite:///"))
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(migrated_file(), target)
            return
    upgrade(url)
