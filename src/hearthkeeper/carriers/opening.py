"""Opening a community's next group by hand, one way for the console's Groups page and
`hearth groups open`: the carrier opens it (named by `copy.naming`, sized by the playbook)
and the audit log says who opened it. The group then runs the community's playbook like any
other (its welcome, rules and per-group overrides)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hearthkeeper.carriers.webchat.groups import WEBCHAT, open_next_group

if TYPE_CHECKING:
    from hearthkeeper.carriers.plugin import GroupOpener
    from hearthkeeper.playbook import Playbook
    from hearthkeeper.store import Group, Store

OPENED = "group.open"  # the audit action of a group opened by hand


def open_by_hand(
    tx: Store, community_id: int, playbook: Playbook, opener: GroupOpener, by: str
) -> Group:
    """The community's next group, opened by `opener` in the caller's transaction `tx` (which
    holds the community's lock: one opening at a time) and written in the audit log as
    opened by `by`. `StoreError` when it cannot be opened (the next fifty names are taken)."""
    group = opener.open_group(tx, community_id, playbook)
    tx.audit(by, OPENED, community_id, target=f"group {group.id}",
             detail={"name": group.name, "carrier": group.carrier,
                     "capacity": group.capacity})  # fmt: skip
    return group


@dataclass(frozen=True)
class StoredGroups:
    """The web chat's groups opened without a running server (`hearth groups open`): a new
    group is a row in the store, as when the server opens it (`WebChatGroups`)."""

    carrier: str = WEBCHAT
    remote = False

    def open_group(self, store: Store, community_id: int, playbook: Playbook) -> Group:
        """The next group, named by `copy.naming` with the next free number."""
        return open_next_group(store, community_id, playbook, carrier=self.carrier)
