"""INSERT ... ON CONFLICT DO NOTHING on both databases, for one row or for many at once.

Conflicts are settled inside the database: two workers handed the same row wait on each
other there, and neither fails. Each row reports its id and whether this call created it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Insert, Select, Table, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hearthkeeper.store.among import among
from hearthkeeper.store.columns import storable
from hearthkeeper.store.models import Base

# Rows looked up per SELECT when finding the ids of rows that were already there.
_LOOKUP_CHUNK = 500


def table_of(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def insert_ignoring(session: Session, model: type[Base], keys: Sequence[str]) -> Insert:
    """An INSERT into `model`'s table that skips rows whose `keys` (a unique key) exist.

    Built once per dialect, table and key (statements are immutable; building the
    ON CONFLICT clause costs more than running the insert of one row)."""
    return _insert_ignoring(session.get_bind().dialect.name, table_of(model), tuple(keys))


@functools.cache
def _insert_ignoring(dialect: str, table: Table, keys: tuple[str, ...]) -> Insert:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing(index_elements=list(keys))


def insert_one(
    session: Session, model: type[Base], keys: Sequence[str], values: Mapping[str, Any]
) -> tuple[int, bool]:
    """Insert one row unless its key exists: (its id, True), or (the existing id, False).

    Raises IntegrityError for any other constraint (a missing foreign row)."""
    table = table_of(model)
    statement = insert_ignoring(session, model, keys).values(dict(values))
    new_id = session.scalar(statement.returning(table.c.id))
    if new_id is not None:
        return int(new_id), True
    existing = session.scalar(select(table.c.id).where(*(table.c[k] == values[k] for k in keys)))
    assert existing is not None, f"a row conflicting on {keys} must exist in {table.name}"
    return int(existing), False


def insert_many(
    session: Session, model: type[Base], keys: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> list[tuple[int, bool]]:
    """Insert `rows` in one executemany, skipping those whose key exists; (id, created) for
    each row, in order. A key repeated within `rows` is created once, by its first row.

    Raises IntegrityError for any other constraint (a missing foreign row)."""
    if not rows:
        return []
    table = table_of(model)
    # What comes back from the database is the stored key, so compare stored keys.
    wanted = [tuple(_stored(row[k]) for k in keys) for row in rows]
    statement = _returning_ids(insert_ignoring(session, model, keys), table, tuple(keys))
    result = session.connection().execute(statement, [dict(row) for row in rows])
    created = {tuple(found[1:]): int(found[0]) for found in result}
    return _outcome(session, table, keys, wanted, created)


def insert_many_prepared(
    session: Session, table: Table, keys: Sequence[str], columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
) -> list[tuple[int, bool]]:  # fmt: skip
    """`insert_many` on SQLite for rows in the driver's own form (the values of `columns` in
    order, text `storable`, times `sqlite_time`): one prepared INSERT stepped over the rows,
    without SQLAlchemy's per-row parameter processing. The rows it created are read back as
    those past the table's largest id before it: the transaction holds the write lock, and
    SQLite gives each new row a rowid larger than any in the table."""
    if not rows:
        return []
    connection = session.connection()
    assert connection.dialect.name == "sqlite", "insert_many_prepared is SQLite's path"
    name = table.name
    newest = connection.exec_driver_sql(f"SELECT max(id) FROM {name}").scalar()
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(
        f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks}) "
        f"ON CONFLICT ({', '.join(keys)}) DO NOTHING",
        list(rows),
    )
    key_at = [columns.index(k) for k in keys]
    wanted = [tuple(row[i] for i in key_at) for row in rows]
    new = connection.exec_driver_sql(
        f"SELECT id, {', '.join(keys)} FROM {name} WHERE id > ?", (newest or 0,)
    )
    created = {tuple(found[1:]): int(found[0]) for found in new}
    return _outcome(session, table, keys, wanted, created)


def _outcome(
    session: Session, table: Table, keys: Sequence[str], wanted: list[tuple[Any, ...]],
    created: dict[tuple[Any, ...], int],
) -> list[tuple[int, bool]]:  # fmt: skip
    """(id, created) for each key of `wanted` in order, given the ids of the rows created:
    the first row of a key created it, every other one finds that row or the stored one."""
    existing = _existing_ids(session, table, keys, [k for k in wanted if k not in created])
    outcome: list[tuple[int, bool]] = []
    for key in wanted:
        new_id = created.pop(key, None)
        if new_id is not None:
            existing[key] = new_id  # later rows with this key find it here
            outcome.append((new_id, True))
        else:
            outcome.append((existing[key], False))
    return outcome


@functools.cache
def _returning_ids(statement: Insert, table: Table, keys: tuple[str, ...]) -> Insert:
    return statement.returning(table.c.id, *(table.c[k] for k in keys))


def _existing_ids(
    session: Session, table: Table, keys: Sequence[str], missing: list[tuple[Any, ...]]
) -> dict[tuple[Any, ...], int]:
    found: dict[tuple[Any, ...], int] = {}
    unique = list(dict.fromkeys(missing))
    for start in range(0, len(unique), _LOOKUP_CHUNK):
        chunk = unique[start : start + _LOOKUP_CHUNK]
        # One IN per key column, narrowed in Python: the same on both databases, and the
        # few extra rows it may return cost less than a row-value comparison per row.
        query = select(table.c.id, *(table.c[k] for k in keys)).where(
            *(table.c[k].in_({key[i] for key in chunk}) for i, k in enumerate(keys))
        )
        wanted = set(chunk)
        for row in session.connection().execute(query):
            key = tuple(row[1:])
            if key in wanted:
                found[key] = int(row[0])
    return found


def where_pairs(
    session: Session,
    query: Select[Any],
    first: ColumnElement[str],
    second: ColumnElement[str],
    pairs: Sequence[tuple[str, str]],
) -> dict[tuple[str, str], int]:
    """Run `query` (selecting first, second, id) for the rows whose (first, second) is one of
    `pairs`: {pair: id} for those found."""
    found: dict[tuple[str, str], int] = {}
    unique = list(dict.fromkeys(pairs))
    for start in range(0, len(unique), _LOOKUP_CHUNK):
        # Keyed by what the database keeps, answered by what was asked.
        asked = {stored_pair(pair): pair for pair in unique[start : start + _LOOKUP_CHUNK]}
        narrowed = query.where(
            among(first, {a for a, _ in asked}), among(second, {b for _, b in asked})
        )
        for a, b, row_id in session.connection().execute(narrowed):
            pair = asked.get((a, b))
            if pair is not None:
                found[pair] = int(row_id)
    return found


def stored_pair(pair: tuple[str, str]) -> tuple[str, str]:
    """A pair of keys as the database keeps them (see `storable`)."""
    return storable(pair[0]), storable(pair[1])


def _stored(value: Any) -> Any:
    return storable(value) if isinstance(value, str) else value


def inserted_ids(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert `rows`; their new ids, in the order of `rows`.

    SQLAlchemy can only promise that order on SQLite by sending one INSERT per row (its
    "insertmanyvalues" has no ordered form there): 0.5 statements per message of the engine
    were that. On SQLite the rows go in multi-row INSERTs instead: the write lock is held, so
    each new rowid is the largest so far plus one, in the order the VALUES list is read, and
    the ids sorted are the rows' ids in order. Checked: the ids must be consecutive (any
    other rowid choice would not be), else the rows are written again one at a time."""
    if connection.dialect.name != "sqlite" or len(rows) < 2:
        ordered = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(connection.scalars(ordered, rows).all())
    found = sorted(connection.scalars(insert(table).returning(table.c.id), rows).all())
    if len(found) == len(rows) and found[-1] - found[0] == len(rows) - 1:
        return found
    connection.execute(delete(table).where(table.c.id.in_(found)))  # pragma: no cover
    ordered = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(connection.scalars(ordered, rows).all())


def execute_many(connection: Connection, statement: Insert,
                 rows: Sequence[Mapping[str, Any]]) -> None:  # fmt: skip
    """`connection.execute(statement, rows)` for a statement returning nothing (an INSERT,
    an upsert), every row with the same keys. On SQLite the statement is compiled once for
    those keys and the rows' values go through the columns' own bind processors a column at
    a time, then to the driver's executemany: the same values stored, without SQLAlchemy's
    per-row parameter building (a quarter of the engine's store time for the rollups and
    scheduled work)."""
    if not rows:
        return
    if connection.dialect.name != "sqlite":
        connection.execute(statement, list(rows))
        return
    sql, columns = _compiled_for(connection.dialect, statement, tuple(rows[0]))
    values: list[Any] = []
    for key, process in columns:
        column = [row[key] for row in rows]
        values.append(list(map(process, column)) if process is not None else column)
    connection.exec_driver_sql(sql, list(zip(*values, strict=True)))


def execute_rows(connection: Connection, statement: Insert, keys: tuple[str, ...],
                 rows: Sequence[Sequence[Any]]) -> None:  # fmt: skip
    """`execute_many` for rows given as tuples of the values of `keys`, in that order: the
    same statement and values, without building a mapping per row (the engine's rollups
    write about one row per message a batch)."""
    if not rows:
        return
    if connection.dialect.name != "sqlite":
        connection.execute(statement, [dict(zip(keys, row, strict=True)) for row in rows])
        return
    sql, columns = _compiled_for(connection.dialect, statement, keys)
    by_key = dict(zip(keys, zip(*rows, strict=True), strict=True))
    values = [list(map(process, by_key[key])) if process is not None else by_key[key]
              for key, process in columns]  # fmt: skip
    connection.exec_driver_sql(sql, list(zip(*values, strict=True)))


_COMPILED: dict[tuple[Any, ...], tuple[str, list[tuple[str, Any]]]] = {}


def _compiled_for(dialect: Any, statement: Insert,
                  keys: tuple[str, ...]) -> tuple[str, list[tuple[str, Any]]]:  # fmt: skip
    """The SQL of `statement` for rows with `keys`, and each parameter's key and bind
    processor (None: passed as it is), in the order the SQL takes them."""
    cache_key = (dialect.name, statement, keys)
    found = _COMPILED.get(cache_key)
    if found is None:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        processors = compiled._bind_processors
        assert compiled.positiontup is not None, "SQLite's parameters are positional"
        order = [(name, processors.get(name)) for name in compiled.positiontup]
        # keys that are no column are left out, as SQLAlchemy leaves them
        assert {name for name, _ in order} <= set(keys), f"{keys} do not match {compiled}"
        found = _COMPILED[cache_key] = (compiled.string, order)
    return found
