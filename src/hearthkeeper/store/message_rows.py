"""Many messages as plain rows, the way both the engine's batches and the importer store
them: texts made storable, kinds checked, and on SQLite one prepared INSERT stepped over
the rows (no per-row parameter processing by SQLAlchemy)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from hearthkeeper.store.columns import all_storable, sqlite_time, storable
from hearthkeeper.store.records import ImportRow, MessageKind

# Keyed by value: a MessageKind finds its entry too (a StrEnum hashes as its value).
_KINDS = {kind.value: kind.value for kind in MessageKind}

# SQLite: one prepared statement for every row; the reply is looked up by the unique
# (group, carrier event id) index, and finds rows inserted earlier in the same executemany.
_SQLITE_INSERT = (
    "INSERT INTO messages (group_id, member_id, carrier_event_id, kind, text, sent_at, "
    "recorded_at, reply_to_id, reply_to_event_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
    "(SELECT r.id FROM messages AS r WHERE r.group_id = ?1 AND r.carrier_event_id = ?8), ?8) "
    "ON CONFLICT (group_id, carrier_event_id) DO NOTHING"
)


def storable_rows(rows: Sequence[ImportRow]) -> Sequence[ImportRow]:
    """`rows` with what no database stores replaced (see `storable`); usually nothing is,
    which one scan of all their texts tells."""
    texts = [text for row in rows for text in (row[2], row[4], row[6] or "")]
    if all_storable(texts):
        return rows
    return [
        (g, m, storable(event), kind, storable(text), at, reply and storable(reply))
        for g, m, event, kind, text, at, reply in rows
    ]


def insert_prepared(connection: Connection, rows: Sequence[ImportRow], now: datetime) -> int:
    """SQLite: one executemany of the prepared INSERT (the engine's batches of plain messages
    take it too); the rows it added. IntegrityError for a missing group or member."""
    recorded = sqlite_time(now, "recorded_at")
    values = [
        (
            group_id,
            member_id,
            event_id,
            kind_value(kind),
            text,
            sqlite_time(sent_at, "sent_at"),
            recorded,
            reply,
        )
        for group_id, member_id, event_id, kind, text, sent_at, reply in storable_rows(rows)
    ]
    raw: Any = connection.connection.driver_connection
    before = int(raw.total_changes)
    connection.exec_driver_sql(_SQLITE_INSERT, values)
    return int(raw.total_changes) - before


def kind_value(kind: MessageKind | str) -> str:
    """The stored name of a message kind; ValueError naming the kinds for another."""
    try:
        return _KINDS[kind]
    except KeyError:
        known = ", ".join(k.value for k in MessageKind)
        raise ValueError(f"unknown message kind {kind!r}; the kinds are {known}") from None
