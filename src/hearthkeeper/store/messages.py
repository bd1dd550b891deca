"""Chat messages, each stored once however often its carrier delivers it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ScalarSelect, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hearthkeeper.store.columns import require_aware, storable
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.inserts import insert_ignoring, insert_many, table_of
from hearthkeeper.store.message_rows import insert_prepared
from hearthkeeper.store.models import MentionRow, MessageRow
from hearthkeeper.store.records import Message, MessageEdit, MessageKind, NewMessage
from hearthkeeper.store.scope import StoreBase

_KEY = ("group_id", "carrier_event_id")


class MessageQueries(StoreBase):
    def record_message(
        self,
        group_id: int,
        carrier_event_id: str,
        member_id: int | None,
        kind: MessageKind | str,
        text: str,
        sent_at: datetime,
        reply_to_event_id: str | None = None,
        mentions: Iterable[int] = (),
    ) -> tuple[int, bool]:
        """Store a message once: (its id, True) the first time, (the same id, False) for
        every later delivery of the same carrier event to the same group."""
        kind = _kind(kind)
        require_aware(sent_at, "sent_at")
        mentioned = list(dict.fromkeys(mentions))
        with self._unit(write=True) as session:
            reply_to_id = None
            if reply_to_event_id is not None:
                reply_to_id = _id_of(session, group_id, reply_to_event_id)
            values = {
                "group_id": group_id,
                "member_id": member_id,
                "carrier_event_id": carrier_event_id,
                "kind": kind.value,
                "text": text,
                "sent_at": sent_at,
                "recorded_at": self._clock.now(),
                "reply_to_id": reply_to_id,
                "reply_to_event_id": reply_to_event_id,
            }
            # ON CONFLICT DO NOTHING rather than check-then-insert: two workers handed the
            # same event wait on each other inside the database, and neither fails.
            statement = insert_ignoring(session, MessageRow, _KEY).values(values)
            try:
                new_id = session.scalar(statement.returning(MessageRow.id))
            except IntegrityError as exc:
                raise StoreError(
                    f"cannot record message {carrier_event_id!r}: group {group_id} "
                    f"or member {member_id} does not exist"
                ) from exc
            if new_id is None:
                existing = _id_of(session, group_id, carrier_event_id)
                assert existing is not None, "a conflicting message must exist"
                return existing, False
            if mentioned:
                try:
                    session.execute(
                        insert(MentionRow),
                        [{"message_id": new_id, "member_id": m} for m in mentioned],
                    )
                except IntegrityError as exc:
                    raise StoreError(
                        f"cannot record message {carrier_event_id!r}: it mentions a member "
                        f"that does not exist (one of {mentioned})"
                    ) from exc
            return new_id, True

    def record_messages_bulk(self, rows: Sequence[NewMessage]) -> list[tuple[int, bool]]:
        """`record_message` for many messages in one statement: (id, created) for each, in
        order. A reply finds the message it answers in the database or earlier in `rows`."""
        now = self._clock.now()
        values = [_bulk_values(row, now) for row in rows]
        with self._unit(write=True) as session:
            return self._insert_messages(session, rows, values)

    def store_messages(self, rows: Sequence[NewMessage]) -> None:
        """Record many messages when their ids are not needed (the engine's hot path): one
        executemany, skipping ones already stored. Replies and mentions take the full path."""
        if not rows:
            return
        now = self._clock.now()
        plain = [row for row in rows if row.reply_to_event_id is None and not row.mentions]
        rich = [row for row in rows if row.reply_to_event_id is not None or row.mentions]
        with self._unit(write=True) as session:
            if plain:
                connection = session.connection()
                try:
                    if connection.dialect.name == "sqlite":
                        # the importer's prepared INSERT, stepped over the rows: no per-row
                        # parameter processing by SQLAlchemy (the same row stored)
                        insert_prepared(connection, [
                            (row.group_id, row.member_id, row.carrier_event_id, row.kind,
                             row.text, row.sent_at, None)
                            for row in plain
                        ], now)  # fmt: skip
                    else:
                        connection.execute(
                            insert_ignoring(session, MessageRow, _KEY),
                            [_bulk_values(row, now) for row in plain],
                        )
                except IntegrityError as exc:
                    raise StoreError(
                        f"cannot record {len(plain)} messages: a group or member among them "
                        "does not exist"
                    ) from exc
            if rich:
                self._insert_messages(session, rich, [_bulk_values(row, now) for row in rich])

    def edit_messages(self, edits: Sequence[MessageEdit]) -> None:
        """Keep the text each message was edited into, in order (the last edit's stands): the
        message as the group reads it, what staff see deleted and what the learned scorer is
        taught from it. Only the author's edit is kept (a Matrix edit may name anyone's
        message); a message never stored is left unstored. One executemany."""
        if not edits:
            return
        m = table_of(MessageRow)
        statement = (
            update(m)
            .where(m.c.group_id == bindparam("g"), m.c.carrier_event_id == bindparam("e"),
                   m.c.member_id == bindparam("m"))
            .values(text=bindparam("t"))
        )  # fmt: skip
        rows = [{"g": e.group_id, "e": storable(e.carrier_event_id), "m": e.member_id,
                 "t": e.text} for e in edits]  # fmt: skip
        with self._unit(write=True) as session:
            session.connection().execute(statement, rows)

    def _insert_messages(
        self, session: Session, rows: Sequence[NewMessage], values: list[dict[str, Any]]
    ) -> list[tuple[int, bool]]:
        try:
            outcome = insert_many(session, MessageRow, _KEY, values)
        except IntegrityError as exc:
            raise StoreError(
                f"cannot record {len(rows)} messages: a group or member among them does not exist"
            ) from exc
        created = [(row, new_id) for row, (new_id, new) in zip(rows, outcome, strict=True) if new]
        replies = [new_id for row, new_id in created if row.reply_to_event_id is not None]
        if replies:
            _link_replies(session, replies)
        mentions = [
            {"message_id": new_id, "member_id": member_id}
            for row, new_id in created
            for member_id in dict.fromkeys(row.mentions)
        ]
        if mentions:
            try:
                session.connection().execute(insert(table_of(MentionRow)), mentions)
            except IntegrityError as exc:
                raise StoreError(
                    f"cannot record {len(rows)} messages: one mentions a member that does not exist"
                ) from exc
        return outcome

    def get_message(self, message_id: int) -> Message | None:
        """The message with this id, if there is one."""
        with self._unit(write=False) as session:
            row = session.get(MessageRow, message_id)
            return None if row is None else _messages(session, [row])[0]

    def messages(
        self,
        group_id: int,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> list[Message]:
        """The group's messages sent in [since, until), oldest first, at most `limit`."""
        query = select(MessageRow).where(MessageRow.group_id == group_id)
        if since is not None:
            query = query.where(MessageRow.sent_at >= require_aware(since, "since"))
        if until is not None:
            query = query.where(MessageRow.sent_at < require_aware(until, "until"))
        query = query.order_by(MessageRow.sent_at, MessageRow.id).limit(limit)
        with self._unit(write=False) as session:
            return _messages(session, list(session.scalars(query)))


def _kind(kind: MessageKind | str) -> MessageKind:
    try:
        return MessageKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in MessageKind)
        raise ValueError(f"unknown message kind {kind!r}; the kinds are {known}") from None


def replied_message_id() -> ScalarSelect[int]:
    """For an UPDATE of `messages`: the id of the message the row replies to (same group,
    carrier event id = the row's `reply_to_event_id`), NULL when it is not stored."""
    messages = table_of(MessageRow)
    replied = messages.alias("replied")
    return (
        select(replied.c.id)
        .where(
            replied.c.group_id == messages.c.group_id,
            replied.c.carrier_event_id == messages.c.reply_to_event_id,
        )
        .scalar_subquery()
    )


def _link_replies(session: Session, message_ids: list[int]) -> None:
    """Point each message's reply_to_id at the message it replies to, if recorded."""
    messages = table_of(MessageRow)
    session.connection().execute(
        update(messages)
        .where(messages.c.id.in_(message_ids))
        .values(reply_to_id=replied_message_id())
    )


def _bulk_values(row: NewMessage, now: datetime) -> dict[str, Any]:
    return {
        "group_id": row.group_id,
        "member_id": row.member_id,
        "carrier_event_id": row.carrier_event_id,
        "kind": _kind(row.kind).value,
        "text": row.text,
        "sent_at": require_aware(row.sent_at, "sent_at"),
        "recorded_at": now,
        "reply_to_id": None,  # linked once the whole batch is in (see _link_replies)
        "reply_to_event_id": row.reply_to_event_id,
    }


def _id_of(session: Session, group_id: int, carrier_event_id: str) -> int | None:
    return session.scalar(
        select(MessageRow.id).where(
            MessageRow.group_id == group_id, MessageRow.carrier_event_id == carrier_event_id
        )
    )


def _messages(session: Session, rows: Sequence[MessageRow]) -> list[Message]:
    mentions: dict[int, list[int]] = {row.id: [] for row in rows}
    if rows:
        pairs = session.execute(
            select(MentionRow.message_id, MentionRow.member_id)
            .where(MentionRow.message_id.in_(list(mentions)))
            .order_by(MentionRow.member_id)
        )
        for message_id, member_id in pairs:
            mentions[message_id].append(member_id)
    return [
        Message(
            id=row.id,
            group_id=row.group_id,
            member_id=row.member_id,
            carrier_event_id=row.carrier_event_id,
            kind=MessageKind(row.kind),
            text=row.text,
            sent_at=row.sent_at,
            recorded_at=row.recorded_at,
            reply_to_id=row.reply_to_id,
            reply_to_event_id=row.reply_to_event_id,
            mentions=tuple(mentions[row.id]),
            deleted_at=row.deleted_at,
            deleted_by=row.deleted_by,
        )
        for row in rows
    ]
