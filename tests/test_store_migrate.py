"""Migrations: `hearth db upgrade` builds exactly the schema the models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from hearthkeeper.store import (
    StoreError,
    create_engine_for,
    current_revision,
    head_revision,
    require_current,
    upgrade,
)
from hearthkeeper.store.models import Base


def test_upgrade_builds_an_empty_database_then_has_nothing_left_to_do(database_url: str) -> None:
    assert current_revision(database_url) is None

    assert upgrade(database_url) == ["0001"]
    assert current_revision(database_url) == head_revision() == "0001"

    assert upgrade(database_url) == []
    assert current_revision(database_url) == "0001"


def test_migrated_schema_is_exactly_the_models(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine_for(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()

    assert differences == []


def test_a_database_that_was_never_upgraded_is_refused_with_the_fix(database_url: str) -> None:
    engine = create_engine_for(database_url)
    try:
        with pytest.raises(StoreError, match="run `hearth db upgrade`"):
            require_current(engine)
        upgrade(database_url)
        require_current(engine)
    finally:
        engine.dispose()
