"""Opening web chat groups for a community: one naming rule for the server and the console."""

from __future__ import annotations

from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Group, Store

WEBCHAT = "webchat"


def add_webchat_group(
    store: Store, community_id: int, playbook: Playbook, n: int, *, carrier: str = WEBCHAT
) -> Group:
    """The community's web chat group number `n`: named by the playbook's
    `replication.naming`, carrier id `<slug>-<n>`, as large as `structure.groups.capacity`.
    `StoreError` when that carrier id is taken."""
    name = playbook.replication.naming.format(name=playbook.community.name, n=n)
    capacity = playbook.structure.groups.capacity
    return store.add_group(community_id, name, carrier, f"{playbook.community.slug}-{n}", capacity)
