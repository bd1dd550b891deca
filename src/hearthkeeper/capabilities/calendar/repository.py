"""Scheduled posts: each firing claimed once per group before anything is sent, and what
followed each post (the calendar's own queries, on the caller's transaction)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select, update

from hearthkeeper.capabilities.calendar.records import PostRecord, PostResponse
from hearthkeeper.capabilities.calendar.responses import responses, sent_receipts
from hearthkeeper.store.columns import utc
from hearthkeeper.store.inserts import insert_ignoring, table_of
from hearthkeeper.store.models import PostRow
from hearthkeeper.store.scope import StoreBase

_TABLE = table_of(PostRow)


class Posts(Protocol):
    """What the calendar, its CLI and console, and analytics need of recorded firings."""

    def claim_post(
        self, community_id: int, group_id: int, post_id: str, scheduled_for: datetime, *,
        item_id: str | None, content_kind: str, mode: str, status: str,
        posted_at: datetime | None,
    ) -> int | None:  # fmt: skip
        """Claim one firing of a post in a group: its new id, or None if claimed already."""
        ...

    def cancel_post(self, community_id: int, group_id: int, post_id: str,
                    scheduled_for: datetime, *, content_kind: str, mode: str,
                    by: str, by_name: str | None = None) -> int | None:  # fmt: skip
        """Claim a firing that has not happened as called off by staff (`by`, named `by_name`):
        its new id, or None when it was claimed already (sent, offered, or called off before)."""
        ...

    def firing(self, group_id: int, post_id: str, scheduled_for: datetime) -> PostRecord | None:
        """The recorded firing of a post in a group at an instant, if it was claimed."""
        ...

    def posted_items(self, group_id: int, post_id: str) -> list[str]:
        """The library items a post has used in a group, in order."""
        ...

    def posted_items_by_group(self, community_id: int, post_id: str) -> dict[int, set[str]]:
        """The library items a post has used in each group of the community, in one query."""
        ...

    def confirm_post(self, community_id: int, post_ref: int, at: datetime) -> PostRecord | None:
        """Mark a reminded post confirmed; None if it is not waiting for that."""
        ...

    def post_records(
        self, community_id: int, *, post_id: str | None = None, group_id: int | None = None,
        since: datetime | None = None,
    ) -> list[PostRecord]:  # fmt: skip
        """The firings recorded in a community, in order."""
        ...

    def latest_firings_since(self, community_id: int, firings: int, *,
                             post_id: str | None = None) -> datetime | None:  # fmt: skip
        """When the `firings`-th latest firing (a post at a time, in all its groups) was
        planned; None: there are fewer."""
        ...

    def post_record(self, post_ref: int) -> PostRecord | None:
        """One recorded firing by its id."""
        ...

    def post_responses(self, group_ids: Collection[int], since: datetime,
                       until: datetime) -> list[PostResponse]:  # fmt: skip
        """Posts sent in `group_ids` in [since, until) and what followed each within the hour."""
        ...


class SqlPosts(StoreBase):
    """`Posts` on the `posts` table; `SqlPosts.on(tx)` works in the caller's transaction."""

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

    def cancel_post(self, community_id: int, group_id: int, post_id: str,
                    scheduled_for: datetime, *, content_kind: str, mode: str,
                    by: str, by_name: str | None = None) -> int | None:  # fmt: skip
        """Claim a firing ahead of its time as called off by staff (`by`, as the audit names
        them; `by_name`, as the group is shown them): the firing, when it
        falls due, finds it claimed and sends nothing, whichever process runs it and however
        often the calendar is planned again. None when it was claimed already."""
        values = {
            "community_id": community_id, "group_id": group_id, "post_id": post_id,
            "scheduled_for": utc(scheduled_for, "scheduled_for"), "item_id": None,
            "content_kind": content_kind, "mode": mode, "status": "cancelled",
            "posted_at": None, "cancelled_by": by, "cancelled_by_name": by_name,
        }  # fmt: skip
        with self._unit(write=True) as session:
            statement = insert_ignoring(session, PostRow, ("group_id", "post_id", "scheduled_for"))
            new_id = session.scalar(statement.values(values).returning(_TABLE.c.id))
            return None if new_id is None else int(new_id)

    def firing(self, group_id: int, post_id: str, scheduled_for: datetime) -> PostRecord | None:
        """The recorded firing of a post in a group at an instant, if it was claimed."""
        query = select(_TABLE).where(
            _TABLE.c.group_id == group_id, _TABLE.c.post_id == post_id,
            _TABLE.c.scheduled_for == utc(scheduled_for, "scheduled_for"),
        )  # fmt: skip
        with self._unit(write=False) as session:
            row = session.connection().execute(query).first()
            return None if row is None else _record(row)

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

    def posted_items_by_group(self, community_id: int, post_id: str) -> dict[int, set[str]]:
        """The library items a post has used in each group of the community (posted or offered
        to staff), in one query: what the console's Calendar page counts for a matrix of
        hundreds of groups, not one query a group."""
        query = (
            select(_TABLE.c.group_id, _TABLE.c.item_id)
            .where(_TABLE.c.community_id == community_id, _TABLE.c.post_id == post_id,
                   _TABLE.c.item_id.is_not(None), _TABLE.c.status != "skipped")
        )  # fmt: skip
        found: dict[int, set[str]] = {}
        with self._unit(write=False) as session:
            for group_id, item in session.connection().execute(query):
                found.setdefault(int(group_id), set()).add(str(item))
        return found

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
        self, community_id: int, *, post_id: str | None = None, group_id: int | None = None,
        since: datetime | None = None,
    ) -> list[PostRecord]:  # fmt: skip
        """The firings recorded in a community (one post's, one group's, those planned for
        `since` or later, when given), in order."""
        query = select(_TABLE).where(_TABLE.c.community_id == community_id)
        if post_id is not None:
            query = query.where(_TABLE.c.post_id == post_id)
        if group_id is not None:
            query = query.where(_TABLE.c.group_id == group_id)
        if since is not None:
            query = query.where(_TABLE.c.scheduled_for >= utc(since, "since"))
        query = query.order_by(_TABLE.c.scheduled_for, _TABLE.c.group_id, _TABLE.c.id)
        with self._unit(write=False) as session:
            return [_record(row) for row in session.connection().execute(query)]

    def latest_firings_since(self, community_id: int, firings: int, *,
                             post_id: str | None = None) -> datetime | None:  # fmt: skip
        """When the `firings`-th latest firing (a post at a time, in all its groups) was
        planned; None: there are fewer. `post_records(since=…)` then reads the latest firings
        alone, not a year of them in every group of a matrix."""
        where = [_TABLE.c.community_id == community_id]
        if post_id is not None:
            where.append(_TABLE.c.post_id == post_id)
        firing = select(_TABLE.c.post_id, _TABLE.c.scheduled_for).where(*where).distinct()
        listed = firing.subquery()
        query = (select(listed.c.scheduled_for).order_by(listed.c.scheduled_for.desc())
                 .offset(firings - 1).limit(1))  # fmt: skip
        with self._unit(write=False) as session:
            found = session.connection().execute(query).scalar()
        return None if found is None else utc(found, "scheduled_for")

    def post_record(self, post_ref: int) -> PostRecord | None:
        """One recorded firing by its id."""
        with self._unit(write=False) as session:
            row = (
                session.connection().execute(select(_TABLE).where(_TABLE.c.id == post_ref)).first()
            )
            return None if row is None else _record(row)

    def post_responses(self, group_ids: Collection[int], since: datetime,
                       until: datetime) -> list[PostResponse]:  # fmt: skip
        """Scheduled posts sent in `group_ids` in [since, until) and what followed each within
        the hour: member messages in the group, replies to the post, reactions to it."""
        p = PostRow
        query = select(p.id, p.group_id, p.post_id, p.content_kind, p.posted_at).where(
            p.group_id.in_(list(group_ids)), p.status.in_(("posted", "confirmed")),
            p.posted_at >= utc(since, "since"), p.posted_at < utc(until, "until"),
        ).order_by(p.posted_at)  # fmt: skip
        with self._unit(write=False) as session:
            posts = list(session.execute(query))
            sent = sent_receipts(session, [int(row[0]) for row in posts])
            by_group: dict[int, list[Any]] = {}
            for row in posts:
                by_group.setdefault(int(row[1]), []).append(row)
            found = []
            for group_id, rows in by_group.items():
                found.extend(responses(session, group_id, rows, sent))
        return sorted(found, key=lambda r: (r.sent_at, r.post_ref))


def _record(row: Any) -> PostRecord:
    return PostRecord(
        id=row.id, community_id=row.community_id, group_id=row.group_id, post_id=row.post_id,
        scheduled_for=row.scheduled_for, item_id=row.item_id, content_kind=row.content_kind,
        mode=row.mode, status=row.status, posted_at=row.posted_at, cancelled_by=row.cancelled_by,
        cancelled_by_name=row.cancelled_by_name,
    )  # fmt: skip
