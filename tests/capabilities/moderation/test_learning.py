"""Moderation that learns from the operator: a pardon teaches the community's scorer what is
acceptable, a staff deletion or ban what is spam; another community is not taught.

Run through the engine with the fake carrier and a small scorer trained here (the shipped
one is retrained as its data grows; these verdicts must not move with it)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from hearthkeeper.assembly import runtime_for
from hearthkeeper.capabilities.moderation import staff
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.engine import Engine
from hearthkeeper.engine.executor import Processed
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import ExampleSource, Store
from hearthkeeper.testing import EventBuilder, FakeCarrier
from hearthkeeper.text.scorer import SpamScorer

SPAM = ["代购正品 欢迎咨询", "日本代购 价格优惠 欢迎咨询", "代购韩国化妆品 私聊",
        "专业代购 欢迎咨询 价格美丽", "港澳代购 欢迎咨询", "高仿包包 欢迎咨询"]  # fmt: skip
HAM = ["今天喝了日本煎茶", "这款乌龙很香", "大家周末去茶会吗", "日本的抹茶真好喝",
       "谁有好的茶具推荐", "韩国的柚子茶也不错", "茶叶放冰箱可以吗"]  # fmt: skip
# A member helping a friend: reads like the ads above, and this community accepts it.
BORDERLINE = "帮朋友代购日本茶叶 欢迎咨询"
LIKE_IT = "帮朋友代购云南茶叶 欢迎咨询"
TEA_SHOW = "新茶具展 周六下午 茶室见"


def community_yaml(slug: str) -> str:
    return f"""\
community:
  slug: {slug}
  name: {slug.title()} Friends
  language: zh-CN
  timezone: Asia/Shanghai
  purpose: Share good tea.
  interest:
    kind: behaviour
    description: Drinking tea.
rules:
  texts:
    - 禁止广告
"""


@dataclass
class Two:
    store: Store
    clock: FrozenClock
    carrier: FakeCarrier
    engine: Engine
    events: EventBuilder
    tea: int
    cafe: int

    def say(self, user: str, text: str, group: str) -> Processed:
        [done] = self.engine.process([self.events.message(user, text, group=group)])
        return done

    def restart(self) -> None:
        runtimes = list(self.engine.runtimes.values())
        self.carrier = FakeCarrier("fake")
        self.engine = Engine(self.store, self.clock, runtimes, {"fake": self.carrier})


def struck(done: Processed) -> bool:
    return ActionKind.STRIKE in [a.kind for a in done.actions]


@pytest.fixture
def two(store: Store, store_clock: FrozenClock) -> Two:
    base = SpamScorer.trained([(t, True) for t in SPAM] + [(t, False) for t in HAM])
    runtimes = [
        runtime_for(store, parse_playbook(community_yaml(slug)).playbook, scorer=base)
        for slug in ("tea", "cafe")
    ]
    for runtime in runtimes:
        store.add_group(runtime.community_id, runtime.slug, "fake", f"{runtime.slug}-1")
    carrier = FakeCarrier("fake")
    engine = Engine(store, store_clock, runtimes, {"fake": carrier})
    return Two(store, store_clock, carrier, engine, EventBuilder(store_clock.now()),
               runtimes[0].community_id, runtimes[1].community_id)  # fmt: skip


def test_a_pardon_lets_such_messages_through_in_that_community_only(two: Two) -> None:
    flagged = two.say("ann", BORDERLINE, "tea-1")
    assert struck(flagged)
    [strike] = two.store.strikes(member_id=two.store.find_member("fake", "ann").id)  # type: ignore[union-attr]
    assert "learned scorer" in strike.explanation

    staff.pardon(two.store, strike.id, "console:li", two.clock.now())
    two.engine.tick()  # the running engine picks the decision up; no restart

    assert not struck(two.say("bob", LIKE_IT, "tea-1"))
    assert struck(two.say("carl", LIKE_IT, "cafe-1"))  # the other community was not taught
    # What the community taught is not forgotten by a restart, and plain ads are still ads.
    two.restart()
    assert not struck(two.say("dan", LIKE_IT, "tea-1"))
    assert struck(two.say("eve", "专业代购 欢迎咨询 价格美丽", "tea-1"))


def test_a_staff_deletion_teaches_spam_and_deletes_on_the_carrier_once(two: Two) -> None:
    assert not struck(two.say("ann", TEA_SHOW, "tea-1"))
    [message] = two.store.messages(two.store.group_for_carrier("fake", "tea-1").id)  # type: ignore[union-attr]

    staff.delete_message(two.store, message.id, "console:li", two.clock.now())
    staff.delete_message(two.store, message.id, "api:li", two.clock.now())  # a second click
    asyncio.run(two.engine.drain())
    two.engine.tick()

    deletions = [p.action for p in two.carrier.performed if p.action.kind is ActionKind.DELETE]
    assert [d.target for d in deletions] == [message.carrier_event_id]
    [example] = two.store.moderation_examples(community_id=two.tea)
    assert (example.text, example.is_spam, example.source) == (TEA_SHOW, True,
                                                               ExampleSource.STAFF_DELETE)  # fmt: skip
    assert struck(two.say("bob", TEA_SHOW, "tea-1"))
    assert not struck(two.say("carl", TEA_SHOW, "cafe-1"))


def test_a_staff_ban_bans_the_sender_and_keeps_the_message_as_spam(two: Two) -> None:
    two.say("ann", TEA_SHOW, "tea-1")
    [message] = two.store.messages(two.store.group_for_carrier("fake", "tea-1").id)  # type: ignore[union-attr]

    [ban] = staff.ban_for_message(two.store, message.id, "console:li", two.clock.now())
    asyncio.run(two.engine.drain())

    assert {ActionKind.BAN, ActionKind.DELETE} <= set(two.carrier.kinds())
    assert ban.member_id == message.member_id
    [example] = two.store.moderation_examples(community_id=two.tea)
    assert example.source is ExampleSource.STAFF_BAN and example.is_spam


def test_automatic_deletions_and_staff_messages_teach_nothing(two: Two) -> None:
    two.say("ann", "专业代购 欢迎咨询 价格美丽", "tea-1")  # deleted by the rules
    group = two.store.group_for_carrier("fake", "tea-1")
    assert group is not None
    two.say("li", TEA_SHOW, "tea-1")
    two.store.join(two.store.find_member("fake", "li").id, group.id, role="manager")  # type: ignore[union-attr]
    own = [m for m in two.store.messages(group.id) if m.text == TEA_SHOW]

    staff.delete_message(two.store, own[0].id, "console:li", two.clock.now())

    assert two.store.moderation_examples() == []
