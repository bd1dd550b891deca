"""Where the data lives: URLs, engines, and the SQLite settings that make it safe to share."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from hearthkeeper.store.errors import StoreError

URL_VARIABLE = "HEARTH_DATABASE_URL"
SQLITE_FILE = "hearth.db"
# Execution option marking a connection that will write; SQLite then starts with
# BEGIN IMMEDIATE, so writers queue on the busy timeout instead of failing on lock upgrade.
WRITE = "hearth_write"
BUSY_TIMEOUT_MS = 10_000
CONNECT_TIMEOUT_S = 10
# SQLite copies its write-ahead log into the database file (a checkpoint, which waits for the
# disk) once the log holds this many pages (4 KiB each), in the commit that crossed it. One
# engine batch of 1,000 messages writes ~1,500-2,500 pages (each random index insert dirties
# a page), so SQLite's 1,000 checkpointed at every batch's commit; at 10,000 a checkpoint
# comes every few batches and copies each page the batches rewrote once (docs/benchmarks.md,
# session 31). What a power cut can undo is still what came after the last checkpoint.
WAL_CHECKPOINT_PAGES = 10_000
# After a checkpoint the log file is cut back to this size when it grew past it (a long
# reader holding the checkpoint back, an import): the disk it keeps is bounded.
WAL_LIMIT_BYTES = 64 * 1024 * 1024
_EXAMPLES = "sqlite:////path/to/hearth.db or postgresql://user:password@host:5432/dbname"


def sqlite_url(data_dir: Path) -> str:
    """The URL of the SQLite file in `data_dir`, creating the directory if needed."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = (data_dir / SQLITE_FILE).resolve()
    return URL.create("sqlite", database=str(path)).render_as_string(hide_password=False)


def create_engine_for(url: str) -> Engine:
    """An engine for `url`, checked by connecting once; `StoreError` says what is wrong."""
    engine = build_engine(url)
    try:
        with connect(engine) as connection:
            connection.exec_driver_sql("SELECT 1")
    except StoreError:
        engine.dispose()
        raise
    return engine


def connect(engine: Engine) -> Connection:
    """A connection from `engine`; `StoreError` when the database cannot be reached."""
    try:
        return engine.connect()
    except DBAPIError as exc:
        raise StoreError(_unreachable(engine.url, exc)) from exc


def build_engine(url: str, *, foreign_keys: bool = True) -> Engine:
    """An engine for `url` without connecting; `foreign_keys=False` is for migrations only."""
    parsed = parse_url(url)
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
    options: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        # SQLAlchemy writes PostgreSQL's own placeholders ($1, $2 ...) and psycopg's raw
        # cursors send statements as they are: psycopg otherwise parses every statement it
        # has not cached (each multi-row INSERT is new) in Python, a sixth of a busy engine
        # worker's time. Statements we write by hand use SQLAlchemy's `text()` binds.
        options["paramstyle"] = "numeric_dollar"
    try:
        engine = create_engine(parsed, connect_args=connect_args, **options)
    except (NoSuchModuleError, ImportError) as exc:
        hint = ""
        if parsed.get_backend_name() == "postgresql":
            hint = " PostgreSQL needs the psycopg driver: pip install 'hearthkeeper[postgres]'."
        raise StoreError(f"cannot use {_shown(parsed)}: {exc}.{hint}") from exc
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, foreign_keys=foreign_keys)
    else:
        _configure_postgresql(engine)
    return engine


def parse_url(url: str) -> URL:
    """`url` parsed, with PostgreSQL URLs pointed at the psycopg 3 driver."""
    try:
        parsed = make_url(url.strip())
    except ArgumentError:
        raise StoreError(
            f"{_mask_password(url)!r} is not a database URL; expected {_EXAMPLES}"
        ) from None
    if parsed.drivername in ("postgres", "postgresql"):
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(
            f"{_shown(parsed)} uses {parsed.get_backend_name()!r}; "
            f"Hearthkeeper stores its data in SQLite or PostgreSQL: {_EXAMPLES}"
        )
    return parsed


def _configure_sqlite(engine: Engine, *, foreign_keys: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transactions out of the sqlite3 module's hands: we issue BEGIN ourselves
        # (below), which also makes SAVEPOINT work as documented.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
            cursor.execute(f"PRAGMA journal_size_limit = {WAL_LIMIT_BYTES}")
            # A 64 MiB page cache keeps the indexes of a busy server in memory.
            cursor.execute("PRAGMA cache_size = -65536")
            cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = "IMMEDIATE" if connection.get_execution_options().get(WRITE) else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        from psycopg import RawCursor, RawServerCursor  # installed with the postgres extra

        dbapi_connection.cursor_factory = RawCursor
        dbapi_connection.server_cursor_factory = RawServerCursor


def _unreachable(url: URL, exc: DBAPIError) -> str:
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    if url.get_backend_name() == "sqlite":
        return (
            f"cannot open the SQLite database {url.database!r}: {reason}. "
            "Does its directory exist, and may Hearthkeeper write there?"
        )
    return (
        f"cannot reach the database at {_shown(url)}: {reason}. "
        f"Is the server running, and is {URL_VARIABLE} right?"
    )


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _mask_password(text: str) -> str:
    if "://" in text:
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", text)
    # Too malformed to know where the user name ends: hide all between a colon and the @.
    return re.sub(r":[^@\s]*@", ":***@", text)
