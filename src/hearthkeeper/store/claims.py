"""Claiming due rows once: the shared step of the outbox and scheduled work."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, Table, select, update
from sqlalchemy.orm import Session


def claim_due(session: Session, table: Table, due: ColumnElement[bool],
              order_by: Sequence[ColumnElement[Any]], limit: int,
              values: Mapping[str, Any]) -> list[Row[Any]]:  # fmt: skip
    """Mark up to `limit` rows of `table` that are `due` (the first in `order_by`) with
    `values`, in `session`'s transaction; the rows as marked, in no particular order.

    PostgreSQL: the rows are selected `FOR UPDATE SKIP LOCKED`, so rows another worker is
    claiming are skipped, not waited for nor claimed twice. SQLite: writers hold the
    database one at a time (BEGIN IMMEDIATE), so no other claim is under way."""
    query = select(table.c.id).where(due).order_by(*order_by).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    connection = session.connection()
    ids = list(connection.scalars(query))
    if not ids:
        return []
    marked = connection.execute(
        update(table).where(table.c.id.in_(ids)).values(dict(values)).returning(*table.c)
    )
    return list(marked)
