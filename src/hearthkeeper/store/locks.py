"""Row locks that serialise writers on one row (a member, a community) until commit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hearthkeeper.store.inserts import table_of
from hearthkeeper.store.models import Base


def lock_row(session: Session, model: type[Base], row_id: int) -> None:
    """Serialise writers on one row until the transaction ends. PostgreSQL takes a row lock
    that does not block foreign-key checks; SQLite writers are serialised already."""
    if session.get_bind().dialect.name == "postgresql":
        table = table_of(model)
        session.execute(
            select(table.c.id).where(table.c.id == row_id).with_for_update(key_share=True)
        )
