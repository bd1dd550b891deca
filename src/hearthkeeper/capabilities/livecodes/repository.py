"""Live codes in the database: channels, seats held for newcomers on their way, arrivals.

Routing runs in one transaction that first locks the community's row (`lock_community`):
two newcomers opening a live code at the same moment are routed one after the other, so the
second sees the seat the first was given and neither can overfill a group."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import and_, func, or_, select, update

from hearthkeeper.capabilities.livecodes.records import Channel, ChannelKind, GroupLoad
from hearthkeeper.store.columns import length_problem, utc
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.metric_reads import _chunks
from hearthkeeper.store.models import (
    NAME,
    CommunityRow,
    LiveCodeArrivalRow,
    LiveCodeRoutingRow,
    LiveCodeRow,
    MembershipRow,
    MessageRow,
)
from hearthkeeper.store.rooms import counts, group_loads
from hearthkeeper.store.scope import StoreBase


@dataclass(frozen=True)
class Arrival:
    """A member who joined `group_id` by `channel_id`'s code at `at`."""

    channel_id: int
    group_id: int
    member_id: int
    at: datetime


@dataclass(frozen=True)
class StaySpan:
    """One stay of a member in a group (`left_at` None: still in)."""

    member_id: int
    group_id: int
    joined_at: datetime
    left_at: datetime | None


class LiveCodes(Protocol):
    """What the live-code capability reads and writes."""

    def add_channel(self, community_id: int, slug: str, label: str, kind: ChannelKind, *,
                    notes: str, carrier: str, by: str, at: datetime) -> Channel: ...  # fmt: skip
    def channel(self, slug: str) -> Channel | None: ...
    def channels(self, community_id: int, *, retired: bool = True) -> list[Channel]: ...
    def retire(self, slug: str, at: datetime) -> Channel | None: ...
    def lock_community(self, community_id: int) -> None: ...
    def loads(self, community_id: int, carrier: str, now: datetime,
              day_start: datetime) -> list[GroupLoad]: ...  # fmt: skip
    def held(self, token_hash: str, channel_id: int, now: datetime) -> int | None: ...
    def holds_of(self, client: str, now: datetime, group_id: int | None = None) -> int: ...
    def hold(self, channel_id: int, group_id: int, token_hash: str, client: str, *,
             at: datetime, until: datetime) -> None: ...  # fmt: skip
    def arrive(self, channel_id: int, group_id: int, member_id: int, event_id: int,
               at: datetime) -> bool: ...  # fmt: skip
    def take_seat(self, group_id: int, at: datetime) -> bool: ...
    def seat_to_application(self, slug: str, group_id: int, at: datetime) -> bool: ...
    def release(self, slug: str, group_id: int, client: str, at: datetime) -> bool: ...
    def arrivals(self, channel_ids: Collection[int]) -> list[Arrival]: ...
    def stays(self, arrivals: Sequence[Arrival]) -> list[StaySpan]: ...
    def last_said(self, arrivals: Sequence[Arrival]) -> dict[tuple[int, int], datetime]: ...


class SqlLiveCodes(StoreBase):
    """The live-code repository on SQLAlchemy; `SqlLiveCodes.on(tx)` works in the caller's
    transaction."""

    # --- channels -----------------------------------------------------------------------------

    def add_channel(self, community_id: int, slug: str, label: str, kind: ChannelKind, *,
                    notes: str, carrier: str, by: str, at: datetime) -> Channel:  # fmt: skip
        """A new channel; `StoreError` when its slug is taken (by any community: the link is
        the server's) or its label is longer than the store keeps."""
        problem = length_problem("label", label, NAME)
        if problem is not None:
            raise StoreError(f"{problem}; shorten it")
        row = LiveCodeRow(community_id=community_id, slug=slug, label=label, kind=kind.value,
                          notes=notes, carrier=carrier, created_at=utc(at, "creation time"),
                          created_by=by, retired_at=None)  # fmt: skip
        with self._unit(write=True) as session:
            if not self._try_insert(session, row):
                raise StoreError(f"the live code {slug!r} exists already; choose another name")
            return _channel(row)

    def channel(self, slug: str) -> Channel | None:
        """The channel whose link is `/go/<slug>`, retired or not."""
        with self._unit(write=False) as session:
            row = session.scalar(select(LiveCodeRow).where(LiveCodeRow.slug == slug))
            return None if row is None else _channel(row)

    def channels(self, community_id: int, *, retired: bool = True) -> list[Channel]:
        """The community's channels, oldest first (without the retired ones if asked)."""
        query = select(LiveCodeRow).where(LiveCodeRow.community_id == community_id)
        if not retired:
            query = query.where(LiveCodeRow.retired_at.is_(None))
        with self._unit(write=False) as session:
            return [_channel(row) for row in session.scalars(query.order_by(LiveCodeRow.id))]

    def retire(self, slug: str, at: datetime) -> Channel | None:
        """Stop the channel's link routing anyone (its figures stay); None if no such channel.
        Retiring twice keeps the first time."""
        with self._unit(write=True) as session:
            row = session.scalar(select(LiveCodeRow).where(LiveCodeRow.slug == slug))
            if row is None:
                return None
            row.retired_at = row.retired_at or utc(at, "retirement time")
            session.flush()
            return _channel(row)

    # --- routing ------------------------------------------------------------------------------

    def lock_community(self, community_id: int) -> None:
        """Lock the community's row until the transaction ends (SQLite: the write transaction
        already holds the database), so routings of its newcomers happen one at a time."""
        with self._unit(write=True) as session:
            session.execute(select(CommunityRow.id).where(CommunityRow.id == community_id)
                            .with_for_update())  # fmt: skip

    def loads(self, community_id: int, carrier: str, now: datetime,
              day_start: datetime) -> list[GroupLoad]:  # fmt: skip
        """The community's groups on `carrier`, oldest first, as the shared room count sees
        them (`store/rooms.py`: members in each, seats held for newcomers on their way,
        applications waiting for staff, approvals let in and not in yet, seats lent to
        approvals let into a full group), and newcomers by code since `day_start` (each
        member once)."""
        now, day_start = utc(now, "now"), utc(day_start, "start of day")
        with self._unit(write=False) as session:
            rooms = group_loads(session, community_id, carrier, now, admitted=True)
            ids = [room.group_id for room in rooms]
            if not ids:
                return []
            r = LiveCodeRoutingRow
            live = (r.group_id.in_(ids), r.arrived_at.is_(None), r.expires_at > now)
            # Where a join may carry no token (a Matrix room opened by its matrix.to link), a
            # seat such a join took still counts for the day: the newcomer it was held for
            # came by code. A seat an arrival released is counted as that arrival, below.
            today = or_(and_(*live), r.taken_untagged.is_(True))
            held_today = counts(session.execute(
                select(r.group_id, func.count())
                .where(r.group_id.in_(ids), today, r.routed_at >= day_start)
                .group_by(r.group_id)))  # fmt: skip
            # An applicant waiting for staff is on their way too (counted in `rooms`):
            # approved, they take a seat (their held seat passed to the application,
            # `seat_to_application`).
            # a member who left and came back by code today is one newcomer, not one per
            # join: coming and going cannot use up the group's daily_code_cap
            a = LiveCodeArrivalRow
            arrived_today = counts(session.execute(
                select(a.group_id, func.count(a.member_id.distinct()))
                .where(a.group_id.in_(ids), a.arrived_at >= day_start).group_by(a.group_id)
            ))  # fmt: skip
        return [GroupLoad(group_id=g.group_id, capacity=g.capacity, members=g.taken,
                          held=g.held, today=held_today[g.group_id] + arrived_today[g.group_id],
                          pending=g.pending, admitted=g.admitted, lent=g.lent)
                for g in rooms]  # fmt: skip

    def held(self, token_hash: str, channel_id: int, now: datetime) -> int | None:
        """The group of the live seat this browser holds from this channel, if any."""
        r = LiveCodeRoutingRow
        with self._unit(write=False) as session:
            return session.scalar(select(r.group_id).where(
                r.token_hash == token_hash, r.channel_id == channel_id, r.arrived_at.is_(None),
                r.expires_at > utc(now, "now")))  # fmt: skip

    def holds_of(self, client: str, now: datetime, group_id: int | None = None) -> int:
        """Live seats held for newcomers from this client (in `group_id` only, when given)."""
        r = LiveCodeRoutingRow
        query = select(func.count()).select_from(r).where(
            r.client == client, r.arrived_at.is_(None), r.expires_at > utc(now, "now"))  # fmt: skip
        if group_id is not None:
            query = query.where(r.group_id == group_id)
        with self._unit(write=False) as session:
            return int(session.scalar(query) or 0)

    def hold(self, channel_id: int, group_id: int, token_hash: str, client: str, *,
             at: datetime, until: datetime) -> None:  # fmt: skip
        """Hold a seat in the group for a newcomer until they arrive or `until`."""
        with self._unit(write=True) as session:
            session.add(LiveCodeRoutingRow(
                channel_id=channel_id, group_id=group_id, token_hash=token_hash,
                client=client[:64], routed_at=utc(at, "routing time"),
                expires_at=utc(until, "expiry"), arrived_at=None))  # fmt: skip
            session.flush()

    # --- attribution --------------------------------------------------------------------------

    def arrive(self, channel_id: int, group_id: int, member_id: int, event_id: int,
               at: datetime) -> bool:  # fmt: skip
        """Record that a member joined by the channel's code (once per join event: False if
        it was recorded already) and release the oldest seat held in that group for it."""
        at = utc(at, "arrival time")
        row = LiveCodeArrivalRow(channel_id=channel_id, group_id=group_id, member_id=member_id,
                                 event_id=event_id, arrived_at=at)  # fmt: skip
        with self._unit(write=True) as session:
            if not self._try_insert(session, row):
                return False
            r = LiveCodeRoutingRow
            oldest = session.scalar(
                select(r.id).where(r.channel_id == channel_id, r.group_id == group_id,
                                   r.arrived_at.is_(None))
                .order_by(r.id).limit(1)
            )  # fmt: skip
            if oldest is not None:
                session.execute(update(r).where(r.id == oldest).values(arrived_at=at))
            return True

    def take_seat(self, group_id: int, at: datetime) -> bool:
        """Someone joined the group without a live code's token (a Matrix join carries none):
        release its oldest live held seat, so the group is not counted fuller than it is
        while the seat would still be held. False when no seat was held."""
        at = utc(at, "join time")
        r = LiveCodeRoutingRow
        with self._unit(write=True) as session:
            oldest = session.scalar(
                select(r.id).where(r.group_id == group_id, r.arrived_at.is_(None),
                                   r.expires_at > at)
                .order_by(r.id).limit(1)
            )  # fmt: skip
            if oldest is None:
                return False
            session.execute(update(r).where(r.id == oldest)
                            .values(arrived_at=at, taken_untagged=True))  # fmt: skip
            return True

    def seat_to_application(self, slug: str, group_id: int, at: datetime) -> bool:
        """Someone who came by the live code `slug` applied to join the group: end the
        oldest seat held there for that code, as their pending application counts from now
        on (`loads`). False when none was held (no such code, or the seat had lapsed)."""
        return self._end_hold(slug, group_id, utc(at, "application time"))

    def release(self, slug: str, group_id: int, client: str, at: datetime) -> bool:
        """A newcomer from `client` (a client network, as `hold` kept it) who came by the live
        code `slug` could not join the group for good (it filled meanwhile, they are banned,
        the door refused them): end the oldest seat held there for that code and that client,
        so the group is not counted fuller than it is until the seat would have lapsed. False
        when none was held."""
        return self._end_hold(slug, group_id, utc(at, "release time"), client=client[:64])

    def _end_hold(self, slug: str, group_id: int, at: datetime,
                  client: str | None = None) -> bool:  # fmt: skip
        r = LiveCodeRoutingRow
        with self._unit(write=True) as session:
            channel_id = session.scalar(select(LiveCodeRow.id).where(LiveCodeRow.slug == slug))
            if channel_id is None:
                return False
            query = select(r.id).where(r.channel_id == channel_id, r.group_id == group_id,
                                       r.arrived_at.is_(None), r.expires_at > at)  # fmt: skip
            if client is not None:
                query = query.where(r.client == client)
            oldest = session.scalar(query.order_by(r.id).limit(1))
            if oldest is None:
                return False
            session.execute(update(r).where(r.id == oldest).values(expires_at=at))
            return True

    def arrivals(self, channel_ids: Collection[int]) -> list[Arrival]:
        """Everyone who arrived by these channels, in order of arrival."""
        a = LiveCodeArrivalRow
        found: list[Arrival] = []
        with self._unit(write=False) as session:
            for chunk in _chunks(sorted(channel_ids)):
                found += [Arrival(row.channel_id, row.group_id, row.member_id, row.arrived_at)
                          for row in session.execute(select(a).where(a.channel_id.in_(chunk))
                                                     .order_by(a.id)).scalars()]  # fmt: skip
        return sorted(found, key=lambda x: x.at)

    def stays(self, arrivals: Sequence[Arrival]) -> list[StaySpan]:
        """The stays of the arrivals' members in the groups they arrived in."""
        m = MembershipRow
        found: list[StaySpan] = []
        with self._unit(write=False) as session:
            for chunk in _chunks(sorted({x.member_id for x in arrivals})):
                rows = session.execute(select(m.member_id, m.group_id, m.joined_at, m.left_at)
                                       .where(m.member_id.in_(chunk)))  # fmt: skip
                found += [StaySpan(*row) for row in rows]
        wanted = {(x.member_id, x.group_id) for x in arrivals}
        return [s for s in found if (s.member_id, s.group_id) in wanted]

    def last_said(self, arrivals: Sequence[Arrival]) -> dict[tuple[int, int], datetime]:
        """When each arrival's member last posted in the group they arrived in (a message the
        bot deleted is not speaking)."""
        m = MessageRow
        found: dict[tuple[int, int], datetime] = {}
        with self._unit(write=False) as session:
            for chunk in _chunks(sorted({x.member_id for x in arrivals})):
                rows = session.execute(select(m.member_id, m.group_id, func.max(m.sent_at))
                                       .where(m.member_id.in_(chunk), m.deleted_at.is_(None))
                                       .group_by(m.member_id, m.group_id))  # fmt: skip
                for member_id, group_id, last in rows:
                    if member_id is not None and last is not None:
                        found[(member_id, group_id)] = utc(last, "message time")
        return found


def _channel(row: LiveCodeRow) -> Channel:
    return Channel(id=row.id, community_id=row.community_id, slug=row.slug, label=row.label,
                   kind=ChannelKind(row.kind), notes=row.notes, carrier=row.carrier,
                   created_at=row.created_at, created_by=row.created_by,
                   retired_at=row.retired_at)  # fmt: skip


def require(found: Channel | None, slug: str) -> Channel:
    """`found`, else `StoreError` saying there is no such live code."""
    if found is None:
        raise StoreError(f"there is no live code {slug!r}; `hearth livecodes list` shows them")
    return found
