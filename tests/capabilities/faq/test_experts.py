"""The expert finder: a question on a tag's topic @-mentions up to three tagged members of the
group, with the FAQ answer when there is one; with nobody to ask, staff get the question."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from hearthkeeper.assembly import runtime_for
from hearthkeeper.capabilities.faq.experts import ExpertTopics, choose, mention_line
from hearthkeeper.capabilities.faq.repository import Expert, SqlQuestions
from hearthkeeper.capabilities.faq.words import Words
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.executor import Processed
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.mechanisms import TagSet
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Store
from hearthkeeper.text.normalise import prepare
from tests.engine_setup import RULES, Community, community, playbook
from tests.playbook_samples import MINIMAL

EXPERTS = """\
mechanisms:
  faq:
    entries:
      - question: How do I brew green tea?
        keywords: [brew, steep]
        answer: 80°C water, two minutes.
  tags:
    - name: specialty
      expert_topics:
        oolong: [oolong, tieguanyin]
        puer: [puer, pu-erh]
"""


def answers(processed: Sequence[Processed]) -> list[Action]:
    return [a for p in processed for a in p.actions if a.kind is ActionKind.REPLY]


def ask(c: Community, user: str, text: str, group: str = "g1",
        name: str | None = None) -> list[Processed]:  # fmt: skip
    """`user` says `text` under `name` (their stored name follows it; by default the id)."""
    event = c.events.message(user, text, name=name, group=group, at=c.clock.now())
    return c.engine.process([event])


def expert(c: Community, user: str, name: str, value: str = "oolong", group: str = "g1") -> None:
    found = c.store.group_for_carrier("fake", group)
    room = found or c.store.add_group(c.runtime.community_id, group, "fake", group)
    member = c.store.member_for("fake", user, name)
    c.store.join(member.id, room.id, at=c.clock.now() - timedelta(days=9))
    c.store.add_tag(member.id, f"specialty:{value}", set_by="staff")
    c.store.add_tag(member.id, "rules-accepted", set_by="staff")


def tea_room(store: Store, clock: FrozenClock, extra: str = EXPERTS) -> Community:
    c = community(store, clock, playbook(extra))
    for user, name in (("a", "Ada"), ("b", "Bea"), ("c", "Cat"), ("d", "Dee")):
        expert(c, user, name)
    for user, name in (("c", "Cat"), ("b", "Bea"), ("d", "Dee")):  # d spoke last; Ada never did
        ask(c, user, "morning all", name=name)
        clock.advance(timedelta(minutes=1))
    return c


def test_a_question_on_a_topic_mentions_the_most_active_experts(
    store: Store, store_clock: FrozenClock
) -> None:
    c = tea_room(store, store_clock)
    expert(c, "gone", "Gus")
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    store.leave(c.member_id("gone"), group.id)
    expert(c, "far", "Fay", group="g2")
    expert(c, "mei", "Mei")  # the asker knows oolong too: not sent to herself
    [reply] = answers(ask(c, "mei", "which oolong should I try first?"))
    assert reply.text == "You could ask @Dee, @Bea or @Cat, our experts on this."
    assert reply.extra["mentions"] == ["d", "b", "c"] and reply.member == "mei"
    assert reply.extra["mention_names"] == {"d": "Dee", "b": "Bea", "c": "Cat"}
    assert SqlQuestions.on(store).waiting_questions(c.runtime.community_id) == [], (
        "experts will answer"
    )


def test_the_faq_answer_and_the_experts_come_in_one_reply(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(EXPERTS))
    expert(c, "d", "Dee", value="puer")
    [reply] = answers(ask(c, "mei", "how do I brew a puer?"))
    assert reply.text == "80°C water, two minutes.\nYou could ask @Dee, our expert on this."
    assert reply.extra["mentions"] == ["d"]


def test_with_no_expert_in_the_group_the_question_goes_to_staff(
    store: Store, store_clock: FrozenClock
) -> None:
    c = tea_room(store, store_clock)
    assert answers(ask(c, "mei", "is tieguanyin an oolong?", group="g2")) == []
    assert [q.text for q in SqlQuestions.on(store).waiting_questions(c.runtime.community_id)] == [
        "is tieguanyin an oolong?"
    ]


def test_experts_are_not_called_for_chatter_or_twice_in_a_cooldown(
    store: Store, store_clock: FrozenClock
) -> None:
    c = tea_room(store, store_clock)
    assert answers(ask(c, "mei", "I do love an oolong")) == []
    assert len(answers(ask(c, "mei", "any oolong for a cold day?"))) == 1
    store_clock.advance(timedelta(minutes=2))
    assert answers(ask(c, "tom", "what about oolong with milk?")) == []
    assert len(SqlQuestions.on(store).waiting_questions(c.runtime.community_id)) == 1, (
        "staff get it instead"
    )


def test_experts_are_not_called_twice_in_a_cooldown_across_a_restart(
    store: Store, store_clock: FrozenClock
) -> None:
    c = tea_room(store, store_clock)
    assert len(answers(ask(c, "mei", "any oolong for a cold day?"))) == 1
    store_clock.advance(timedelta(minutes=2))
    c.runtime = runtime_for(store, c.runtime.playbook)  # `hearth serve` restarted
    c.restart()
    assert answers(ask(c, "tom", "what about oolong with milk?")) == [], "called 2 minutes ago"
    # a puer question goes to the expert finder, who finds nobody: the answer alone
    [answer] = answers(ask(c, "ann", "how do I brew puer?"))
    assert (answer.text, answer.reason) == ("80°C water, two minutes.", "FAQ answer")
    store_clock.advance(timedelta(minutes=2))
    c.runtime = runtime_for(store, c.runtime.playbook)
    c.restart()
    assert answers(ask(c, "bob", "how long do I steep green tea?")) == [], "answered just now"


def test_chinese_groups_get_the_chinese_line(store: Store, store_clock: FrozenClock) -> None:
    text = (MINIMAL + RULES).replace("language: en", "language: zh-CN") + EXPERTS
    c = community(store, store_clock, parse_playbook(text).playbook)
    expert(c, "lu", "小鹿")
    [reply] = answers(ask(c, "mei", "铁观音算oolong吗？"))
    assert reply.text == "这个问题可以问问 @小鹿，TA 是这方面的专家。"


def test_topics_rank_by_keywords_found() -> None:
    topics = ExpertTopics([
        TagSet(name="specialty", expert_topics={"oolong": ["oolong"], "puer": ["puer", "pu-erh"]}),
        TagSet(name="skin", expert_topics={"油皮": ["出油", "毛孔"]}),
    ])  # fmt: skip
    words = Words.of(prepare("oolong or puer? a pu-erh cake?"))
    assert topics.asked(words) == ["specialty:puer", "specialty:oolong"]
    assert topics.asked(Words.of(prepare("T区出油，毛孔粗大怎么办"))) == ["skin:油皮"]
    assert not ExpertTopics([TagSet(name="city")])


def test_experts_are_chosen_by_topic_then_activity_without_repeats() -> None:
    def one(member: int, name: str, tag: str) -> Expert:
        return Expert(member, name, f"u{member}", tag)

    found = [one(1, "Ada", "s:puer"), one(2, "Bea", "s:oolong"), one(1, "Ada", "s:oolong"),
             one(3, "Cat", "s:puer"), one(4, "Dee", "s:puer")]  # fmt: skip
    assert [e.display_name for e in choose(found, ["s:oolong", "s:puer"])] == ["Bea", "Ada", "Cat"]
    assert mention_line(choose(found, ["s:oolong"]), Language.ZH_CN) == (
        "这个问题可以问问 @Bea、@Ada，他们是这方面的专家。"
    )
    nameless = replace(found[0], display_name="")
    assert mention_line([nameless], Language.EN) == "You could ask @u1, our expert on this."
