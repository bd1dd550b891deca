"""FAQ answers, the staff question queue and the expert finder (seed 001 step 6: automatic
answers, and a human for what the bot cannot answer; seed 002: @ the right expert).

One decision per message: the FAQ entry it asks (answered at most once per cooldown per group),
the expert topics it touches (their tagged members @-mentioned), or, for a question nobody
could answer, the staff queue. With `mention_only`, only messages that @ the bot are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property, lru_cache

from hearthkeeper.capabilities.command_book import parse, reply
from hearthkeeper.capabilities.faq.experts import EXPERTS_REASON, ExpertTopics
from hearthkeeper.capabilities.faq.match import FaqIndex, Match, looks_like_question
from hearthkeeper.capabilities.faq.repository import Reply, SqlQuestions
from hearthkeeper.capabilities.faq.requests import (
    FindExperts,
    MarkAnswered,
    QueueQuestion,
    asked_by,
)
from hearthkeeper.capabilities.faq.waiting import not_waiting
from hearthkeeper.capabilities.faq.words import Words
from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.events import Event, Message
from hearthkeeper.engine.handler import NOTHING, Context, Outcome
from hearthkeeper.playbook import Playbook
from hearthkeeper.store.scope import StoreBase
from hearthkeeper.text.normalise import LONGEST_REMEMBERED, TEXTS_REMEMBERED, prepare

# What an FAQ answer's reply gives as its reason, before the entry's question; read back
# from the outbox after a restart, for the cooldown.
ANSWER_REASON = "FAQ: "
# Groups whose answers are remembered as read back from the store (more: read again).
GROUPS_READ_BACK = 4096


@dataclass(frozen=True)
class Reading:
    """What the FAQ handler made of one message."""

    asks: bool  # looks like a question
    waits: bool  # a question someone should answer: not a quarrel's taunt, not a self-introduction
    answer: Match | None  # the FAQ entry to answer with (cooldown respected)
    topics: tuple[str, ...]  # expert tags to @-mention (cooldown respected)
    cooled: bool  # an entry matched but was answered in this group moments ago


class FaqAnswers:
    """Answers from the FAQ, experts @-mentioned, unanswered questions queued for staff."""

    name = "faq"

    def __init__(self, playbook: Playbook, *, prepare: bool = True) -> None:
        self._entries = playbook.mechanisms.faq.entries
        self.topics = ExpertTopics(playbook.mechanisms.tags)
        # Throttling only: when each entry (or expert topic) was last answered in each group.
        self._answered: dict[tuple[int, str], datetime] = {}
        # The groups whose recent answers were read from the store (the outbox): a group's
        # cooldowns outlive a restart, read once, on its first message the FAQ would answer.
        self._read_back: set[int] = set()
        # The answers read ahead for the groups a batch will read back (`read_ahead`), and
        # the transaction they were read in: good for that transaction only.
        self._ahead: dict[int, list[Reply]] = {}
        self._ahead_in: int | None = None
        # what the last texts ask (pure: the entries and topics are this handler's own); chat
        # repeats itself, and a question asked again reads the same
        self._understood = lru_cache(maxsize=TEXTS_REMEMBERED)(self._understand)
        if prepare:  # now, not on the first message (a running engine; `show` needs none)
            _ = self.index

    @cached_property
    def index(self) -> FaqIndex:
        """The FAQ prepared for matching (cutting the entries into words loads jieba's
        dictionary, 0.7 s): when the handler is made, unless it is made only to be read
        (`prepare=False`: `hearth playbook show`), then on first use."""
        return FaqIndex(self._entries)

    def check(self, event: Event, ctx: Context) -> bool:
        # A playbook with no FAQ entries and no expert topics has not turned answering on; a
        # message moderation flagged is staff's already (one alert about it, not two)
        return (bool(self._entries or self.topics) and not ctx.flagged
                and isinstance(event, Message)
                and not event.sender.is_bot and bool(event.text.strip())
                and parse(event.text) is None)  # fmt: skip

    def read(self, event: Message, ctx: Context) -> Reading:
        """Decide what the message asks; remembers what it answers, for the cooldown."""
        faq = ctx.playbook.mechanisms.faq
        understood = self._understood if len(event.text) <= LONGEST_REMEMBERED else self._understand
        asks, waits, match, asked = understood(event.text, event.mentions_bot, faq.mention_only)
        if faq.mention_only and not event.mentions_bot:
            return Reading(asks, waits, None, (), cooled=False)
        if (match is not None or asked) and ctx.group.id not in self._read_back:
            self._read_back_answers(ctx, faq.cooldown)
        cooled = match is not None and self._recent(ctx, f"entry:{match.entry}", faq.cooldown)
        topics = [t for t in asked if not self._recent(ctx, f"expert:{t}", faq.cooldown)]
        answer = None if cooled else match
        if answer is not None:
            self._answered[(ctx.group.id, f"entry:{answer.entry}")] = ctx.now
        for topic in topics:
            self._answered[(ctx.group.id, f"expert:{topic}")] = ctx.now
        return Reading(asks, waits, answer, tuple(topics), cooled)

    def _understand(self, text: str, addressed: bool,
                    mention_only: bool) -> tuple[bool, bool, Match | None, tuple[str, ...]]:  # fmt: skip
        """What a text asks, whatever the group and the time: whether it is a question, whether
        it waits for an answer (a quarrel's taunt and a self-introduction do not), the entry
        that answers it (None: none is close enough) and the expert topics it asks
        about (`addressed`: it @-mentions the bot; `mention_only`: only such messages are
        answered)."""
        prepared = prepare(text)
        words = Words.of(prepared)  # read once (each part on first use) for every look below
        asks = looks_like_question(prepared, words)
        waits = asks and not_waiting(prepared) is None
        if mention_only and not addressed:
            return asks, waits, None, ()
        match = self.index.answer(prepared, addressed=addressed, asks=asks, words=words)
        asked = tuple(self.topics.asked(words)) if self.topics and (asks or addressed) else ()
        return asks, waits, match, asked

    def handle(self, event: Event, ctx: Context) -> Outcome:
        assert isinstance(event, Message)
        reading = self.read(event, ctx)
        actions: list[Action] = []
        if (event.reply_to or event.mentions) and (ctx.member.is_staff or not reading.asks):
            answered = MarkAnswered(reply_to=event.reply_to, mentions=tuple(event.mentions))
            actions.append(asked_by(answered, event))
        queue = self._queues(event, ctx, reading)
        if reading.topics:
            actions.append(asked_by(FindExperts(
                tags=reading.topics, queue=queue, text=event.text,
                answer=reading.answer.answer if reading.answer else None,
            ), event))  # fmt: skip
        elif reading.answer is not None:
            actions.append(reply(event, reading.answer.answer, handler=self.name,
                                 reason=f"{ANSWER_REASON}{reading.answer.question}"))  # fmt: skip
        elif queue:
            actions.append(asked_by(QueueQuestion(text=event.text), event))
        return Outcome(tuple(actions)) if actions else NOTHING

    def _queues(self, event: Message, ctx: Context, reading: Reading) -> bool:
        """Whether an unanswered question goes to staff: a member's question asked of the group
        (or of the bot) that waits for an answer — not staff's own, not one put to someone by
        @ or reply, not a quarrel's taunt or a self-introduction (`waiting.py`)."""
        asked_of_us = event.mentions_bot or not ctx.playbook.mechanisms.faq.mention_only
        to_someone = bool(event.mentions) or bool(event.reply_to)
        return (reading.waits and reading.answer is None and not reading.cooled and asked_of_us
                and not ctx.member.is_staff and (event.mentions_bot or not to_someone))  # fmt: skip

    def forget(self) -> None:
        """Drop the cooldowns: after a rolled-back batch they may name answers never sent
        (each group's are read again from the store, where only what was kept is)."""
        self._answered.clear()
        self._read_back.clear()
        self._ahead, self._ahead_in = {}, None

    def _read_back_answers(self, ctx: Context, cooldown: timedelta) -> None:
        """Learn from the store what the FAQ answered in the group within `cooldown` before
        now (a restart forgot it): a reply's reason names the entry ("FAQ: question") or the
        expert topics ("experts on a, b"); an answer sent with the experts' line is known by
        its text."""
        if ctx.reads is None:
            return
        if len(self._read_back) >= GROUPS_READ_BACK:
            self._read_back.clear()  # read again when next needed: the store is the truth
        self._read_back.add(ctx.group.id)
        asked = {entry.question: index for index, entry in enumerate(self._entries)}
        answers = {entry.answer: index for index, entry in enumerate(self._entries)}
        since = ctx.now - cooldown
        ahead = self._ahead.pop(ctx.group.id, None)
        serial = ctx.reads.transaction_serial()
        if ahead is not None and serial is not None and self._ahead_in == serial:
            replies = [(r.at, r.reason, r.text) for r in ahead if r.since(since)]
        else:
            replies = SqlQuestions.on(ctx.reads).replies_since(ctx.group.id, since)
        for at, reason, text in replies:
            keys: list[str] = []
            question = reason.removeprefix(ANSWER_REASON)
            if question != reason and question in asked:
                keys.append(f"entry:{asked[question]}")
            else:  # the answer alone, or before the experts' line
                keys.extend(f"entry:{index}" for answer, index in answers.items()
                            if text == answer or text.startswith(f"{answer}\n"))  # fmt: skip
            if reason.startswith(EXPERTS_REASON):
                keys.extend(f"expert:{t}" for t in reason.removeprefix(EXPERTS_REASON).split(", "))
            for key in keys:
                known = self._answered.get((ctx.group.id, key))
                if known is None or known < at:
                    self._answered[(ctx.group.id, key)] = at

    def read_ahead(self, scope: StoreBase, community_id: int,
                   events: Sequence[tuple[Event, Playbook, int, int]]) -> None:  # fmt: skip
        """Before a batch is decided (`Registry.add_lock_ahead`): read what the FAQ answered in
        the groups whose first match since the start the batch may hold, in one statement,
        for `_read_back_answers` — not one statement per group inside a member's decision.
        A message moderation will flag is read for too (not known yet): it costs a row."""
        self._ahead, self._ahead_in = {}, None
        if not (self._entries or self.topics):
            return
        since: dict[int, datetime] = {}
        for event, playbook, _, group_id in events:
            faq = playbook.mechanisms.faq
            if group_id in self._read_back or not isinstance(event, Message):
                continue
            if faq.mention_only and not event.mentions_bot:
                continue
            if event.sender.is_bot or not event.text.strip() or parse(event.text) is not None:
                continue
            understood = (self._understood if len(event.text) <= LONGEST_REMEMBERED
                          else self._understand)  # fmt: skip
            _, _, match, asked = understood(event.text, event.mentions_bot, faq.mention_only)
            if match is not None or asked:
                start = event.at - faq.cooldown
                since[group_id] = min(since.get(group_id, start), start)
        if since:
            found = SqlQuestions.on(scope).replies_in(since)
            self._ahead = {group_id: found.get(group_id, []) for group_id in since}
            self._ahead_in = scope.transaction_serial()

    def _recent(self, ctx: Context, key: str, cooldown: timedelta) -> bool:
        last = self._answered.get((ctx.group.id, key))
        return last is not None and timedelta(0) <= ctx.now - last < cooldown
