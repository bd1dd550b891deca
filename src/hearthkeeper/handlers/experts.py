"""The expert finder (seed 002: tag members, @ the right expert): a question with a tag's topic
keywords @-mentions up to three members of the group tagged with that value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.handlers.faq_queue import answer_to, queue_question
from hearthkeeper.handlers.faq_texts import TEXTS
from hearthkeeper.handlers.faq_words import Keyword, KeywordSet, Words
from hearthkeeper.playbook.mechanisms import TagSet
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Expert, Store

EXPERTS = "faq.experts"
MAX_EXPERTS = 3


@dataclass(frozen=True)
class Topic:
    """One tag value's topic: the member tag (`skin_type:油皮`) and its keywords."""

    tag: str
    keywords: tuple[Keyword, ...]


class ExpertTopics:
    """The playbook's `expert_topics`, prepared once for matching."""

    def __init__(self, tagsets: Sequence[TagSet]) -> None:
        self.topics = [
            Topic(f"{tagset.name}:{value}", tuple(Keyword.of(k) for k in keywords))
            for tagset in tagsets
            for value, keywords in tagset.expert_topics.items()
        ]

        pairs = [(i, k) for i, topic in enumerate(self.topics) for k in topic.keywords]
        self._keywords = KeywordSet(k for _, k in pairs)
        self._topic_of = [i for i, _ in pairs]

    def __bool__(self) -> bool:
        return bool(self.topics)

    def asked(self, words: Words) -> list[str]:
        """The tags whose topics the message touches, the most keywords found first."""
        hits: dict[int, int] = {}
        for position in self._keywords.found(words):
            topic = self._topic_of[position]
            hits[topic] = hits.get(topic, 0) + 1
        return [self.topics[i].tag for i in sorted(hits, key=lambda i: (-hits[i], i))]


def choose(
    experts: Sequence[Expert], tags: Sequence[str], limit: int = MAX_EXPERTS
) -> list[Expert]:
    """Up to `limit` distinct members: by topic order, then the most recently active."""
    chosen: list[Expert] = []
    for tag in tags:
        for expert in experts:
            if len(chosen) == limit:
                return chosen
            if expert.tag == tag and all(c.member_id != expert.member_id for c in chosen):
                chosen.append(expert)
    return chosen


def mention_line(experts: Sequence[Expert], language: Language) -> str:
    """`这个问题可以问问 @小鹿、@阿May，他们是这方面的专家。` / `You could ask @Mei or @Tom, …`."""
    names = [f"@{e.display_name or e.user_id}" for e in experts]
    if language is Language.ZH_CN:
        joined = "、".join(names)
    else:
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return TEXTS.say("expert_one" if len(names) == 1 else "expert_many", language, names=joined)


def find_experts(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """@-mention tagged members now in the group (with the FAQ answer when there is one);
    with nobody to mention, answer alone, or queue the question for staff."""
    tags = [str(t) for t in action.extra.get("tags", [])]
    answer = action.extra.get("answer")
    exclude = [ctx.member.id] if ctx.member else []
    chosen = choose(store.experts(ctx.group.id, ctx.group.carrier, tags, exclude=exclude), tags)
    if chosen:
        line = mention_line(chosen, ctx.playbook.community.language)
        text = f"{answer}\n{line}" if answer else line
        return [answer_to(action, text, reason=f"experts on {', '.join(tags)}",
                          mentions=[e.user_id for e in chosen])]  # fmt: skip
    if answer:
        return [answer_to(action, str(answer), reason="FAQ answer")]
    if action.extra.get("queue"):
        return queue_question(store, action, ctx)
    return []
