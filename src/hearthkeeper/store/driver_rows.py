"""Reading many rows fast: a query's rows as the database driver returns them, fetched at
once, for the report's largest reads (hundreds of thousands of rollup rows and questions).
No SQLAlchemy row objects, no per-row fetch, no result type processing: the caller turns
the driver's values into the store's types (`utc_of`, and days with `date.fromisoformat`
on SQLite, which returns both as text)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session


def driver_rows(session: Session, query: Select[*tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Every row of `query` as a plain tuple of the driver's values."""
    result = session.connection().execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def utc_of(value: datetime | str) -> datetime:
    """A driver's point in time as the store returns it (`columns.UTCDateTime`): aware, in
    UTC. SQLite gives "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC without an offset; PostgreSQL an
    aware datetime in the session's zone."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
