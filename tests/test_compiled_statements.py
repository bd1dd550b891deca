"""The test processes' shared cache of compiled statements (tests/compiled_statements.py): a
new engine reuses what an earlier one compiled, reads its own data, and never runs a statement
compiled for another kind of database or another placeholder style."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Integer, MetaData, String, column, select, table
from sqlalchemy.engine import Engine

from hearthkeeper.store import create_engine_for, sqlite_url
from hearthkeeper.store.database import build_engine
from tests.compiled_statements import SharedCompiledCache, dialect_signature

NAMES = table("names", column("id", Integer), column("name", String))


def _names_engine(folder: Path, name: str) -> Engine:
    engine = create_engine_for(sqlite_url(folder))
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE names (id INTEGER PRIMARY KEY, name TEXT)")
        connection.exec_driver_sql("INSERT INTO names (id, name) VALUES (1, ?)", (name,))
    return engine


def test_a_second_engine_runs_the_first_ones_statement_compiled_once_on_its_own_data(
    tmp_path: Path,
) -> None:
    first = _names_engine(tmp_path / "first", "Mei")
    second = _names_engine(tmp_path / "second", "Ravi")
    query = select(NAMES.c.name).where(NAMES.c.id == 1)
    try:
        with first.connect() as connection:
            result = connection.execute(query)
            assert result.scalar_one() == "Mei"
        with second.connect() as connection:
            result = connection.execute(query)
            assert result.context.cache_hit == second.dialect.CACHE_HIT
            assert result.scalar_one() == "Ravi"
    finally:
        first.dispose()
        second.dispose()


def test_sqlite_and_postgresql_and_placeholder_styles_never_share_a_statement(
    tmp_path: Path,
) -> None:
    sqlite = _names_engine(tmp_path / "sqlite", "Mei")
    postgresql = build_engine("postgresql://hearth@127.0.0.1:1/none")  # never connected
    pyformat = build_engine("postgresql://hearth@127.0.0.1:1/none")
    pyformat.dialect.paramstyle = "pyformat"
    try:
        signatures = {dialect_signature(e.dialect) for e in (sqlite, postgresql, pyformat)}
        assert None not in signatures
        assert len(signatures) == 3

        cache = SharedCompiledCache()
        query = select(NAMES.c.name).where(NAMES.c.id == 1)
        key = query._generate_cache_key()
        assert key is not None
        compiled = query.compile(dialect=postgresql.dialect)
        cache[(postgresql.dialect, key.key, (), False, False)] = compiled
        assert cache.get((sqlite.dialect, key.key, (), False, False)) is None
        assert cache.get((pyformat.dialect, key.key, (), False, False)) is None
        again = build_engine("postgresql://hearth@127.0.0.1:1/none")
        assert cache.get((again.dialect, key.key, (), False, False)) is compiled
        assert "$1" in str(compiled)
    finally:
        sqlite.dispose()


def test_a_dialect_holding_a_setting_it_cannot_compare_keeps_its_own_statements(
    tmp_path: Path,
) -> None:
    engine = _names_engine(tmp_path / "odd", "Mei")
    other = _names_engine(tmp_path / "other", "Ravi")
    engine.dialect._odd_setting = MetaData()  # type: ignore[attr-defined]  # no value equality
    try:
        assert dialect_signature(engine.dialect) is None
        cache = SharedCompiledCache()
        query = select(NAMES.c.name)
        key = query._generate_cache_key()
        assert key is not None
        cache[(other.dialect, key.key, (), False, False)] = query.compile(dialect=other.dialect)
        assert cache.get((engine.dialect, key.key, (), False, False)) is None
    finally:
        engine.dispose()
        other.dispose()
