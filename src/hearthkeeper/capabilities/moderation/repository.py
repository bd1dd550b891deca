"""What moderation reads of members beyond the engine's state: a member's standing in a
community, the names of the members a message mentions, and what is kept of a message
someone edited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Integer,
    Select,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
)

from hearthkeeper.capabilities.moderation.decide import MemberStanding
from hearthkeeper.playbook.rules import ViolationKind
from hearthkeeper.store.columns import UTCDateTime, require_aware, storable
from hearthkeeper.store.models import (
    EventRow,
    GroupRow,
    IdentityRow,
    MemberRow,
    MembershipRow,
    MessageRow,
    StaffAlertRow,
    StrikeRow,
)
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
    # an advertising alert about them staff have not handled (the inbox's open alerts of the
    # community, `ix_staff_alerts_community_id_handled_at`): spared once, not again until judged
    waiting = exists().where(
        StaffAlertRow.community_id == _COMMUNITY,
        StaffAlertRow.handled_at.is_(None),
        StaffAlertRow.member_id == _MEMBER,
        StaffAlertRow.handler == "moderation",
        StaffAlertRow.violation == ViolationKind.ADVERTISING.value,
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
        case((waiting, 1), else_=0),
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
        in good standing yet) —, how many of their strikes there count at `now`, and whether
        an advertising alert about them waits for staff (1) or not (0)."""
        params = {"member": member_id, "community": community_id, "enough": enough,
                  "since": require_aware(since, "since"), "now": require_aware(now, "now")}  # fmt: skip
        with self._unit(write=False) as session:
            first_seen, messages, strikes, waiting = session.execute(_STANDING, params).one()
        return MemberStanding(first_seen, int(messages or 0), int(strikes or 0),
                              int(waiting or 0))  # fmt: skip


class SqlMentioned(StoreBase):
    """The members a message mentions, as the learned scorer leaves them out."""

    def names(self, carrier: str, user_ids: Iterable[str]) -> list[str]:
        """The names of the members `carrier` calls `user_ids` (one query); users never seen,
        or ids that name nobody (Telegram reports a typed `@username` as is), have none."""
        wanted = sorted({storable(u) for u in user_ids})
        if not wanted:
            return []
        query = (
            select(MemberRow.display_name)
            .join(IdentityRow, IdentityRow.member_id == MemberRow.id)
            .where(IdentityRow.carrier == carrier, IdentityRow.carrier_user_id.in_(wanted))
        )
        with self._unit(write=False) as session:
            return list(session.scalars(query))


@dataclass(frozen=True, slots=True)
class EditedMessage:
    """What the store holds of a message someone edited: its author, its text as posted,
    whether the bot (or staff) deleted it, and whether it cost its author a strike."""

    member_id: int | None
    text: str
    deleted: bool
    struck: bool = False


class SqlEdited(StoreBase):
    """The message an edit is about."""

    def edited(self, group_id: int, carrier_event_id: str) -> EditedMessage | None:
        """The stored message `carrier_event_id` of the group (None: never stored, or stored
        by a batch not committed yet); `struck` when a strike was given for it (by the id of
        its event, one indexed lookup)."""
        event = (
            select(EventRow.id)
            .where(EventRow.group_id == group_id,
                   EventRow.carrier_event_id == storable(carrier_event_id))
            .scalar_subquery()
        )  # fmt: skip
        struck = exists().where(
            StrikeRow.community_id == GroupRow.community_id,
            StrikeRow.member_id == MessageRow.member_id,
            StrikeRow.event_id == event,
        )
        query = (
            select(MessageRow.member_id, MessageRow.text, MessageRow.deleted_at, struck)
            .join(GroupRow, GroupRow.id == MessageRow.group_id)
            .where(MessageRow.group_id == group_id,
                   MessageRow.carrier_event_id == storable(carrier_event_id))
        )  # fmt: skip
        with self._unit(write=False) as session:
            row = session.execute(query).first()
        if row is None:
            return None
        member_id, text, deleted_at, was_struck = row
        return EditedMessage(member_id, text or "", deleted_at is not None, bool(was_struck))
