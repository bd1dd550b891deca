"""A statement built once and run with the driver's own placeholders, on a cursor.

SQLAlchemy's execution of a statement built once still looks up its compiled form, builds
its parameters by name and processes each, then sets up an execution context and a result:
for a one-row read or write on SQLite that is several times the work SQLite does, and on
PostgreSQL more Python than psycopg spends sending the statement and reading its row. `run`
compiles a statement once per set of parameter names, keeps the order of its placeholders
and each one's bind processor (the values stored are those SQLAlchemy would store), and runs
it on a cursor of the connection through `Connection._cursor_execute`: SQLAlchemy's own path
for statements without an execution context, which fires the engine's statement events,
logs as the engine echoes and turns a driver error into SQLAlchemy's (and notices a lost
connection) as `Connection.execute` does. The rows are fetched at once, as the driver gives
them, without the columns' result processing: for statements that read or return plain
numbers (counts, ids) only, unless `processed` asks for each column to go through its type's
result processor as `Connection.execute` would (times read back as aware UTC). On PostgreSQL the placeholders are PostgreSQL's own (`$1`: the
engine's `numeric_dollar` paramstyle, `store/database.py`) and the cursor psycopg's raw one, so
psycopg sends the statement as it is, and prepares it on the server once it has run it a few
times, as it does for `Connection.execute`. Outside an active transaction (where SQLAlchemy
would begin one or refuse), it is `Connection.execute`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, Executable
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import MultipleResultsFound, NoResultFound
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeEngine


@dataclass(frozen=True, slots=True)
class _Slot:
    """One placeholder: the parameter it takes (None: a value fixed in the statement, such
    as a literal), that value, and the bind processor a parameter goes through."""

    key: str | None
    fixed: Any
    process: Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class _Prepared:
    sql: str
    slots: tuple[_Slot, ...]
    types: tuple[TypeEngine[Any], ...] = ()  # the result columns' (`processed`); else empty

    def values(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        """The values of the placeholders, in their order, for `params`."""
        return tuple(
            slot.fixed
            if slot.key is None
            else (params[slot.key] if slot.process is None else slot.process(params[slot.key]))
            for slot in self.slots
        )


# the dialects whose statements `run` sends itself when their placeholders are positional:
# SQLite's `?`, PostgreSQL's `$1` (an engine not made by `build_engine` may name them)
_DIRECT = frozenset({"sqlite", "postgresql"})
_Key = tuple[str, Executable, tuple[str, ...], bool]
_PREPARED: dict[_Key, _Prepared] = {}
# each result column's processor (None: as the driver gives it), once the driver has said
# what its columns are (PostgreSQL's depend on its type codes); empty: none to run
_RESULTS: dict[_Key, tuple[Callable[[Any], Any] | None, ...]] = {}


class Fetched(Protocol):
    """What a caller reads of a statement's result (a `CursorResult` on PostgreSQL)."""

    def first(self) -> Any: ...
    def one(self) -> Any: ...
    def scalar_one(self) -> Any: ...
    def all(self) -> Sequence[Any]: ...


@dataclass(frozen=True, slots=True)
class _Rows:
    """The rows a statement returned, fetched as the driver gave them."""

    rows: Sequence[Any]

    def first(self) -> Any:
        return self.rows[0] if self.rows else None

    def one(self) -> Any:
        if len(self.rows) != 1:
            raise (NoResultFound if not self.rows else MultipleResultsFound)(
                f"one row was expected, {len(self.rows)} were returned"
            )
        return self.rows[0]

    def scalar_one(self) -> Any:
        return self.one()[0]

    def all(self) -> Sequence[Any]:
        return self.rows


def run(connection: Connection, statement: Executable, params: Mapping[str, Any], *,
        processed: bool = False) -> Fetched:  # fmt: skip
    """`connection.execute(statement, params)`, through the driver's placeholders and cursor
    (see the module); `statement` must be built once (it is remembered by identity) and its
    result, if any, plain numbers, or `processed` by its columns' types."""
    dialect = connection.dialect
    if dialect.name not in _DIRECT or not dialect.positional or not _ready(connection):
        return connection.execute(statement, params)
    key = (connection.dialect.name, statement, tuple(params), processed)
    prepared = _PREPARED.get(key)
    if prepared is None:
        prepared = _PREPARED[key] = _prepare(connection.dialect, statement, key[2], processed)
    values = prepared.values(params)
    cursor = connection.connection.cursor()
    try:
        # fires the statement events, logs, and raises SQLAlchemy's error for the driver's
        connection._cursor_execute(cursor, prepared.sql, values)
        try:
            rows = cursor.fetchall() if cursor.description is not None else []
        except BaseException as error:
            connection._handle_dbapi_exception(error, prepared.sql, values, cursor, None)
        results = _RESULTS.get(key) if prepared.types else None
        if results is None and prepared.types and cursor.description is not None:
            results = _RESULTS[key] = _processors(dialect, prepared.types, cursor.description)
    finally:
        cursor.close()
    if results:
        rows = [tuple(value if process is None else process(value)
                      for process, value in zip(results, row, strict=True))
                for row in rows]  # fmt: skip
    return _Rows(rows)


def _processors(dialect: Dialect, types: Sequence[TypeEngine[Any]],
                description: Sequence[Any]) -> tuple[Callable[[Any], Any] | None, ...]:  # fmt: skip
    """The result processor of each column (by its type and the driver's type code), or ()
    when none has one."""
    found = tuple(kind._cached_result_processor(dialect, column[1])
                  for kind, column in zip(types, description, strict=True))  # fmt: skip
    return () if all(process is None for process in found) else found


def _ready(connection: Connection) -> bool:
    """Whether the connection is in an active transaction SQLAlchemy would run a statement
    in as it is (otherwise `Connection.execute` begins one, or says why it cannot)."""
    transaction = connection.get_transaction()
    nested = connection.get_nested_transaction()
    return (transaction is not None and transaction.is_active
            and (nested is None or nested.is_active) and not connection.invalidated)  # fmt: skip


def _prepare(dialect: Dialect, statement: Executable, keys: tuple[str, ...],
             processed: bool = False) -> _Prepared:  # fmt: skip
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))  # type: ignore[attr-defined]
    assert isinstance(compiled, SQLCompiler) and compiled.positiontup is not None, (
        f"{dialect.name}'s placeholders are positional"
    )
    # a column whose default Python works out for each row is left to `Connection.execute`
    assert not compiled.insert_prefetch and not compiled.update_prefetch, (
        f"{statement} has defaults worked out per row"
    )
    processors = compiled._bind_processors
    slots: list[_Slot] = []
    for name in compiled.positiontup:
        bind = compiled.binds[name]
        assert not bind.expanding, f"{name}: a list parameter is rendered per call"
        process = processors.get(name)
        assert process is None or callable(process), f"{name}: one processor per value"
        if name in keys:
            slots.append(_Slot(name, None, process))
            continue
        if bind.required:
            raise ValueError(f"a value is required for parameter {name!r} of {statement}")
        value = bind.effective_value
        slots.append(_Slot(None, value if process is None else process(value), None))
    types = tuple(column.type for column in compiled._result_columns) if processed else ()
    return _Prepared(compiled.string, tuple(slots), types)
