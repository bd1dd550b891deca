"""What the report reads from the stored messages themselves rather than from the rollups:
when the community's first message was sent (where the default period starts), each group's
first and last message in the period (exact instants, which the daily rollups do not keep),
both index lookups on `messages (group_id, sent_at)`; and how many messages the bot deleted
(the rollups leave them out), from the partial index of deleted messages."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from hearthkeeper.store import Store
from hearthkeeper.store.models import GroupRow, MessageRow

Span = tuple[datetime | None, datetime | None]  # first and last message


def first_message_at(store: Store, community_id: int) -> datetime | None:
    """When the community's first stored message was sent (None: no messages yet): each
    group's first by one index lookup (`ORDER BY sent_at LIMIT 1`), rather than a minimum over
    every message of the community."""
    first = _edge(MessageRow.sent_at)
    per_group = select(first.label("first")).where(GroupRow.community_id == community_id)
    query = select(func.min(per_group.subquery().c.first))
    with store.engine.connect() as connection:
        found: datetime | None = connection.scalar(query)
    return found


def message_spans(
    store: Store, group_ids: Collection[int], since: datetime, until: datetime
) -> dict[int, Span]:
    """Per group, its first and last message sent in [since, until) — (None, None) for a
    group with none. Two index lookups per group (its first and its last message in the
    window, as `ORDER BY sent_at LIMIT 1` each way) rather than a scan of the window."""
    window = (MessageRow.sent_at >= since, MessageRow.sent_at < until)
    query = select(
        GroupRow.id, _edge(MessageRow.sent_at, *window), _edge(MessageRow.sent_at.desc(), *window)
    ).where(GroupRow.id.in_(sorted(set(group_ids))))
    with store.engine.connect() as connection:
        found = {int(g): (first, last) for g, first, last in connection.execute(query)}
    return {group_id: found.get(group_id, (None, None)) for group_id in group_ids}


def deleted_counts(
    store: Store, group_ids: Collection[int], since: datetime, until: datetime
) -> dict[int, int]:
    """Per group, the messages sent in [since, until) that the bot deleted (moderation, a
    held member's posts, staff in the console): counted in no other figure. Read from the
    small partial index of deleted messages."""
    m = MessageRow
    query = (
        select(m.group_id, func.count())
        .where(m.group_id.in_(sorted(set(group_ids))), m.sent_at >= since, m.sent_at < until,
               m.deleted_at.is_not(None))
        .group_by(m.group_id)
    )  # fmt: skip
    with store.engine.connect() as connection:
        found = {int(g): int(n) for g, n in connection.execute(query)}
    return {group_id: found.get(group_id, 0) for group_id in group_ids}


def _edge(order: Any, *window: Any) -> Any:
    """The time of a group's first message by `order` (in `window`), for a query over
    groups: one index lookup per group (`ORDER BY sent_at LIMIT 1`)."""
    return (select(MessageRow.sent_at).where(MessageRow.group_id == GroupRow.id, *window)
            .order_by(order).limit(1).scalar_subquery())  # fmt: skip


def overall_span(spans: Collection[Span]) -> Span:
    """The first and last message over several groups."""
    firsts = [first for first, _ in spans if first is not None]
    lasts = [last for _, last in spans if last is not None]
    return min(firsts, default=None), max(lasts, default=None)
