"""The web chat's queue for the engine: what members did, kept until the engine recorded it.

A member's message, join or leave is queued in the transaction that stores it
(`repository.queue_chat_event`), so nothing the chat showed can be missing from the queue.
The carrier reads the queue (`backlog`) and deletes what the engine has committed
(`forget_events`). The queue holds only what is not yet taken, so reading it stays cheap
however long the chat's history grows; a row the engine recorded just before a crash
comes back marked `recorded` (an anti-join on `events`' unique index) and is not handed out
again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import and_, delete, exists, false, or_, select

from hearthkeeper.carriers.webchat.records import QueuedChatEvent, WebChatMessage
from hearthkeeper.store.inserts import table_of
from hearthkeeper.store.metric_reads import _chunks
from hearthkeeper.store.models import (
    EventRow,
    GroupRow,
    WebChatEventRow,
    WebChatMessageRow,
    WebChatUserRow,
)
from hearthkeeper.store.scope import StoreBase


class SqlWebChatQueue(StoreBase):
    """The web chat's queue for the engine on SQLAlchemy; `SqlWebChatQueue.on(store)`."""

    def backlog(
        self,
        carrier: str,
        *,
        after: int = 0,
        upto: int | None = None,
        limit: int = 500,
        groups: Mapping[int, int] | None = None,
    ) -> list[QueuedChatEvent]:
        """The queued events of `carrier`'s groups with ids in (`after`, `upto`], oldest
        first, from at most `limit` rows; each says whether the engine has recorded it. With
        `groups` (store id -> the last id read of it), only those groups' rows after that."""
        queue = table_of(WebChatEventRow)
        recorded = exists().where(
            EventRow.group_id == queue.c.group_id, EventRow.carrier_event_id == queue.c.event_id
        )
        query = (
            select(*_QUEUED, GroupRow.carrier, GroupRow.carrier_group_id,
                   WebChatUserRow.nickname, recorded.label("recorded"), *_SAID)
            .select_from(queue)
            .join(GroupRow, GroupRow.id == queue.c.group_id)
            .outerjoin(WebChatUserRow, WebChatUserRow.user_id == queue.c.user_id)
            .outerjoin(_MESSAGES, _MESSAGES.c.id == queue.c.message_id)
            .where(queue.c.id > after)
            .order_by(queue.c.id)
            .limit(limit)
        )  # fmt: skip
        if upto is not None:
            query = query.where(queue.c.id <= upto)
        if groups is not None:
            query = query.where(or_(false(), *(
                and_(queue.c.group_id == group_id, queue.c.id > last)
                for group_id, last in sorted(groups.items())
            )))  # fmt: skip
        # The carrier is checked here, not in SQL: filtering groups there leads SQLite to read
        # the queue group by group and sort it, instead of by id from `after` on. Plain rows,
        # not ORM objects: the feed reads the queue continuously.
        with self._unit(write=False) as session:
            found = session.connection().execute(query)
            return [_queued(row) for row in found if row[_OF] == carrier]

    def queued_groups(self, carrier: str) -> list[int]:
        """The store ids of `carrier`'s groups with anything in the queue (recorded or not):
        the groups a worker has to take to empty it."""
        query = (
            select(WebChatEventRow.group_id)
            .distinct()
            .join(GroupRow, GroupRow.id == WebChatEventRow.group_id)
            .where(GroupRow.carrier == carrier)
        )
        with self._unit(write=False) as session:
            return list(session.scalars(query))

    def forget_events(self, ids: Sequence[int]) -> int:
        """Delete queued events the engine has taken; how many there were."""
        gone = 0
        with self._unit(write=True) as session:
            for chunk in _chunks(ids):  # bounded IN lists for both databases
                result = session.execute(
                    delete(WebChatEventRow).where(WebChatEventRow.id.in_(chunk)),
                    execution_options={"synchronize_session": False},
                )
                gone += int(getattr(result, "rowcount", 0) or 0)
        return gone


_MESSAGES = table_of(WebChatMessageRow)
_QUEUED = [table_of(WebChatEventRow).c[name] for name in (
    "id", "group_id", "event_id", "kind", "user_id", "at", "removed_by", "mentions_bot",
    "source")]  # fmt: skip
_OF = len(_QUEUED)  # the group's carrier, then its carrier id, the member's nickname, recorded
_SAID = [_MESSAGES.c[name].label(f"said_{name}") for name in (
    "id", "group_id", "user_id", "nickname", "kind", "text", "picture", "reply_to",
    "mentions", "sent_at", "deleted_at", "deleted_reason", "action_key")]  # fmt: skip


def _queued(row: Sequence[Any]) -> QueuedChatEvent:
    (queue_id, group_id, event_id, kind, user_id, at, removed_by, mentions_bot, source, _,
     carrier_group_id, user_nickname, recorded, said_id, *said) = row  # fmt: skip
    message = None
    if said_id is not None:
        (said_group, said_user, nickname, said_kind, text, picture, reply_to, mentions, sent_at,
         deleted_at, deleted_reason, action_key) = said  # fmt: skip
        message = WebChatMessage(
            id=said_id, group_id=said_group, user_id=said_user, nickname=nickname,
            kind=said_kind, text=text, picture=picture, reply_to=reply_to,
            mentions=tuple(str(m) for m in mentions), sent_at=sent_at, deleted_at=deleted_at,
            deleted_reason=deleted_reason, action_key=action_key,
        )  # fmt: skip
    return QueuedChatEvent(
        id=queue_id, group_id=group_id, carrier_group_id=carrier_group_id, event_id=event_id,
        kind=kind, user_id=user_id,
        nickname=message.nickname if message is not None else user_nickname or "",
        at=at, message=message, removed_by=removed_by, mentions_bot=mentions_bot,
        recorded=bool(recorded), source=source,
    )  # fmt: skip
