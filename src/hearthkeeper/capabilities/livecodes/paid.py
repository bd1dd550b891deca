"""Whether the members a live code brought paid: read from the billing capability's ledger
(a purchase or renewal order of the community), the one place live codes look at money."""

from __future__ import annotations

from collections.abc import Collection

from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.store.scope import StoreBase


def paid_among(scope: StoreBase, community_id: int, member_ids: Collection[int]) -> set[int]:
    """Which of `member_ids` paid for a membership of the community."""
    return SqlBilling.on(scope).paying_members(community_id, member_ids)
