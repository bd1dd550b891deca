"""The query plan SQLite chose for a store call's statement: the report's large reads must use
the indexes made for them, which a small change to a query can silently lose."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from hearthkeeper.store import Store


@contextmanager
def statements_run(target: Any) -> Iterator[list[str]]:
    """Every statement `target` (an engine, or the `Engine` class for all) sends while the
    block runs, in order, as written."""
    seen: list[str] = []

    def note(conn: object, cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(target, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(target, "before_cursor_execute", note)


def _ran(store: Store, call: Callable[[], Any], marker: str) -> tuple[Any, list[tuple[str, Any]]]:
    """`call()`'s result and the statements (with their parameters) it ran holding `marker`."""
    seen: list[tuple[str, Any]] = []

    def capture(conn: object, cursor: object, statement: str, parameters: Any, *_: object) -> None:
        if marker in statement:
            seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        result = call()
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    return result, seen


def sqlite_plan(store: Store, call: Callable[[], Any], marker: str) -> tuple[Any, str]:
    """`call()`'s result and SQLite's plan for the one statement it ran holding `marker`."""
    result, seen = _ran(store, call, marker)
    [(statement, parameters)] = seen
    with store.engine.connect() as connection:
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    return result, " / ".join(str(step[-1]) for step in plan)


def plans(store: Store, call: Callable[[], Any], marker: str) -> tuple[Any, list[str]]:
    """`call()`'s result and the database's plan for each statement it ran holding `marker`,
    on SQLite or PostgreSQL. PostgreSQL is told to avoid reading whole tables, so that on a
    test's few rows the plan shows which index the statement can use, as at a million."""
    result, seen = _ran(store, call, marker)
    found: list[str] = []
    with store.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if not sqlite:
            connection.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in seen:
            explain = "EXPLAIN QUERY PLAN" if sqlite else "EXPLAIN"
            plan = connection.exec_driver_sql(f"{explain} {statement}", parameters).all()
            found.append(" / ".join(str(step[-1]) for step in plan))
        connection.rollback()
    return result, found
