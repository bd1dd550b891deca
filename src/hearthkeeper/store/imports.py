"""Chat history brought in from exports: many messages at once, each stored once."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from hearthkeeper.store.columns import require_aware
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.inserts import insert_ignoring, table_of
from hearthkeeper.store.messages import replied_message_id
from hearthkeeper.store.models import MessageRow
from hearthkeeper.store.records import MessageKind, NewMessage
from hearthkeeper.store.scope import StoreBase

_KEY = ("group_id", "carrier_event_id")


class ImportQueries(StoreBase):
    def add_imported_messages(self, rows: Sequence[NewMessage]) -> int:
        """Insert `rows` in one statement, skipping those whose carrier event id the group
        already has (or that an earlier row here repeats); the number actually added.

        Replies are linked afterwards, for a whole import, by `link_imported_replies`;
        mentions are not recorded."""
        if not rows:
            return 0
        now = self._clock.now()
        values = [
            {
                "group_id": row.group_id,
                "member_id": row.member_id,
                "carrier_event_id": row.carrier_event_id,
                "kind": MessageKind(row.kind).value,
                "text": row.text,
                "sent_at": require_aware(row.sent_at, "sent_at"),
                "recorded_at": now,
                "reply_to_id": None,
                "reply_to_event_id": row.reply_to_event_id,
            }
            for row in rows
        ]
        messages = table_of(MessageRow)
        with self._unit(write=True) as session:
            # RETURNING answers only for the rows inserted: their count is what was new.
            statement = insert_ignoring(session, MessageRow, _KEY).returning(messages.c.id)
            try:
                return len(session.connection().execute(statement, values).all())
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
