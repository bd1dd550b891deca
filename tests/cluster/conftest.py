"""Step 14's tests share one fixture: a migrated PostgreSQL database of their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.reused import ReusedDatabases


@pytest.fixture
def pg_url(reused_postgres: ReusedDatabases) -> Iterator[str]:
    """The URL of a migrated PostgreSQL database as the template made it, emptied after the
    test for the next one (tests/integration/reused.py)."""
    name = reused_postgres.take()
    try:
        yield reused_postgres.url(name)
    finally:
        reused_postgres.give_back(name)
