"""Opening web chat groups for a community: one naming rule for the server and the console."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Collection

    from hearthkeeper.playbook import Playbook
    from hearthkeeper.store import Group, Store

WEBCHAT = "webchat"
_ATTEMPTS = 50  # numbers tried when the next ones are taken by groups renamed by hand


def add_webchat_group(
    store: Store,
    community_id: int,
    playbook: Playbook,
    n: int,
    *,
    carrier: str = WEBCHAT,
    names: Collection[str] = (),
) -> Group:
    """The community's web chat group number `n`: named by the playbook's
    `replication.naming` (in the series its groups, named `names`, are in: `naming_in_use`),
    carrier id `<slug>-<n>`, as large as its `groups:` override says, else
    `structure.groups.capacity`. `StoreError` when that carrier id is taken."""
    from hearthkeeper.playbook.group_names import group_name
    from hearthkeeper.playbook.groups import group_capacity

    name = group_name(playbook, n, names)
    carrier_group_id = f"{playbook.community.slug}-{n}"
    # an override for the new name holds from the first seat (the hourly watch would write it
    # only later, and newcomers could take the playbook's larger capacity meanwhile)
    capacity = group_capacity(playbook, name, carrier_group_id, None)
    return store.add_group(community_id, name, carrier, carrier_group_id, capacity)


def ensure_webchat_group(
    store: Store, community_id: int, playbook: Playbook, *, carrier: str = WEBCHAT
) -> Group | None:
    """Give the community its first web chat member group unless it has one (the staff
    channel is none: newcomers are never seated there); the new group or None."""
    from hearthkeeper.playbook.groups import is_staff_channel

    if any(g.carrier == carrier and not is_staff_channel(playbook, g.name, g.carrier_group_id)
           for g in store.list_groups(community_id)):  # fmt: skip
        return None
    return open_next_group(store, community_id, playbook, carrier=carrier)


def open_next_group(
    store: Store, community_id: int, playbook: Playbook, *, carrier: str = WEBCHAT
) -> Group:
    """The community's next web chat group: named by `replication.naming` (in the series its
    groups are in: `naming_in_use`) with the next free number (the staff channel uses none
    up), as large as its override or `structure.groups.capacity`."""
    from hearthkeeper.carriers.naming import first_number
    from hearthkeeper.playbook.group_names import naming_in_use
    from hearthkeeper.store import StoreError

    groups = store.list_groups(community_id)
    names = {g.name for g in groups}
    naming = naming_in_use(playbook, names)
    n = first_number(groups, playbook, carrier)
    for number in range(n, n + _ATTEMPTS):
        if naming.format(name=playbook.community.name, n=number) in names:
            continue
        try:
            return add_webchat_group(store, community_id, playbook, number, carrier=carrier,
                                     names=names)  # fmt: skip
        except StoreError:  # that carrier id is taken: try the next number
            continue
    raise StoreError(
        f"could not find a free group number between {n} and {n + _ATTEMPTS - 1} for "
        f"{playbook.community.name}; rename some groups or change the playbook's copy.naming"
    )


def ensure_staff_channel(
    store: Store, community_id: int, playbook: Playbook, *, carrier: str = WEBCHAT
) -> Group | None:
    """Open the staff channel `alerts.staff_group` names as a web chat group of that very
    name (`运营后台`, carrier id `<slug>-staff`), when no group of the community is called so
    (by name or carrier id) and the web chat is the only platform the playbook names: a
    name only `copy.naming` could give was never a web chat group, and staff alerts went
    to the Inbox alone. Recorded in the audit log (`group.open`, by `playbook`). The new
    group, or None. A playbook naming other platforms is left alone: the group may be theirs
    (`hearth alerts show` says what to do)."""
    from hearthkeeper.playbook.groups import group_capacity
    from hearthkeeper.store import StoreError

    wanted = playbook.alerts.staff_group
    if not wanted or any(c.kind.value != WEBCHAT for c in playbook.structure.carriers):
        return None
    slug = playbook.community.slug
    for n in range(1, _ATTEMPTS + 1):
        groups = store.list_groups(community_id)
        if any(g.name == wanted or g.carrier_group_id == wanted for g in groups):
            return None
        carrier_group_id = f"{slug}-staff" if n == 1 else f"{slug}-staff-{n}"
        if any(g.carrier_group_id == carrier_group_id for g in groups):
            continue
        capacity = group_capacity(playbook, wanted, carrier_group_id, None)
        try:
            with store.transaction() as tx:
                opened = tx.add_group(community_id, wanted, carrier, carrier_group_id, capacity)
                tx.audit("playbook", "group.open", community_id, target=f"group {opened.id}",
                         detail={"name": wanted, "carrier": carrier,
                                 "why": "alerts.staff_group names it"})  # fmt: skip
        except StoreError:  # another node opened it (or took that carrier id) first
            continue
        return opened
    return None
