"""The one error the store raises for problems a user can cause or fix."""

from __future__ import annotations


class StoreError(Exception):
    """A readable store problem: what went wrong and how to fix it, never a traceback."""


def unavailable(error: BaseException) -> bool:
    """Whether `error` says the database could not be used just now (gone, locked, a lost
    connection, a serialization failure), as opposed to refusing what it was asked: worth
    trying the same work again later, never a reason to give up on the work itself."""
    from sqlalchemy.exc import (  # here: the CLI's start imports no SQLAlchemy
        DBAPIError,
        DisconnectionError,
        InterfaceError,
        OperationalError,
    )
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(error, OperationalError | InterfaceError | DisconnectionError | PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


# PostgreSQL's SQLSTATEs for a transaction it rolled back because it collided with another.
_CONFLICTS = {"40P01": "a deadlock", "40001": "a serialization failure"}


def conflict(error: BaseException) -> str | None:
    """What collision with another transaction made the database roll back the work that
    raised `error` ("a deadlock", "a serialization failure"), or None for anything else. Such
    work is worth trying again at once: the database is there, the other transaction won. A
    SQLite file locked past its busy timeout is not one: it is `unavailable`, waited out."""
    orig = getattr(error, "orig", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return _CONFLICTS.get(state) if isinstance(state, str) else None
