"""The generated community of 50 groups (generated.py), written once per session on each
database and copied for each test that reads it: writing its 2,300 members, their stays and
its rollups took longer than anything those tests then do, and each test may change its copy."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, create_engine_for, sqlite_url
from hearthkeeper.store.database import SQLITE_FILE
from tests.capabilities.grid.generated import NOW, Generated, Grid, written
from tests.integration import postgres

_TEMPLATE = "grid_template"
_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def grid_sqlite(
    migrated_sqlite: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Generated]:
    folder = tmp_path_factory.mktemp("grid")
    shutil.copyfile(migrated_sqlite, folder / SQLITE_FILE)
    return folder / SQLITE_FILE, written(sqlite_url(folder))


@pytest.fixture(scope="session")
def grid_postgres(
    postgres_server: postgres.PostgresServer, migrated_postgres: str
) -> tuple[str, Generated]:
    with postgres_server.admin() as admin:
        admin.execute(f'CREATE DATABASE "{_TEMPLATE}" TEMPLATE "{migrated_postgres}"')
    return _TEMPLATE, written(postgres_server.url(_TEMPLATE))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def grid(
    request: pytest.FixtureRequest, tmp_path: Path, store_clock: FrozenClock
) -> Iterator[Grid]:
    """A new database holding the generated community; `store_clock` at NOW."""
    store_clock.set(NOW)
    if request.param == "sqlite":
        template, made = request.getfixturevalue("grid_sqlite")
        url = sqlite_url(tmp_path / "data")
        shutil.copyfile(template, tmp_path / "data" / SQLITE_FILE)
        engine = create_engine_for(url)
        try:
            yield Grid(Store(engine, store_clock), url, made)
        finally:
            engine.dispose()
        return
    server: postgres.PostgresServer = request.getfixturevalue("postgres_server")
    template, made = request.getfixturevalue("grid_postgres")
    name = f"grid_{next(_numbers)}"
    with server.admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    url = server.url(name)
    engine = create_engine_for(url)
    try:
        yield Grid(Store(engine, store_clock), url, made)
    finally:
        engine.dispose()
        with server.admin() as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
