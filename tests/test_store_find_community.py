"""Which community a typed slug or name finds (`--community`, every API address)."""

from __future__ import annotations

from datetime import UTC, datetime

from hearthkeeper.store.records import Community, find_community

AT = datetime(2026, 12, 7, tzinfo=UTC)
NAMED_TEA = Community(1, "tea-lovers", "Tea", AT)  # listed first, named like the other's slug
TEA = Community(2, "tea", "Green Leaves", AT)


def test_a_slug_in_another_case_finds_its_community_before_one_named_so() -> None:
    """`/api/v1/communities/TEA/…` (and `--community TEA`) answered for `tea-lovers`, the
    community named `Tea` that was listed first, not the community whose slug is `tea`."""
    communities = [NAMED_TEA, TEA]
    assert find_community(communities, "TEA") == TEA
    assert find_community(communities, " Tea ") == TEA
    # as written, a name is still found, and another case of a name no slug has
    assert find_community(communities, "Tea") == NAMED_TEA
    assert find_community(communities, "green leaves") == TEA
    assert find_community(communities, "coffee") is None
