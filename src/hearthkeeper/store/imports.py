"""Chat history brought in from exports: many messages at once, each stored once.

An import chunk is thousands of rows, so it takes each database's own bulk path rather than
SQLAlchemy's per-row parameter processing: on SQLite one prepared INSERT stepped over every
row (`executemany`), on PostgreSQL a COPY into a temporary staging table and one INSERT …
SELECT … ON CONFLICT DO NOTHING from it. Either way a chunk costs a handful of statements
however many rows it holds, and a reply is linked as it goes in when the message it answers
is stored already or comes earlier in the chunk (PostgreSQL: anywhere in the chunk).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, update
from sqlalchemy import text as sql
from sqlalchemy.exc import IntegrityError

from hearthkeeper.store.columns import require_aware
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.inserts import insert_ignoring, table_of
from hearthkeeper.store.message_rows import insert_prepared, kind_value, storable_rows
from hearthkeeper.store.messages import replied_message_id
from hearthkeeper.store.models import MessageRow, UncountedImportRow
from hearthkeeper.store.records import ImportRow, NewMessage
from hearthkeeper.store.scope import StoreBase

# PostgreSQL: the chunk is copied into a staging table that lives until the end of the
# transaction (dropped as soon as it is used).
_STAGING = "hearth_import_messages"
_PG_STAGE = (
    f"CREATE TEMPORARY TABLE {_STAGING} (ord integer NOT NULL, group_id bigint NOT NULL, "
    "member_id bigint, carrier_event_id text NOT NULL, kind text NOT NULL, text text NOT NULL, "
    "sent_at timestamptz NOT NULL, reply_to_event_id text) ON COMMIT DROP"
)
_PG_COPY = (
    f"COPY {_STAGING} (ord, group_id, member_id, carrier_event_id, kind, text, sent_at, "
    "reply_to_event_id) FROM STDIN (FORMAT BINARY)"
)
# Binary: no text to format and parse for the times and numbers (a third of the time).
_PG_COPY_TYPES = ("int4", "int8", "int8", "text", "text", "text", "timestamptz", "text")
# Ids are drawn from the sequence for the rows not stored yet (the first of each key, in
# file order, so ids follow the file), so a reply finds the message it answers whether that
# was stored before or comes in the same chunk, and each row is written once, complete.
# Importers take turns (a transaction-scoped advisory lock): no other import adds a row
# between the check and the insert, which would leave a reply pointing at an unused id.
_PG_LOCK = sql("SELECT pg_advisory_xact_lock(:key)")
_LOCK_KEY = 0x4845_4152_5448  # "HEARTH"
_PG_INSERT = sql(
    "WITH fresh AS MATERIALIZED ("
    " SELECT nextval(pg_get_serial_sequence('messages', 'id')) AS id, s.ord, s.group_id,"
    " s.member_id, s.carrier_event_id, s.kind, s.text, s.sent_at, s.reply_to_event_id"
    " FROM (SELECT DISTINCT ON (group_id, carrier_event_id) *"
    f" FROM {_STAGING} ORDER BY group_id, carrier_event_id, ord) AS s"
    " WHERE NOT EXISTS (SELECT FROM messages AS m"
    " WHERE m.group_id = s.group_id AND m.carrier_event_id = s.carrier_event_id)"
    " ORDER BY s.ord) "
    "INSERT INTO messages (id, group_id, member_id, carrier_event_id, kind, text, sent_at,"
    " recorded_at, reply_to_id, reply_to_event_id) "
    "SELECT f.id, f.group_id, f.member_id, f.carrier_event_id, f.kind, f.text, f.sent_at,"
    " :now, COALESCE(r.id, o.id), f.reply_to_event_id FROM fresh AS f"
    " LEFT JOIN messages AS r"
    " ON r.group_id = f.group_id AND r.carrier_event_id = f.reply_to_event_id"
    " LEFT JOIN fresh AS o ON o.group_id = f.group_id AND o.carrier_event_id = f.reply_to_event_id"
    " ORDER BY f.ord "
    "ON CONFLICT (group_id, carrier_event_id) DO NOTHING"
)
_PG_DROP = f"DROP TABLE {_STAGING}"


# What an import writes (the messages, their rollups), vacuumed after it on PostgreSQL.
_SETTLED = ("messages", "activity_days", "group_days", "group_day_kinds", "members")


class ImportQueries(StoreBase):
    def add_imported_messages(self, rows: Sequence[NewMessage]) -> int:
        """Insert `rows`, skipping those whose carrier event id the group already has (or
        that an earlier row here repeats); the number actually added. Mentions are not
        recorded. See `add_imported_rows`."""
        return self.add_imported_rows([
            (row.group_id, row.member_id, row.carrier_event_id, row.kind, row.text,
             row.sent_at, row.reply_to_event_id)
            for row in rows
        ])  # fmt: skip

    def add_imported_rows(self, rows: Sequence[ImportRow]) -> int:
        """`add_imported_messages` for plain tuples (group id, member id, carrier event id,
        kind, text, sent at, reply-to event id), as an importer builds them by the thousand.

        A reply is linked when the message it answers is stored before or earlier in
        `rows`; `link_imported_replies` links the rest once the whole import is in. The
        groups' rollups do not count the new messages until `rebuild_rollups`: each group
        says since when (`uncounted_imports`), so deleting one before then takes
        nothing out of them."""
        if not rows:
            return 0
        now = self._clock.now()
        with self._unit(write=True) as session:
            connection = session.connection()
            try:
                if connection.dialect.name == "postgresql":
                    added = _copy_in(connection, rows, now)
                else:
                    added = insert_prepared(connection, rows, now)
            except IntegrityError as exc:
                raise StoreError(
                    f"cannot import {len(rows)} messages: a group or member among them "
                    "does not exist"
                ) from exc
            if added:  # a group uncounted since earlier stays so since then
                connection.execute(insert_ignoring(session, UncountedImportRow, ("group_id",)),
                                   [{"group_id": g, "since": now}
                                    for g in sorted({row[0] for row in rows})])  # fmt: skip
            return added

    def settle_after_import(self) -> None:
        """On PostgreSQL, vacuum and analyse the tables an import filled: the planner gets
        their statistics, and the visibility map lets a report read the rollups and the
        questions from their indexes alone (before, each of 400,000 index entries at 1M
        messages was checked against the table). Concurrent reads and writes go on; SQLite
        has nothing to do."""
        if self.engine.dialect.name != "postgresql":
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in _SETTLED:
                connection.exec_driver_sql(f"VACUUM (ANALYZE) {table}")

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


def _copy_in(connection: Connection, rows: Sequence[ImportRow], now: datetime) -> int:
    """PostgreSQL: COPY into the staging table, then one INSERT … SELECT; the rows added."""
    connection.exec_driver_sql(_PG_STAGE)
    raw: Any = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(_PG_COPY) as copy:
        copy.set_types(_PG_COPY_TYPES)
        for ord, (group_id, member_id, event_id, kind, text, sent_at, reply) in enumerate(
            storable_rows(rows)
        ):
            copy.write_row((ord, group_id, member_id, event_id, kind_value(kind), text,
                            require_aware(sent_at, "sent_at"), reply))  # fmt: skip
    connection.execute(_PG_LOCK, {"key": _LOCK_KEY})
    added = connection.execute(_PG_INSERT, {"now": now}).rowcount
    connection.exec_driver_sql(_PG_DROP)
    return int(added)
