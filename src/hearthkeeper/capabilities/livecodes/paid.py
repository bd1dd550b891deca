"""Whether the members a live code brought pay: read from the paid-membership ledger.

The ledger (orders, subscriptions) belongs to the billing capability, which this release
does not have yet; until it does, `paid_among` answers None and every page says "not
available" rather than a misleading 0. To wire it: make this function ask billing's
repository which of `member_ids` hold (or held) a paid membership of the community, e.g.
`return SqlSubscriptions.on(scope).paying_members(community_id, member_ids)`."""

from __future__ import annotations

from collections.abc import Collection

from hearthkeeper.store.scope import StoreBase


def paid_among(scope: StoreBase, community_id: int, member_ids: Collection[int]) -> set[int] | None:
    """Which of `member_ids` paid for a membership of the community; None: not available."""
    return None
