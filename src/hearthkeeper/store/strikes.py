"""Strikes: the rungs of the moderation ladder, per member and community, that expire."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    and_,
    bindparam,
    exists,
    func,
    insert,
    or_,
    select,
)

from hearthkeeper.store.among import among
from hearthkeeper.store.columns import require_aware, utc
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.locks import lock_row_then
from hearthkeeper.store.models import MemberRow, SanctionRow, StrikeRow
from hearthkeeper.store.records import NewStrike, SanctionKind, Strike
from hearthkeeper.store.scope import StoreBase


class StrikeQueries(StoreBase):
    def add_strike(
        self,
        community_id: int,
        member_id: int,
        violation: str,
        explanation: str,
        at: datetime,
        expires_at: datetime | None,
        *,
        group_id: int | None = None,
        event_id: int | None = None,
    ) -> Strike:
        """Give the member a strike for `violation`, counting until `expires_at` (None: for
        good); `explanation` says why, in the operator's words."""
        at = utc(at, "strike time")
        if expires_at is not None:
            expires_at = utc(expires_at, "strike expiry")
        row = StrikeRow(
            community_id=community_id,
            member_id=member_id,
            violation=violation,
            group_id=group_id,
            event_id=event_id,
            explanation=explanation,
            at=at,
            expires_at=expires_at,
        )
        with self._unit(write=True) as session:
            if not self._try_insert(session, row):
                raise StoreError(
                    f"cannot give member {member_id} a strike in community {community_id}: "
                    f"the member, community, group {group_id} or event {event_id} does not exist"
                )
            return _strike(row)

    def add_strikes_bulk(self, rows: Sequence[NewStrike]) -> None:
        """Write many strikes in one statement (the engine's decisions of a batch)."""
        if not rows:
            return
        values = [
            {"community_id": r.community_id, "member_id": r.member_id, "violation": r.violation,
             "explanation": r.explanation, "at": utc(r.at, "strike time"),
             "expires_at": utc(r.expires_at, "strike expiry") if r.expires_at else None,
             "group_id": r.group_id, "event_id": r.event_id}
            for r in rows
        ]  # fmt: skip
        with self._unit(write=True) as session:
            session.execute(insert(StrikeRow), values)

    def judged_member(self, community_id: int, member_id: int, now: datetime | None = None,
                      *, lock: bool = False) -> tuple[tuple[datetime | None, ...], bool]:  # fmt: skip
        """When each of the member's strikes in the community that count at `now` (default
        the clock's) expires, oldest first (None: never), and whether the member is
        blacklisted there or everywhere: `strikes` and `is_blacklisted` in one statement,
        what the engine reads of each member it judges on PostgreSQL.

        `lock`: first serialise the transactions that give the member strikes until this one
        ends, so each counts the strikes the others gave (PostgreSQL locks the member's row,
        and reads in a statement of its own after the lock, so that it sees what the
        transaction it waited for committed; both in one round trip. SQLite writers take
        turns already)."""
        params = {"member": member_id, "community": community_id,
                  "now": require_aware(self._clock.now() if now is None else now, "now")}  # fmt: skip
        with self._unit(write=lock) as session:
            if lock and session.get_bind().dialect.name == "postgresql":
                rows = lock_row_then(session, MemberRow, member_id, _JUDGED, params)
            else:
                rows = [tuple(row) for row in session.execute(_JUDGED, params)]
        if not rows:  # no such member: nothing to count, nothing refused
            return (), False
        expiries = tuple(
            None if expires_at is None else expires_at.astimezone(UTC)  # as the driver gave it
            for _, strike_id, expires_at in rows
            if strike_id is not None
        )
        return expiries, bool(rows[0][0])

    def live_strike_expiries(
        self, community_id: int, member_ids: Iterable[int], now: datetime
    ) -> dict[int, list[datetime | None]]:
        """For each member with live strikes, when each of them expires (None: never)."""
        ids = sorted(set(member_ids))
        if not ids:
            return {}
        query = select(StrikeRow.member_id, StrikeRow.expires_at).where(
            StrikeRow.community_id == community_id,
            among(StrikeRow.member_id, ids),
            StrikeRow.pardoned_at.is_(None),
            or_(StrikeRow.expires_at.is_(None), StrikeRow.expires_at > utc(now, "now")),
        )
        found: dict[int, list[datetime | None]] = {}
        with self._unit(write=False) as session:
            for member_id, expires_at in session.execute(query):
                found.setdefault(member_id, []).append(expires_at)
        return found

    def live_strikes(self, community_id: int, member_id: int, now: datetime) -> int:
        """How many of the member's strikes in the community count at `now`: neither
        expired nor pardoned."""
        query = select(func.count()).where(
            StrikeRow.community_id == community_id,
            StrikeRow.member_id == member_id,
            _live(require_aware(now, "now")),
        )
        with self._unit(write=False) as session:
            return int(session.scalar(query) or 0)

    def strikes(
        self,
        community_id: int | None = None,
        member_id: int | None = None,
        include_dead: bool = True,
        now: datetime | None = None,
    ) -> list[Strike]:
        """Strikes, oldest first: in one community and/or of one member, or all; without
        the expired and pardoned ones (as of `now`, default the clock's) if not
        `include_dead`."""
        query = select(StrikeRow)
        if community_id is not None:
            query = query.where(StrikeRow.community_id == community_id)
        if member_id is not None:
            query = query.where(StrikeRow.member_id == member_id)
        if not include_dead:
            query = query.where(_live(self._clock.now() if now is None else now))
        with self._unit(write=False) as session:
            rows = session.scalars(query.order_by(StrikeRow.at, StrikeRow.id))
            return [_strike(row) for row in rows]

    def pardon_strike(self, strike_id: int, by: str, now: datetime) -> Strike:
        """Take a strike back: it stays on record but no longer counts."""
        now = utc(now, "now")
        with self._unit(write=True) as session:
            row = session.get(StrikeRow, strike_id, with_for_update=True)
            if row is None:
                raise StoreError(f"there is no strike with id {strike_id}")
            if row.pardoned_at is not None:
                raise StoreError(
                    f"strike {strike_id} was already pardoned by {row.pardoned_by} "
                    f"at {row.pardoned_at:%Y-%m-%d %H:%M} UTC"
                )
            row.pardoned_at = now
            row.pardoned_by = by
            session.flush()
            return _strike(row)


def _live(now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    return StrikeRow.pardoned_at.is_(None) & or_(
        StrikeRow.expires_at.is_(None), StrikeRow.expires_at > now
    )


def _strike(row: StrikeRow) -> Strike:
    return Strike(
        id=row.id,
        community_id=row.community_id,
        member_id=row.member_id,
        violation=row.violation,
        group_id=row.group_id,
        event_id=row.event_id,
        explanation=row.explanation,
        at=row.at,
        expires_at=row.expires_at,
        pardoned_at=row.pardoned_at,
        pardoned_by=row.pardoned_by,
    )


# `judged_member`'s statement: the member, their blacklisting and each live strike (one row,
# the strike's columns NULL, when there is none), made once.
_JUDGED = (
    select(
        exists()
        .where(
            SanctionRow.kind == SanctionKind.BLACKLIST.value,
            SanctionRow.member_id == bindparam("member"),
            SanctionRow.lifted_at.is_(None),
            or_(SanctionRow.community_id == bindparam("community"),
                SanctionRow.community_id.is_(None)),
        )
        .label("listed"),
        StrikeRow.id,
        StrikeRow.expires_at,
    )
    .select_from(MemberRow)
    .outerjoin(StrikeRow, and_(
        StrikeRow.member_id == MemberRow.id,
        StrikeRow.community_id == bindparam("community"),
        _live(bindparam("now", type_=StrikeRow.expires_at.type)),
    ))
    .where(MemberRow.id == bindparam("member"))
    .order_by(StrikeRow.at, StrikeRow.id)
)  # fmt: skip
