"""Chat history brought in from exports: many messages at once, each stored once.

An import chunk is a few thousand rows, so it takes the database's own bulk path rather
than SQLAlchemy's per-row parameter processing: on SQLite one prepared INSERT stepped over
every row (`executemany`), on PostgreSQL a COPY into a temporary staging table and one
INSERT … SELECT … ON CONFLICT DO NOTHING from it. Either way a chunk costs a handful of
statements however many rows it holds, and replies to messages already stored (earlier in
the file or by an earlier import) are linked as the rows go in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, update
from sqlalchemy.exc import IntegrityError

from hearthkeeper.store.columns import require_aware, storable
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.inserts import table_of
from hearthkeeper.store.messages import replied_message_id
from hearthkeeper.store.models import MessageRow
from hearthkeeper.store.records import MessageKind, NewMessage
from hearthkeeper.store.scope import StoreBase

_KINDS = {kind: kind.value for kind in MessageKind} | {kind.value: kind.value for kind in MessageKind}

# SQLite: one prepared statement for every row; the reply is looked up by the unique
# (group, carrier event id) index, and finds rows inserted earlier in the same executemany.
_SQLITE_INSERT = (
    "INSERT INTO messages (group_id, member_id, carrier_event_id, kind, text, sent_at, "
    "recorded_at, reply_to_id, reply_to_event_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
    "(SELECT r.id FROM messages AS r WHERE r.group_id = ?1 AND r.carrier_event_id = ?8), ?8) "
    "ON CONFLICT (group_id, carrier_event_id) DO NOTHING"
)

# PostgreSQL: the chunk is copied into a staging table that lives until the end of the
# transaction (dropped at once when done), then moved in file order so ids follow the file.
_STAGING = "hearth_import_messages"
_PG_STAGE = (
    f"CREATE TEMPORARY TABLE {_STAGING} (ord integer NOT NULL, group_id bigint NOT NULL, "
    "member_id bigint, carrier_event_id text NOT NULL, kind text NOT NULL, text text NOT NULL, "
    "sent_at timestamptz NOT NULL, reply_to_event_id text) ON COMMIT DROP"
)
_PG_COPY = (
    f"COPY {_STAGING} (ord, group_id, member_id, carrier_event_id, kind, text, sent_at, "
    "reply_to_event_id) FROM STDIN"
)
_PG_INSERT = (
    "INSERT INTO messages (group_id, member_id, carrier_event_id, kind, text, sent_at, "
    "recorded_at, reply_to_event_id) SELECT group_id, member_id, carrier_event_id, kind, text, "
    f"sent_at, %(now)s, reply_to_event_id FROM {_STAGING} ORDER BY ord "
    "ON CONFLICT (group_id, carrier_event_id) DO NOTHING"
)
# The chunk's replies (new, or stored unlinked by an earlier run), pointed at what they answer.
_PG_LINK = (
    f"UPDATE messages AS m SET reply_to_id = r.id FROM {_STAGING} AS s "
    "JOIN messages AS r ON r.group_id = s.group_id AND r.carrier_event_id = s.reply_to_event_id "
    "WHERE s.reply_to_event_id IS NOT NULL AND m.group_id = s.group_id "
    "AND m.carrier_event_id = s.carrier_event_id AND m.reply_to_id IS NULL"
)
_PG_DROP = f"DROP TABLE {_STAGING}"


class ImportQueries(StoreBase):
    def add_imported_messages(self, rows: Sequence[NewMessage]) -> int:
        """Insert `rows`, skipping those whose carrier event id the group already has (or
        that an earlier row here repeats); the number actually added.

        A reply is linked when the message it answers is stored (before, or earlier in
        `rows`); `link_imported_replies` links the rest (answers to later messages) once
        the whole import is in. Mentions are not recorded."""
        if not rows:
            return 0
        now = self._clock.now()
        with self._unit(write=True) as session:
            connection = session.connection()
            try:
                if connection.dialect.name == "postgresql":
                    return _copy_in(connection, rows, now)
                return _insert_prepared(connection, rows, now)
            except IntegrityError as exc:
                raise StoreError(
                    f"cannot import {len(rows)} messages: a group or member among them "
                    "does not exist"
                ) from exc

    def link_imported_replies(self, group_ids: Sequence[int]) -> int:
        """Point every reply in these groups that is not linked yet at the message it
        answers, where that message is stored; the number of replies linked."""
        if not group_ids:
            return 0
        messages = table_of(MessageRow)
        original = replied_message_id()
        statement = (
            update(messages)
            .where(
                messages.c.group_id.in_(sorted(set(group_ids))),
                messages.c.reply_to_event_id.is_not(None),
                messages.c.reply_to_id.is_(None),
                original.is_not(None),
            )
            .values(reply_to_id=original)
        )
        with self._unit(write=True) as session:
            return int(session.connection().execute(statement).rowcount or 0)


def _insert_prepared(connection: Connection, rows: Sequence[NewMessage], now: datetime) -> int:
    """SQLite: one executemany of the prepared INSERT; the rows it added."""
    recorded = _sqlite_time(now)
    values = [
        (
            row.group_id,
            row.member_id,
            storable(row.carrier_event_id),
            _kind(row.kind),
            storable(row.text),
            _sqlite_time(row.sent_at),
            recorded,
            None if row.reply_to_event_id is None else storable(row.reply_to_event_id),
        )
        for row in rows
    ]
    raw = connection.connection.driver_connection
    before = int(raw.total_changes)  # type: ignore[union-attr]
    connection.exec_driver_sql(_SQLITE_INSERT, values)  # type: ignore[arg-type]
    return int(raw.total_changes) - before  # type: ignore[union-attr]


def _copy_in(connection: Connection, rows: Sequence[NewMessage], now: datetime) -> int:
    """PostgreSQL: COPY into the staging table, then INSERT … SELECT and link the replies."""
    connection.exec_driver_sql(_PG_STAGE)
    raw: Any = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(_PG_COPY) as copy:
        for ord, row in enumerate(rows):
            copy.write_row((
                ord, row.group_id, row.member_id, storable(row.carrier_event_id),
                _kind(row.kind), storable(row.text), require_aware(row.sent_at, "sent_at"),
                None if row.reply_to_event_id is None else storable(row.reply_to_event_id),
            ))  # fmt: skip
    added = connection.exec_driver_sql(_PG_INSERT, {"now": now}).rowcount
    connection.exec_driver_sql(_PG_LINK)
    connection.exec_driver_sql(_PG_DROP)
    return int(added)


def _kind(kind: MessageKind | str) -> str:
    try:
        return _KINDS[kind]
    except KeyError:
        known = ", ".join(k.value for k in MessageKind)
        raise ValueError(f"unknown message kind {kind!r}; the kinds are {known}") from None


def _sqlite_time(value: datetime) -> str:
    """A time as SQLAlchemy keeps it in SQLite (`UTCDateTime`): naive UTC, microseconds."""
    aware = require_aware(value, "sent_at")
    if aware.tzinfo is not UTC:
        aware = aware.astimezone(UTC)
    return aware.replace(tzinfo=None).isoformat(" ", "microseconds")
