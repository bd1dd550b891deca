"""A per-group capacity override (`groups.<name>.capacity`) is honoured where carriers look:
the group's own capacity. It is written when the playbook is applied or the server starts
(`Grid.plan`) and by the hourly watch (groups opened since). Every other group that holds a
capacity (web chat groups and rooms opened by live codes are given the playbook's of their
day) gets `structure.groups.capacity`, so changing it changes the groups already open, and
removing an override gives the group that one again. Each change is in the audit log."""

from __future__ import annotations

from hearthkeeper.capabilities.grid.repository import SqlGrid
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.groups import override_for
from hearthkeeper.store import Store
from hearthkeeper.store.communities import CommunityQueries
from hearthkeeper.store.scope import StoreBase
from hearthkeeper.store.waiting_admissions import SqlWaitingAdmissions


def sync_capacities(scope: StoreBase, community_id: int, playbook: Playbook, *,
                    by: str) -> list[int]:  # fmt: skip
    """Give every group its override's capacity, else the playbook's; the groups changed."""
    groups = CommunityQueries.on(scope).list_groups(community_id)
    wanted: dict[int, int] = {}
    for group in groups:
        override = override_for(playbook, group.name, group.carrier_group_id)
        if override is not None and override.capacity is not None:
            wanted[group.id] = override.capacity
    default = playbook.structure.groups.capacity
    changed = SqlGrid.on(scope).sync_capacities(wanted, [g.id for g in groups], default)
    store = Store.on(scope)
    for group_id in changed:
        changed_group = store.get_group(group_id)
        capacity = changed_group.capacity if changed_group else None
        store.audit(by, "group.capacity", community_id, target=f"group {group_id}",
                    detail={"capacity": capacity, "override": group_id in wanted})  # fmt: skip
    if changed:  # room may have appeared: approved applicants waiting outside are let in
        SqlWaitingAdmissions.on(scope).requeue(community_id)
    return changed
