"""How every store method gets its session: its own transaction, or the caller's."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, Self, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hearthkeeper.clock import Clock
from hearthkeeper.store.database import WRITE
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.models import Base


class Deferred(Protocol):
    """Writes a transaction gathers and performs together (`StoreBase.deferred`)."""

    def flush(self, scope: StoreBase) -> None:
        """Write what was gathered, in `scope`'s transaction."""
        ...


class Presence(Protocol):
    """This process's place among the workers sharing one database (`store.cluster.Cluster`)."""

    @property
    def worker(self) -> int:
        """This process's worker id now (a reconnected cluster may have a new one)."""
        ...


class _Membership:
    """Which workers' cluster the store belongs to: one object shared by a store and every
    copy of it (`on`, `transaction`), so joining late still reaches them all."""

    __slots__ = ("presence",)

    def __init__(self) -> None:
        self.presence: Presence | None = None


D = TypeVar("D", bound=Deferred)
_SERIALS = itertools.count(1)


class _Transaction:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.open = True
        self.serial = next(_SERIALS)  # tells a memo which transaction validated it
        # Deferred writes by family, flushed in the order they were first asked for.
        self.deferred: dict[str, Deferred] = {}
        # What repositories remember for this transaction only (`StoreBase.transaction_memo`).
        self.memo: dict[Any, Any] = {}


class StoreBase:
    """Engine, clock and (inside `transaction()`) the caller's session, shared by all methods."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._writer = engine.execution_options(**{WRITE: True})
        self._clock = clock
        self._transaction: _Transaction | None = None
        # What repositories remember between transactions of this store (shared by every
        # `on(...)` and `transaction()` copy; one process's memory, the store stays the truth).
        self._memo: dict[Any, Any] = {}
        self._membership = _Membership()

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

    @property
    def writers_take_turns(self) -> bool:
        """Whether one transaction at a time may write (SQLite: a transaction that writes
        holds the database from its start), so that nothing another process writes commits
        inside a writing transaction; PostgreSQL's writers work side by side."""
        return self._engine.dialect.name == "sqlite"

    def join_cluster(self, presence: Presence | None) -> None:
        """Work as one of several workers on this database: claims are made as
        `presence.worker` from now on, by this store and every repository and transaction made
        from it (before or after). None: a process on its own again."""
        self._membership.presence = presence

    @property
    def worker(self) -> int | None:
        """The worker id claims are made as; None for a process on its own (SQLite, or one
        engine per database)."""
        presence = self._membership.presence
        return None if presence is None else presence.worker

    @contextmanager
    def transaction(self) -> Iterator[Self]:
        """A store whose methods all run in one transaction: committed at the end of the
        block, rolled back entirely if it raises. Nested, it is a savepoint.

        The store it yields belongs to one thread and dies with the block; the store it
        came from stays usable from any thread."""
        if self._transaction is not None:
            session = self._live_session()
            self.flush_deferred()  # what the savepoint rolls back is only what it deferred
            try:
                with session.begin_nested():
                    yield self
                    self.flush_deferred()
            except BaseException:
                self._transaction.deferred.clear()
                raise
            return
        with Session(self._writer, expire_on_commit=False) as session, session.begin():
            bound = copy.copy(self)
            bound._transaction = _Transaction(session)
            try:
                yield bound
                bound.flush_deferred()
            finally:
                bound._transaction.open = False

    def deferred(self, name: str, make: Callable[[], D]) -> D | None:
        """The transaction's deferred writes of family `name` (made by `make` the first time):
        rows gathered in memory and written together before the transaction commits, or
        before anything in it reads them (`flush_deferred`). None outside a transaction:
        the caller writes at once."""
        if self._transaction is None:
            return None
        found = self._transaction.deferred.get(name)
        if found is None:
            found = self._transaction.deferred[name] = make()
        return found  # type: ignore[return-value]

    def deferred_if_any(self, name: str) -> Deferred | None:
        """The transaction's deferred writes of family `name`, if it gathered any."""
        return None if self._transaction is None else self._transaction.deferred.get(name)

    def flush_deferred(self) -> None:
        """Write every deferred row now: before a query that must see them, and at commit.
        A family's flush may defer rows of another family (a question and its alert): those
        are written in the same call."""
        transaction = self._transaction
        while transaction is not None and transaction.deferred:
            name = next(iter(transaction.deferred))
            transaction.deferred.pop(name).flush(self)

    def transaction_memo(self) -> dict[Any, Any] | None:
        """A dict that lives as long as the transaction this store is in (None: in none), for
        facts read in it that nothing in it changes (a group's community)."""
        return None if self._transaction is None else self._transaction.memo

    def transaction_serial(self) -> int | None:
        """A number that names the transaction this store is in (None: in none)."""
        return None if self._transaction is None else self._transaction.serial

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
