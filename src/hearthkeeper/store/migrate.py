"""`hearth db upgrade`: bring a database to the schema this version of Hearthkeeper needs."""

from __future__ import annotations

from functools import cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from hearthkeeper.store.database import WRITE, build_engine, connect
from hearthkeeper.store.errors import StoreError

SCRIPT_LOCATION = "hearthkeeper.store:migrations"
# Two processes upgrading one PostgreSQL database at once take turns on this lock.
_PG_LOCK = 0x4865_6172_7468  # "Hearth"


def upgrade(url: str, to: str = "head") -> list[str]:
    """Apply every missing migration (up to revision `to`) to the database at `url`; the
    revisions applied, in order."""
    # Foreign keys stay off while SQLite tables are rebuilt by batch migrations and are
    # checked in full before commit instead.
    engine = build_engine(url, foreign_keys=False)
    try:
        with connect(engine.execution_options(**{WRITE: True})) as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK})")
            config = _config(connection)
            command.upgrade(config, to)
            if connection.dialect.name == "sqlite":
                _check_foreign_keys(connection)
            applied: list[str] = config.attributes["applied"]
    finally:
        engine.dispose()
    return applied


def current_revision(url: str) -> str | None:
    """The revision the database at `url` is at; None when it was never migrated."""
    engine = build_engine(url)
    try:
        with connect(engine) as connection:
            return _revision_of(connection)
    finally:
        engine.dispose()


@cache
def head_revision() -> str:
    """The revision this version of Hearthkeeper needs (read from the migrations it ships once
    per process: reading them compiles every revision's file, which every command opening the
    store paid)."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "the migrations directory has no revisions"
    return head


def require_current(engine: Engine) -> None:
    """Raise `StoreError` unless the database behind `engine` is at `head_revision()`."""
    with connect(engine) as connection:
        current = _revision_of(connection)
    head = head_revision()
    if current == head:
        return
    where = engine.url.render_as_string(hide_password=True)
    if current is None:
        raise StoreError(f"the database at {where} is empty: run `hearth db upgrade`")
    script = ScriptDirectory.from_config(_config())
    if current not in {rev.revision for rev in script.walk_revisions()}:
        raise StoreError(
            f"the database at {where} is at revision {current}, which this Hearthkeeper does "
            f"not know: it was upgraded by a newer version; run that version instead"
        )
    raise StoreError(
        f"the database at {where} is at revision {current}, this Hearthkeeper needs {head}: "
        "run `hearth db upgrade`"
    )


def new_revision(url: str, message: str) -> None:
    """For developers: write a migration for whatever the models have that `url` lacks."""
    engine = build_engine(url)
    try:
        with connect(engine) as connection:
            command.revision(_config(connection), message=message, autogenerate=True)
    finally:
        engine.dispose()


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
        config.attributes["applied"] = []
    return config


def _revision_of(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({str(row[0]) for row in broken})
        raise StoreError(
            f"migration left {len(broken)} rows pointing at missing rows in {', '.join(tables)}; "
            "nothing was changed"
        )
