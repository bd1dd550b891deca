"""`execute_many` stores exactly what SQLAlchemy's own executemany stores (it only skips its
per-row parameter building on SQLite): texts made storable, times in UTC, JSON, NULLs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hearthkeeper.store import Store
from hearthkeeper.store.driver_rows import driver_rows
from hearthkeeper.store.inserts import execute_many, insert_ignoring, table_of
from hearthkeeper.store.models import ScheduledRow

_TABLE = table_of(ScheduledRow)
SHANGHAI = timezone(timedelta(hours=8))


def rows(community_id: int, prefix: str) -> list[dict[str, Any]]:
    at = datetime(2026, 6, 1, 20, 30, 15, 123456, tzinfo=SHANGHAI)
    return [
        {"key": f"{prefix}:{n}", "community_id": community_id, "group_id": None,
         "effect": "test.effect\x00", "payload": {"text": f"夜跑 #{n}", "n": n, "none": None},
         "due_at": at + timedelta(minutes=n), "status": "pending",
         "created_at": datetime(2026, 6, 1, 12, 0, tzinfo=UTC), "done_at": None,
         "ignored": "not a column"}
        for n in range(3)
    ]  # fmt: skip


def stored(store: Store, prefix: str) -> list[tuple[Any, ...]]:
    """The rows under `prefix` as the driver returns them (no type processing), key-less."""
    query = select(_TABLE).where(_TABLE.c.key.startswith(f"{prefix}:")).order_by(_TABLE.c.key)
    with Session(store.engine) as session:
        found = driver_rows(session, query)
    return [(row[1].split(":", 1)[1], *row[2:]) for row in found]


def test_rows_are_stored_as_sqlalchemys_executemany_stores_them(store: Store) -> None:
    community = store.ensure_community("c", "C")
    with Session(store.engine) as session:
        statement = insert_ignoring(session, ScheduledRow, ("key",))
    with store.engine.begin() as db:
        usual = [
            {k: v for k, v in row.items() if k != "ignored"} for row in rows(community.id, "a")
        ]
        db.execute(statement, usual)
        execute_many(db, statement, rows(community.id, "b"))
        execute_many(db, statement, rows(community.id, "b"))  # the same keys: ignored
    assert stored(store, "b") == stored(store, "a")
    assert len(stored(store, "b")) == 3
    with store.engine.connect() as db:
        back = db.execute(select(_TABLE).where(_TABLE.c.key == "b:1")).one()
    assert back.effect == "test.effect\ufffd"  # what no database stores, replaced
    assert back.payload == {"text": "夜跑 #1", "n": 1, "none": None}
    assert back.due_at == datetime(2026, 6, 1, 12, 31, 15, 123456, tzinfo=UTC)
    with store.engine.begin() as db:
        db.execute(delete(_TABLE))
