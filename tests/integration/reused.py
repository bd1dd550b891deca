"""Migrated PostgreSQL databases handed to one test after another, emptied in between.

Creating a database from the migrated template and dropping it after the test cost PostgreSQL
a checkpoint and a copy of the template each time (a third of a second of a busy 2-core host's
time per store test, and there are over 600 of them). A database a test gives back is instead
emptied and handed to the next test, as the template made it: every table's rows deleted
(alembic_version's kept), every sequence restarted, statistics reset, and renamed, so its URL
is new to the next test too (the code under test keeps some things per database URL). One the test left
different in a way emptying would not undo (a table, column, index, constraint, function or
schema added, changed or dropped; a migration run; a table vacuumed or analysed, which leaves
statistics the planner reads) is dropped, and the next test gets a new copy of the template.
"""

from __future__ import annotations

import itertools

import psycopg

from tests.integration.postgres import SUPERUSER, PostgresServer

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
# Names of the copies, unique in this process (whichever pool made them).
_numbers = itertools.count(1)


class ReusedDatabases:
    """Copies of the migrated template `template` on `server`, for one test at a time each."""

    def __init__(self, server: PostgresServer, template: str) -> None:
        self.server = server
        self.template = template
        self._free: list[str] = []
        # One connection to the `postgres` database for the pool's CREATE, DROP and cutting
        # off (a new one each time started one more server process per store test).
        self._admin: psycopg.Connection[tuple[object, ...]] | None = None
        with self._connect(template) as connection:
            self._schema = _one(connection, _SCHEMA)
            tables = [str(row[0]) for row in connection.execute(_TABLES).fetchall()]
            filled = [t for t in tables if connection.execute(f"SELECT 1 FROM {t}").fetchone()]
        # The template holds no rows but alembic_version's: emptying a database leaves it so.
        assert not filled, f"the migrated template has rows in {filled}: emptying would lose them"
        self._empty = "SET LOCAL session_replication_role = replica;" + "".join(
            f"DELETE FROM {table};" for table in tables
        )

    def take(self) -> str:
        """The name of a database as the template made it, for one test."""
        if self._free:
            return self._free.pop()
        name = self._new_name()
        self._administer(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    def give_back(self, name: str) -> None:
        """After the test: its connections cut, the database emptied for the next test, or
        dropped if emptying would not make it as the template made it."""
        self._cut(name)
        if self._emptied(name):
            # A new name: what the code under test keeps per database URL in this process
            # (e.g. the public URL of the web side serving it) is not found by the next test.
            # On a connection of its own: the emptying connection's server process may still
            # be exiting, and RENAME, sent at once on the kept one, then polled for it in
            # 100 ms steps (a new connection takes about as long as the exit).
            renamed = self._new_name()
            with self.server.admin() as admin:
                admin.execute(f'ALTER DATABASE "{name}" RENAME TO "{renamed}"')
            self._free.append(renamed)
            return
        self._administer(f'DROP DATABASE "{name}" WITH (FORCE)')

    def _cut(self, name: str) -> None:
        """Every connection to database `name` cut, waiting until their processes end."""
        self._administer(
            "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )

    def _administer(self, statement: str, params: tuple[object, ...] | None = None) -> None:
        """`statement` on the pool's connection to the `postgres` database, connected again
        when a test cut it (one that terminates every backend, say)."""
        for attempt in (1, 2):
            if self._admin is None or self._admin.closed:
                self._admin = self.server.admin()
            try:
                self._admin.execute(statement, params)
                return
            except psycopg.OperationalError:
                self._admin.close()
                self._admin = None
                if attempt == 2:
                    raise

    def close(self) -> None:
        """Close the pool's connection to the server (its databases stay)."""
        if self._admin is not None:
            self._admin.close()
            self._admin = None

    def _new_name(self) -> str:
        return f"{self.template}_copy_{next(_numbers)}"

    def _emptied(self, name: str) -> bool:
        try:
            with self._connect(name) as connection:
                if _one(connection, _SETTLED) != "0" or _one(connection, _SCHEMA) != self._schema:
                    return False
                with connection.transaction():
                    connection.execute(self._empty)
                    connection.execute(_RESTART_SEQUENCES)
                connection.execute("SELECT pg_stat_reset()")
                return True
        except psycopg.Error:  # e.g. alembic_version dropped: a new copy then
            return False

    def _connect(self, database: str) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host="127.0.0.1",
            port=self.server.port,
            user=SUPERUSER,
            dbname=database,
            autocommit=True,
            connect_timeout=10,
        )


def _one(connection: psycopg.Connection[tuple[object, ...]], query: str) -> str:
    row = connection.execute(query).fetchone()
    assert row is not None
    return str(row[0])
