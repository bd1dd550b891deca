"""A SQLite database migrated once per test process, copied where a test needs a new one.

Migrating a SQLite file runs every Alembic revision (about a second on a busy 2-core host);
copying one already migrated gives the same file in milliseconds. So does `migrate` for a new
PostgreSQL database, from the template tests/conftest.py migrated on that server. Tests about
migrating itself (tests/test_store_migrate.py, `hearth migrate`) still migrate for real.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import JSON, DateTime, Engine, Integer, String, Text, column, insert, table, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import make_url

from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, create_engine_for, sqlite_url, upgrade
from hearthkeeper.store.database import SQLITE_FILE

_template: list[Path] = []
# This process's PostgreSQL servers, by (host, port): the migrated template `migrate` copies.
_postgres_templates: dict[tuple[str, int], str] = {}


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
    """`upgrade(url)`, or, for a SQLite database not made yet, a copy of the migrated file,
    and for an empty PostgreSQL database on a server with a migrated template, a copy of it."""
    if url.startswith("sqlite:///"):
        target = Path(url.removeprefix("sqlite:///"))
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(migrated_file(), target)
            return
    if url.startswith("postgresql") and _copied_template(url):
        return
    upgrade(url)


def postgres_template(server_url: str, template: str) -> None:
    """Let `migrate` make an empty database on the server `server_url` points at a copy of
    `template`, a database migrated to the newest revision there."""
    parts = make_url(server_url)
    _postgres_templates[(str(parts.host), int(parts.port or 5432))] = template


def _copied_template(url: str) -> bool:
    """Replace the empty PostgreSQL database at `url` by a copy of its server's migrated
    template; False (nothing done) where there is none, the database holds tables, or
    someone is connected to it."""
    parts = make_url(url)
    template = _postgres_templates.get((str(parts.host), int(parts.port or 5432)))
    if template is None or parts.database is None:
        return False
    where = {"host": parts.host, "port": parts.port, "user": parts.username, "autocommit": True}
    with psycopg.connect(dbname=parts.database, **where) as connection:  # type: ignore[arg-type]
        row = connection.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg\\_toast%'"
        ).fetchone()
    if row is None or row[0] != 0:
        return False
    with psycopg.connect(dbname="postgres", **where) as admin:  # type: ignore[arg-type]
        try:
            admin.execute(f'DROP DATABASE "{parts.database}"')
        except psycopg.errors.ObjectInUse:
            return False
        admin.execute(f'CREATE DATABASE "{parts.database}" TEMPLATE "{template}"')
    return True


def group_as_kept_before(engine: Engine, community_id: int, name: str, carrier: str,
                         carrier_group_id: str, at: datetime) -> int:  # fmt: skip
    """A group written as migration 0001's columns keep it, for tests that fill a database at
    an older migration: today's `Store.add_group` writes columns later migrations add (0041's
    `closed_at`) and wakes approvals waiting for room, in an outbox older schemas lack."""
    with engine.begin() as connection:
        group_id = connection.scalar(
            text("INSERT INTO groups (community_id, name, carrier, carrier_group_id, capacity, "
                 "created_at) VALUES (:community, :name, :carrier, :carrier_group_id, NULL, :at) "
                 "RETURNING id"),
            {"community": community_id, "name": name, "carrier": carrier,
             "carrier_group_id": carrier_group_id, "at": at},
        )  # fmt: skip
    assert isinstance(group_id, int)
    return group_id


@contextmanager
def webchat_group_at(database_url: str, revision: str, said: str, action_key: str,
                     at: datetime) -> Iterator[tuple[Engine, int]]:  # fmt: skip
    """The store upgraded to `revision`, holding one web chat group in which the bot said
    `said` (as `action_key`) at `at`, its row written with the columns of that revision's
    time: the engine (disposed after) and the group's id, for tests of the migrations after."""
    upgrade(database_url, to=revision)
    engine = create_engine_for(database_url)
    try:
        tea = Store(engine, FrozenClock(at)).ensure_community("tea", "Tea Friends")
        group_id = group_as_kept_before(engine, tea.id, "Tea room", "webchat", "tea-1", at)
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO webchat_messages (group_id, user_id, nickname, kind, text, "
                "picture, reply_to, mentions, sent_at, action_key) VALUES (:g, NULL, 'bot', "
                "'text', :said, NULL, NULL, '[]', :at, :key)"),
                {"g": group_id, "said": said, "at": at, "key": action_key})  # fmt: skip
        yield engine, group_id
    finally:
        engine.dispose()


_PLAYBOOK_VERSIONS = table(
    "playbook_versions",
    column("community_id", Integer), column("version", Integer), column("source_text", Text),
    column("content", JSON().with_variant(JSONB(), "postgresql")), column("sha256", String),
    column("applied_at", DateTime(timezone=True)), column("applied_by", String),
)  # fmt: skip


def playbook_version_as_kept_before(engine: Engine, community_id: int, version: int,
                                    content: dict[str, Any], at: datetime) -> None:  # fmt: skip
    """A playbook version written as migration 0001's columns keep it: today's
    `Store.add_playbook_version` writes 0053's `posts_added`."""
    with engine.begin() as connection:
        connection.execute(insert(_PLAYBOOK_VERSIONS).values(
            community_id=community_id, version=version, source_text=f"version {version}\n",
            content=content, sha256=f"{version:064d}", applied_at=at, applied_by="test"))  # fmt: skip
