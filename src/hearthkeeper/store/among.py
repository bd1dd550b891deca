"""`column IN (ids)` for the engine's per-batch reads, with the ids in one bound parameter.

A batch reads the holds, strikes, stays and tags of its ~1,000 members with `IN` lists.
SQLAlchemy's `in_` binds one parameter per id: it expands them in Python for every
statement, and each batch's list length gives SQLite a statement text of its own to parse.
`among` sends the ids as one value instead — a JSON array read by `json_each` on SQLite,
an array compared with `= ANY(...)` on PostgreSQL — so the statement text is the same for
every batch (compiled once, prepared once) and the ids are passed as they are.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import BigInteger, Boolean, ColumnElement, Dialect, Text, bindparam
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
