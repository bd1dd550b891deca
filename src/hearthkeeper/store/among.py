"""`column IN (ids)` for the engine's per-batch reads, with the ids in one bound parameter.

A batch reads the holds, strikes, stays and tags of its ~1,000 members with `IN` lists.
SQLAlchemy's `in_` binds one parameter per id: it expands them in Python for every
statement, and each batch's list length gives SQLite a statement text of its own to parse.
`among` sends the ids as one value instead — a JSON array read by `json_each` on SQLite,
an array compared with `= ANY(...)` on PostgreSQL — so the statement text is the same for
every batch (compiled once, prepared once) and the ids are passed as they are.

`among_pairs` does the same for pairs of ids (`(group_id, member_id) IN pairs`): one JSON
array of pairs, read row by row (`json_each` on SQLite, `jsonb_array_elements` on
PostgreSQL), so an index on the two columns is sought once per pair.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import BigInteger, Boolean, ColumnElement, Dialect, Text, bindparam, false
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator, TypeEngine

from hearthkeeper.store.columns import storable


class _Values(TypeDecorator[Collection[Any]]):
    """The values as one parameter: a JSON array (SQLite), an array (PostgreSQL)."""

    impl = Text
    cache_ok = True

    def __init__(self, text: bool) -> None:
        super().__init__()
        self.text = text  # texts, else integers

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(Text if self.text else BigInteger))
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: Collection[Any] | None, dialect: Dialect) -> Any:
        values = list(value or ())
        if self.text:
            values = [storable(v) for v in values]
        if dialect.name == "postgresql":
            return values
        return json.dumps(values, ensure_ascii=False)


class Among(ColumnElement[bool]):
    """`column` is one of the values (see the module)."""

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True  # a condition as it is, not `... = 1` on SQLite
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy's own declaration: a list)
        ("column", InternalTraversal.dp_clauseelement),
        ("values", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any], values: BindParameter[Any]) -> None:
        self.column = column
        self.values = values


def among(column: ColumnElement[Any] | QueryableAttribute[Any],
          values: Collection[int] | Collection[str]) -> ColumnElement[bool]:  # fmt: skip
    """`column IN values` with the values in one bound parameter (all integers or all
    texts); no values: nothing is among them."""
    if isinstance(column, QueryableAttribute):
        column = column.__clause_element__()
    listed = list(values)
    if not listed:
        return column.in_(())
    text = isinstance(listed[0], str)
    return Among(column, bindparam(None, listed, type_=_Values(text), unique=True))


@compiles(Among)
def _json_each(element: Among, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    return f"{column} IN (SELECT value FROM json_each({compiler.process(element.values, **kw)}))"


@compiles(Among, "postgresql")
def _any(element: Among, compiler: SQLCompiler, **kw: Any) -> str:
    return (
        f"{compiler.process(element.column, **kw)} = ANY({compiler.process(element.values, **kw)})"
    )


class _Pairs(TypeDecorator[Collection[tuple[int, int]]]):
    """Pairs of integers as one parameter: a JSON array of two-element arrays."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Collection[tuple[int, int]] | None,
                           dialect: Dialect) -> Any:  # fmt: skip
        return json.dumps([[int(a), int(b)] for a, b in value or ()])


class AmongPairs(ColumnElement[bool]):
    """`(first, second)` is one of the pairs (see `among_pairs`)."""

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy's own declaration: a list)
        ("first", InternalTraversal.dp_clauseelement),
        ("second", InternalTraversal.dp_clauseelement),
        ("values", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, first: ColumnElement[Any], second: ColumnElement[Any],
                 values: BindParameter[Any]) -> None:  # fmt: skip
        self.first = first
        self.second = second
        self.values = values


def pairs_parameter(name: str) -> BindParameter[Any]:
    """A parameter taking pairs of integers when the statement runs: `among_pairs` in a
    statement built once (`{name: [(1, 2), …]}` given to `execute`)."""
    return bindparam(name, type_=_Pairs())


def among_pairs(
    first: ColumnElement[Any] | QueryableAttribute[Any],
    second: ColumnElement[Any] | QueryableAttribute[Any],
    pairs: Collection[tuple[int, int]] | BindParameter[Any],
) -> ColumnElement[bool]:
    """`(first, second) IN pairs` with the pairs (integers) in one bound parameter, or in
    `pairs_parameter`'s; no pairs: nothing is among them."""
    if isinstance(first, QueryableAttribute):
        first = first.__clause_element__()
    if isinstance(second, QueryableAttribute):
        second = second.__clause_element__()
    if isinstance(pairs, BindParameter):
        return AmongPairs(first, second, pairs)
    listed = list(pairs)
    if not listed:
        return false()
    return AmongPairs(first, second, bindparam(None, listed, type_=_Pairs(), unique=True))


@compiles(AmongPairs)
def _json_pairs(element: AmongPairs, compiler: SQLCompiler, **kw: Any) -> str:
    first, second = compiler.process(element.first, **kw), compiler.process(element.second, **kw)
    values = compiler.process(element.values, **kw)
    return (f"({first}, {second}) IN (SELECT json_extract(value, '$[0]'), "
            f"json_extract(value, '$[1]') FROM json_each({values}))")  # fmt: skip


@compiles(AmongPairs, "postgresql")
def _jsonb_pairs(element: AmongPairs, compiler: SQLCompiler, **kw: Any) -> str:
    first, second = compiler.process(element.first, **kw), compiler.process(element.second, **kw)
    values = compiler.process(element.values, **kw)
    return (f"({first}, {second}) IN (SELECT (pair ->> 0)::bigint, (pair ->> 1)::bigint "
            f"FROM jsonb_array_elements(CAST({values} AS jsonb)) AS pair)")  # fmt: skip
