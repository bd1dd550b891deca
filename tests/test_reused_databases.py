"""The PostgreSQL databases store tests reuse (tests/integration/reused.py): the next test gets
one as the migrated template made it, whatever the test before did to it. And a new one a test
migrates itself (tests/migrated.py's `migrate`) is a copy of that template."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from tests import migrated
from tests.integration import postgres
from tests.integration.reused import ReusedDatabases

pytestmark = pytest.mark.postgres

_ADD_OPERATOR = sa.text(
    "INSERT INTO operators (created_at, disabled, username, password_hash) "
    "VALUES (now(), false, :name, 'x') RETURNING id"
)


@pytest.fixture
def databases(
    postgres_server: postgres.PostgresServer, migrated_postgres: str
) -> Iterator[ReusedDatabases]:
    """A pool of its own, so these tests see which database they are given."""
    pool = ReusedDatabases(postgres_server, migrated_postgres)
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture
def connect(postgres_server: postgres.PostgresServer) -> Iterator[Callable[[str], sa.Engine]]:
    """`connect(name)`: an engine on database `name` (or at URL `name`), disposed after the
    test."""
    engines: list[sa.Engine] = []

    def engine(name: str) -> sa.Engine:
        engines.append(sa.create_engine(name if "://" in name else postgres_server.url(name)))
        return engines[-1]

    yield engine
    for made in engines:
        made.dispose()


def _oid(server: postgres.PostgresServer, name: str) -> int:
    """The database's identity, which a rename keeps."""
    with server.admin() as admin:
        row = admin.execute("SELECT oid FROM pg_database WHERE datname = %s", (name,)).fetchone()
    assert row is not None, f"no database {name}"
    return int(str(row[0]))


def _operators(engine: sa.Engine) -> list[tuple[int, str]]:
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT id, username FROM operators ORDER BY id"))
        return [(int(row[0]), str(row[1])) for row in rows]


def test_the_next_test_gets_the_database_empty_with_ids_from_one(
    databases: ReusedDatabases,
    connect: Callable[[str], sa.Engine],
    postgres_server: postgres.PostgresServer,
) -> None:
    first = databases.take()
    reused = _oid(postgres_server, first)
    first_url = databases.url(first)
    engine = connect(first_url)
    with engine.begin() as connection:
        for name in ("ann", "bo"):
            connection.execute(_ADD_OPERATOR, {"name": name})
    still_open = engine.connect()  # a connection the test forgot: cut when it gives it back
    still_open.execute(sa.text("SELECT 1"))
    databases.give_back(first)
    still_open.invalidate()  # cut: not given back to the pool

    second = databases.take()
    assert _oid(postgres_server, second) == reused  # the same database, not a new copy
    second_url = databases.url(second)
    assert second_url != first_url  # nothing kept per URL in this process finds it
    engine = connect(second_url)
    assert _operators(engine) == []
    with engine.begin() as connection:
        connection.execute(_ADD_OPERATOR, {"name": "cy"})
    assert _operators(engine) == [(1, "cy")]
    with engine.connect() as connection:
        version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    assert len(version) == 1  # the migrations' own row kept


@pytest.mark.parametrize(
    "change",
    [
        "CREATE INDEX operators_by_hash ON operators (password_hash)",
        "ALTER TABLE operators ADD COLUMN nickname text",
        "ALTER TABLE operators ALTER COLUMN disabled DROP NOT NULL",
        "CREATE TABLE scratch (id int)",
        "UPDATE alembic_version SET version_num = '0001'",
        "ANALYZE operators",
        "CREATE FUNCTION twice(n int) RETURNS int LANGUAGE sql AS 'SELECT n * 2'",
        "ALTER TABLE operators RENAME COLUMN password_hash TO secret",
        "ALTER TABLE operators ALTER COLUMN disabled SET DEFAULT true",
    ],
)
def test_a_database_left_different_is_not_handed_on(
    databases: ReusedDatabases,
    connect: Callable[[str], sa.Engine],
    postgres_server: postgres.PostgresServer,
    change: str,
) -> None:
    """A schema changed, a migration's version moved or statistics gathered: the next test
    gets a new copy of the template instead."""
    first = databases.take()
    with connect(first).begin() as connection:
        connection.execute(sa.text(change))
    copied = _oid(postgres_server, first)
    databases.give_back(first)

    second = databases.take()
    assert _oid(postgres_server, second) != copied
    with connect(second).connect() as connection:
        columns = connection.execute(sa.text(
            "SELECT column_name, is_nullable FROM information_schema.columns "
            "WHERE table_name = 'operators' AND column_name IN ('nickname', 'disabled')"
        )).all()  # fmt: skip
        scratch = connection.execute(sa.text("SELECT to_regclass('scratch')")).scalar()
    assert columns == [("disabled", "NO")]
    assert scratch is None


@pytest.mark.parametrize(
    "change",
    [
        # No catalog row is left changed: the quick comparison of the catalogs suffices.
        "CREATE TABLE scratch (id int); DROP TABLE scratch",
        # A catalog row changed that the schema's description does not read: the full
        # comparison finds the schema as the template made it.
        "ALTER TABLE operators ALTER COLUMN username SET STATISTICS 200",
    ],
)
def test_a_database_left_as_the_template_made_it_is_handed_on_emptied(
    databases: ReusedDatabases,
    connect: Callable[[str], sa.Engine],
    postgres_server: postgres.PostgresServer,
    change: str,
) -> None:
    """A test that changed the schema and changed it back (or changed only what the schema's
    comparison ignores) leaves a database the next test is given again, emptied."""
    first = databases.take()
    with connect(first).begin() as connection:
        connection.exec_driver_sql(change)
        connection.execute(_ADD_OPERATOR, {"name": "ann"})
    reused = _oid(postgres_server, first)
    databases.give_back(first)

    second = databases.take()
    assert _oid(postgres_server, second) == reused
    assert _operators(connect(second)) == []


def test_migrating_a_new_database_copies_the_migrated_template(
    postgres_server: postgres.PostgresServer,
    migrated_postgres: str,
    monkeypatch: pytest.MonkeyPatch,
    connect: Callable[[str], sa.Engine],
) -> None:
    """`tests.migrated.migrate` on an empty PostgreSQL database gives it the newest schema
    by copying the template, without running the migrations again."""
    with postgres_server.admin() as admin:
        admin.execute('CREATE DATABASE "to_migrate"')

    def upgrade(url: str) -> list[str]:
        raise AssertionError(f"migrated {url} again instead of copying the template")

    monkeypatch.setattr(migrated, "upgrade", upgrade)
    migrated.migrate(postgres_server.url("to_migrate"))

    with (
        connect("to_migrate").connect() as connection,
        connect(migrated_postgres).connect() as template,
    ):
        version = "SELECT version_num FROM alembic_version"
        assert (
            connection.execute(sa.text(version)).all() == template.execute(sa.text(version)).all()
        )
        assert _operators(connect("to_migrate")) == []


def test_migrating_a_database_with_tables_in_it_upgrades_it(
    postgres_server: postgres.PostgresServer,
    migrated_postgres: str,
    connect: Callable[[str], sa.Engine],
) -> None:
    """A database that holds something is migrated, never replaced: nothing in it is lost."""
    with postgres_server.admin() as admin:
        admin.execute('CREATE DATABASE "half_made"')
    with connect("half_made").begin() as connection:
        connection.execute(sa.text("CREATE TABLE notes (said text)"))
        connection.execute(sa.text("INSERT INTO notes VALUES ('keep me')"))

    migrated.migrate(postgres_server.url("half_made"))

    with connect("half_made").connect() as connection:
        assert connection.execute(sa.text("SELECT said FROM notes")).all() == [("keep me",)]
        assert connection.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 1


def test_giving_a_database_back_opens_no_connection_to_the_postgres_database(
    postgres_server: postgres.PostgresServer,
    databases: ReusedDatabases,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each store test on PostgreSQL takes a database and gives it back: the pool's CREATE,
    cutting off and RENAME go through one kept connection (each of them opened one, a server
    process started for each, a busy host's time; the RENAME did until session 31)."""
    opened: list[str] = []
    admin = postgres_server.admin

    def counted() -> object:
        opened.append("postgres")
        return admin()

    monkeypatch.setattr(postgres_server, "admin", counted)
    names = [databases.take() for _ in range(2)]  # two new copies of the template
    for _ in range(3):
        for name in names:
            databases.give_back(name)
        names = [databases.take() for _ in names]
    assert len(opened) == 1  # the kept one
    assert len(set(names)) == 2


def test_a_pool_whose_connection_was_cut_connects_again(
    postgres_server: postgres.PostgresServer,
    databases: ReusedDatabases,
    connect: Callable[[str], sa.Engine],
) -> None:
    """A test that cuts every connection to the server's `postgres` database (as a restart
    would) leaves the pool working: the next test still gets a database, emptied."""
    first = databases.take()
    with connect(first).begin() as connection:
        connection.execute(_ADD_OPERATOR, {"name": "ann"})
    with postgres_server.admin() as admin:
        cut = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = 'postgres' AND pid <> pg_backend_pid()"
        ).fetchone()
    assert cut is not None and int(str(cut[0])) >= 1  # the pool's own connection among them
    databases.give_back(first)
    second = databases.take()
    assert _operators(connect(second)) == []


def _backend(connection: sa.Connection) -> int:
    return int(str(connection.execute(sa.text("SELECT pg_backend_pid()")).scalar()))


def test_the_next_test_is_lent_the_server_processes_the_last_one_closed_reset(
    databases: ReusedDatabases,
    connect: Callable[[str], sa.Engine],
    postgres_server: postgres.PostgresServer,
) -> None:
    """A test's engine on a reused database is lent the connections the test before closed,
    so no new server process starts for them (one costs the server ~75 ms of CPU in a store
    test), but with nothing of that test's session: settings, temporary tables, advisory
    locks, LISTEN, prepared statements and psycopg's own settings are as in a new connection.
    A connection still open when its test gave the database back is cut and never lent."""
    first = databases.take()
    engine = connect(databases.url(first))
    late = engine.connect()  # still open when the database goes back
    cut = _backend(late)
    late.commit()
    lent = set()
    with engine.connect() as one, engine.connect() as two:  # two at once: both kept
        for n, connection in enumerate((one, two)):
            lent.add(_backend(connection))
            connection.execute(_ADD_OPERATOR, {"name": f"ann{n}"})
            for statement in (
                "SET statement_timeout = '1234ms'",
                "CREATE TEMPORARY TABLE scratch (id int)",
                f"SELECT pg_advisory_lock({n})",
                "LISTEN news",
                "PREPARE answer AS SELECT 42",
            ):
                connection.execute(sa.text(statement))
            connection.commit()
            connection.connection.driver_connection.read_only = True  # type: ignore[union-attr]
    engine.dispose()  # closes what the pool holds: kept for the next test
    databases.give_back(first)
    late.close()
    engine.dispose()  # the late connection, closed after the test: not kept

    second = databases.take()
    engine = connect(databases.url(second))
    with engine.connect() as one, engine.connect() as two:
        assert {_backend(one), _backend(two)} == lent
        for connection in (one, two):
            raw = connection.connection.driver_connection
            assert raw is not None and raw.read_only is None and not raw.autocommit
            assert connection.execute(sa.text("SHOW statement_timeout")).scalar() == "0"
            scratch = connection.execute(sa.text("SELECT to_regclass('pg_temp.scratch')"))
            assert scratch.scalar() is None
            assert connection.execute(sa.text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
            )).scalar() == 0  # fmt: skip
            assert connection.execute(sa.text("SELECT pg_listening_channels()")).all() == []
            prepared = connection.execute(sa.text("SELECT name FROM pg_prepared_statements"))
            assert prepared.all() == []
            assert connection.execute(sa.text("SELECT count(*) FROM operators")).scalar() == 0
        with engine.connect() as third:  # a third at once: a new server process
            assert _backend(third) not in lent | {cut}
    with postgres_server.admin() as admin:
        alive = admin.execute("SELECT pid FROM pg_stat_activity WHERE pid = %s", (cut,))
        assert alive.fetchall() == []
