"""Referrals in the store: members' invite links and who invited whom. `Referrals` is what
the capability needs; `SqlReferrals.on(tx)` runs it in the caller's transaction.

Every change that must happen once is a conditional write: a referral is recorded once per
invitee and community (a unique row), settled once (pending → credited or revoked), and the
reward is marked given once (`rewarded_at` set where it was empty). Whoever loses such a
race, or runs again after a restart, finds the work done and does nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import aliased

from hearthkeeper.store.columns import utc
from hearthkeeper.store.locks import lock_row
from hearthkeeper.store.models import (
    CommunityRow,
    GroupRow,
    MemberRow,
    MembershipRow,
    MessageRow,
    RedemptionRow,
    ReferralLinkRow,
    ReferralRow,
)
from hearthkeeper.store.scope import StoreBase


class Status(StrEnum):
    PENDING = "pending"  # the invitee joined; their stay is not checked yet
    CREDITED = "credited"  # they stayed: the inviter earned it
    REVOKED = "revoked"  # they left before the stay was up


@dataclass(frozen=True)
class Link:
    """A member's invite link in a community."""

    community_id: int
    member_id: int
    token: str
    rewarded_at: datetime | None


@dataclass(frozen=True)
class Referral:
    """One invitee brought into a community by a member's link."""

    id: int
    community_id: int
    inviter_id: int
    invitee_id: int
    group_id: int
    joined_at: datetime
    due_at: datetime
    status: Status
    settled_at: datetime | None


@dataclass(frozen=True)
class Progress:
    """How far a member is with the invite task."""

    credited: int
    pending: int


@dataclass(frozen=True)
class Ranked:
    """A line of the leaderboard."""

    member_id: int
    display_name: str
    credited: int


@dataclass(frozen=True)
class Named:
    """A referral with the names of both members (for staff)."""

    referral: Referral
    inviter: str
    invitee: str


class Referrals(Protocol):
    """The referral queries the capability needs."""

    def link_of(self, community_id: int, member_id: int, at: datetime) -> Link: ...
    def link_by_token(self, token: str) -> Link | None: ...
    def joined_before(self, community_id: int, member_id: int, before: datetime) -> bool: ...
    def in_community(self, community_id: int, member_id: int) -> bool: ...
    def said(self, community_id: int, member_id: int, since: datetime, until: datetime,
             limit: int) -> list[str]: ...  # fmt: skip
    def record(self, community_id: int, inviter_id: int, invitee_id: int, group_id: int,
               joined_at: datetime, due_at: datetime) -> Referral | None: ...  # fmt: skip
    def get(self, referral_id: int) -> Referral | None: ...
    def pending_for(self, community_id: int, invitee_id: int) -> Referral | None: ...
    def settle(self, referral_id: int, status: Status, at: datetime) -> bool: ...
    def progress(self, community_id: int, member_id: int) -> Progress: ...
    def credited(self, community_ids: Sequence[int], member_id: int) -> int: ...
    def mark_rewarded(self, community_id: int, member_id: int, at: datetime) -> bool: ...
    def owed(self, community_id: int, member_id: int, needed: int) -> bool: ...
    def give_item(self, community_id: int, member_id: int, reward: str, stock: int | None,
                  at: datetime) -> bool: ...  # fmt: skip
    def top(self, community_id: int, since: datetime | None = None,
            limit: int = 10) -> list[Ranked]: ...  # fmt: skip
    def recent(self, community_id: int, limit: int = 50) -> list[Named]: ...


def new_token() -> str:
    """A link token: random, URL-safe, short enough to share."""
    return secrets.token_urlsafe(9)  # 12 characters


class SqlReferrals(StoreBase):
    """`Referrals` on SQLAlchemy."""

    def link_of(self, community_id: int, member_id: int, at: datetime) -> Link:
        """The member's invite link in the community, made on first use; the same ever after."""
        at = utc(at, "link time")
        with self._unit(write=True) as session:
            found = session.scalar(select(ReferralLinkRow).where(
                ReferralLinkRow.community_id == community_id,
                ReferralLinkRow.member_id == member_id))  # fmt: skip
            if found is None:
                row = ReferralLinkRow(community_id=community_id, member_id=member_id,
                                      token=new_token(), created_at=at, rewarded_at=None)  # fmt: skip
                if self._try_insert(session, row):
                    return _link(row)
                # A concurrent first use won (or, once in 10^21, the token was taken).
                found = session.scalar(select(ReferralLinkRow).where(
                    ReferralLinkRow.community_id == community_id,
                    ReferralLinkRow.member_id == member_id))  # fmt: skip
                if found is None:
                    return self.link_of(community_id, member_id, at)
            return _link(found)

    def link_by_token(self, token: str) -> Link | None:
        """The link with this token, in whichever community it was made."""
        with self._unit(write=False) as session:
            row = session.scalar(select(ReferralLinkRow).where(ReferralLinkRow.token == token))
            return None if row is None else _link(row)

    def joined_before(self, community_id: int, member_id: int, before: datetime) -> bool:
        """Whether the member had a stay in any group of the community that began before
        `before` (someone already known here is not a newcomer anyone brought)."""
        query = (
            select(MembershipRow.id)
            .join(GroupRow, GroupRow.id == MembershipRow.group_id)
            .where(GroupRow.community_id == community_id, MembershipRow.member_id == member_id,
                   MembershipRow.joined_at < utc(before, "before"))
            .limit(1)
        )  # fmt: skip
        with self._unit(write=False) as session:
            return session.scalar(query) is not None

    def in_community(self, community_id: int, member_id: int) -> bool:
        """Whether the member is in any group of the community now."""
        query = (
            select(MembershipRow.id)
            .join(GroupRow, GroupRow.id == MembershipRow.group_id)
            .where(GroupRow.community_id == community_id, MembershipRow.member_id == member_id,
                   MembershipRow.left_at.is_(None))
            .limit(1)
        )  # fmt: skip
        with self._unit(write=False) as session:
            return session.scalar(query) is not None

    def said(self, community_id: int, member_id: int, since: datetime, until: datetime,
             limit: int) -> list[str]:  # fmt: skip
        """The texts of the first `limit` messages the member posted in the community's
        groups from `since` to `until` (not those deleted by moderation or staff)."""
        if limit <= 0:
            return []
        query = (
            select(MessageRow.text)
            .join(GroupRow, GroupRow.id == MessageRow.group_id)
            .where(GroupRow.community_id == community_id, MessageRow.member_id == member_id,
                   MessageRow.sent_at >= utc(since, "since"),
                   MessageRow.sent_at <= utc(until, "until"), MessageRow.deleted_at.is_(None))
            .order_by(MessageRow.sent_at, MessageRow.id)
            .limit(limit)
        )  # fmt: skip
        with self._unit(write=False) as session:
            return list(session.scalars(query))

    def record(self, community_id: int, inviter_id: int, invitee_id: int, group_id: int,
               joined_at: datetime, due_at: datetime) -> Referral | None:  # fmt: skip
        """Record that `inviter_id` brought `invitee_id`; None when the invitee was recorded
        in this community before (by anyone: a person counts once)."""
        row = ReferralRow(community_id=community_id, inviter_id=inviter_id, invitee_id=invitee_id,
                          group_id=group_id, joined_at=utc(joined_at, "joined at"),
                          due_at=utc(due_at, "due at"), status=Status.PENDING.value,
                          settled_at=None)  # fmt: skip
        with self._unit(write=True) as session:
            return _referral(row) if self._try_insert(session, row) else None

    def get(self, referral_id: int) -> Referral | None:
        with self._unit(write=False) as session:
            row = session.get(ReferralRow, referral_id)
            return None if row is None else _referral(row)

    def pending_for(self, community_id: int, invitee_id: int) -> Referral | None:
        """The invitee's referral in the community while it waits for the stay check."""
        with self._unit(write=False) as session:
            row = session.scalar(select(ReferralRow).where(
                ReferralRow.community_id == community_id, ReferralRow.invitee_id == invitee_id,
                ReferralRow.status == Status.PENDING.value))  # fmt: skip
            return None if row is None else _referral(row)

    def settle(self, referral_id: int, status: Status, at: datetime) -> bool:
        """Credit or revoke a pending referral; False when it was settled already."""
        with self._unit(write=True) as session:
            done = session.execute(
                update(ReferralRow)
                .where(ReferralRow.id == referral_id, ReferralRow.status == Status.PENDING.value)
                .values(status=status.value, settled_at=utc(at, "settled at"))
            )
            return bool(getattr(done, "rowcount", 0))

    def progress(self, community_id: int, member_id: int) -> Progress:
        """The member's credited and pending referrals in the community."""
        query = (
            select(ReferralRow.status, func.count())
            .where(ReferralRow.community_id == community_id, ReferralRow.inviter_id == member_id)
            .group_by(ReferralRow.status)
        )
        with self._unit(write=False) as session:
            counts = {status: int(n) for status, n in session.execute(query)}
        return Progress(counts.get(Status.CREDITED.value, 0), counts.get(Status.PENDING.value, 0))

    def credited(self, community_ids: Sequence[int], member_id: int) -> int:
        """The member's credited referrals across `community_ids`."""
        if not community_ids:
            return 0
        query = select(func.count()).where(
            ReferralRow.community_id.in_(list(community_ids)),
            ReferralRow.inviter_id == member_id,
            ReferralRow.status == Status.CREDITED.value,
        )
        with self._unit(write=False) as session:
            return int(session.scalar(query) or 0)

    def mark_rewarded(self, community_id: int, member_id: int, at: datetime) -> bool:
        """Mark the invite task's reward given; False when it was given before."""
        with self._unit(write=True) as session:
            done = session.execute(
                update(ReferralLinkRow)
                .where(ReferralLinkRow.community_id == community_id,
                       ReferralLinkRow.member_id == member_id,
                       ReferralLinkRow.rewarded_at.is_(None))
                .values(rewarded_at=utc(at, "rewarded at"))
            )  # fmt: skip
            return bool(getattr(done, "rowcount", 0))

    def owed(self, community_id: int, member_id: int, needed: int) -> bool:
        """Whether the member reached the invite task's `needed` credited friends and was never
        rewarded (held back while they were gone or blacklisted): one query, answered by the
        link's unique index for the many members who have no link."""
        credited = (
            select(func.count())
            .where(ReferralRow.community_id == community_id, ReferralRow.inviter_id == member_id,
                   ReferralRow.status == Status.CREDITED.value)
            .scalar_subquery()
        )  # fmt: skip
        query = select(ReferralLinkRow.id).where(
            ReferralLinkRow.community_id == community_id, ReferralLinkRow.member_id == member_id,
            ReferralLinkRow.rewarded_at.is_(None), credited >= needed,
        )  # fmt: skip
        with self._unit(write=False) as session:
            return session.scalar(query) is not None

    def give_item(self, community_id: int, member_id: int, reward: str, stock: int | None,
                  at: datetime) -> bool:  # fmt: skip
        """Give a reward item free (a redemption of 0 points), unless none is left in
        stock; serialised with redemptions, so the last one goes to one member."""
        with self._unit(write=True) as session:
            lock_row(session, CommunityRow, community_id)
            taken = int(session.scalar(
                select(func.count()).where(RedemptionRow.community_id == community_id,
                                           RedemptionRow.reward == reward)) or 0)  # fmt: skip
            if stock is not None and taken >= stock:
                return False
            session.add(RedemptionRow(community_id=community_id, member_id=member_id,
                                      reward=reward, points=0, at=utc(at, "given at")))  # fmt: skip
            session.flush()
            return True

    def top(self, community_id: int, since: datetime | None = None,
            limit: int = 10) -> list[Ranked]:  # fmt: skip
        """Members with the most credited referrals (credited since `since`, or ever)."""
        credited = func.count(ReferralRow.id)
        query = (
            select(ReferralRow.inviter_id, MemberRow.display_name, credited)
            .join(MemberRow, MemberRow.id == ReferralRow.inviter_id)
            .where(ReferralRow.community_id == community_id,
                   ReferralRow.status == Status.CREDITED.value)
            .group_by(ReferralRow.inviter_id, MemberRow.display_name)
            .order_by(credited.desc(), func.min(ReferralRow.settled_at), ReferralRow.inviter_id)
            .limit(limit)
        )  # fmt: skip
        if since is not None:
            query = query.where(ReferralRow.settled_at >= utc(since, "since"))
        with self._unit(write=False) as session:
            return [
                Ranked(int(m), name or f"#{m}", int(n)) for m, name, n in session.execute(query)
            ]

    def recent(self, community_id: int, limit: int = 50) -> list[Named]:
        """The latest referrals in the community, newest first, with both members' names."""
        inviter, invitee = aliased(MemberRow), aliased(MemberRow)
        query = (
            select(ReferralRow, inviter.display_name, invitee.display_name)
            .join(inviter, inviter.id == ReferralRow.inviter_id)
            .join(invitee, invitee.id == ReferralRow.invitee_id)
            .where(ReferralRow.community_id == community_id)
            .order_by(ReferralRow.joined_at.desc(), ReferralRow.id.desc())
            .limit(limit)
        )
        with self._unit(write=False) as session:
            return [Named(_referral(row), a or f"#{row.inviter_id}", b or f"#{row.invitee_id}")
                    for row, a, b in session.execute(query)]  # fmt: skip


def _link(row: ReferralLinkRow) -> Link:
    return Link(row.community_id, row.member_id, row.token, row.rewarded_at)


def _referral(row: ReferralRow) -> Referral:
    return Referral(id=row.id, community_id=row.community_id, inviter_id=row.inviter_id,
                    invitee_id=row.invitee_id, group_id=row.group_id, joined_at=row.joined_at,
                    due_at=row.due_at, status=Status(row.status), settled_at=row.settled_at)  # fmt: skip
