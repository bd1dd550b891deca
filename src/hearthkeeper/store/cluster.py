"""Working beside other processes on one PostgreSQL database: which workers are alive, and
which worker holds which group.

Both are PostgreSQL advisory locks held by one dedicated connection per process (session
locks, outside any transaction). PostgreSQL releases them when that session ends, however it
ends: a worker killed with SIGKILL loses its groups as soon as the server notices the closed
socket, and nothing has to expire. Keys are two 32-bit integers: a class (worker or group)
and the id. `live_workers` is the SQL that names the workers alive now (for claims that take
over what a dead worker had claimed).
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Engine, Integer, column, func, select, table, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Executable, Select

log = logging.getLogger(__name__)

WORKER_CLASS = 0x4845  # "HE": one lock per live process, its worker id
GROUP_CLASS = 0x4847  # "HG": one lock per group being decided, held by one worker
ONCE_CLASS = 0x484F  # "HO": work one process at a time does (below)
STARTING = 1  # applying and planning the playbooks at start
CARRIERS = 2  # holding the carriers that keep one connection to their platform

_LOCKS = table("pg_locks", column("locktype"), column("database"), column("classid"),
               column("objid"), column("objsubid"), column("granted"))  # fmt: skip
_DATABASES = table("pg_database", column("oid"), column("datname"))


def live_workers() -> Select[Any]:
    """The ids of the workers alive now (their presence lock is held) on this database (a
    server's lock table lists every database's): for `IN (…)`."""
    this = select(_DATABASES.c.oid).where(_DATABASES.c.datname == func.current_database())
    return select(_LOCKS.c.objid.cast(Integer)).where(
        _LOCKS.c.locktype == "advisory",
        _LOCKS.c.database == this.scalar_subquery(),
        _LOCKS.c.classid.cast(Integer) == WORKER_CLASS,
        _LOCKS.c.objsubid.cast(Integer) == 2,
        _LOCKS.c.granted.is_(True),
    )


class ClusterLost(Exception):
    """The connection that holds this worker's locks is gone: its groups may be decided by
    another worker now."""


class Cluster:
    """This process's presence among the workers of one PostgreSQL database, and the groups
    it holds. Thread-safe; `close()` releases everything."""

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("workers share groups only on PostgreSQL")
        self._engine = engine
        self._lock = threading.Lock()
        self._held: set[int] = set()
        self._pinned: Counter[int] = Counter()  # groups `release` passes over (`holding`)
        self._carriers = False
        self._conn: Connection | None = None
        self.worker = 0
        self.losses = 0  # how many times the locks' connection was lost (see `check`)
        self._connect()

    def _connect(self) -> None:
        conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        while True:
            worker = 1 + secrets.randbelow(2**31 - 2)
            took = conn.execute(text("SELECT pg_try_advisory_lock(:c, :w)"),
                                {"c": WORKER_CLASS, "w": worker}).scalar_one()  # fmt: skip
            if took:
                break
        if self.losses:
            log.info("worker %d is connected to the database again, now as worker %d; it "
                     "takes groups again", self.worker, worker)  # fmt: skip
        self._conn, self.worker = conn, worker
        self._held = set()
        self._carriers = False

    # --- one process at a time -------------------------------------------------------------------

    @contextlib.contextmanager
    def exclusive(self, what: int) -> Iterator[None]:
        """Wait until no other process does `what` (STARTING), and do it."""
        self._lock_key("pg_advisory_lock", ONCE_CLASS, what)
        try:
            yield
        finally:
            with self._lock:
                if self._conn is not None:
                    self._conn.execute(text("SELECT pg_advisory_unlock(:c, :k)"),
                                       {"c": ONCE_CLASS, "k": what})  # fmt: skip

    def take_carriers(self) -> bool:
        """Whether this worker holds the carriers that keep one connection to their platform
        (Matrix sync, Telegram polling, QQ): taken if free; kept until this worker dies."""
        if self._carriers:
            self._run(text("SELECT 1"), {})  # still alive: a lost session lost the lock too
        else:
            self._carriers = self._lock_key("pg_try_advisory_lock", ONCE_CLASS, CARRIERS)
        return self._carriers

    def check(self) -> None:
        """Make sure the locks' connection is alive (reconnecting, with a new worker id and
        no groups, if it was lost earlier): `ClusterLost` if it is found broken now, the
        store's error if the database cannot be reached. Called every few tenths of a second
        by the web chat's feed and the host: a connection cut while idle (a restart, a
        failover, `pg_terminate_backend`) is otherwise noticed only at its next use, and
        meanwhile this worker would go on deciding groups another may have taken and claim
        nothing (its presence is gone)."""
        self._run(text("SELECT 1"), {})

    # --- groups -------------------------------------------------------------------------------

    def take(self, group_ids: Iterable[int]) -> set[int]:
        """Try to take each group (held already: kept); the ones this worker holds now."""
        for group_id in [g for g in group_ids if g not in self._held]:
            if self._lock_key("pg_try_advisory_lock", GROUP_CLASS, group_id):
                self._held.add(group_id)
        return set(self._held)

    @contextlib.contextmanager
    def holding(self, group_id: int) -> Iterator[bool]:
        """Whether this worker holds the group (taken now if it is free), kept held while the
        block runs (`release` passes over it): for work on the group that is not one of its
        events (scheduled work), decided as its events are, by its holder alone."""
        try:
            held = group_id in self.take([group_id])
        except ClusterLost:
            held = False
        if held:
            self._pinned[group_id] += 1
        try:
            yield held
        finally:
            if held:
                self._pinned[group_id] -= 1
                if self._pinned[group_id] <= 0:
                    del self._pinned[group_id]

    def release(self, group_ids: Iterable[int]) -> None:
        """Let other workers take these groups (not those held for a block of `holding`)."""
        for group_id in [g for g in group_ids if g in self._held and g not in self._pinned]:
            self._lock_key("pg_advisory_unlock", GROUP_CLASS, group_id)
            self._held.discard(group_id)

    @property
    def held(self) -> frozenset[int]:
        """The groups this worker decides now."""
        return frozenset(self._held)

    def workers(self) -> int:
        """How many workers are alive now (this one included)."""
        count = select(func.count()).select_from(live_workers().subquery())
        return int(self._run(count, {}))

    def close(self) -> None:
        """Release this worker's groups and presence."""
        with self._lock:
            if self._conn is not None:
                try:
                    # Closed for good, not returned to the pool: ending the session is what
                    # makes PostgreSQL release every lock (a pooled session would keep them).
                    self._conn.invalidate()
                    self._conn.close()
                finally:
                    self._conn = None
                    self._held = set()

    def _lock_key(self, function: str, kind: int, key: int) -> bool:
        """One advisory-lock function (`pg_try_advisory_lock` …) on (kind, key)."""
        return bool(self._run(text(f"SELECT {function}(:c, :k)"), {"c": kind, "k": key}))

    def _run(self, statement: Executable, params: dict[str, int]) -> Any:
        """The scalar `statement` gives on the locks' connection (reconnecting if there is
        none). If the connection broke, every lock it held is gone: `ClusterLost`, and the
        next call starts over with a new worker id."""
        with self._lock:
            if self._conn is None:
                self._connect()
            conn = self._conn
            assert conn is not None
            try:
                return conn.execute(statement, params).scalar_one()
            except Exception as error:
                log.warning("worker %d lost its connection to the database (%s): its groups "
                            "are free; it takes groups again once the database answers",
                            self.worker, str(error).strip().splitlines()[0][:200] if str(error)
                            else type(error).__name__)  # fmt: skip
                self.losses += 1
                self._held = set()
                self._carriers = False
                self._conn = None
                try:
                    conn.close()
                except Exception:
                    log.debug("closing a broken connection failed", exc_info=True)
                raise ClusterLost(f"worker {self.worker} lost its locks") from None
