"""The name of a community's next group on a carrier, by the playbook's `copy.naming`. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.group_names import naming_in_use
from hearthkeeper.playbook.groups import is_staff_channel
from hearthkeeper.store import Group, StoreError

_ATTEMPTS = 50  # numbers tried when the next ones are taken by groups named by hand


def first_number(groups: Sequence[Group], playbook: Playbook, carrier: str) -> int:
    """The number the next group on `carrier` tries first: its member groups of the
    community, plus one. The staff channel (`alerts.staff_group`, staff's own) is no member
    group and uses no number up: the first member group is No. 1 beside it."""
    return sum(1 for g in groups if g.carrier == carrier
               and not is_staff_channel(playbook, g.name, g.carrier_group_id)) + 1  # fmt: skip


def next_group_name(groups: Sequence[Group], playbook: Playbook, carrier: str) -> str:
    """`copy.naming` (in the series the community's groups are in: `naming_in_use`) with the
    next number for `carrier` (`first_number`), skipping names the community's groups already
    have (on any carrier). `StoreError` when fifty numbers in a row are taken."""
    names = {g.name for g in groups}
    naming = naming_in_use(playbook, names)
    first = first_number(groups, playbook, carrier)
    for number in range(first, first + _ATTEMPTS):
        name = naming.format(name=playbook.community.name, n=number)
        if name not in names:
            return name
    raise StoreError(
        f"could not find a free group number between {first} and {first + _ATTEMPTS - 1} for "
        f"{playbook.community.name}; rename some groups or change copy.naming"
    )
