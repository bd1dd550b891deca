"""Shared fixtures. Store tests take `database_url` or `store` and so run twice: on SQLite
and on a throwaway PostgreSQL server (skipped, and said so, where PostgreSQL is missing).
Console tests take `console`, the sign-in and REST API tests `site` (SQLite only)."""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, create_engine_for, sqlite_url, upgrade
from hearthkeeper.store.database import SQLITE_FILE
from tests import bytecode
from tests.compiled_statements import share_compiled_statements
from tests.integration import postgres
from tests.integration.reused import ReusedDatabases
from tests.migrated import migrated_file, postgres_template
from tests.type_adapters import share_type_adapters

if TYPE_CHECKING:
    from tests.console_setup import Console
    from tests.web_auth_setup import Site

# The Matrix homeserver fixture (`synapse`) and its report lines.
pytest_plugins = ["tests.integration.synapse_plugin"]

# --- what one test may not leave behind for the next -------------------------------------

# How this process answers Ctrl-C and SIGTERM as the session starts: a test running the `hearth`
# entry point in it (which leaves both ignored for its own exit) puts them back.
SIGNALS_AT_START = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

# --- SQL statements compiled once per process, not once per test's engine -----------------

# Each store test builds its own engine, and SQLAlchemy keeps compiled statements per engine:
# every test compiled again what the tests before it ran (~25 ms a store test). The engines of
# one test process share one cache, keyed by what each kind of database compiles from
# (tests/compiled_statements.py); SQLite and PostgreSQL never share a statement.
share_compiled_statements()

# --- FastAPI's parameter validators built once per process, not once per application --------

# Each console test, live server and site builds the web application, and FastAPI built a
# pydantic validator for each of its ~340 parameters every time: a third of `create_app`.
# Equal parameters share one (tests/type_adapters.py); production builds its application once.
share_type_adapters()

# --- what the `hearth` commands print is read as plain text ------------------------------

# A CI that asks for colour (FORCE_COLOR=1, PY_COLORS, TTY_COMPATIBLE) made rich style the
# commands' output, and `hearth calendar`'s lines no longer read "post [link] Chart". Cleared
# before any test imports the commands' consoles (and so for the `hearth` processes tests start).
for _forcing in ("FORCE_COLOR", "PY_COLORS", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "CLICOLOR_FORCE"):
    os.environ.pop(_forcing, None)

# --- property tests: what holds for every input, never how fast --------------------------

# Hypothesis fails an example that took over 200 ms (its default deadline) and a test whose
# first ten inputs took over a second to draw. On a 2-core CI host also running PostgreSQL,
# Synapse and Chromium, a worker paused for 0.4 s failed a property test that was fine
# ("Unreliable test timings"). Speed is measured by benchmarks, not asserted by tests.
settings.register_profile(
    "hearthkeeper", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("hearthkeeper")

# --- bytecode compiled once for the run, not by every worker and `hearth` process ---------

_BYTECODE_OUTCOME = pytest.StashKey[str]()


@pytest.hookimpl(tryfirst=True)  # before xdist starts its workers (its hook is trylast)
def pytest_sessionstart(session: pytest.Session) -> None:
    """With xdist, the controller compiles the run's test modules (asserts rewritten, as pytest
    caches them) and the package once, before the workers start (tests/bytecode.py): with
    `PYTHONDONTWRITEBYTECODE=1` in this environment each worker and each `hearth` process a
    test starts compiled them all again."""
    processes = bytecode.workers(session.config)
    if processes < 1:
        return
    started = time.perf_counter()
    written = bytecode.precompile(session.config, processes, bytecode.run_folders(session.config))
    session.config.stash[_BYTECODE_OUTCOME] = (
        f"bytecode: {written} files compiled before the workers started "
        f"({time.perf_counter() - started:.1f} s, {processes} processes)"
    )


# --- store: SQLite and PostgreSQL ---------------------------------------------------------

_POSTGRES_OUTCOME = pytest.StashKey[str]()
_database_numbers = itertools.count(1)
_MIGRATED = "migrated_template"


@pytest.hookimpl(trylast=True)  # after any plugin that reorders tests
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest test (the kill -9 burst, marked `crash`, about a minute on a busy host) is
    handed out first, so it never starts late and keeps one worker busy after the others have
    run out of tests, wherever tests added before it put it in the order."""
    longest = [item for item in items if item.get_closest_marker("crash") is not None]
    items[:] = longest + [item for item in items if item.get_closest_marker("crash") is None]


def pytest_report_header(config: pytest.Config) -> str:
    reason = postgres.availability()
    if reason is None:
        return "store tests: on SQLite and PostgreSQL (a throwaway server on 127.0.0.1)"
    return f"store tests: on SQLite only; the PostgreSQL ones are SKIPPED: {reason}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for key in (_POSTGRES_OUTCOME, _BYTECODE_OUTCOME):
        outcome = terminalreporter.config.stash.get(key, None)
        if outcome is not None:
            terminalreporter.write_line(outcome)


@pytest.fixture(scope="session")
def postgres_server(request: pytest.FixtureRequest) -> Iterator[postgres.PostgresServer]:
    """One PostgreSQL server for the whole session, started when a test first needs it."""
    stash = request.config.stash
    try:
        server = postgres.start()
    except RuntimeError as exc:
        stash[_POSTGRES_OUTCOME] = f"PostgreSQL store tests: the server failed to start: {exc}"
        raise
    if isinstance(server, str):
        stash[_POSTGRES_OUTCOME] = f"PostgreSQL store tests were SKIPPED: {server}"
        pytest.skip(server)
    stash[_POSTGRES_OUTCOME] = (
        f"PostgreSQL store tests ran on PostgreSQL {server.version} at 127.0.0.1:{server.port}"
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def migrated_sqlite() -> Path:
    """A SQLite file migrated once per session (the one tests/migrated.py copies too),
    copied for each store test."""
    return migrated_file()


@pytest.fixture(scope="session")
def migrated_postgres(postgres_server: postgres.PostgresServer) -> str:
    """A PostgreSQL database migrated once per session, the template of each store test's."""
    with postgres_server.admin() as admin:
        admin.execute(f'CREATE DATABASE "{_MIGRATED}"')
    upgrade(postgres_server.url(_MIGRATED))
    postgres_template(postgres_server.url(), _MIGRATED)  # what tests.migrated.migrate copies
    return _MIGRATED


@pytest.fixture(scope="session")
def reused_postgres(
    postgres_server: postgres.PostgresServer, migrated_postgres: str
) -> Iterator[ReusedDatabases]:
    """Copies of the migrated template, each emptied after a test for the next one (a new
    copy where emptying would not make it as the template made it)."""
    databases = ReusedDatabases(postgres_server, migrated_postgres)
    try:
        yield databases
    finally:
        databases.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a new database: empty, or already migrated when the test uses `store`
    (copied from one migrated per session, which is faster than migrating each time; on
    PostgreSQL a copy an earlier test used and that was emptied after it, see
    tests/integration/reused.py)."""
    migrated = "store" in request.fixturenames
    if request.param == "sqlite":
        url = sqlite_url(tmp_path / "data")
        if migrated:
            shutil.copyfile(
                request.getfixturevalue("migrated_sqlite"), tmp_path / "data" / SQLITE_FILE
            )
        yield url
        return
    server: postgres.PostgresServer = request.getfixturevalue("postgres_server")
    if migrated:
        databases: ReusedDatabases = request.getfixturevalue("reused_postgres")
        name = databases.take()
        try:
            yield databases.url(name)
        finally:
            databases.give_back(name)
        return
    request.getfixturevalue("migrated_postgres")  # for a test that migrates it (migrate())
    name = f"test_{next(_database_numbers)}"
    with server.admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.url(name)
    finally:
        with server.admin() as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def store_clock() -> FrozenClock:
    """The store's clock, frozen at 2026-05-01 09:00 UTC."""
    return FrozenClock(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def store(database_url: str, store_clock: FrozenClock) -> Iterator[Store]:
    """A store on a freshly migrated database (`database_url` migrated it)."""
    engine = create_engine_for(database_url)
    try:
        yield Store(engine, store_clock)
    finally:
        engine.dispose()


@pytest.fixture
def console(migrated_sqlite: Path, tmp_path: Path, store_clock: FrozenClock) -> Iterator[Console]:
    """The skincare community's console, signed in, on a copy of the migrated SQLite file
    (`tests/console_setup.py`); a module whose console needs another store defines its own."""
    from tests.console_setup import open_console  # the web app, for the tests that use it

    built = open_console(migrated_sqlite, tmp_path, store_clock)
    try:
        yield built
    finally:
        built.store.engine.dispose()


@pytest.fixture
def site(migrated_sqlite: Path, tmp_path: Path, store_clock: FrozenClock) -> Iterator[Site]:
    """The sign-in and REST API tests' small web application (`tests/web_auth_setup.py`) on a
    copy of the migrated SQLite file; a module whose `site` is something else defines its own."""
    from tests.web_auth_setup import build_site, sqlite_store  # the web app, for its tests

    store = sqlite_store(migrated_sqlite, tmp_path, store_clock)
    try:
        yield build_site(store, store_clock, tmp_path)
    finally:
        store.engine.dispose()
