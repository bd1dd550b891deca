"""In the demo's community (the skincare template), members' talk about products, prices and
deals stays; an ad with only a product and its deal is deleted."""

from __future__ import annotations

import pytest

from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import template_text
from hearthkeeper.store import Store
from tests.engine_setup import community

MEMBERS = [
    "The serum was 30% off at the pharmacy yesterday, I got two",
    "Has anyone tried the collagen powder? It says glowing skin in 30 days",
    "Sunscreen is buy one get one free at Target this week if anyone needs it",
    "My facial cost $80, totally worth it",
    "Don't fall for those wrinkle creams that promise results in 7 days",
    "面膜买了两盒，效果还行",
    "上次团购的面霜很好用，下次还参加",
    "那种说七天美白的产品千万别信",
    "精华液打八折了吗？我想再囤一瓶",
]
AD = "Anti-wrinkle eye cream 50% off, results in 14 days"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_members_talking_about_skincare_deals_are_not_deleted_in_the_demo_community(
    store: Store, store_clock: FrozenClock
) -> None:
    pb = parse_playbook(template_text("skincare"), "skincare").playbook
    c = community(store, store_clock, pb)
    processed = c.engine.process(
        [c.events.message(f"member{i}", text) for i, text in enumerate(MEMBERS)]
    )
    deleted = [text for text, p in zip(MEMBERS, processed, strict=True)
               if ActionKind.DELETE in [a.kind for a in p.actions]]  # fmt: skip
    assert deleted == []
    [ad] = c.engine.process([c.events.message("seller", AD)])
    assert ActionKind.DELETE in [a.kind for a in ad.actions]
