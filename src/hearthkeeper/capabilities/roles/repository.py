"""Fun titles members claim (喝水委员). `Titles` is what the capability needs; `SqlTitles.on(tx)`
runs it in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hearthkeeper.store.columns import utc
from hearthkeeper.store.locks import lock_row
from hearthkeeper.store.models import CommunityRow, MemberRow, TitleRow
from hearthkeeper.store.pointing import seen_in
from hearthkeeper.store.scope import StoreBase


@dataclass(frozen=True)
class TitleHolder:
    """A member holding a title now."""

    title: str
    member_id: int
    display_name: str
    since: datetime


class ClaimOutcome(StrEnum):
    CLAIMED = "claimed"
    ALREADY = "already"  # the member holds it
    FULL = "full"  # every place is taken


@dataclass(frozen=True)
class TitleClaim:
    """What became of a claim, with the title's holders after it."""

    outcome: ClaimOutcome
    holders: tuple[TitleHolder, ...]


class Titles(Protocol):
    """The title queries the capability (check-in milestones, the member card) needs."""

    def claim_title(self, community_id: int, member_id: int, title: str, at: datetime, *,
                    holders: int | None = None) -> TitleClaim: ...  # fmt: skip
    def release_title(self, community_id: int, member_id: int, title: str,
                      at: datetime) -> bool: ...  # fmt: skip
    def titles_of(self, community_id: int, member_id: int) -> list[str]: ...
    def title_holders(self, community_id: int, title: str | None = None, *,
                      group_id: int | None = None) -> list[TitleHolder]: ...  # fmt: skip


class SqlTitles(StoreBase):
    """`Titles` on SQLAlchemy."""

    def claim_title(
        self, community_id: int, member_id: int, title: str, at: datetime, *,
        holders: int | None = None,
    ) -> TitleClaim:  # fmt: skip
        """Give the member `title`, unless they hold it or it already has `holders` holders
        (None: no limit). Claims in a community are serialised: the last place goes to one."""
        at = utc(at, "claim time")
        with self._unit(write=True) as session:
            lock_row(session, CommunityRow, community_id)
            current = _holders(session, community_id, title)
            if any(h.member_id == member_id for h in current):
                return TitleClaim(ClaimOutcome.ALREADY, tuple(current))
            if holders is not None and len(current) >= holders:
                return TitleClaim(ClaimOutcome.FULL, tuple(current))
            session.add(TitleRow(community_id=community_id, member_id=member_id, title=title,
                                 claimed_at=at, released_at=None))  # fmt: skip
            session.flush()
            return TitleClaim(ClaimOutcome.CLAIMED, tuple(_holders(session, community_id, title)))

    def release_title(self, community_id: int, member_id: int, title: str, at: datetime) -> bool:
        """Take `title` off the member; False if they did not hold it."""
        with self._unit(write=True) as session:
            result = session.execute(
                update(TitleRow)
                .where(TitleRow.community_id == community_id, TitleRow.member_id == member_id,
                       TitleRow.title == title, TitleRow.released_at.is_(None))
                .values(released_at=utc(at, "release time"))
            )  # fmt: skip
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def titles_of(self, community_id: int, member_id: int) -> list[str]:
        """The titles the member holds now, in the order they got them."""
        query = (
            select(TitleRow.title)
            .where(TitleRow.community_id == community_id, TitleRow.member_id == member_id,
                   TitleRow.released_at.is_(None))
            .order_by(TitleRow.claimed_at, TitleRow.id)
        )  # fmt: skip
        with self._unit(write=False) as session:
            return list(session.scalars(query))

    def title_holders(
        self, community_id: int, title: str | None = None, *, group_id: int | None = None
    ) -> list[TitleHolder]:
        """Who holds titles now (one title, when given; members seen in one group, when given)."""
        with self._unit(write=False) as session:
            return _holders(session, community_id, title, group_id)


def _holders(session: Session, community_id: int, title: str | None,
             group_id: int | None = None) -> list[TitleHolder]:  # fmt: skip
    query = (
        select(TitleRow.title, TitleRow.member_id, MemberRow.display_name, TitleRow.claimed_at)
        .join(MemberRow, MemberRow.id == TitleRow.member_id)
        .where(TitleRow.community_id == community_id, TitleRow.released_at.is_(None))
        .order_by(TitleRow.claimed_at, TitleRow.id)
    )
    if title is not None:
        query = query.where(TitleRow.title == title)
    if group_id is not None:
        query = query.where(seen_in(group_id))
    return [TitleHolder(t, m, name, since) for t, m, name, since in session.execute(query)]
