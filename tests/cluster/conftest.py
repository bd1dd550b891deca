"""Step 14's tests share one fixture: a migrated PostgreSQL database of their own."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from tests.integration import postgres

_numbers = itertools.count(1)


@pytest.fixture
def pg_url(postgres_server: postgres.PostgresServer, migrated_postgres: str) -> Iterator[str]:
    """The URL of a new, migrated PostgreSQL database, dropped after the test."""
    name = f"cluster_{next(_numbers)}"
    with postgres_server.admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{migrated_postgres}"')
    try:
        yield postgres_server.url(name)
    finally:
        with postgres_server.admin() as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
