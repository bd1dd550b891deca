"""Migrated PostgreSQL databases handed to one test after another, emptied in between, with
the server processes that served the test before kept for the next one.

Creating a database from the migrated template and dropping it after the test cost PostgreSQL
a checkpoint and a copy of the template each time (a third of a second of a busy 2-core host's
time per store test, and there are over 600 of them). A database a test gives back is instead
emptied and handed to the next test, as the template made it: every table's rows deleted
(alembic_version's kept), every sequence restarted, statistics reset. One the test left
different in a way emptying would not undo (a table, column, index, constraint, function or
schema added, changed or dropped; a migration run; a table vacuumed or analysed, which leaves
statistics the planner reads) is dropped, and the next test gets a new copy of the template.

Each test is given a URL of its own (`url`: the same database, a new `application_name`), so
what the code under test keeps per database URL in this process (the public URL invite links
start with) is not found by the next test.

A new server process costs the server ~75 ms of CPU in a store test (its start, then reading
every table's description the first time it touches it) and the test process ~20 ms; so the
connections a test's engines close are not closed but kept (`KeptConnection`), and the next
test's engines on that database are lent them instead of connecting. Between the two tests
each kept connection is reset on the server (`DISCARD ALL`: settings, prepared statements,
temporary tables, advisory locks, LISTEN, sequences' session state) and in psycopg (its
settings put back as a new connection has them); every other connection to the database is
cut. A connection still open when its test gave the database back is never lent: closed later,
it closes. Only plain connections are lent (no server options in the URL, as `create_engine`
makes them from a URL like `url`'s); any other connection is made and closed as usual.

Giving one back costs three statements on a kept connection (reset, checked and emptied in one
statement, reset) and one on the pool's connection to `postgres` (cutting the others off): the
schema is compared in full only when its catalogs' rows are not exactly the template's (see
`_FINGERPRINT`).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import select
import threading
import time
import weakref
from typing import Any

import psycopg
from psycopg.adapt import AdaptersMap
from psycopg.rows import tuple_row
from sqlalchemy import Engine, event

from tests.integration.postgres import SUPERUSER, PostgresServer

try:  # psycopg's own bookkeeping, put back on a lent connection (psycopg is not pinned)
    from psycopg._preparing import PrepareManager
except ImportError:  # its internals moved: nothing is lent, every test connects anew
    PrepareManager = None  # type: ignore[assignment,misc]

# What a database's schema is, in one text: compared with the template's before a database is
# reused. Objects in the system schemas are PostgreSQL's own.
_USER_SCHEMAS = (
    "SELECT oid FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp\\_%'"
)
_SCHEMA = f"""
SELECT md5(coalesce(string_agg(line, E'\\n' ORDER BY line), '')) FROM (
  SELECT 'schema ' || nspname FROM pg_namespace WHERE oid IN ({_USER_SCHEMAS})
  UNION ALL
  SELECT 'relation ' || c.oid::regclass::text || ' ' || c.relkind::text || ' ' || c.relpersistence::text
  FROM pg_class c WHERE c.relnamespace IN ({_USER_SCHEMAS})
  UNION ALL
  SELECT 'column ' || a.attrelid::regclass::text || '.' || a.attname || ' ' || a.attnum || ' '
         || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull || ' '
         || a.attidentity::text || a.attgenerated::text || ' '
         || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE c.relnamespace IN ({_USER_SCHEMAS}) AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' '
         || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace IN ({_USER_SCHEMAS})
  UNION ALL
  SELECT 'index ' || pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
  WHERE c.relnamespace IN ({_USER_SCHEMAS})
  UNION ALL
  SELECT 'trigger ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL
  SELECT 'function ' || p.oid::regprocedure::text || ' ' || md5(p.prosrc)
  FROM pg_proc p WHERE p.pronamespace IN ({_USER_SCHEMAS})
  UNION ALL
  SELECT 'type ' || t.oid::regtype::text FROM pg_type t
  WHERE t.typnamespace IN ({_USER_SCHEMAS}) AND t.typrelid = 0
  UNION ALL
  SELECT 'extension ' || extname || ' ' || extversion FROM pg_extension
  UNION ALL
  SELECT 'view ' || c.oid::regclass::text || ' ' || md5(pg_get_viewdef(c.oid))
  FROM pg_class c WHERE c.relkind IN ('v', 'm') AND c.relnamespace IN ({_USER_SCHEMAS})
  UNION ALL
  SELECT 'database ' || datallowconn || ' ' || datconnlimit || ' '
         || coalesce((SELECT setconfig::text FROM pg_db_role_setting
                      WHERE setdatabase = d.oid AND setrole = 0), '')
  FROM pg_database d WHERE datname = current_database()
  UNION ALL
  SELECT 'alembic ' || version_num FROM alembic_version
) AS described(line)
"""
# Whether anything was vacuumed or analysed (by a test or by autovacuum): the planner's
# statistics then differ from a new copy's, and emptying does not put them back.
_SETTLED = (
    "SELECT count(*) FROM pg_stat_user_tables WHERE coalesce(last_vacuum, last_autovacuum, "
    "last_analyze, last_autoanalyze) IS NOT NULL"
)
# The catalogs `_SCHEMA` reads (directly or through pg_get_*def, format_type and regclass
# names), plus pg_sequence. A copy's catalog rows are the template's until a statement in the
# copy inserts, updates or deletes one: a row it writes carries that transaction's id (xmin),
# newer than every id in the template, since the copies are made after it; a row it deletes
# lowers the count. So equal (row count, newest xmin) for each of these catalogs, the
# database's own settings and alembic_version's rows mean `_SCHEMA` would read what it read in
# the template; anything else (even a change undone since, or a frozen row) only costs the
# full comparison. Changes that bypass xmin (VACUUM's and ANALYZE's in-place updates of
# pg_class) are `_SETTLED`'s.
_FINGERPRINTED = (
    "pg_am", "pg_attrdef", "pg_attribute", "pg_class", "pg_collation", "pg_constraint",
    "pg_extension", "pg_index", "pg_namespace", "pg_opclass", "pg_operator", "pg_proc",
    "pg_rewrite", "pg_sequence", "pg_trigger", "pg_type",
)  # fmt: skip
_FINGERPRINT = (
    "SELECT md5(concat_ws(',', "
    + ", ".join(
        f"(SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM pg_catalog.{c})"
        for c in _FINGERPRINTED
    )
    + ", (SELECT datallowconn || ' ' || datconnlimit FROM pg_database"
    " WHERE datname = current_database()),"
    " (SELECT coalesce(string_agg(setconfig::text, ' '), '') FROM pg_db_role_setting"
    " WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())),"
    " (SELECT coalesce(string_agg(version_num, ' ' ORDER BY version_num), '')"
    " FROM alembic_version)))"
)
_TABLES = (
    "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
    f"WHERE schemaname IN (SELECT nspname FROM pg_namespace WHERE oid IN ({_USER_SCHEMAS})) "
    "AND tablename <> 'alembic_version' ORDER BY 1"
)
_RESTART_SEQUENCES = (
    "SELECT setval(format('%I.%I', schemaname, sequencename), start_value, false) "
    "FROM pg_sequences WHERE last_value IS NOT NULL "
    f"AND schemaname IN (SELECT nspname FROM pg_namespace WHERE oid IN ({_USER_SCHEMAS}))"
)
# Names of the copies, and the URLs tests are given, unique in this process (whichever pool
# made them).
_numbers = itertools.count(1)
_urls = itertools.count(1)
# How many idle connections one database keeps for its next test (a test that opened more at
# once gets the others made anew).
KEEP_AT_MOST = 4
# What a URL like `url`'s gives `psycopg.connect` besides the address (SQLAlchemy's adapters
# come as `context`; `build_engine` adds a connect timeout): connections asked for with
# anything else (server options, say) are neither lent nor kept.
_PLAIN = {"host", "port", "user", "dbname", "context", "connect_timeout", "application_name"}


class KeptConnection(psycopg.Connection[Any]):
    """A psycopg connection that, closed while its test still holds the database, ends its
    session on the server as a close would (`DISCARD ALL`: settings, prepared statements,
    temporary tables, advisory locks, LISTEN, sequences' session state) but keeps its server
    process, idle, for the next engine on that database."""

    _home: _Kept | None = None
    _idle = False

    def close(self) -> None:
        if self._idle:  # closed already, as far as its user knows
            return
        home, self._home = self._home, None
        if home is not None and home.keep(self):
            return
        super().close()

    def end(self) -> None:
        """Close it for good."""
        self._home, self._idle = None, False
        super().close()


class _Kept:
    """The connections kept for one database while one test holds it."""

    def __init__(self, idle: list[KeptConnection]) -> None:
        self.idle = idle
        self.open = True  # until the test gives the database back

    def keep(self, connection: KeptConnection) -> bool:
        """Whether `connection`, being closed, was kept (its session ended on the server)."""
        if not self.open or len(self.idle) >= KEEP_AT_MOST or connection.closed:
            return False
        if PrepareManager is None or not hasattr(connection, "_prepared"):
            return False  # a psycopg whose bookkeeping this cannot put back
        if (
            connection.broken
            or connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE
        ):
            return False
        try:
            connection.autocommit = True
            connection.execute("DISCARD ALL")
            connection.autocommit = False
        except psycopg.Error:
            return False
        # psycopg forgets its statements prepared on the server only if this DISCARD is the
        # first it sees (it counts statements run before): start its count afresh
        connection._prepared = PrepareManager()
        connection._idle = True
        with _lending:
            self.idle.append(connection)
        return True


# The databases tests hold now, by (port, name): their connections lent and kept.
_held: dict[tuple[int, str], _Kept] = {}
# Taking an idle connection and putting one back, across a test's threads.
_lending = threading.Lock()
# Every kept connection alive, for a child this process forks (see `_in_child`).
_alive: weakref.WeakSet[KeptConnection] = weakref.WeakSet()


@event.listens_for(Engine, "do_connect")
def _lend(dialect: Any, _record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]) -> Any:
    """A connection for an engine on a database a test holds: an idle kept one, reset as
    `psycopg.connect(**cparams)` would have made it, or a new one that will be kept. None
    (SQLAlchemy connects as usual) for any other database or connection."""
    if PrepareManager is None or dialect.driver != "psycopg" or cargs \
            or not set(cparams) <= _PLAIN:  # fmt: skip
        return None
    try:
        held = _held.get((int(cparams["port"]), str(cparams["dbname"])))
    except (KeyError, ValueError):
        return None
    if held is None or not held.open:
        return None
    cut: list[KeptConnection] = []
    with _lending:  # the test's threads connect at once (a race test, a server's pool)
        while held.idle and _cut_off(held.idle[-1]):
            cut.append(held.idle.pop())
        lent = held.idle.pop() if held.idle else None
    for gone in cut:
        _end(gone)
    if lent is not None:
        connection = lent
        connection._idle = False
        connection.autocommit = False
        connection.isolation_level = None
        connection.read_only = None
        connection.deferrable = None
        connection.row_factory = tuple_row
        connection.cursor_factory = psycopg.Cursor
        connection.server_cursor_factory = psycopg.ServerCursor
        connection.prepare_threshold = 5
        context = cparams.get("context")
        connection._adapters = AdaptersMap(context.adapters) if context is not None else None
    else:
        connection = KeptConnection.connect(**cparams)
        _alive.add(connection)
    connection._home = held
    return connection


def _cut_off(connection: KeptConnection) -> bool:
    """Whether the server ended an idle kept connection's session (a test cut it, say): an
    idle session's socket has nothing to read until then."""
    if connection.closed or connection.broken:
        return True
    poll = select.poll()  # (select.select refuses descriptors past 1023)
    poll.register(connection.pgconn.socket, select.POLLIN)
    return bool(poll.poll(0))


def _in_child() -> None:
    """In a child this process forked, kept connections are this process's: their sockets are
    pointed at /dev/null, so the child ending does not end their server processes."""
    _held.clear()
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        for connection in list(_alive):
            connection._home = None
            with contextlib.suppress(psycopg.Error, OSError):
                if not connection.closed:
                    os.dup2(devnull, connection.pgconn.socket)
    finally:
        os.close(devnull)


os.register_at_fork(after_in_child=_in_child)


class ReusedDatabases:
    """Copies of the migrated template `template` on `server`, for one test at a time each."""

    def __init__(self, server: PostgresServer, template: str) -> None:
        self.server = server
        self.template = template
        # Free databases, each with the connections kept from its last test.
        self._free: list[tuple[str, list[KeptConnection]]] = []
        # One connection to the `postgres` database for the pool's CREATE, DROP and cutting
        # off (a new one each time started one more server process per store test).
        self._admin: psycopg.Connection[tuple[object, ...]] | None = None
        with self._connect(template) as connection:
            schema = _one(connection, _SCHEMA)
            fingerprint = _one(connection, _FINGERPRINT)
            tables = [str(row[0]) for row in connection.execute(_TABLES).fetchall()]
            filled = [t for t in tables if connection.execute(f"SELECT 1 FROM {t}").fetchone()]
        # The template holds no rows but alembic_version's: emptying a database leaves it so.
        assert not filled, f"the migrated template has rows in {filled}: emptying would lose them"
        # Checked and emptied in one statement (one round trip): any difference raises, and
        # the transaction, emptying included, is undone. md5s are hex, safe in the text.
        self._check_and_empty = (
            "DO $reuse$ BEGIN\n"
            f"IF ({_SETTLED}) <> 0 THEN RAISE EXCEPTION 'vacuumed or analysed'; END IF;\n"
            f"IF ({_FINGERPRINT}) <> '{fingerprint}' THEN\n"
            f"  IF ({_SCHEMA}) <> '{schema}' THEN RAISE EXCEPTION 'schema changed'; END IF;\n"
            "END IF;\n"
            "SET LOCAL session_replication_role = replica;\n"
            + "".join(f"DELETE FROM {table};\n" for table in tables)
            + f"PERFORM {_RESTART_SEQUENCES.removeprefix('SELECT ')};\n"
            "PERFORM pg_stat_reset();\n"
            "END $reuse$"
        )

    def take(self) -> str:
        """The name of a database as the template made it, for one test (its URL: `url`)."""
        if self._free:
            name, idle = self._free.pop()
        else:
            name, idle = self._new_name(), []
            self._administer(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        _held[(self.server.port, name)] = _Kept(idle)
        return name

    def url(self, name: str) -> str:
        """A URL of database `name` no test was given before."""
        return f"{self.server.url(name)}?application_name=hearth-test-{next(_urls)}"

    def give_back(self, name: str) -> None:
        """After the test: its connections cut (but those it closed, kept), the database
        emptied for the next test, or dropped if emptying would not make it as the template
        made it."""
        held = _held.pop((self.server.port, name), None)
        kept: list[KeptConnection] = []
        if held is not None:
            held.open = False  # a connection closed from now on closes
            for connection in held.idle:
                if _cut_off(connection):
                    _end(connection)
                else:
                    kept.append(connection)
        self._cut(name, keep=[c.info.backend_pid for c in kept])
        try:
            if not kept:  # the test closed none: one for emptying, kept for the next test
                kept = [self._connect(name, kept=True)]
                kept[0]._idle = True
                _alive.add(kept[0])
        except psycopg.Error:
            self._administer(f'DROP DATABASE "{name}" WITH (FORCE)')
            return
        try:
            kept[0].autocommit = True
            kept[0].execute(self._check_and_empty)  # (its SET is the transaction's own)
            kept[0].autocommit = False
        except psycopg.Error:  # changed (or e.g. alembic_version dropped): a new copy then
            for connection in kept:
                _end(connection)
            self._administer(f'DROP DATABASE "{name}" WITH (FORCE)')
            return
        self._free.append((name, kept))

    def _cut(self, name: str, keep: list[int]) -> None:
        """Every connection to database `name` but the server processes `keep` cut, waiting
        until their processes end (watched from here: pg_terminate_backend's own wait polls
        in 100 ms steps)."""
        cut = self._administer(
            "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid() AND NOT pid = ANY(%s)",
            (name, keep),
        )
        for pid, terminated in cut:
            if terminated:
                _until_exited(int(str(pid)))

    def _administer(
        self, statement: str, params: tuple[object, ...] | None = None
    ) -> list[tuple[object, ...]]:
        """`statement` on the pool's connection to the `postgres` database, connected again
        when a test cut it (one that terminates every backend, say)."""
        for attempt in (1, 2):
            if self._admin is None or self._admin.closed:
                self._admin = self.server.admin()
            try:
                cursor = self._admin.execute(statement, params)
                return cursor.fetchall() if cursor.description else []
            except psycopg.OperationalError:
                self._admin.close()
                self._admin = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the pool's connections to the server (its databases stay)."""
        for _name, kept in self._free:
            for connection in kept:
                _end(connection)
        self._free = [(name, []) for name, _kept in self._free]
        if self._admin is not None:
            self._admin.close()
            self._admin = None

    def _new_name(self) -> str:
        return f"{self.template}_copy_{next(_numbers)}"

    def _connect(self, database: str, *, kept: bool = False) -> Any:
        """A connection to `database`: autocommit, or a `KeptConnection` as the next test's
        engine would be lent it."""
        return (KeptConnection if kept else psycopg.Connection).connect(
            host="127.0.0.1",
            port=self.server.port,
            user=SUPERUSER,
            dbname=database,
            autocommit=not kept,
            connect_timeout=10,
        )


def _end(connection: psycopg.Connection[Any]) -> None:
    """Close `connection` for good (a kept one too), whatever state it is in."""
    try:
        if isinstance(connection, KeptConnection):
            connection.end()
        else:
            connection.close()
    except psycopg.Error:
        pass


def _until_exited(pid: int, timeout: float = 5.0) -> None:
    """Return when process `pid` has ended (or `timeout` seconds have passed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        except PermissionError:  # running as the server's own user
            pass
        time.sleep(0.001)


def _one(connection: psycopg.Connection[tuple[object, ...]], query: str) -> str:
    row = connection.execute(query).fetchone()
    assert row is not None
    return str(row[0])
