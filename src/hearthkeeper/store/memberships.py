"""Who is in which group: every stay is kept, so leaving and rejoining leave a history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, exists, literal_column, select
from sqlalchemy.orm import Session

from hearthkeeper.store.among import among
from hearthkeeper.store.columns import require_aware
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.models import GroupRow, IdentityRow, MemberRow, MembershipRow, MessageRow
from hearthkeeper.store.records import Membership, StaffStay
from hearthkeeper.store.scope import StoreBase


class MembershipQueries(StoreBase):
    def active_stays(self, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Membership]:
        """The open stay of each (group_id, member_id) pair that has one, in one query."""
        wanted = set(pairs)
        if not wanted:
            return {}
        groups = sorted({g for g, _ in wanted})
        members = sorted({m for _, m in wanted})
        query = select(MembershipRow).where(
            MembershipRow.left_at.is_(None),
            among(MembershipRow.group_id, groups),
            among(MembershipRow.member_id, members),
        )
        with self._unit(write=False) as session:
            return {
                (row.group_id, row.member_id): _membership(row)
                for row in session.scalars(query)
                if (row.group_id, row.member_id) in wanted
            }

    def seats(
        self, pairs: Iterable[tuple[int, int]]
    ) -> dict[tuple[int, int], tuple[Membership, bool]]:
        """`active_stays`, each with whether the member has a message recorded in the group
        that was not deleted: what the engine reads of the members of a batch it has not
        seen, or not for a minute, in one query."""
        wanted = set(pairs)
        if not wanted:
            return {}
        posted = exists().where(
            MessageRow.group_id == MembershipRow.group_id,
            MessageRow.member_id == MembershipRow.member_id,
            MessageRow.deleted_at.is_(None),
        )
        query = select(MembershipRow, posted.label("posted")).where(
            MembershipRow.left_at.is_(None),
            among(MembershipRow.group_id, sorted({g for g, _ in wanted})),
            among(MembershipRow.member_id, sorted({m for _, m in wanted})),
        )
        with self._unit(write=False) as session:
            return {
                (row.group_id, row.member_id): (_membership(row), bool(has_posted))
                for row, has_posted in session.execute(query)
                if (row.group_id, row.member_id) in wanted
            }

    def role_elsewhere(self, member_id: int, community_id: int, group_id: int) -> str | None:
        """The staff role the member holds in another group of the community they are in now
        (that of their latest such stay), None: none. A staff member joining one more group
        of the matrix holds it there too (`hearth staff set` gave it in the groups they were
        in then)."""
        query = (
            select(MembershipRow.role)
            .join(GroupRow, GroupRow.id == MembershipRow.group_id)
            .where(MembershipRow.member_id == member_id, MembershipRow.left_at.is_(None),
                   MembershipRow.role.is_not(None), MembershipRow.group_id != group_id,
                   GroupRow.community_id == community_id)
            .order_by(MembershipRow.id.desc())
            .limit(1)
        )  # fmt: skip
        with self._unit(write=False) as session:
            return session.scalars(query).first()

    def join(
        self,
        member_id: int,
        group_id: int,
        role: str | None = None,
        level: int | None = None,
        *,
        at: datetime | None = None,
    ) -> Membership:
        """Open a stay of the member in the group (at `at`, default now); a member already
        in the group keeps the stay, role and level it has."""
        if at is not None:
            require_aware(at, "joined at")
        with self._unit(write=True) as session:
            stay = _open_stay(session, member_id, group_id)
            if stay is not None:
                return _membership(stay)
            stay = MembershipRow(
                member_id=member_id,
                group_id=group_id,
                role=role,
                level=level,
                joined_at=self._clock.now() if at is None else at,
            )
            if self._try_insert(session, stay):
                return _membership(stay)
            # Either a concurrent join won (fine) or the member or group does not exist.
            winner = _open_stay(session, member_id, group_id)
            if winner is None:
                raise StoreError(
                    f"cannot put member {member_id} in group {group_id}: one of them does not exist"
                )
            return _membership(winner)

    def leave(
        self, member_id: int, group_id: int, *, at: datetime | None = None
    ) -> Membership | None:
        """Close the member's stay in the group; None if the member was not in it."""
        if at is not None:
            require_aware(at, "left at")
        with self._unit(write=True) as session:
            stay = _open_stay(session, member_id, group_id)
            if stay is None:
                return None
            stay.left_at = self._clock.now() if at is None else at
            return _membership(stay)

    def set_role(
        self, member_id: int, group_id: int, role: str | None, *, at: datetime | None = None
    ) -> Membership:
        """Give the member a staff role in the group (None: an ordinary member again); a
        member not in the group is put in it."""
        with self._unit(write=True) as session:
            stay = _open_stay(session, member_id, group_id)
            if stay is not None:
                stay.role = role
                return _membership(stay)
        return self.join(member_id, group_id, role=role, at=at)

    def active_members(self, group_id: int) -> list[Membership]:
        """The open stays in the group: who is in it now, longest-standing first."""
        with self._unit(write=False) as session:
            rows = session.scalars(
                select(MembershipRow)
                .where(MembershipRow.group_id == group_id, MembershipRow.left_at.is_(None))
                .order_by(MembershipRow.joined_at, MembershipRow.id)
            )
            return [_membership(row) for row in rows]

    def open_groups(self, member_id: int) -> set[int]:
        """The ids of the groups the member is in now (an open stay): one index read."""
        with self._unit(write=False) as session:
            return set(session.scalars(
                select(MembershipRow.group_id)
                .where(MembershipRow.member_id == member_id, MembershipRow.left_at.is_(None))
            ))  # fmt: skip

    def left_community_among(self, community_id: int, member_ids: Iterable[int]) -> set[int]:
        """Which of `member_ids` left a group of the community before (a stay that ended:
        they left, were removed, their paid membership lapsed), in one query: a member
        joining again is returning, not a newcomer."""
        ids = sorted(set(member_ids))
        if not ids:
            return set()
        # each member's stays sought in their index (`community_id + 0` keeps SQLite from
        # reading every ended stay of the community's groups instead)
        query = (
            select(MembershipRow.member_id)
            .join(GroupRow, GroupRow.id == MembershipRow.group_id)
            .where(among(MembershipRow.member_id, ids),
                   GroupRow.community_id + literal_column("0") == community_id,
                   MembershipRow.left_at.is_not(None))
            .distinct()
        )  # fmt: skip
        with self._unit(write=False) as session:
            return set(session.scalars(query))

    def staff_stays(self, community_id: int) -> list[StaffStay]:
        """Every staff role held now in a group of the community, with the member's name and
        their id on the group's carrier, in one query: by group (oldest first), then by who
        became staff first."""
        query = (
            select(MembershipRow.member_id, MemberRow.display_name, MembershipRow.role,
                   GroupRow.name, GroupRow.carrier, IdentityRow.carrier_user_id)
            .join(GroupRow, GroupRow.id == MembershipRow.group_id)
            .join(MemberRow, MemberRow.id == MembershipRow.member_id)
            .outerjoin(IdentityRow, and_(IdentityRow.member_id == MembershipRow.member_id,
                                         IdentityRow.carrier == GroupRow.carrier))
            .where(GroupRow.community_id == community_id, MembershipRow.left_at.is_(None),
                   MembershipRow.role.is_not(None))
            .order_by(GroupRow.id, MembershipRow.joined_at, MembershipRow.id,
                      IdentityRow.carrier_user_id)
        )  # fmt: skip
        with self._unit(write=False) as session:
            return [StaffStay(member_id, name, str(role), group, carrier, user)
                    for member_id, name, role, group, carrier, user in session.execute(query)]  # fmt: skip

    def membership_history(self, member_id: int, group_id: int | None = None) -> list[Membership]:
        """Every stay of the member (in one group, or in all), oldest first."""
        query = select(MembershipRow).where(MembershipRow.member_id == member_id)
        if group_id is not None:
            query = query.where(MembershipRow.group_id == group_id)
        with self._unit(write=False) as session:
            rows = session.scalars(query.order_by(MembershipRow.joined_at, MembershipRow.id))
            return [_membership(row) for row in rows]


def _open_stay(session: Session, member_id: int, group_id: int) -> MembershipRow | None:
    return session.scalar(
        select(MembershipRow).where(
            MembershipRow.member_id == member_id,
            MembershipRow.group_id == group_id,
            MembershipRow.left_at.is_(None),
        )
    )


def _membership(row: MembershipRow) -> Membership:
    return Membership(
        id=row.id,
        member_id=row.member_id,
        group_id=row.group_id,
        role=row.role,
        level=row.level,
        joined_at=row.joined_at,
        left_at=row.left_at,
    )
