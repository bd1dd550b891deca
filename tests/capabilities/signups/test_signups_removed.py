"""A member moderation puts out of the community — blacklisted by the ladder, banned by staff
— is taken off the open sign-up lists (接龙): the first waiting moves up and is told, on both
databases."""

from __future__ import annotations

import asyncio

from hearthkeeper.capabilities.signups.repository import SqlSignUps
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.store import Store
from tests.capabilities.signups.test_signups import chinese, say, staffed
from tests.engine_setup import Community

ADVERT = "加我微信 abc12345 低价代购"


def _mei_holds_bob_waits(c: Community) -> int:
    """Boss starts a list of one place; Mei takes it, Bob waits behind her. The list's id."""
    say(c, "boss", "/接龙 周日读书会茶歇 限1人")
    say(c, "mei", "+1")
    say(c, "bob", "+1")
    [lst] = SqlSignUps.on(c.store).lists(c.runtime.community_id, open_only=True)
    return lst.id


def _lines(c: Community, list_id: int) -> dict[str, str]:
    return {e.display_name: e.status for e in SqlSignUps.on(c.store).entries(list_id)}


def _told(c: Community) -> list[tuple[str | None, str]]:
    asyncio.run(c.engine.drain())
    done = [(p.action.member, p.action.text or "") for p in c.carrier.performed
            if p.action.handler == "signups" and p.action.kind is ActionKind.SEND]  # fmt: skip
    c.carrier.performed.clear()
    return done


def test_a_member_staff_ban_is_taken_off_the_list_and_the_first_waiting_moves_up(
    store: Store, store_clock: FrozenClock
) -> None:
    """Boss banned Mei (/封禁) for spamming: she kept her place on the 接龙 and Bob, waiting
    behind her, never moved up."""
    c = staffed(store, store_clock)
    list_id = _mei_holds_bob_waits(c)
    assert _lines(c, list_id) == {"mei": "confirmed", "bob": "waitlisted"}
    _told(c)  # what the list said so far
    say(c, "boss", "/封禁 @mei 刷屏")
    assert _lines(c, list_id) == {"bob": "confirmed"}, "mei's line went, bob has her place"
    [(whom, text)] = _told(c)
    assert whom == "bob" and "你已从候补转为正式：第 1 位" in text, text


def test_a_member_the_ladder_blacklists_is_taken_off_the_list(
    store: Store, store_clock: FrozenClock
) -> None:
    """Mei's advert took her straight to the ladder's blacklisting (kick + blacklist): she
    stayed on the 接龙, holding its one place."""
    c = staffed(store, store_clock, chinese("  violations:\n    advertising: {strikes: 3}\n"))
    list_id = _mei_holds_bob_waits(c)
    _told(c)  # what the list said so far
    say(c, "mei", ADVERT)
    assert _lines(c, list_id) == {"bob": "confirmed"}
    [(whom, text)] = _told(c)
    assert whom == "bob" and "你已从候补转为正式" in text, text
