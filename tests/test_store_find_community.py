"""Which community a typed slug or name finds (`--community`, every API address)."""

from __future__ import annotations

from datetime import UTC, datetime

from hearthkeeper.store.records import Community, find_community, several_meant

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


def test_names_alike_but_for_case_width_or_form_find_none_and_say_which() -> None:
    """`--community 'tea club'` where `Tea Club` and `TEA CLUB` both exist acted on whichever
    was listed first; a name typed full-width or decomposed found nothing."""
    club, loud = Community(3, "club", "Tea Club", AT), Community(4, "club-2", "TEA CLUB", AT)
    cafe = Community(5, "cafe", "Café", AT)
    communities = [club, loud, cafe]
    assert find_community(communities, "tea club") is None
    assert several_meant(communities, "tea club") == (
        "'tea club' names 2 communities: club (Tea Club), club-2 (TEA CLUB); say which by its slug"
    )
    assert find_community(communities, "Tea Club") == club  # as written: one
    assert find_community(communities, "ＴＥＡ ＣＬＵＢ") is None
    assert find_community(communities, "CAFE\u0301") == cafe
    assert find_community(communities, "ｃａｆé") == cafe
    assert several_meant(communities, "cafe\u0301") is None
