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

from sqlalchemy import and_, delete, exists, false, or_, select

from hearthkeeper.carriers.webchat.records import QueuedChatEvent
from hearthkeeper.carriers.webchat.repository import _message
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
        queue = WebChatEventRow
        recorded = exists().where(
            EventRow.group_id == queue.group_id, EventRow.carrier_event_id == queue.event_id
        )
        query = (
            select(
                queue,
                GroupRow.carrier,
                GroupRow.carrier_group_id,
                WebChatUserRow.nickname,
                WebChatMessageRow,
                recorded.label("recorded"),
            )
            .join(GroupRow, GroupRow.id == queue.group_id)
            .outerjoin(WebChatUserRow, WebChatUserRow.user_id == queue.user_id)
            .outerjoin(WebChatMessageRow, WebChatMessageRow.id == queue.message_id)
            .where(queue.id > after)
            .order_by(queue.id)
            .limit(limit)
        )
        if upto is not None:
            query = query.where(queue.id <= upto)
        if groups is not None:
            query = query.where(or_(false(), *(
                and_(queue.group_id == group_id, queue.id > last)
                for group_id, last in sorted(groups.items())
            )))  # fmt: skip
        # The carrier is checked here, not in SQL: filtering groups there leads SQLite to read
        # the queue group by group and sort it, instead of by id from `after` on.
        with self._unit(write=False) as session:
            found = session.execute(query)
            return [_queued(row, group, nickname, message, recorded)
                    for row, of, group, nickname, message, recorded in found if of == carrier]  # fmt: skip

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


def _queued(
    row: WebChatEventRow,
    carrier_group_id: str,
    user_nickname: str | None,
    message: WebChatMessageRow | None,
    recorded: bool,
) -> QueuedChatEvent:
    said = None if message is None else _message(message)
    nickname = said.nickname if said is not None else user_nickname or ""
    return QueuedChatEvent(
        id=row.id, group_id=row.group_id, carrier_group_id=carrier_group_id,
        event_id=row.event_id, kind=row.kind, user_id=row.user_id, nickname=nickname,
        at=row.at, message=said, removed_by=row.removed_by, mentions_bot=row.mentions_bot,
        recorded=bool(recorded), source=row.source,
    )  # fmt: skip
