"""Scheduled posts: each firing claimed once per group before anything is sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from hearthkeeper.store.columns import utc
from hearthkeeper.store.inserts import insert_ignoring, table_of
from hearthkeeper.store.models import PostRow
from hearthkeeper.store.records import PostRecord
from hearthkeeper.store.scope import StoreBase

_TABLE = table_of(PostRow)


class PostQueries(StoreBase):
    def claim_post(
        self, community_id: int, group_id: int, post_id: str, scheduled_for: datetime, *,
        item_id: str | None, content_kind: str, mode: str, status: str,
        posted_at: datetime | None,
    ) -> int | None:  # fmt: skip
        """Claim one firing of a post in a group: its new id, or None when another worker (or
        an earlier run) already claimed it. Run it in the firing's transaction: a worker that
        loses waits for the winner's commit inside the database and then does nothing."""
        values = {
            "community_id": community_id, "group_id": group_id, "post_id": post_id,
            "scheduled_for": utc(scheduled_for, "scheduled_for"), "item_id": item_id,
            "content_kind": content_kind, "mode": mode, "status": status,
            "posted_at": None if posted_at is None else utc(posted_at, "posted_at"),
        }  # fmt: skip
        with self._unit(write=True) as session:
            statement = insert_ignoring(session, PostRow, ("group_id", "post_id", "scheduled_for"))
            new_id = session.scalar(statement.values(values).returning(_TABLE.c.id))
            return None if new_id is None else int(new_id)

    def posted_items(self, group_id: int, post_id: str) -> list[str]:
        """The library items a post has used in a group (posted or offered to staff), in order."""
        query = (
            select(_TABLE.c.item_id)
            .where(_TABLE.c.group_id == group_id, _TABLE.c.post_id == post_id,
                   _TABLE.c.item_id.is_not(None), _TABLE.c.status != "skipped")
            .order_by(_TABLE.c.scheduled_for, _TABLE.c.id)
        )  # fmt: skip
        with self._unit(write=False) as session:
            return [str(item) for item in session.scalars(query)]

    def confirm_post(self, community_id: int, post_ref: int, at: datetime) -> PostRecord | None:
        """Mark a reminded post confirmed (sent by staff); None if it is not waiting for that
        (unknown, another community's, or already confirmed: a second confirm sends nothing)."""
        with self._unit(write=True) as session:
            rows = session.execute(
                update(_TABLE)
                .where(_TABLE.c.id == post_ref, _TABLE.c.community_id == community_id,
                       _TABLE.c.status == "reminded")
                .values(status="confirmed", posted_at=utc(at, "confirmed at"))
                .returning(*_TABLE.c)
            ).all()  # fmt: skip
            return _record(rows[0]) if rows else None

    def post_records(
        self, community_id: int, *, post_id: str | None = None, group_id: int | None = None
    ) -> list[PostRecord]:
        """The firings recorded in a community (one post's, one group's, when given), in order."""
        query = select(_TABLE).where(_TABLE.c.community_id == community_id)
        if post_id is not None:
            query = query.where(_TABLE.c.post_id == post_id)
        if group_id is not None:
            query = query.where(_TABLE.c.group_id == group_id)
        query = query.order_by(_TABLE.c.scheduled_for, _TABLE.c.group_id, _TABLE.c.id)
        with self._unit(write=False) as session:
            return [_record(row) for row in session.connection().execute(query)]

    def post_record(self, post_ref: int) -> PostRecord | None:
        """One recorded firing by its id."""
        with self._unit(write=False) as session:
            row = (
                session.connection().execute(select(_TABLE).where(_TABLE.c.id == post_ref)).first()
            )
            return None if row is None else _record(row)


def _record(row: Any) -> PostRecord:
    return PostRecord(
        id=row.id, community_id=row.community_id, group_id=row.group_id, post_id=row.post_id,
        scheduled_for=row.scheduled_for, item_id=row.item_id, content_kind=row.content_kind,
        mode=row.mode, status=row.status, posted_at=row.posted_at,
    )  # fmt: skip
