"""Row locks that serialise writers on one row (a member, a community) until commit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from hearthkeeper.store.inserts import table_of
from hearthkeeper.store.models import Base


def lock_row(session: Session, model: type[Base], row_id: int) -> None:
    """Serialise writers on one row until the transaction ends. PostgreSQL takes a row lock
    that does not block foreign-key checks; SQLite writers are serialised already."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_locking(model), {"row": row_id})


def lock_row_then(
    session: Session,
    model: type[Base],
    row_id: int,
    query: Select[*tuple[Any, ...]],
    params: Mapping[str, Any],
) -> list[tuple[Any, ...]]:
    """`lock_row`, then `query` with `params`: its rows as the driver returns them (no
    column type's conversion). The query is a statement of its own, after the lock, so it
    sees what any transaction the lock waited for committed. On PostgreSQL through psycopg
    both reach the server in one round trip (pipeline mode) instead of two: the engine
    judges a member this way, and each round trip is a wait on a busy machine."""
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        lock_row(session, model, row_id)
        return [tuple(row) for row in session.execute(query, params)]
    session.flush()  # what the ORM holds is written first, as `session.execute` does
    lock_sql = _compiled(_locking(model), dialect)
    read_sql = _compiled(query, dialect)
    connection = session.connection()
    raw = connection.connection.driver_connection
    assert raw is not None
    import psycopg  # the driver: loaded already

    lock_values = lock_sql.values({"row": row_id})
    read_values = read_sql.values(params)
    try:
        with raw.pipeline():  # both sent, then one Sync: one wait for the server
            raw.execute(lock_sql.text, lock_values)
            cursor = raw.execute(read_sql.text, read_values)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows
    except psycopg.Error as exc:  # as SQLAlchemy would raise it, for `unavailable`/`conflict`
        lost = raw.closed or raw.broken
        if lost:
            connection.invalidate(exc)
        raise DBAPIError.instance(
            f"{lock_sql.text}; {read_sql.text}", [lock_values, read_values], exc, psycopg.Error,
            connection_invalidated=lost, dialect=dialect,
        ) from exc  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A statement as the driver takes it: its text, and how to make its parameters."""

    text: str
    defaults: dict[str, Any]  # the statement's own values (constants)
    order: tuple[str, ...] | None  # the parameters' names in order, if the driver's are `$1`…

    def values(self, params: Mapping[str, Any]) -> Mapping[str, Any] | list[Any]:
        named = {**self.defaults, **params}
        return named if self.order is None else [named[name] for name in self.order]


_LOCKS: dict[type[Base], Select[Any]] = {}
_COMPILED: dict[tuple[Select[*tuple[Any, ...]], str, str], _Compiled] = {}


def _locking(model: type[Base]) -> Select[Any]:
    found = _LOCKS.get(model)
    if found is None:
        table = table_of(model)
        found = _LOCKS[model] = (
            select(table.c.id)
            .where(table.c.id == bindparam("row"))
            .with_for_update(key_share=True)  # FOR NO KEY UPDATE: foreign-key checks pass
        )
    return found


def _compiled(query: Select[*tuple[Any, ...]], dialect: Dialect) -> _Compiled:
    """`query` as the driver takes it, made once."""
    key = (query, dialect.name, dialect.paramstyle)
    found = _COMPILED.get(key)
    if found is None:
        compiled = query.compile(dialect=dialect)
        order = compiled.positiontup
        found = _COMPILED[key] = _Compiled(
            str(compiled), dict(compiled.params), None if order is None else tuple(order)
        )
    return found
