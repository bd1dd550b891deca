"""The staff question queue (seed 001's manual response): questions the bot could not answer
wait for a reply; nobody answering within `faq.unanswered_alert_after` alerts staff.

A member's question is answered by anyone but the asker — staff, or a member helping out, as
the seeds want members to — who replies to it (or to another message of the asker), or
@-mentions the asker; a member's reply that is itself a question ("me too?") is no answer.
Follow-up questions within the alert window join the first: one alert per member and group.
`/questions` lists what still waits.

Each effect loads what it needs, lets a pure `decide_*` function choose, then writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from hearthkeeper.capabilities.command_book import Command, Invocation, reply
from hearthkeeper.capabilities.faq.repository import (
    NewQuestion,
    Question,
    Questions,
    SqlQuestions,
)
from hearthkeeper.capabilities.faq.requests import (
    HANDLER,
    AlertStaff,
    CloseQuestion,
    ListQuestions,
    MarkAnswered,
    QueueQuestion,
    answer_to,
    asked_by,
    trigger,
)
from hearthkeeper.capabilities.faq.texts import DONE_WORDS, HELP, TEXTS, USAGE
from hearthkeeper.capabilities.format import excerpt, human_duration
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext, schedule_request
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.structure import Permission
from hearthkeeper.store.members import MemberQueries
from hearthkeeper.store.scheduled import ScheduledQueries
from hearthkeeper.store.scope import StoreBase

LISTED = 10  # questions shown by /questions; the rest are counted


def question_key(question_id: int) -> str:
    """The name of a question's scheduled staff alert."""
    return f"question:{question_id}"


def settle(scope: StoreBase, question_id: int, by: int | None, at: datetime) -> bool:
    """Mark a waiting question answered (`by` None: staff closed it) and call off its staff
    alert; False if it was answered already."""
    if not SqlQuestions.on(scope).answer_question(question_id, by, at):
        return False
    ScheduledQueries.on(scope).cancel_scheduled(question_key(question_id))
    return True


# --- faq.queue -----------------------------------------------------------------------------


def decide_queue(earlier: datetime | None, now: datetime, window: timedelta) -> datetime | None:
    """When to alert staff about a new question (None: do not queue it, because the member's
    previous question, asked at `earlier`, still waits within the window and its alert
    covers both)."""
    if earlier is not None and now - earlier < window:
        return None
    return now + window


def queue_question(scope: StoreBase, request: QueueQuestion,
                   ctx: EffectContext) -> Sequence[Action]:  # fmt: skip
    """Put the question in the queue and schedule the staff alert (see `decide_queue`).

    Inside a transaction the question waits with the transaction's others and all are
    decided and written together (`_Queued`): queueing answers nothing, and whatever reads
    the queue in the same transaction flushes them first."""
    asked = trigger(ctx).target
    if ctx.member is None or asked is None:
        return []
    group = ctx.group
    question = NewQuestion(group.community_id, group.id, ctx.member.id, asked, request.text,
                           ctx.now)  # fmt: skip
    window = ctx.playbook.mechanisms.faq.unanswered_alert_after
    queued = scope.deferred("faq.questions", _Queued)
    if queued is None:
        _queue(scope, [(question, window)])
    else:
        queued.asked.append((question, window))
    return []


class _Queued:
    """The questions one transaction queued, in the order they were asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[NewQuestion, timedelta]] = []

    def flush(self, scope: StoreBase) -> None:
        _queue(scope, self.asked)


def _queue(scope: StoreBase, asked: Sequence[tuple[NewQuestion, timedelta]]) -> None:
    """Decide each question in order against the member's newest waiting one (read for all
    at once), then write the queued ones and their alerts together."""
    questions = SqlQuestions.on(scope)
    by_community: dict[int, list[tuple[int, int]]] = {}
    since: dict[int, datetime] = {}  # only an earlier question within its window matters
    for question, window in asked:
        by_community.setdefault(question.community_id, []).append(
            (question.group_id, question.member_id)
        )
        start = question.asked_at - window
        since[question.community_id] = min(since.get(question.community_id, start), start)
    earlier: dict[tuple[int, int, int], datetime] = {}
    for community_id, pairs in by_community.items():
        found = questions.last_waiting_asked_of(community_id, pairs, since[community_id])
        earlier.update({(community_id, *pair): at for pair, at in found.items()})
    queued: list[tuple[NewQuestion, datetime]] = []
    for question, window in asked:
        key = (question.community_id, question.group_id, question.member_id)
        alert_at = decide_queue(earlier.get(key), question.asked_at, window)
        if alert_at is None:
            continue
        queued.append((question, alert_at))
        before = earlier.get(key)
        earlier[key] = question.asked_at if before is None else max(before, question.asked_at)
    numbers = questions.add_questions([question for question, _ in queued])
    for number, (question, alert_at) in zip(numbers, queued, strict=True):
        schedule_request(scope, question_key(number), question.community_id,
                         AlertStaff(question=number), alert_at, group_id=question.group_id)  # fmt: skip


# --- faq.answered --------------------------------------------------------------------------


def decide_answered(question: Question | None, answerer: int) -> int | None:
    """The question a message answers (its id), if it is someone else's."""
    if question is None or question.member_id == answerer:
        return None
    return question.id


def mark_answered(scope: StoreBase, request: MarkAnswered,
                  ctx: EffectContext) -> Sequence[Action]:  # fmt: skip
    """Someone else's reply to the asker's question (or to any message of the asker), or a
    message @-mentioning the asker, answers the asker's waiting question; the alert is off."""
    if ctx.member is None:
        return []
    questions: Questions = SqlQuestions.on(scope)
    group, answerer = ctx.group, ctx.member.id
    askers: list[int] = []
    question = None
    if request.reply_to is not None:
        question = questions.waiting_question(group.community_id, group.id, request.reply_to)
        author = questions.message_author(group.id, request.reply_to) if question is None else None
        askers += [author] if author is not None else []
    members = MemberQueries.on(scope)
    for user in request.mentions:
        found = members.find_member(group.carrier, user)
        askers += [found.id] if found is not None else []
    if question is None:
        others = [a for a in askers if a != answerer]
        question = questions.waiting_question_of(group.community_id, group.id, others)
    answered = decide_answered(question, answerer)
    if answered is not None:
        settle(scope, answered, answerer, ctx.now)
    return []


# --- faq.alert -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    """The staff alert about one question nobody answered."""

    question: int
    target: str  # the question's message
    text: str


def decide_alert(question: Question | None, now: datetime, language: Language) -> Alert | None:
    """The alert to send when a question's alert falls due: only while it is still open."""
    if question is None or question.status != "open":
        return None
    text = TEXTS.say("alert", language, group=question.group_name, asker=question.asker,
                     ago=human_duration(now - question.asked_at, language), id=question.id,
                     excerpt=excerpt(question.text))  # fmt: skip
    return Alert(question.id, question.carrier_event_id, text)


def alert_staff(scope: StoreBase, request: AlertStaff, ctx: EffectContext) -> Sequence[Action]:
    """When the alert falls due: staff hear of the question if it is still open."""
    questions: Questions = SqlQuestions.on(scope)
    alert = decide_alert(questions.get_question(request.question), ctx.now,
                         ctx.playbook.community.language)  # fmt: skip
    if alert is None:
        return []
    questions.alert_question(alert.question)
    return [Action(kind=ActionKind.ALERT_STAFF, carrier=ctx.group.carrier,
                   group=ctx.group.carrier_group_id, target=alert.target, text=alert.text,
                   reason="a member's question nobody answered", handler=HANDLER)]  # fmt: skip


# --- faq.list ------------------------------------------------------------------------------


def decide_listing(waiting: Sequence[Question], now: datetime, language: Language) -> str:
    """What `/questions` says about the waiting questions, oldest first."""
    if not waiting:
        return TEXTS.say("queue_empty", language)
    lines = [TEXTS.say("queue_header", language, count=len(waiting))]
    lines += [_line(q, now, language) for q in waiting[:LISTED]]
    if len(waiting) > LISTED:
        lines.append(TEXTS.say("queue_more", language, count=len(waiting) - LISTED))
    lines.append(TEXTS.say("queue_footer", language))
    return "\n".join(lines)


def _line(question: Question, now: datetime, language: Language) -> str:
    alerted = TEXTS.say("queue_alerted", language) if question.status == "alerted" else ""
    return TEXTS.say("queue_line", language, id=question.id, group=question.group_name,
                     asker=question.asker, ago=human_duration(now - question.asked_at, language),
                     alerted=alerted, excerpt=excerpt(question.text, 40))  # fmt: skip


def list_questions(scope: StoreBase, request: ListQuestions,
                   ctx: EffectContext) -> Sequence[Action]:  # fmt: skip
    """`/questions`: what waits in the community's queue, oldest first."""
    waiting = SqlQuestions.on(scope).waiting_questions(ctx.group.community_id)
    text = decide_listing(waiting, ctx.now, ctx.playbook.community.language)
    reason = "open questions listed" if waiting else "no open questions"
    return [answer_to(trigger(ctx), text, reason=reason)]


# --- faq.close -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Closing:
    """What `/questions done N` does: close question `close` (None: refuse) and say `text`."""

    close: int | None
    text: str
    reason: str


def decide_close(question: Question | None, number: int, community_id: int,
                 language: Language) -> Closing:  # fmt: skip
    """Close a waiting question of this community; refuse anything else."""
    if question is None or question.community_id != community_id or question.status == "answered":
        return Closing(None, TEXTS.say("not_waiting", language, id=number), "no such question")
    return Closing(question.id, TEXTS.say("closed", language, id=number), "question closed")


def close_question(scope: StoreBase, request: CloseQuestion,
                   ctx: EffectContext) -> Sequence[Action]:  # fmt: skip
    """`/questions done 12`: staff answered #12 elsewhere."""
    questions: Questions = SqlQuestions.on(scope)
    closing = decide_close(questions.get_question(request.question), request.question,
                           ctx.group.community_id, ctx.playbook.community.language)  # fmt: skip
    if closing.close is not None:
        settle(scope, closing.close, ctx.member.id if ctx.member else None, ctx.now)
    return [answer_to(trigger(ctx), closing.text, reason=closing.reason)]


# --- /questions ----------------------------------------------------------------------------


def _questions(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    args = invocation.args
    if not args:
        return Outcome((asked_by(ListQuestions(), event),))
    number = args[1].lstrip("#＃") if len(args) == 2 else ""
    if args[0].lower() in DONE_WORDS and number.isdecimal() and len(number) <= 12:
        return Outcome((asked_by(CloseQuestion(question=int(number)), event),))
    usage = TEXTS.say("queue_usage", ctx.playbook.community.language)
    return Outcome((reply(event, usage, handler=HANDLER, reason="bad /questions arguments"),))


QUESTIONS = Command("questions", ("问题", "待回答"), HELP["questions"], _questions,
                    permission=Permission.ANSWER_QUESTIONS, usage=USAGE["questions"])  # fmt: skip
