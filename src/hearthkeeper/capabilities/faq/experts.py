"""The expert finder (seed 002: tag members, @ the right expert): a question with a tag's topic
keywords @-mentions up to three members of the group tagged with that value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hearthkeeper.capabilities.faq.queue import queue_question
from hearthkeeper.capabilities.faq.repository import Expert, SqlQuestions
from hearthkeeper.capabilities.faq.requests import FindExperts, QueueQuestion, answer_to, trigger
from hearthkeeper.capabilities.faq.texts import TEXTS
from hearthkeeper.capabilities.faq.words import Keyword, KeywordSet, Words
from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.playbook.mechanisms import TagSet
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store.scope import StoreBase

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


def called(expert: Expert) -> str:
    """The name the bot calls an expert by: their display name, else their user id."""
    return expert.display_name or expert.user_id


def mention_line(experts: Sequence[Expert], language: Language) -> str:
    """`这个问题可以问问 @小鹿、@阿May，他们是这方面的专家。` / `You could ask @Mei or @Tom, …`."""
    names = [f"@{called(e)}" for e in experts]
    if language is Language.ZH_CN:
        joined = "、".join(names)
    else:
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return TEXTS.say("expert_one" if len(names) == 1 else "expert_many", language, names=joined)


@dataclass(frozen=True)
class Mention:
    """What a question on expert topics gets: `text` (None: nothing to say), the members it
    @-mentions, and whether it goes to the staff queue instead."""

    text: str | None
    mentions: tuple[tuple[str, str], ...] = ()  # user id, the name the text calls them
    reason: str = ""
    queue: bool = False


# What a reply @-mentioning experts gives as its reason, before the topics (", "-separated);
# the FAQ reads it back from the outbox after a restart, for the cooldown.
EXPERTS_REASON = "experts on "


def decide_experts(chosen: Sequence[Expert], request: FindExperts, language: Language) -> Mention:
    """@-mention the chosen experts (after the FAQ answer when there is one); with nobody to
    mention, answer alone, or queue the question for staff."""
    if chosen:
        line = mention_line(chosen, language)
        text = f"{request.answer}\n{line}" if request.answer else line
        return Mention(text, tuple((e.user_id, called(e)) for e in chosen),
                       f"{EXPERTS_REASON}{', '.join(request.tags)}")  # fmt: skip
    if request.answer:
        return Mention(request.answer, reason="FAQ answer")
    return Mention(None, queue=request.queue)


def find_experts(scope: StoreBase, request: FindExperts, ctx: EffectContext) -> Sequence[Action]:
    """@-mention tagged members now in the group (see `decide_experts`)."""
    exclude = [ctx.member.id] if ctx.member else []
    found = SqlQuestions.on(scope).experts(ctx.group.id, ctx.group.carrier, request.tags,
                                           exclude=exclude)  # fmt: skip
    mention = decide_experts(choose(found, request.tags), request, ctx.playbook.community.language)
    if mention.text is not None:
        return [answer_to(trigger(ctx), mention.text, reason=mention.reason,
                          mentions=mention.mentions)]  # fmt: skip
    if mention.queue:
        return queue_question(scope, QueueQuestion(text=request.text), ctx)
    return []
