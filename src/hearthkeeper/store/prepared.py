"""A statement built once and run on SQLite with the driver's own placeholders.

SQLAlchemy's execution of a statement built once still looks up its compiled form, builds
its parameters by name and processes each, then sets up the result: for a one-row read or
write on SQLite that is about twice the work SQLite does. `run` compiles a statement once
per set of parameter names, keeps the order of its placeholders and each one's bind
processor (the values stored are those SQLAlchemy would store), and hands the values to
`exec_driver_sql`, which still fires the engine's statement events. On PostgreSQL it is
`Connection.execute`. The rows come back as the driver gives them, without the columns'
result processing: for statements that read or return plain numbers (counts, ids) only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVarTuple, overload

from sqlalchemy import Connection, CursorResult, Executable
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import TypedReturnsRows

_Ts = TypeVarTuple("_Ts")


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

    def values(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        """The values of the placeholders, in their order, for `params`."""
        return tuple(
            slot.fixed
            if slot.key is None
            else (params[slot.key] if slot.process is None else slot.process(params[slot.key]))
            for slot in self.slots
        )


_PREPARED: dict[tuple[str, Executable, tuple[str, ...]], _Prepared] = {}


@overload
def run(connection: Connection, statement: TypedReturnsRows[*_Ts],
        params: Mapping[str, Any]) -> CursorResult[*_Ts]: ...  # fmt: skip
@overload
def run(connection: Connection, statement: Executable,
        params: Mapping[str, Any]) -> CursorResult[*tuple[Any, ...]]: ...  # fmt: skip
def run(connection: Connection, statement: Executable,
        params: Mapping[str, Any]) -> CursorResult[*tuple[Any, ...]]:  # fmt: skip
    """`connection.execute(statement, params)`, on SQLite through the driver's placeholders
    (see the module); `statement` must be built once (it is remembered by identity) and its
    result, if any, plain numbers."""
    if connection.dialect.name != "sqlite":
        return connection.execute(statement, params)
    key = (connection.dialect.name, statement, tuple(params))
    prepared = _PREPARED.get(key)
    if prepared is None:
        prepared = _PREPARED[key] = _prepare(connection.dialect, statement, key[2])
    return connection.exec_driver_sql(prepared.sql, prepared.values(params))


def _prepare(dialect: Dialect, statement: Executable, keys: tuple[str, ...]) -> _Prepared:
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))  # type: ignore[attr-defined]
    assert isinstance(compiled, SQLCompiler) and compiled.positiontup is not None, (
        "SQLite's placeholders are positional"
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
    return _Prepared(compiled.string, tuple(slots))
