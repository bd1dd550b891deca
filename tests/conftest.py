"""Shared fixtures. Store tests take `database_url` or `store` and so run twice: on SQLite
and on a throwaway PostgreSQL server (skipped, and said so, where PostgreSQL is missing)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, create_engine_for, sqlite_url, upgrade
from tests.integration import postgres

# --- store: SQLite and PostgreSQL ---------------------------------------------------------

_POSTGRES_OUTCOME = pytest.StashKey[str]()
_database_numbers = itertools.count(1)


def pytest_report_header(config: pytest.Config) -> str:
    reason = postgres.availability()
    if reason is None:
        return "store tests: on SQLite and PostgreSQL (a throwaway server on 127.0.0.1)"
    return f"store tests: on SQLite only; the PostgreSQL ones are SKIPPED: {reason}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    outcome = terminalreporter.config.stash.get(_POSTGRES_OUTCOME, None)
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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "data")
        return
    server: postgres.PostgresServer = request.getfixturevalue("postgres_server")
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
    """A store on a freshly migrated database."""
    upgrade(database_url)
    engine = create_engine_for(database_url)
    try:
        yield Store(engine, store_clock)
    finally:
        engine.dispose()
