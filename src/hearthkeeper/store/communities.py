"""Communities and the chat groups they run."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hearthkeeper.store.columns import clipped_to
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.inserts import inserted_ids, table_of, where_pairs
from hearthkeeper.store.locks import lock_row
from hearthkeeper.store.models import NAME, CommunityRow, GroupRow
from hearthkeeper.store.records import IMPORTED, Community, Group
from hearthkeeper.store.scope import StoreBase
from hearthkeeper.store.waiting_admissions import requeue_waiting


class CommunityQueries(StoreBase):
    def ensure_community(self, slug: str, name: str) -> Community:
        """The community `slug`, created on first use; its name is updated to `name`."""
        slug = slug.strip()
        if not slug:
            raise ValueError("a community needs a non-empty slug")
        with self._unit(write=True) as session:
            row = _community_by_slug(session, slug)
            if row is None:
                row = CommunityRow(slug=slug, name=name, created_at=self._clock.now())
                if not self._try_insert(session, row):  # created meanwhile by someone else
                    row = _community_by_slug(session, slug)
                    assert row is not None
            row.name = name
            return _community(row)

    def get_community(self, slug: str) -> Community | None:
        """The community `slug`, if there is one."""
        with self._unit(write=False) as session:
            row = _community_by_slug(session, slug.strip())
            return None if row is None else _community(row)

    def list_communities(self) -> list[Community]:
        """Every community, by slug."""
        with self._unit(write=False) as session:
            rows = session.scalars(select(CommunityRow).order_by(CommunityRow.slug))
            return [_community(row) for row in rows]

    def lock_community(self, community_id: int) -> None:
        """Serialise writers of the community (opening its next group) until the
        transaction ends: PostgreSQL locks its row; SQLite writers take turns already."""
        with self._unit(write=True) as session:
            lock_row(session, CommunityRow, community_id)

    def add_group(
        self,
        community_id: int,
        name: str,
        carrier: str,
        carrier_group_id: str,
        capacity: int | None = None,
    ) -> Group:
        """Register a carrier's group in a community; a group belongs to one community only."""
        if capacity is not None and capacity < 1:
            raise ValueError(f"group capacity must be at least 1, not {capacity}")
        with self._unit(write=True) as session:
            if session.get(CommunityRow, community_id) is None:
                raise StoreError(f"there is no community with id {community_id}")
            row = GroupRow(
                community_id=community_id,
                name=name,
                carrier=carrier,
                carrier_group_id=carrier_group_id,
                capacity=capacity,
                created_at=self._clock.now(),
            )
            if not self._try_insert(session, row):
                existing = _group_by_carrier(session, carrier, carrier_group_id)
                where = "" if existing is None else f" as {existing.name!r} (group {existing.id})"
                raise StoreError(
                    f"{carrier} group {carrier_group_id!r} is already registered{where}"
                )
            # room appeared: approved applicants who found every group full are let in
            requeue_waiting(session, community_id, row.created_at)
            return _group(row)

    def adopt_groups(self, community_id: int, groups: Sequence[tuple[str, str]]) -> list[Group]:
        """`add_group` for many carrier groups (carrier, carrier group id) at once, each
        named by its carrier id, as the engine adopts the groups it sees first: the groups in
        the order given, their ids in that order, one statement for them all."""
        if not groups:
            return []
        now = self._clock.now()
        with self._unit(write=True) as session:
            if session.get(CommunityRow, community_id) is None:
                raise StoreError(f"there is no community with id {community_id}")
            rows = [
                {"community_id": community_id, "name": group, "carrier": carrier,
                 "carrier_group_id": group, "capacity": None, "created_at": now}
                for carrier, group in groups
            ]  # fmt: skip
            try:
                with session.begin_nested():
                    ids = inserted_ids(session.connection(), table_of(GroupRow), rows)
            except IntegrityError:
                taken = self.group_ids(groups)
                raise StoreError(
                    f"groups already registered: {', '.join(f'{c} {g!r}' for c, g in taken)}"
                ) from None
        return [
            Group(id=new_id, community_id=community_id, name=group, carrier=carrier,
                  carrier_group_id=group, capacity=None, created_at=now)
            for new_id, (carrier, group) in zip(ids, groups, strict=True)
        ]  # fmt: skip

    def get_group(self, group_id: int) -> Group | None:
        """The group with this id, if there is one."""
        with self._unit(write=False) as session:
            row = session.get(GroupRow, group_id)
            return None if row is None else _group(row)

    def group_for_carrier(self, carrier: str, carrier_group_id: str) -> Group | None:
        """The group a carrier calls `carrier_group_id`, if it is registered."""
        with self._unit(write=False) as session:
            row = _group_by_carrier(session, carrier, carrier_group_id)
            return None if row is None else _group(row)

    def group_ids(self, groups: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The id of each registered group among (carrier, carrier_group_id) `groups`, in
        one query; groups not registered are left out."""
        table = table_of(GroupRow)
        query = select(table.c.carrier, table.c.carrier_group_id, table.c.id)
        with self._unit(write=False) as session:
            return where_pairs(
                session, query, table.c.carrier, table.c.carrier_group_id, list(groups)
            )

    def list_groups(self, community_id: int) -> list[Group]:
        """The community's groups, oldest first."""
        with self._unit(write=False) as session:
            query = select(GroupRow).where(GroupRow.community_id == community_id)
            return [_group(row) for row in session.scalars(query.order_by(GroupRow.id))]

    def watch_group(self, community_id: int) -> Group | None:
        """The group the community's own timed work and alerts are attached to (the hourly
        matrix check, the daily health check, billing's reminders and held payments), so the
        alerts placed in it reach a chat: its oldest open group a carrier serves; else its
        oldest group a carrier serves (closed); else, when an import registered every group,
        its oldest (the staff inbox still shows their alerts). None when it has no group."""
        query = (
            select(GroupRow)
            .where(GroupRow.community_id == community_id)
            .order_by(
                case((GroupRow.carrier.startswith(IMPORTED, autoescape=True), 1), else_=0),
                case((GroupRow.closed_at.is_(None), 0), else_=1),
                GroupRow.id,
            )
            .limit(1)
        )
        with self._unit(write=False) as session:
            row = session.scalars(query).first()
            return None if row is None else _group(row)

    def close_group(self, group_id: int, by: str, into: int | None = None) -> Group:
        """Close the group (its history stays): `StoreError` when it is closed already, is
        the last open group of its community, or `into` is not another open group of it."""
        with self._unit(write=True) as session:
            row = session.get(GroupRow, group_id)
            if row is None:
                raise StoreError(f"there is no group with id {group_id}")
            lock_row(session, CommunityRow, row.community_id)  # one closing at a time
            session.refresh(row)  # as the lock found it: another closing may have just ended
            if row.closed_at is not None:
                raise StoreError(f"{row.name} is closed already (since "
                                 f"{row.closed_at:%Y-%m-%d %H:%M} UTC, by {row.closed_by})")  # fmt: skip
            if into is not None:
                other = session.get(GroupRow, into, populate_existing=True)
                if other is None or other.community_id != row.community_id:
                    raise StoreError(f"there is no group with id {into} in the community")
                if other.id == row.id:
                    raise StoreError(f"{row.name} cannot be closed into itself")
                if other.closed_at is not None:
                    raise StoreError(f"{other.name} is closed too: send the members of "
                                     f"{row.name} to an open group")  # fmt: skip
                if other.carrier.startswith(IMPORTED):  # nobody can be let in there
                    raise StoreError(f"{other.name} was imported (history only, no carrier "
                                     f"serves it): send the members of {row.name} to an open "
                                     "group")  # fmt: skip
            still_open = session.scalar(
                select(func.count()).where(
                    GroupRow.community_id == row.community_id, GroupRow.id != row.id,
                    GroupRow.closed_at.is_(None), ~GroupRow.carrier.startswith(IMPORTED)))  # fmt: skip
            if not still_open:
                raise StoreError(f"{row.name} is the community's last open group: closing it "
                                 "would leave newcomers nowhere to go (open another first)")  # fmt: skip
            row.closed_at = self._clock.now()
            row.closed_by = clipped_to(NAME, by)
            row.closed_into = into
            return _group(row)

    def reopen_group(self, group_id: int) -> Group:
        """Open a closed group again; `StoreError` when it is not closed."""
        with self._unit(write=True) as session:
            row = session.get(GroupRow, group_id)
            if row is None:
                raise StoreError(f"there is no group with id {group_id}")
            lock_row(session, CommunityRow, row.community_id)  # one closing or opening at a time
            session.refresh(row)
            if row.closed_at is None:
                raise StoreError(f"{row.name} is not closed")
            row.closed_at = row.closed_by = row.closed_into = None
            # room appeared: approved applicants who found every group full are let in
            requeue_waiting(session, row.community_id, self._clock.now())
            return _group(row)

    def group_carriers(self, community_id: int) -> list[str]:
        """The carriers the community's groups are on, sorted (each once)."""
        query = select(GroupRow.carrier).where(GroupRow.community_id == community_id).distinct()
        with self._unit(write=False) as session:
            return sorted(session.scalars(query))

    def groups_called(self, community_id: int, name: str) -> list[Group]:
        """The community's groups named `name` or whose carrier id is `name`, oldest first."""
        query = select(GroupRow).where(
            GroupRow.community_id == community_id,
            or_(GroupRow.name == name, GroupRow.carrier_group_id == name),
        )
        with self._unit(write=False) as session:
            return [_group(row) for row in session.scalars(query.order_by(GroupRow.id))]


def _community_by_slug(session: Session, slug: str) -> CommunityRow | None:
    return session.scalar(select(CommunityRow).where(CommunityRow.slug == slug))


def _group_by_carrier(session: Session, carrier: str, carrier_group_id: str) -> GroupRow | None:
    return session.scalar(
        select(GroupRow).where(
            GroupRow.carrier == carrier, GroupRow.carrier_group_id == carrier_group_id
        )
    )


def _community(row: CommunityRow) -> Community:
    return Community(id=row.id, slug=row.slug, name=row.name, created_at=row.created_at)


def _group(row: GroupRow) -> Group:
    return Group(
        id=row.id,
        community_id=row.community_id,
        name=row.name,
        carrier=row.carrier,
        carrier_group_id=row.carrier_group_id,
        capacity=row.capacity,
        created_at=row.created_at,
        closed_at=row.closed_at,
        closed_by=row.closed_by,
        closed_into=row.closed_into,
    )
