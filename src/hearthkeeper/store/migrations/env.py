"""Alembic environment, run only through `hearthkeeper.store.migrate` (it hands us a connection)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from alembic import context
from alembic.runtime.migration import MigrationContext, MigrationInfo
from sqlalchemy import Connection

from hearthkeeper.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError(
        "Hearthkeeper's migrations run through `hearth db upgrade` "
        "(hearthkeeper.store.migrate), not the alembic command line"
    )
applied: list[str] = config.attributes.setdefault("applied", [])


def _note_applied(
    ctx: MigrationContext, step: MigrationInfo, heads: Collection[Any], run_args: Mapping[str, Any]
) -> None:
    if step.is_upgrade and step.up_revision_id is not None:
        applied.append(step.up_revision_id)


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite can only change a table by copying it; batch mode writes migrations that way.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    on_version_apply=_note_applied,
)
with context.begin_transaction():
    context.run_migrations()
