"""Polls and their votes in the database: one vote per member per option."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Select, delete, insert, select
from sqlalchemy.orm import Session

from hearthkeeper.capabilities.lists_common.queries import (
    OneOpenPerGroup,
    OnePerGroup,
    carrier_user_id,
    shown_name,
)
from hearthkeeper.capabilities.polls.records import Poll, PollVote
from hearthkeeper.store.columns import utc
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.inserts import insert_ignoring, table_of
from hearthkeeper.store.models import GroupRow, MemberRow, PollRow, PollVoteRow

_POLLS = table_of(PollRow)
_VOTES = table_of(PollVoteRow)


class PollRepository(OneOpenPerGroup[Poll], Protocol):
    """What the poll capability reads and writes (besides `get`, `current`, `latest` and
    `close` of a poll)."""

    def open_poll(self, community_id: int, group_id: int, question: str, options: Sequence[str],
                  *, multiple: bool, anonymous: bool, deadline: datetime, created_by: int | None,
                  at: datetime) -> Poll: ...  # fmt: skip
    def cast_vote(self, poll_id: int, member_id: int, options: Sequence[int], *, replace: bool,
                  at: datetime) -> tuple[frozenset[int], frozenset[int]]: ...  # fmt: skip
    def withdraw_votes(self, poll_id: int, member_id: int) -> int: ...
    def votes(self, poll_id: int) -> list[PollVote]: ...


class SqlPolls(OnePerGroup[Poll]):
    """The poll repository on SQLAlchemy; `SqlPolls.on(tx)` works in the caller's transaction.
    `get`, `current`, `latest` and `close` are the polls' (see `OnePerGroup`)."""

    table = _POLLS

    def _read(self, session: Session, query: Select[Any]) -> Poll | None:
        return _poll(session, query)

    def open_poll(
        self,
        community_id: int,
        group_id: int,
        question: str,
        options: Sequence[str],
        *,
        multiple: bool,
        anonymous: bool,
        deadline: datetime,
        created_by: int | None,
        at: datetime,
    ) -> Poll:
        """Start a poll in a group."""
        if len(options) < 2:
            raise StoreError("a poll needs at least two options")
        values = {
            "community_id": community_id, "group_id": group_id, "question": question,
            "options": list(options), "multiple": multiple, "anonymous": anonymous,
            "deadline": utc(deadline, "deadline"), "created_by": created_by, "status": "open",
            "created_at": utc(at, "start time"), "closed_at": None,
        }  # fmt: skip
        with self._unit(write=True) as session:
            poll_id = session.scalar(insert(_POLLS).values(values).returning(_POLLS.c.id))
            self._opened(group_id)
            found = _poll(session, select(_POLLS).where(_POLLS.c.id == poll_id))
            assert found is not None
            return found

    def cast_vote(
        self, poll_id: int, member_id: int, options: Sequence[int], *, replace: bool, at: datetime
    ) -> tuple[frozenset[int], frozenset[int]]:
        """Record the member's votes for `options` (indexes); with `replace`, their other
        votes go. Returns the member's options before and after."""
        at = utc(at, "vote time")
        with self._unit(write=True) as session:
            count = session.scalar(select(_POLLS.c.options).where(_POLLS.c.id == poll_id))
            if count is None:
                raise StoreError(f"there is no poll with id {poll_id}")
            bad = [o for o in options if not 0 <= o < len(count)]
            if bad or not options:
                raise StoreError(f"poll {poll_id} has options 0..{len(count) - 1}, not {bad}")
            mine = (_VOTES.c.poll_id == poll_id) & (_VOTES.c.member_id == member_id)
            before = frozenset(session.scalars(select(_VOTES.c.option).where(mine)))
            if replace:
                session.execute(delete(_VOTES).where(mine, _VOTES.c.option.not_in(options)))
            session.execute(insert_ignoring(session, PollVoteRow, ("poll_id", "member_id", "option")),
                            [{"poll_id": poll_id, "member_id": member_id, "option": o, "at": at}
                             for o in sorted(set(options))])  # fmt: skip
            after = frozenset(session.scalars(select(_VOTES.c.option).where(mine)))
            return before, after

    def withdraw_votes(self, poll_id: int, member_id: int) -> int:
        """Take back all the member's votes in a poll; how many there were."""
        with self._unit(write=True) as session:
            result = session.execute(
                delete(_VOTES).where(_VOTES.c.poll_id == poll_id, _VOTES.c.member_id == member_id)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def votes(self, poll_id: int) -> list[PollVote]:
        """Every vote in a poll, oldest first, with the voter's display name."""
        user_id = carrier_user_id(_VOTES.c.member_id)
        query = (
            select(_VOTES, MemberRow.display_name, user_id.label("user_id"))
            .join(MemberRow, MemberRow.id == _VOTES.c.member_id)
            .join(_POLLS, _POLLS.c.id == _VOTES.c.poll_id)
            .join(GroupRow, GroupRow.id == _POLLS.c.group_id)
            .where(_VOTES.c.poll_id == poll_id)
            .order_by(_VOTES.c.at, _VOTES.c.id)
        )
        with self._unit(write=False) as session:
            return [PollVote(poll_id=row.poll_id, member_id=row.member_id,
                             display_name=shown_name(row),
                             option=row.option, at=row.at)
                    for row in session.execute(query)]  # fmt: skip


def _poll(session: Session, query: Select[Any]) -> Poll | None:
    row = session.execute(query).first()
    if row is None:
        return None
    return Poll(
        id=row.id, community_id=row.community_id, group_id=row.group_id, question=row.question,
        options=tuple(row.options), multiple=row.multiple, anonymous=row.anonymous,
        deadline=row.deadline, created_by=row.created_by, status=row.status,
        created_at=row.created_at, closed_at=row.closed_at,
    )  # fmt: skip
