"""How every store method gets its session: its own transaction, or the caller's."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hearthkeeper.clock import Clock
from hearthkeeper.store.database import WRITE
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.models import Base


class _Transaction:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.open = True


class StoreBase:
    """Engine, clock and (inside `transaction()`) the caller's session, shared by all methods."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._writer = engine.execution_options(**{WRITE: True})
        self._clock = clock
        self._transaction: _Transaction | None = None

    @classmethod
    def on(cls, scope: StoreBase) -> Self:
        """This family of queries on `scope`'s engine, clock and transaction: a capability's
        narrow repository (`SqlSignUps.on(tx)`) writes in the caller's transaction."""
        repo = cls.__new__(cls)
        repo.__dict__.update(scope.__dict__)
        return repo

    @property
    def engine(self) -> Engine:
        return self._engine

    @contextmanager
    def transaction(self) -> Iterator[Self]:
        """A store whose methods all run in one transaction: committed at the end of the
        block, rolled back entirely if it raises. Nested, it is a savepoint.

        The store it yields belongs to one thread and dies with the block; the store it
        came from stays usable from any thread."""
        if self._transaction is not None:
            session = self._live_session()
            with session.begin_nested():
                yield self
            return
        with Session(self._writer, expire_on_commit=False) as session, session.begin():
            bound = copy.copy(self)
            bound._transaction = _Transaction(session)
            try:
                yield bound
            finally:
                bound._transaction.open = False

    @contextmanager
    def _unit(self, *, write: bool) -> Iterator[Session]:
        """The session for one method: the caller's transaction, or a new one of its own."""
        if self._transaction is not None:
            yield self._live_session()
            return
        with Session(self._writer if write else self._engine) as session, session.begin():
            yield session

    def _live_session(self) -> Session:
        assert self._transaction is not None
        if not self._transaction.open:
            raise StoreError("this transaction has ended; use the store it came from")
        return self._transaction.session

    @staticmethod
    def _try_insert(session: Session, *rows: Base) -> bool:
        """Insert `rows` in a savepoint; False (and nothing inserted) if a constraint refused."""
        try:
            with session.begin_nested():
                session.add_all(rows)
                session.flush()
        except IntegrityError:
            return False
        return True
