"""The matrix in the store: who is in charge of which group, the conditions staff were
alerted of, and capacities written by a playbook's per-group override. `Grid` is what the
capability needs; `SqlGrid.on(tx)` runs it in the caller's transaction.

An alert must go out once per condition: `open_condition` inserts the condition's row unless
it is there (a conflict is settled in the database), and only the caller that inserted it
alerts; the row is deleted once the condition has not held for a while, so it alerts again
if it comes back.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol

from sqlalchemy import delete, select, update

from hearthkeeper.store.inserts import insert_ignoring
from hearthkeeper.store.models import (
    GridConditionRow,
    GroupCapacityOverrideRow,
    GroupInChargeRow,
    GroupRow,
    MemberRow,
    MembershipRow,
)
from hearthkeeper.store.scope import StoreBase

# Put in charge of a group they are not in: they can look after it (and moderate there) only
# once they join it, where their staff role follows them (`engine/executor.py`).
NOT_IN_IT: Final = ("they can look after it once they join it (send them its invite link "
                    "from the Groups page), and their staff role follows them there")  # fmt: skip
# A closed group takes no newcomers and nobody posts there but staff: nobody is left to look after.
CLOSED_TAKES_NOBODY: Final = "a closed group takes nobody in charge: reopen it first"
NOT_IN_THEM: Final = ("they can look after each once they join it (send them its invite link "
                      "from the Groups page), and their staff role follows them there")  # fmt: skip


@dataclass(frozen=True)
class Condition:
    """A warning staff were alerted of: since when, and when a watch last found it."""

    key: str
    opened_at: datetime
    held_at: datetime


class Grid(Protocol):
    def in_charge(self, group_ids: Collection[int]) -> dict[int, list[int]]: ...
    def assign(self, group_id: int, member_id: int, by: str, at: datetime) -> bool: ...
    def unassign(self, group_id: int, member_id: int) -> bool: ...
    def display_names(self, member_ids: Collection[int]) -> dict[int, str]: ...
    def staff_of(self, community_id: int) -> dict[int, str]: ...
    def conditions(self, community_id: int) -> dict[str, Condition]: ...
    def open_condition(self, community_id: int, key: str, at: datetime) -> bool: ...
    def hold_conditions(self, community_id: int, keys: Collection[str], at: datetime) -> None: ...
    def close_conditions(self, community_id: int, keys: Collection[str]) -> None: ...
    def sync_capacities(
        self, wanted: Mapping[int, int], group_ids: Collection[int], default: int | None = None
    ) -> list[int]: ...


class SqlGrid(StoreBase):
    """`Grid` on SQLAlchemy."""

    def in_charge(self, group_ids: Collection[int]) -> dict[int, list[int]]:
        """Group → the members assigned to it (groups with nobody assigned are left out)."""
        query = (select(GroupInChargeRow.group_id, GroupInChargeRow.member_id)
                 .where(GroupInChargeRow.group_id.in_(sorted(group_ids)))
                 .order_by(GroupInChargeRow.group_id, GroupInChargeRow.assigned_at,
                           GroupInChargeRow.member_id))  # fmt: skip
        found: dict[int, list[int]] = {}
        with self._unit(write=False) as session:
            for group_id, member_id in session.execute(query):
                found.setdefault(int(group_id), []).append(int(member_id))
        return found

    def assign(self, group_id: int, member_id: int, by: str, at: datetime) -> bool:
        """Put the member in charge of the group; False when they were already."""
        with self._unit(write=True) as session:
            statement = insert_ignoring(session, GroupInChargeRow, ("group_id", "member_id"))
            made = session.scalar(statement.values(
                group_id=group_id, member_id=member_id, assigned_by=by, assigned_at=at,
            ).returning(GroupInChargeRow.member_id))  # fmt: skip
            return made is not None

    def unassign(self, group_id: int, member_id: int) -> bool:
        """Take the member off the group; False when they were not in charge of it."""
        with self._unit(write=True) as session:
            gone = session.scalar(delete(GroupInChargeRow).where(
                GroupInChargeRow.group_id == group_id, GroupInChargeRow.member_id == member_id,
            ).returning(GroupInChargeRow.member_id))  # fmt: skip
            return gone is not None

    def display_names(self, member_ids: Collection[int]) -> dict[int, str]:
        """Members' display names, in one query ("member <id>" when they have none)."""
        if not member_ids:
            return {}
        query = select(MemberRow.id, MemberRow.display_name).where(
            MemberRow.id.in_(sorted(member_ids)))  # fmt: skip
        with self._unit(write=False) as session:
            found = {int(i): name or "" for i, name in session.execute(query)}
        return {m: found.get(m) or f"member {m}" for m in member_ids}

    def staff_of(self, community_id: int) -> dict[int, str]:
        """Members holding a staff role in a group of the community now, or in charge of
        one: who may be put in charge (id → display name, by name)."""
        groups = select(GroupRow.id).where(GroupRow.community_id == community_id)
        roles = select(MembershipRow.member_id).where(
            MembershipRow.group_id.in_(groups), MembershipRow.left_at.is_(None),
            MembershipRow.role.is_not(None))  # fmt: skip
        charged = select(GroupInChargeRow.member_id).where(GroupInChargeRow.group_id.in_(groups))
        with self._unit(write=False) as session:
            ids = {int(m) for m in session.scalars(roles.union(charged))}
        names = self.display_names(ids)
        return dict(sorted(names.items(), key=lambda item: (item[1].casefold(), item[0])))

    def conditions(self, community_id: int) -> dict[str, Condition]:
        """The community's open conditions, by key."""
        query = select(GridConditionRow).where(GridConditionRow.community_id == community_id)
        with self._unit(write=False) as session:
            return {row.key: Condition(row.key, row.opened_at, row.held_at)
                    for row in session.scalars(query)}  # fmt: skip

    def open_condition(self, community_id: int, key: str, at: datetime) -> bool:
        """Record the condition as alerted; True only for the call that opened it."""
        with self._unit(write=True) as session:
            statement = insert_ignoring(session, GridConditionRow, ("community_id", "key"))
            made = session.scalar(statement.values(
                community_id=community_id, key=key, opened_at=at, held_at=at,
            ).returning(GridConditionRow.key))  # fmt: skip
            return made is not None

    def hold_conditions(self, community_id: int, keys: Collection[str], at: datetime) -> None:
        """The conditions `keys` still hold at `at`."""
        if not keys:
            return
        with self._unit(write=True) as session:
            session.execute(update(GridConditionRow).where(
                GridConditionRow.community_id == community_id,
                GridConditionRow.key.in_(sorted(keys))).values(held_at=at))  # fmt: skip

    def close_conditions(self, community_id: int, keys: Collection[str]) -> None:
        """Forget the conditions `keys`: if one comes back, staff hear of it again."""
        if not keys:
            return
        with self._unit(write=True) as session:
            session.execute(delete(GridConditionRow).where(
                GridConditionRow.community_id == community_id,
                GridConditionRow.key.in_(sorted(keys))))  # fmt: skip

    def sync_capacities(self, wanted: Mapping[int, int], group_ids: Collection[int],
                        default: int | None = None) -> list[int]:  # fmt: skip
        """Give each group of `wanted` its override capacity (remembering the one it had),
        and restore that one on the groups of `group_ids` whose override is gone; with a
        `default` (the playbook's `structure.groups.capacity`), the groups of `group_ids`
        without an override that hold a capacity get that one (a group opened before the
        playbook's capacity changed was given the capacity of its day). The ids of the
        groups changed."""
        changed: list[int] = []
        with self._unit(write=True) as session:
            set_before = {row.group_id: row for row in session.scalars(
                select(GroupCapacityOverrideRow).where(
                    GroupCapacityOverrideRow.group_id.in_(sorted(group_ids))))}  # fmt: skip
            for group_id in sorted(group_ids):
                group = session.get(GroupRow, group_id)
                if group is None:
                    continue
                row, capacity = set_before.get(group_id), wanted.get(group_id)
                if capacity is not None:
                    if row is None:
                        session.add(GroupCapacityOverrideRow(group_id=group_id, capacity=capacity,
                                                             previous=group.capacity))  # fmt: skip
                    else:
                        row.capacity = capacity
                    if group.capacity != capacity:
                        group.capacity = capacity
                        changed.append(group_id)
                    continue
                restored = group.capacity if row is None else row.previous
                if row is not None:
                    session.delete(row)
                if default is not None and restored is not None:
                    restored = default  # a group without capacity reads the playbook's anyway
                if group.capacity != restored:
                    group.capacity = restored
                    changed.append(group_id)
        return changed
