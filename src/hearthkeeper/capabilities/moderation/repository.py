"""What moderation reads of a member beyond the engine's state: their standing in a community."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Integer,
    Select,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
)

from hearthkeeper.capabilities.moderation.decide import MemberStanding
from hearthkeeper.store.columns import UTCDateTime, require_aware
from hearthkeeper.store.models import GroupRow, MembershipRow, MessageRow, StrikeRow
from hearthkeeper.store.scope import StoreBase

_MEMBER: BindParameter[int] = bindparam("member", type_=Integer())
_COMMUNITY: BindParameter[int] = bindparam("community", type_=Integer())


def _standing_statement() -> Select[Any]:
    """The member's first join to the community's groups (else their first message there),
    their messages there not deleted (counted up to `enough`, newest first: an active
    member's recent ones are found first; only when first seen by `since`) and their live
    strikes there: one statement, each
    part read from an index on the member (`ix_messages_member_id_sent_at`,
    `ix_memberships_member_id`, `ix_strikes_community_id_member_id`)."""
    in_community = (GroupRow.community_id == _COMMUNITY,)
    first_join = (
        select(func.min(MembershipRow.joined_at))
        .join(GroupRow, GroupRow.id == MembershipRow.group_id)
        .where(MembershipRow.member_id == _MEMBER, *in_community)
        .scalar_subquery()
    )
    said = (
        MessageRow.member_id == _MEMBER,
        MessageRow.deleted_at.is_(None),
        *in_community,
    )
    first_message = (
        select(MessageRow.sent_at)
        .join(GroupRow, GroupRow.id == MessageRow.group_id)
        .where(*said)
        .order_by(MessageRow.sent_at)
        .limit(1)
        .scalar_subquery()
    )
    counted = (
        select(literal(1).label("one"))
        .select_from(MessageRow)
        .join(GroupRow, GroupRow.id == MessageRow.group_id)
        .where(*said)
        .order_by(MessageRow.sent_at.desc())
        .limit(bindparam("enough"))
        .subquery()
    )
    now = bindparam("now", type_=UTCDateTime())
    strikes = (
        select(func.count())
        .select_from(StrikeRow)
        .where(
            StrikeRow.community_id == _COMMUNITY,
            StrikeRow.member_id == _MEMBER,
            StrikeRow.pardoned_at.is_(None),
            or_(StrikeRow.expires_at.is_(None), StrikeRow.expires_at > now),
        )
        .scalar_subquery()
    )
    # a member with a stay is never looked for by their first message (COALESCE reads its
    # second argument only when the first is NULL), and the messages of a member first seen
    # after `since` are not counted (nor is a CASE's branch not taken: SQLite and PostgreSQL
    # run an uncorrelated subquery when it is first needed, once)
    seen = select(func.coalesce(first_join, first_message).label("first_seen")).subquery()
    counted_enough = select(func.count()).select_from(counted).scalar_subquery()
    since = bindparam("since", type_=UTCDateTime())
    return select(
        seen.c.first_seen,
        case((seen.c.first_seen <= since, counted_enough), else_=0),
        strikes,
    ).select_from(seen)


_STANDING = _standing_statement()


class SqlStanding(StoreBase):
    """A member's standing in a community; `SqlStanding.on(tx)` reads in the caller's
    transaction (the engine's batch: what it wrote so far is seen)."""

    def standing(self, community_id: int, member_id: int, now: datetime, *, since: datetime,
                 enough: int) -> MemberStanding:  # fmt: skip
        """When the member was first seen in the community, how many of their messages there
        were not deleted — at most `enough` (what is asked of them is all that is read), and
        none read for a member first seen after `since` (0: whatever they said, they are not
        in good standing yet) — and how many of their strikes there count at `now`."""
        params = {"member": member_id, "community": community_id, "enough": enough,
                  "since": require_aware(since, "since"), "now": require_aware(now, "now")}  # fmt: skip
        with self._unit(write=False) as session:
            first_seen, messages, strikes = session.execute(_STANDING, params).one()
        return MemberStanding(first_seen, int(messages or 0), int(strikes or 0))
