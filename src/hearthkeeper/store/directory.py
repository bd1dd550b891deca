"""The console's directory: who belongs to a community, found by name or tag, with what they
said, their strikes and the sanctions on them.

A member belongs to a community when they ever had a stay in one of its groups or said
something there (members who were in a group before the bot arrived never joined it).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from hearthkeeper.store.columns import clipped_to, require_aware, storable, utc
from hearthkeeper.store.models import (
    KEY,
    AuditRow,
    GroupRow,
    MemberLevelRow,
    MemberRow,
    MembershipRow,
    MessageRow,
    PointsRow,
    SanctionRow,
    StrikeRow,
    TagRow,
)
from hearthkeeper.store.playbooks import _entry
from hearthkeeper.store.records import (
    AuditEntry,
    MemberSummary,
    MessageKind,
    RecentMessage,
    Sanction,
    Strike,
)
from hearthkeeper.store.sanctions import _sanction
from hearthkeeper.store.scope import StoreBase
from hearthkeeper.store.strikes import _strike
from hearthkeeper.text.folding import in_name_order

# Targets `last_audits` reads in one statement (well under SQLite's bound parameters).
_TARGETS_READ = 1000


class _Group(NamedTuple):
    id: int
    name: str


def _names_in_order(groups: Iterable[_Group]) -> tuple[str, ...]:
    """The names of a member's groups in the order every list of groups shows (`group 2`
    before `group 10`, those named alike by id)."""
    return tuple(group.name for group in in_name_order(groups))


class DirectoryQueries(StoreBase):
    def search_members(
        self,
        community_id: int,
        query: str | None = None,
        tag: str | None = None,
        limit: int = 50,
        offset: int = 0,
        *,
        now: datetime | None = None,
        group_id: int | None = None,
    ) -> list[MemberSummary]:
        """The community's members whose name contains `query` (any case), who carry `tag`
        and (`group_id`) ever stayed or spoke in that group of it, by name; strikes are
        counted live as of `now` (default the clock's)."""
        now = self._clock.now() if now is None else utc(now, "now")
        groups = _groups_of(community_id)
        points = (
            select(func.coalesce(func.sum(PointsRow.points), 0))
            .where(PointsRow.community_id == community_id, PointsRow.member_id == MemberRow.id)
            .scalar_subquery()
        )
        strikes = (
            select(func.count())
            .select_from(StrikeRow)
            .where(StrikeRow.community_id == community_id, StrikeRow.member_id == MemberRow.id,
                   _live_strike(now))
            .scalar_subquery()
        )  # fmt: skip
        last_message = (
            select(func.max(MessageRow.sent_at))
            .where(MessageRow.member_id == MemberRow.id, MessageRow.group_id.in_(groups))
            .scalar_subquery()
        )
        first_joined = (
            select(func.min(MembershipRow.joined_at))
            .where(MembershipRow.member_id == MemberRow.id, MembershipRow.group_id.in_(groups))
            .scalar_subquery()
        )
        level = (
            select(MemberLevelRow.level)
            .where(MemberLevelRow.community_id == community_id,
                   MemberLevelRow.member_id == MemberRow.id)
            .scalar_subquery()
        )  # fmt: skip
        statement = (
            select(MemberRow.id, MemberRow.display_name, level, points, strikes, last_message,
                   first_joined)
            .where(*_matching(community_id, query, tag, group_id))
            .order_by(func.lower(MemberRow.display_name), MemberRow.id)
            .limit(max(limit, 0))
            .offset(max(offset, 0))
        )  # fmt: skip
        self.flush_deferred()  # a check-in's points may wait to be written
        with self._unit(write=False) as session:
            rows = session.execute(statement).all()
            ids = [row[0] for row in rows]
            where_now: dict[int, list[_Group]] = {}
            if ids:
                in_groups = (
                    select(MembershipRow.member_id, GroupRow.id, GroupRow.name)
                    .join(GroupRow, GroupRow.id == MembershipRow.group_id)
                    .where(GroupRow.community_id == community_id, MembershipRow.left_at.is_(None),
                           MembershipRow.member_id.in_(ids))
                )  # fmt: skip
                for member_id, group_id, group in session.execute(in_groups):
                    where_now.setdefault(member_id, []).append(_Group(group_id, group))
        return [
            MemberSummary(
                member_id=member_id, display_name=name,
                groups=_names_in_order(where_now.get(member_id, ())), level=level_id,
                points=int(points_now or 0), live_strikes=int(live or 0),
                last_message_at=last, first_joined_at=first,
            )
            for member_id, name, level_id, points_now, live, last, first in rows
        ]  # fmt: skip

    def count_members(
        self, community_id: int, query: str | None = None, tag: str | None = None, *,
        group_id: int | None = None,
    ) -> int:  # fmt: skip
        """How many members `search_members` would find with no limit (for paging)."""
        statement = select(func.count()).select_from(MemberRow)
        statement = statement.where(*_matching(community_id, query, tag, group_id))
        with self._unit(write=False) as session:
            return int(session.scalar(statement) or 0)

    def member_in_community(self, community_id: int, member_id: int) -> bool:
        """Whether the member ever stayed in, or spoke in, one of the community's groups."""
        statement = select(MemberRow.id).where(
            MemberRow.id == member_id, _belongs(_groups_of(community_id))
        )
        with self._unit(write=False) as session:
            return session.scalar(statement) is not None

    def member_names(self, member_ids: Iterable[int]) -> dict[int, str]:
        """The display name of each of `member_ids` that exists, in one query."""
        ids = sorted(set(member_ids))
        if not ids:
            return {}
        statement = select(MemberRow.id, MemberRow.display_name).where(MemberRow.id.in_(ids))
        with self._unit(write=False) as session:
            return {member_id: name for member_id, name in session.execute(statement)}

    def recent_messages(
        self, member_id: int, community_id: int, limit: int = 50
    ) -> list[RecentMessage]:
        """The member's latest messages in the community's groups, newest first."""
        statement = (
            select(MessageRow.id, MessageRow.group_id, GroupRow.name, MessageRow.kind,
                   MessageRow.text, MessageRow.sent_at, MessageRow.deleted_at,
                   MessageRow.deleted_by)
            .join(GroupRow, GroupRow.id == MessageRow.group_id)
            .where(MessageRow.member_id == member_id, GroupRow.community_id == community_id)
            .order_by(MessageRow.sent_at.desc(), MessageRow.id.desc())
            .limit(limit)
        )  # fmt: skip
        with self._unit(write=False) as session:
            return [
                RecentMessage(id=row[0], group_id=row[1], group_name=row[2],
                              kind=_kind(row[3]), text=row[4], sent_at=row[5],
                              deleted_at=row[6], deleted_by=row[7])
                for row in session.execute(statement)
            ]  # fmt: skip

    def community_strikes(
        self,
        community_id: int,
        since: datetime | None = None,
        live_only: bool = False,
        now: datetime | None = None,
        *,
        member_id: int | None = None,
        limit: int = 500,
    ) -> list[Strike]:
        """The community's strikes (of one member, when given), newest first: those given
        from `since` on, only the live ones (as of `now`) if `live_only`."""
        statement = select(StrikeRow).where(StrikeRow.community_id == community_id)
        if since is not None:
            statement = statement.where(StrikeRow.at >= utc(since, "since"))
        if live_only:
            statement = statement.where(_live_strike(self._now_or_clock(now)))
        if member_id is not None:
            statement = statement.where(StrikeRow.member_id == member_id)
        statement = statement.order_by(StrikeRow.at.desc(), StrikeRow.id.desc()).limit(limit)
        with self._unit(write=False) as session:
            return [_strike(row) for row in session.scalars(statement)]

    def community_sanctions(
        self,
        community_id: int,
        in_force_only: bool = True,
        now: datetime | None = None,
        *,
        since: datetime | None = None,
        member_id: int | None = None,
        limit: int | None = 500,
    ) -> list[Sanction]:
        """Mutes, bans and blacklists in the community (with blacklists from every community
        on its members), newest first: only those in force at `now` if `in_force_only`,
        only those given from `since` on when given; of one member, when given; at most
        `limit` (None: all)."""
        everywhere = SanctionRow.community_id.is_(None) & _belongs(
            _groups_of(community_id), SanctionRow.member_id
        )
        statement = select(SanctionRow).where(
            or_(SanctionRow.community_id == community_id, everywhere)
        )
        if in_force_only:
            statement = statement.where(
                SanctionRow.lifted_at.is_(None),
                or_(SanctionRow.until.is_(None), SanctionRow.until > self._now_or_clock(now)),
            )
        if since is not None:
            statement = statement.where(SanctionRow.at >= utc(since, "since"))
        if member_id is not None:
            statement = statement.where(SanctionRow.member_id == member_id)
        statement = statement.order_by(SanctionRow.at.desc(), SanctionRow.id.desc()).limit(limit)
        with self._unit(write=False) as session:
            return [_sanction(row) for row in session.scalars(statement)]

    def get_strike(self, strike_id: int) -> Strike | None:
        """One strike by its id."""
        with self._unit(write=False) as session:
            row = session.get(StrikeRow, strike_id)
            return None if row is None else _strike(row)

    def get_sanction(self, sanction_id: int) -> Sanction | None:
        """One sanction by its id, lifted or not."""
        with self._unit(write=False) as session:
            row = session.get(SanctionRow, sanction_id)
            return None if row is None else _sanction(row)

    def audit_entries(
        self,
        community_id: int,
        *,
        target: str | None = None,
        actions: Collection[str] | None = None,
        limit: int | None = 50,
        offset: int = 0,
    ) -> list[AuditEntry]:
        """A page of the community's audit log (about one `target`, when given; only entries
        whose action is one of `actions`, when given), newest first; `limit` None: every
        entry that matches."""
        statement = select(AuditRow).where(AuditRow.community_id == community_id)
        if target is not None:
            statement = statement.where(AuditRow.target == clipped_to(KEY, target))  # as kept
        if actions is not None:
            statement = statement.where(AuditRow.action.in_(sorted(actions)))
        statement = (
            statement.order_by(AuditRow.at.desc(), AuditRow.id.desc())
            .limit(None if limit is None else max(limit, 0))
            .offset(max(offset, 0))
        )
        with self._unit(write=False) as session:
            return [_entry(row) for row in session.scalars(statement)]

    def last_audit(self, community_id: int, target: str, actions: Collection[str], *,
                   detail: Mapping[str, str] | None = None,
                   since: datetime | None = None) -> AuditEntry | None:  # fmt: skip
        """The newest entry about `target` whose action is one of `actions`, newest by when it
        was written (its id), not by its time; None when there is none. Only an entry whose
        detail holds each text of `detail` under its key, and (`since`) whose time is not
        before then. One read, however long the target's history."""
        statement = (
            select(AuditRow)
            .where(AuditRow.community_id == community_id,
                   AuditRow.target == clipped_to(KEY, target),
                   AuditRow.action.in_(sorted(actions)),
                   *(AuditRow.detail[key].as_string() == storable(value)  # as written
                     for key, value in (detail or {}).items()))
            .order_by(AuditRow.id.desc())
            .limit(1)
        )  # fmt: skip
        if since is not None:
            statement = statement.where(AuditRow.at >= utc(since, "since"))
        with self._unit(write=False) as session:
            row = session.scalars(statement).first()
            return None if row is None else _entry(row)

    def last_audits(self, community_id: int, targets: Iterable[str],
                    actions: Collection[str]) -> dict[str, AuditEntry]:  # fmt: skip
        """`last_audit` for many targets at once: each target's newest entry whose action is
        one of `actions` (by id), targets with none left out. One read per `_TARGETS_READ`
        targets, however long their histories (a page of closed groups: one)."""
        wanted = {clipped_to(KEY, target): target for target in targets}
        found: dict[str, AuditEntry] = {}
        clipped = sorted(wanted)
        for start in range(0, len(clipped), _TARGETS_READ):
            newest = (
                select(func.max(AuditRow.id))
                .where(AuditRow.community_id == community_id,
                       AuditRow.target.in_(clipped[start : start + _TARGETS_READ]),
                       AuditRow.action.in_(sorted(actions)))
                .group_by(AuditRow.target)
            )  # fmt: skip
            with self._unit(write=False) as session:
                for row in session.scalars(select(AuditRow).where(AuditRow.id.in_(newest))):
                    found[wanted[row.target]] = _entry(row)
        return found

    def audit_count(self, community_id: int) -> int:
        """How many entries the community's audit log holds."""
        statement = select(func.count(AuditRow.id)).where(AuditRow.community_id == community_id)
        with self._unit(write=False) as session:
            return int(session.scalar(statement) or 0)

    def group_member_counts(self, community_id: int) -> dict[int, int]:
        """How many members are in each of the community's groups now (every group listed)."""
        statement = (
            select(GroupRow.id, func.count(MembershipRow.id))
            .outerjoin(MembershipRow, (MembershipRow.group_id == GroupRow.id)
                       & MembershipRow.left_at.is_(None))
            .where(GroupRow.community_id == community_id)
            .group_by(GroupRow.id)
        )  # fmt: skip
        with self._unit(write=False) as session:
            return {group_id: int(count) for group_id, count in session.execute(statement)}

    def _now_or_clock(self, now: datetime | None) -> datetime:
        return self._clock.now() if now is None else require_aware(now, "now")


def _groups_of(community_id: int) -> Select[Any]:
    return select(GroupRow.id).where(GroupRow.community_id == community_id)


def _belongs(
    groups: Select[Any], member: ColumnElement[int] | InstrumentedAttribute[int] | None = None
) -> ColumnElement[bool]:
    """The member (`member`, default the member row) stayed in or spoke in one of `groups`."""
    who = MemberRow.id if member is None else member
    stayed = exists().where(MembershipRow.member_id == who, MembershipRow.group_id.in_(groups))
    spoke = exists().where(MessageRow.member_id == who, MessageRow.group_id.in_(groups))
    return or_(stayed, spoke)


def _matching(community_id: int, query: str | None, tag: str | None,
              group_id: int | None = None) -> list[ColumnElement[bool]]:  # fmt: skip
    groups = _groups_of(community_id)
    if group_id is not None:  # one group of the community (another's: nobody)
        groups = groups.where(GroupRow.id == group_id)
    conditions = [_belongs(groups)]
    if query and query.strip():
        conditions.append(MemberRow.display_name.icontains(query.strip(), autoescape=True))
    if tag and tag.strip():
        conditions.append(
            exists().where(TagRow.member_id == MemberRow.id, TagRow.tag == tag.strip())
        )
    return conditions


def _live_strike(now: datetime) -> ColumnElement[bool]:
    return StrikeRow.pardoned_at.is_(None) & or_(
        StrikeRow.expires_at.is_(None), StrikeRow.expires_at > now
    )


def _kind(kind: str) -> MessageKind:
    try:
        return MessageKind(kind)
    except ValueError:
        return MessageKind.OTHER
