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
