"""Fun titles members claim (喝水委员), and finding the member a staff command points at."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, exists, or_, select, update
from sqlalchemy.orm import Session

from hearthkeeper.store.columns import storable, utc
from hearthkeeper.store.levels import lock_row
from hearthkeeper.store.models import (
    CommunityRow,
    IdentityRow,
    MemberRow,
    MembershipRow,
    MessageRow,
    TitleRow,
)
from hearthkeeper.store.records import ClaimOutcome, TitleClaim, TitleHolder
from hearthkeeper.store.scope import StoreBase


class TitleQueries(StoreBase):
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

    def member_pointed_at(
        self, group_id: int, carrier: str, *, user_id: str | None = None, name: str | None = None,
        reply_to: str | None = None,
    ) -> int | None:  # fmt: skip
        """The member a command points at: by carrier user id, by the sender of the message
        replied to, or by user id or display name (`@小鹿`) among the group's members."""
        with self._unit(write=False) as session:
            if user_id is not None or name is not None:
                found = session.scalar(select(IdentityRow.member_id).where(
                    IdentityRow.carrier == carrier,
                    IdentityRow.carrier_user_id == storable(user_id or name or ""),
                ))  # fmt: skip
                if found is not None:
                    return int(found)
            if reply_to is not None:
                found = session.scalar(select(MessageRow.member_id).where(
                    MessageRow.group_id == group_id,
                    MessageRow.carrier_event_id == storable(reply_to),
                ))  # fmt: skip
                if found is not None:
                    return int(found)
            if name is None:
                return None
            found = session.scalar(
                select(MemberRow.id)
                .where(MemberRow.display_name == storable(name), _seen_in(group_id))
                .order_by(MemberRow.id.desc())
                .limit(1)
            )
            return None if found is None else int(found)

    def user_ids(self, member_ids: Iterable[int], carrier: str) -> dict[int, str]:
        """How `carrier` names each member (members it does not know are left out)."""
        ids = sorted(set(member_ids))
        query = select(IdentityRow.member_id, IdentityRow.carrier_user_id).where(
            IdentityRow.carrier == carrier, IdentityRow.member_id.in_(ids)
        )
        with self._unit(write=False) as session:
            return {m: u for m, u in session.execute(query)} if ids else {}


def _seen_in(group_id: int) -> ColumnElement[bool]:
    stayed = exists().where(MembershipRow.member_id == MemberRow.id,
                            MembershipRow.group_id == group_id)  # fmt: skip
    posted = exists().where(MessageRow.member_id == MemberRow.id, MessageRow.group_id == group_id)
    return or_(stayed, posted)


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
        query = query.where(_seen_in(group_id))
    return [TitleHolder(t, m, name, since) for t, m, name, since in session.execute(query)]
