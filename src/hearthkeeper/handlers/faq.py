"""FAQ answers, the staff question queue and the expert finder (seed 001 step 6: automatic
answers, and a human for what the bot cannot answer; seed 002: @ the right expert).

One decision per message: the FAQ entry it asks (answered at most once per cooldown per group),
the expert topics it touches (their tagged members @-mentioned), or, for a question nobody
could answer, the staff queue. With `mention_only`, only messages that @ the bot are read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.events import Event, Message
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.engine.registry import Registry, Stage
from hearthkeeper.handlers import experts, faq_helpful, faq_queue
from hearthkeeper.handlers.commands import CommandBook, parse
from hearthkeeper.handlers.experts import ExpertTopics
from hearthkeeper.handlers.faq_match import FaqIndex, Match, looks_like_question
from hearthkeeper.handlers.faq_words import Words
from hearthkeeper.playbook import Playbook
from hearthkeeper.text.normalise import prepare


@dataclass(frozen=True)
class Reading:
    """What the FAQ handler made of one message."""

    asks: bool  # looks like a question
    answer: Match | None  # the FAQ entry to answer with (cooldown respected)
    topics: tuple[str, ...]  # expert tags to @-mention (cooldown respected)
    cooled: bool  # an entry matched but was answered in this group moments ago


class FaqAnswers:
    """Answers from the FAQ, experts @-mentioned, unanswered questions queued for staff."""

    name = "faq"

    def __init__(self, playbook: Playbook) -> None:
        self.index = FaqIndex(playbook.mechanisms.faq.entries)
        self.topics = ExpertTopics(playbook.mechanisms.tags)
        # Throttling only: when each entry (or expert topic) was last answered in each group.
        self._answered: dict[tuple[int, str], datetime] = {}

    def check(self, event: Event, ctx: Context) -> bool:
        # A playbook with no FAQ entries and no expert topics has not turned answering on
        return (bool(self.index or self.topics) and isinstance(event, Message)
                and not event.sender.is_bot and bool(event.text.strip())
                and parse(event.text) is None)  # fmt: skip

    def read(self, event: Message, ctx: Context) -> Reading:
        """Decide what the message asks; remembers what it answers, for the cooldown."""
        faq = ctx.playbook.mechanisms.faq
        text = prepare(event.text)
        asks = looks_like_question(text)
        if faq.mention_only and not event.mentions_bot:
            return Reading(asks, None, (), cooled=False)
        match = self.index.answer(text, addressed=event.mentions_bot)
        cooled = match is not None and self._recent(ctx, f"entry:{match.entry}", faq.cooldown)
        topics: list[str] = []
        if self.topics and (asks or event.mentions_bot):
            topics = [t for t in self.topics.asked(Words.of(text))
                      if not self._recent(ctx, f"expert:{t}", faq.cooldown)]  # fmt: skip
        answer = None if cooled else match
        if answer is not None:
            self._answered[(ctx.group.id, f"entry:{answer.entry}")] = ctx.now
        for topic in topics:
            self._answered[(ctx.group.id, f"expert:{topic}")] = ctx.now
        return Reading(asks, answer, tuple(topics), cooled)

    def handle(self, event: Event, ctx: Context) -> Outcome:
        assert isinstance(event, Message)
        reading = self.read(event, ctx)
        actions: list[Action] = []
        if (event.reply_to or event.mentions) and (ctx.member.is_staff or not reading.asks):
            actions.append(self._effect(event, faq_queue.ANSWERED, reply_to=event.reply_to,
                                        mentions=list(event.mentions)))  # fmt: skip
        queue = self._queues(event, ctx, reading)
        if reading.topics:
            actions.append(self._effect(
                event, experts.EXPERTS, tags=list(reading.topics), queue=queue, text=event.text,
                answer=reading.answer.answer if reading.answer else None,
            ))  # fmt: skip
        elif reading.answer is not None:
            actions.append(Action(kind=ActionKind.REPLY, carrier=event.carrier, group=event.group,
                                  member=event.sender.user_id, target=event.event_id,
                                  text=reading.answer.answer, handler=self.name,
                                  reason=f"FAQ: {reading.answer.question}"))  # fmt: skip
        elif queue:
            actions.append(self._effect(event, faq_queue.QUEUE, text=event.text))
        return Outcome(tuple(actions))

    def _queues(self, event: Message, ctx: Context, reading: Reading) -> bool:
        """Whether an unanswered question goes to staff: a member's question asked of the group
        (or of the bot) — not staff's own, not one put to someone by @ or reply."""
        asked_of_us = event.mentions_bot or not ctx.playbook.mechanisms.faq.mention_only
        to_someone = bool(event.mentions) or bool(event.reply_to)
        return (reading.asks and reading.answer is None and not reading.cooled and asked_of_us
                and not ctx.member.is_staff and (event.mentions_bot or not to_someone))  # fmt: skip

    def _recent(self, ctx: Context, key: str, cooldown: timedelta) -> bool:
        last = self._answered.get((ctx.group.id, key))
        return last is not None and timedelta(0) <= ctx.now - last < cooldown

    def _effect(self, event: Message, effect: str, **extra: object) -> Action:
        return Action(kind=ActionKind.EFFECT, carrier=event.carrier, group=event.group,
                      member=event.sender.user_id, target=event.event_id, effect=effect,
                      extra=dict(extra), handler=self.name)  # fmt: skip


def register(registry: Registry, playbook: Playbook, commands: CommandBook) -> None:
    """Add this mechanism's handlers, effects and commands."""
    registry.add(FaqAnswers(playbook), Stage.MECHANISMS + 5)
    registry.add_effect(faq_queue.QUEUE, faq_queue.queue_question)
    registry.add_effect(faq_queue.ANSWERED, faq_queue.mark_answered)
    registry.add_effect(faq_queue.ALERT, faq_queue.alert_staff)
    registry.add_effect(faq_queue.LIST, faq_queue.list_questions)
    registry.add_effect(faq_queue.CLOSE, faq_queue.close_question)
    registry.add_effect(experts.EXPERTS, experts.find_experts)
    registry.add_effect(faq_helpful.HELPFUL, faq_helpful.mark_helpful)
    commands.add(faq_queue.QUESTIONS)
    commands.add(faq_helpful.HELPFUL_COMMAND)
