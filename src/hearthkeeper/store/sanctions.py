"""Sanctions: timed mutes and bans in a group, blacklists across a community or all of them,
and kicks (in force for the moments the carrier takes to remove the member).

They are rows, not carrier state, so a mute is lifted on time even after a restart and a
blacklist reaches groups the member has not joined yet. At most one sanction of a kind is
in force per member and scope: a new one supersedes (lifts) the one before.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache

from sqlalchemy import (
    Insert,
    Select,
    Update,
    bindparam,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from hearthkeeper.store.among import among
from hearthkeeper.store.columns import require_aware, utc
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.inserts import table_of
from hearthkeeper.store.models import CommunityRow, GroupRow, MemberRow, SanctionRow, StrikeRow
from hearthkeeper.store.prepared import run
from hearthkeeper.store.records import ModerationNews, Sanction, SanctionKind
from hearthkeeper.store.scope import StoreBase

SUPERSEDED = "superseded"  # lifted_by of a sanction replaced by a newer one
_MUTE = SanctionKind.MUTE.value
_TIMED = (SanctionKind.MUTE, SanctionKind.KICK)
# What holds a member back in one group: what they post there earns nothing and is deleted.
_HOLDS = (SanctionKind.MUTE.value, SanctionKind.BAN.value, SanctionKind.KICK.value)
# Each retry means another worker sanctioned the same member and scope at the same moment.
_ATTEMPTS = 8


class SanctionQueries(StoreBase):
    def add_sanction(
        self,
        kind: SanctionKind | str,
        member_id: int,
        reason: str,
        at: datetime,
        *,
        community_id: int | None = None,
        group_id: int | None = None,
        until: datetime | None = None,
    ) -> Sanction:
        """Sanction the member: a mute (in `group_id`, `until` a time), a ban (from
        `group_id`), a kick (from `group_id`, in force `until` a time), or a blacklist (from `community_id`'s groups; None: everywhere).
        Mutes and bans take the group's community. Replaces the same sanction in force."""
        kind = _kind(kind)
        at = utc(at, "sanction time")
        until = _check_scope(kind, group_id, until)
        with self._unit(write=True) as session:
            if group_id is not None:
                community_id = self._community_of(session, group_id, community_id)
            supersede = _supersede(community_id is None, group_id is None)
            scope = {"b_kind": kind.value, "b_member": member_id, "b_community": community_id,
                     "b_group": group_id, "b_at": at}  # fmt: skip
            row = {"kind": kind.value, "community_id": community_id, "group_id": group_id,
                   "member_id": member_id, "reason": reason, "at": at, "until": until}  # fmt: skip
            add = _add(session.get_bind().dialect.name, community_id is None)
            for _ in range(_ATTEMPTS):
                connection = session.connection()
                for lifted in connection.execute(supersede, scope).scalars():
                    _expire(session, lifted)  # a copy loaded earlier in this transaction
                new_id = connection.execute(add, row).scalar()
                if new_id is not None:
                    return Sanction(id=new_id, kind=kind, community_id=community_id,
                                    group_id=group_id, member_id=member_id, reason=reason,
                                    at=at, until=until, lifted_at=None, lifted_by=None,
                                    lift_event_key=None)  # fmt: skip
                # Nothing added: the member or community is missing (this raises), or another
                # worker's sanction came in force since the one before was lifted.
                _require_rows(session, member_id, community_id)
        raise StoreError(
            f"could not {kind.value} member {member_id}: other workers sanctioned the member "
            f"{_ATTEMPTS} times at once; try again"
        )

    def lift_sanction(
        self, sanction_id: int, by: str, now: datetime, *, key: str | None = None
    ) -> Sanction:
        """End a sanction now; `key` is the outbox key of the action that undoes it on the
        carrier (an unmute, an unban), kept to show the lift was performed once."""
        now = utc(now, "now")
        with self._unit(write=True) as session:
            row = session.get(SanctionRow, sanction_id, with_for_update=True)
            if row is None:
                raise StoreError(f"there is no sanction with id {sanction_id}")
            if row.lifted_at is not None:
                raise StoreError(
                    f"{row.kind} {sanction_id} was already lifted by {row.lifted_by} "
                    f"at {row.lifted_at:%Y-%m-%d %H:%M} UTC"
                )
            row.lifted_at, row.lifted_by, row.lift_event_key = now, by, key
            session.flush()
            return _sanction(row)

    def lift_if_in_force(self, sanction_id: int, by: str, now: datetime, *,
                         key: str | None = None) -> Sanction | None:  # fmt: skip
        """`lift_sanction`, or None when the sanction was lifted already (by staff, another
        worker, a sanction replacing it): the timer's lift, which may find it so."""
        with self._unit(write=True) as session:
            row = session.get(SanctionRow, sanction_id, with_for_update=True)
            if row is None or row.lifted_at is not None:
                return None
            row.lifted_at, row.lifted_by, row.lift_event_key = utc(now, "now"), by, key
            session.flush()
            return _sanction(row)

    def active_sanctions(
        self,
        member_id: int | None = None,
        kind: SanctionKind | str | None = None,
        now: datetime | None = None,
    ) -> list[Sanction]:
        """Sanctions in force at `now` (default the clock's): not lifted and not run out;
        of one member and/or of one kind, or all; oldest first."""
        now = self._clock.now() if now is None else require_aware(now, "now")
        query = select(SanctionRow).where(
            SanctionRow.lifted_at.is_(None),
            or_(SanctionRow.until.is_(None), SanctionRow.until > now),
        )
        if member_id is not None:
            query = query.where(SanctionRow.member_id == member_id)
        if kind is not None:
            query = query.where(SanctionRow.kind == _kind(kind).value)
        return self._sanctions(query.order_by(SanctionRow.at, SanctionRow.id))

    def due_mutes(self, now: datetime) -> list[Sanction]:
        """Mutes whose time is up at `now` but that were not lifted yet, earliest first."""
        query = select(SanctionRow).where(
            SanctionRow.kind == _MUTE,
            SanctionRow.lifted_at.is_(None),
            SanctionRow.until <= require_aware(now, "now"),
        )
        return self._sanctions(query.order_by(SanctionRow.until, SanctionRow.id))

    def active_mutes(self) -> list[Sanction]:
        """Every mute not lifted yet, due or not, earliest end first: what the engine must
        lift (now, or on time) when it starts."""
        query = select(SanctionRow).where(
            SanctionRow.kind == _MUTE, SanctionRow.lifted_at.is_(None)
        )
        return self._sanctions(query.order_by(SanctionRow.until, SanctionRow.id))

    def is_blacklisted(self, community_id: int, member_id: int) -> bool:
        """Whether the member is blacklisted in this community or in all communities."""
        query = select(SanctionRow.id).where(
            SanctionRow.kind == SanctionKind.BLACKLIST.value,
            SanctionRow.member_id == member_id,
            SanctionRow.lifted_at.is_(None),
            or_(SanctionRow.community_id == community_id, SanctionRow.community_id.is_(None)),
        )
        with self._unit(write=False) as session:
            return session.scalar(query.limit(1)) is not None

    def blacklisted_among(self, community_id: int, member_ids: Iterable[int]) -> set[int]:
        """Which of `member_ids` are blacklisted in this community or in all, in one query."""
        ids = sorted(set(member_ids))
        if not ids:
            return set()
        query = select(SanctionRow.member_id).where(
            SanctionRow.kind == SanctionKind.BLACKLIST.value,
            among(SanctionRow.member_id, ids),
            SanctionRow.lifted_at.is_(None),
            or_(SanctionRow.community_id == community_id, SanctionRow.community_id.is_(None)),
        )
        with self._unit(write=False) as session:
            return set(session.scalars(query))

    def taken_back_since(self, community_id: int, since: datetime) -> list[tuple[int, datetime]]:
        """Members of the community whose strike staff pardoned, or whose blacklist (the
        community's or everywhere) they lifted, at or after `since`, with when: what a running
        engine must read again (`engine.state.State.preload`)."""
        since = require_aware(since, "since")
        pardoned = select(StrikeRow.member_id, StrikeRow.pardoned_at).where(
            StrikeRow.community_id == community_id, StrikeRow.pardoned_at >= since
        )
        lifted = select(SanctionRow.member_id, SanctionRow.lifted_at).where(
            SanctionRow.kind == SanctionKind.BLACKLIST.value,
            SanctionRow.lifted_at.is_not(None),
            SanctionRow.lifted_at >= since,
            or_(SanctionRow.community_id == community_id, SanctionRow.community_id.is_(None)),
        )
        with self._unit(write=False) as session:
            rows = session.execute(union_all(pardoned, lifted))
            return [(int(member_id), utc(at, "at")) for member_id, at in rows if at is not None]

    def moderation_marks(self) -> tuple[int, int]:
        """The newest strike's id and the newest sanction's (0: none yet), where a reader of
        `moderation_since` starts."""
        with self._unit(write=False) as session:
            session.flush()  # what this transaction holds is written: the marks count it
            strike, sanction = run(session.connection(), _MARKS, {}).one()
        return int(strike), int(sanction)

    def moderation_since(self, strike_mark: int, sanction_mark: int) -> ModerationNews:
        """The strikes written past id `strike_mark` and the sanctions past `sanction_mark`
        (one read on their primary keys, nothing when none is newer): who got a strike, who
        was blacklisted, and the newest ids read. A running engine asks at each batch what
        other processes did to the members it holds in memory (`engine.state.State`).

        Every row is read only in a transaction no other writer commits in
        (`writers_take_turns`): ids are handed out as rows are written, so on PostgreSQL a
        row may commit after a newer one was read, below the mark. Strikes and sanctions
        are never deleted, so on SQLite each new one takes an id above every other."""
        struck: list[tuple[int, int]] = []
        blacklisted: list[tuple[int | None, int]] = []
        with self._unit(write=False) as session:
            session.flush()
            rows = run(session.connection(), _SINCE,
                       {"strike_mark": strike_mark, "sanction_mark": sanction_mark})  # fmt: skip
            for row_id, what, community_id, member_id in rows.all():
                if what == _STRUCK:
                    strike_mark = max(strike_mark, row_id)
                    struck.append((community_id, member_id))
                    continue
                sanction_mark = max(sanction_mark, row_id)
                if what == _BLACKLISTED:
                    blacklisted.append((community_id, member_id))
        return ModerationNews(strike_mark, sanction_mark, tuple(struck), tuple(blacklisted))

    def holds_among(self, community_id: int, member_ids: Iterable[int],
                    now: datetime) -> list[Sanction]:  # fmt: skip
        """The mutes, bans and kicks in force at `now` on any of `member_ids` in the groups
        of the community, in one query; oldest first."""
        ids = sorted(set(member_ids))
        if not ids:
            return []
        query = select(SanctionRow).where(
            among(SanctionRow.member_id, ids),
            SanctionRow.kind.in_(_HOLDS),
            SanctionRow.community_id == community_id,
            SanctionRow.lifted_at.is_(None),
            or_(SanctionRow.until.is_(None), SanctionRow.until > require_aware(now, "now")),
        )
        return self._sanctions(query.order_by(SanctionRow.at, SanctionRow.id))

    def muted_until(self, group_id: int, member_id: int, now: datetime) -> datetime | None:
        """When the member's mute in the group ends, if the member is muted there at `now`."""
        query = select(func.max(SanctionRow.until)).where(
            SanctionRow.kind == _MUTE,
            SanctionRow.group_id == group_id,
            SanctionRow.member_id == member_id,
            SanctionRow.lifted_at.is_(None),
            SanctionRow.until > require_aware(now, "now"),
        )
        with self._unit(write=False) as session:
            return session.scalar(query)

    def _sanctions(self, query: Select[SanctionRow]) -> list[Sanction]:
        with self._unit(write=False) as session:
            return [_sanction(row) for row in session.scalars(query)]

    def _community_of(self, session: Session, group_id: int, community_id: int | None) -> int:
        """The group's community (read once per transaction: a batch sanctions many members
        of few groups), checked against `community_id` when given."""
        memo = self.transaction_memo()
        key = ("community of group", group_id)
        found: int | None = None if memo is None else memo.get(key)
        if found is None:
            # a plain statement built once, not the ORM's load of the whole group
            found = session.connection().execute(_COMMUNITY_OF, {"group_id": group_id}).scalar()
            if found is None:
                raise StoreError(f"there is no group with id {group_id}")
            if memo is not None:
                memo[key] = found
        if community_id is not None and community_id != found:
            raise StoreError(f"group {group_id} is in community {found}, not {community_id}")
        return found


def _kind(kind: SanctionKind | str) -> SanctionKind:
    try:
        return SanctionKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in SanctionKind)
        raise ValueError(f"unknown sanction {kind!r}; the sanctions are {known}") from None


def _check_scope(
    kind: SanctionKind, group_id: int | None, until: datetime | None
) -> datetime | None:
    if kind is SanctionKind.BLACKLIST:
        if group_id is not None:
            raise ValueError("a blacklist covers a community or all of them, not one group")
    elif group_id is None:
        raise ValueError(f"a {kind.value} is in one group: give its group_id")
    if kind in _TIMED:
        if until is None:
            raise ValueError(f"a {kind.value} lasts until a time: give `until`")
        return utc(until, f"{kind.value} end")
    if until is not None:
        raise ValueError(f"a {kind.value} lasts until lifted; only mutes and kicks take `until`")
    return None


def _require_rows(session: Session, member_id: int, community_id: int | None) -> None:
    """Raise StoreError if the member or community refused by a foreign key is missing."""
    if session.get(MemberRow, member_id) is None:
        raise StoreError(f"there is no member with id {member_id}")
    if community_id is not None and session.get(CommunityRow, community_id) is None:
        raise StoreError(f"there is no community with id {community_id}")


_SANCTIONS = table_of(SanctionRow)
_COMMUNITY_OF = select(table_of(GroupRow).c.community_id).where(
    table_of(GroupRow).c.id == bindparam("group_id")
)
_STRIKES = table_of(StrikeRow)
_ADDED = ("kind", "community_id", "group_id", "member_id", "reason", "at", "until")


# What `moderation_since` reads (statements built once: asked at every batch of the engine).
_STRUCK, _SANCTIONED, _BLACKLISTED = 0, 1, 2
_MARKS = select(
    func.coalesce(select(func.max(_STRIKES.c.id)).scalar_subquery(), literal_column("0")),
    func.coalesce(select(func.max(_SANCTIONS.c.id)).scalar_subquery(), literal_column("0")),
)
_STRUCK_ROWS = select(
    _STRIKES.c.id, literal_column(str(_STRUCK)), _STRIKES.c.community_id, _STRIKES.c.member_id
).where(_STRIKES.c.id > bindparam("strike_mark"))
_WHAT = case(
    (_SANCTIONS.c.kind == SanctionKind.BLACKLIST.value, literal_column(str(_BLACKLISTED))),
    else_=literal_column(str(_SANCTIONED)),
)
_SANCTIONED_ROWS = select(
    _SANCTIONS.c.id, _WHAT, _SANCTIONS.c.community_id, _SANCTIONS.c.member_id
).where(_SANCTIONS.c.id > bindparam("sanction_mark"))
_SINCE = union_all(_STRUCK_ROWS, _SANCTIONED_ROWS)


# Statements built once (with their cache keys): a sanction is written per violation.
@cache
def _add(dialect: str, everywhere: bool) -> Insert:
    """Add a sanction unless one in force has its kind, member and scope, or its member or
    community is missing (its group was checked before): its id, or no row. One statement,
    where catching the refusal of a plain INSERT would take a savepoint on PostgreSQL."""
    c = _SANCTIONS.c
    values = [bindparam(name, type_=c[name].type) for name in _ADDED]
    members, communities = table_of(MemberRow), table_of(CommunityRow)
    present = [exists().where(members.c.id == values[3])]
    if not everywhere:
        present.append(exists().where(communities.c.id == values[1]))
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        dialect_insert(_SANCTIONS)
        .from_select(list(_ADDED), select(*values).where(*present))
        .on_conflict_do_nothing()
        .returning(c.id)
    )


@cache
def _supersede(everywhere: bool, community_wide: bool) -> Update:
    """Lift the sanction in force of a kind, member and scope (`b_…` parameters); returns
    the ids lifted. The scope's community and group are NULL when `everywhere` and
    `community_wide` say so."""
    c = _SANCTIONS.c
    return (
        update(_SANCTIONS)
        .where(
            c.kind == bindparam("b_kind"),
            c.member_id == bindparam("b_member"),
            c.lifted_at.is_(None),
            c.community_id.is_(None) if everywhere else c.community_id == bindparam("b_community"),
            c.group_id.is_(None) if community_wide else c.group_id == bindparam("b_group"),
        )
        .values(lifted_at=bindparam("b_at"), lifted_by=SUPERSEDED)
        .returning(c.id)
    )


def _expire(session: Session, sanction_id: int) -> None:
    """Have the session read a sanction lifted by a statement again, if it holds a copy."""
    held = session.identity_map.get(identity_key(SanctionRow, sanction_id))
    if held is not None:
        session.expire(held)


def _sanction(row: SanctionRow) -> Sanction:
    return Sanction(
        id=row.id,
        kind=SanctionKind(row.kind),
        community_id=row.community_id,
        group_id=row.group_id,
        member_id=row.member_id,
        reason=row.reason,
        at=row.at,
        until=row.until,
        lifted_at=row.lifted_at,
        lifted_by=row.lifted_by,
        lift_event_key=row.lift_event_key,
    )
