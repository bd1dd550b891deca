"""The groups a community's figures count: every group but the staff channel, which is
staff's own (`alerts.staff_group`) unless `alerts.staff_group_as_members` says otherwise. A
figure asked for given groups (`group_ids`) measures those, the staff channel included."""

from __future__ import annotations

from collections.abc import Collection

from hearthkeeper.apply import community_playbook
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.groups import is_staff_channel
from hearthkeeper.store import Group, Store


def counted_groups(store: Store, community_id: int, group_ids: Collection[int] | None = None,
                   playbook: Playbook | None = None) -> list[Group]:  # fmt: skip
    """The groups `group_ids` (when given: what the operator asked for), else the
    community's member groups (the staff channel left out)."""
    groups = store.list_groups(community_id)
    if group_ids is not None:
        wanted = set(group_ids)
        return [g for g in groups if g.id in wanted]
    pb = playbook if playbook is not None else community_playbook(store, community_id)
    if pb is None or not pb.alerts.staff_group:
        return groups
    return [g for g in groups if not is_staff_channel(pb, g.name, g.carrier_group_id)]
