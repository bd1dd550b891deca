"""A strike staff pardon from the console, the REST API or `hearth strikes pardon` is told
to the member in the group where it was given: a member who appealed learns the outcome.
`/pardon` in the chat answers there itself, and the member is not told twice."""

from __future__ import annotations

import pytest

from hearthkeeper.capabilities.moderation import staff
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.store import Store, StoreError
from tests.capabilities.moderation.test_chat_commands import ACCEPTED, performed, say, start
from tests.engine_setup import RULES, Community
from tests.playbook_samples import MINIMAL

ADVERT = "加我微信 abc12345 低价代购"


def _struck(c: Community, user: str) -> int:
    """The id of `user`'s one live strike."""
    [strike] = c.store.strikes(community_id=c.runtime.community_id,
                               member_id=c.member_id(user), include_dead=False,
                               now=c.clock.now())  # fmt: skip
    return strike.id


def test_a_strike_pardoned_in_the_console_is_told_to_the_member(
    store: Store, store_clock: FrozenClock
) -> None:
    """Mei appealed her strike ("我要申诉，我没发广告"); staff pardoned it in the console and
    she was never told: her strike went, silently."""
    c = start(store, store_clock, language="zh-CN")
    text = MINIMAL.replace("language: en", "language: zh-CN") + RULES + ACCEPTED
    store.add_playbook_version(c.runtime.community_id, text, {}, "test")  # as `hearth apply`
    say(c, "mei", ADVERT)
    performed(c)
    strike = _struck(c, "mei")
    staff.pardon(store, strike, "console:op", store_clock.now())
    with pytest.raises(StoreError, match="already pardoned"):  # a second click tells nothing
        staff.pardon(store, strike, "console:op", store_clock.now())
    told = [p.action for p in performed(c) if p.action.kind is ActionKind.SEND]
    assert [(a.member, a.text) for a in told] == [
        ("mei", "mei，你因「发广告」被记的一次违规已被管理员撤销，不再计入。")
    ]


def test_a_pardon_in_the_chat_is_answered_there_and_not_told_twice(
    store: Store, store_clock: FrozenClock
) -> None:
    c = start(store, store_clock)
    say(c, "mei", ADVERT)
    performed(c)
    assert say(c, "boss", "/pardon @mei")[0].startswith("mei:")
    assert [p.action for p in performed(c) if p.action.kind is ActionKind.SEND] == []
