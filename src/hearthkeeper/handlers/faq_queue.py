"""The staff question queue (seed 001's manual response): questions the bot could not answer
wait for a reply; nobody answering within `faq.unanswered_alert_after` alerts staff.

A member's question is answered by anyone but the asker — staff, or a member helping out, as
the seeds want members to — who replies to it (or to another message of the asker), or
@-mentions the asker; a member's reply that is itself a question ("me too?") is no answer.
Follow-up questions within the alert window join the first: one alert per member and group.
`/questions` lists what still waits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.handlers.commands import Command, Invocation, reply
from hearthkeeper.handlers.faq_texts import DONE_WORDS, HELP, TEXTS, USAGE
from hearthkeeper.handlers.format import excerpt, human_duration
from hearthkeeper.playbook.structure import Permission
from hearthkeeper.store import Question, Store

QUEUE, ANSWERED, ALERT, LIST, CLOSE = (
    "faq.queue",
    "faq.answered",
    "faq.alert",
    "faq.list",
    "faq.close",
)
LISTED = 10  # questions shown by /questions; the rest are counted


def question_key(question_id: int) -> str:
    """The name of a question's scheduled staff alert."""
    return f"question:{question_id}"


def answer_to(action: Action, text: str, *, reason: str, mentions: Sequence[str] = ()) -> Action:
    """A reply to the member whose message the effect `action` was decided on."""
    return Action(kind=ActionKind.REPLY, carrier=action.carrier, group=action.group,
                  member=action.member, target=action.target, text=text, reason=reason,
                  handler="faq", extra={"mentions": list(mentions)} if mentions else {})  # fmt: skip


def queue_question(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Put the question in the queue and schedule the staff alert — unless the member's
    previous question here still waits within the alert window: that alert covers both."""
    if ctx.member is None or action.target is None:
        return []
    group, window = ctx.group, ctx.playbook.mechanisms.faq.unanswered_alert_after
    earlier = store.last_waiting_asked_at(group.community_id, group.id, ctx.member.id)
    if earlier is not None and ctx.now - earlier < window:
        return []
    number = store.add_question(group.community_id, group.id, ctx.member.id, action.target,
                                str(action.extra.get("text", "")), ctx.now)  # fmt: skip
    store.schedule(question_key(number), group.community_id, ALERT, {"question": number},
                   ctx.now + window, group_id=group.id)  # fmt: skip
    return []


def mark_answered(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Someone else's reply to the asker's question (or to any message of the asker), or a
    message @-mentioning the asker, answers the asker's waiting question; the alert is off."""
    if ctx.member is None:
        return []
    group = ctx.group
    replied = action.extra.get("reply_to")
    askers: list[int] = []
    question = None
    if isinstance(replied, str):
        question = store.waiting_question(group.community_id, group.id, replied)
        author = store.message_author(group.id, replied) if question is None else None
        askers += [author] if author is not None else []
    for user in action.extra.get("mentions", ()):
        found = store.find_member(group.carrier, str(user))
        askers += [found.id] if found is not None else []
    if question is None:
        others = [a for a in askers if a != ctx.member.id]
        question = store.waiting_question_of(group.community_id, group.id, others)
    if question is None or question.member_id == ctx.member.id:
        return []
    if store.answer_question(question.id, ctx.member.id, ctx.now):
        store.cancel_scheduled(question_key(question.id))
    return []


def alert_staff(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """When the alert falls due: staff hear of the question if it is still open."""
    question = store.get_question(int(action.extra.get("question", 0)))
    if question is None or question.status != "open":
        return []
    store.alert_question(question.id)
    lang = ctx.playbook.community.language
    text = TEXTS.say("alert", lang, group=question.group_name, asker=question.asker,
                     ago=human_duration(ctx.now - question.asked_at, lang), id=question.id,
                     excerpt=excerpt(question.text))  # fmt: skip
    return [Action(kind=ActionKind.ALERT_STAFF, carrier=ctx.group.carrier,
                   group=ctx.group.carrier_group_id, target=question.carrier_event_id, text=text,
                   reason="a member's question nobody answered", handler="faq")]  # fmt: skip


def list_questions(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """`/questions`: what waits in the community's queue, oldest first."""
    lang = ctx.playbook.community.language
    waiting = store.waiting_questions(ctx.group.community_id)
    if not waiting:
        return [answer_to(action, TEXTS.say("queue_empty", lang), reason="no open questions")]
    lines = [TEXTS.say("queue_header", lang, count=len(waiting))]
    lines += [_line(q, ctx) for q in waiting[:LISTED]]
    if len(waiting) > LISTED:
        lines.append(TEXTS.say("queue_more", lang, count=len(waiting) - LISTED))
    lines.append(TEXTS.say("queue_footer", lang))
    return [answer_to(action, "\n".join(lines), reason="open questions listed")]


def _line(question: Question, ctx: EffectContext) -> str:
    lang = ctx.playbook.community.language
    alerted = TEXTS.say("queue_alerted", lang) if question.status == "alerted" else ""
    return TEXTS.say("queue_line", lang, id=question.id, group=question.group_name,
                     asker=question.asker, ago=human_duration(ctx.now - question.asked_at, lang),
                     alerted=alerted, excerpt=excerpt(question.text, 40))  # fmt: skip


def close_question(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """`/questions done 12`: staff answered #12 elsewhere."""
    lang = ctx.playbook.community.language
    number = int(action.extra.get("question", 0))
    question = store.get_question(number)
    if (
        question is None
        or question.community_id != ctx.group.community_id
        or (question.status == "answered")
    ):
        return [
            answer_to(action, TEXTS.say("not_waiting", lang, id=number), reason="no such question")
        ]
    store.answer_question(question.id, ctx.member.id if ctx.member else None, ctx.now)
    store.cancel_scheduled(question_key(question.id))
    return [answer_to(action, TEXTS.say("closed", lang, id=number), reason="question closed")]


def _questions(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    base = Action(kind=ActionKind.EFFECT, carrier=event.carrier, group=event.group,
                  member=event.sender.user_id, target=event.event_id, handler="faq")  # fmt: skip
    args = invocation.args
    if not args:
        return Outcome((replace(base, effect=LIST),))
    number = args[1].lstrip("#＃") if len(args) == 2 else ""
    if args[0].lower() in DONE_WORDS and number.isdecimal() and len(number) <= 12:
        return Outcome((replace(base, effect=CLOSE, extra={"question": int(number)}),))
    usage = TEXTS.say("queue_usage", ctx.playbook.community.language)
    return Outcome((reply(event, usage, handler="faq", reason="bad /questions arguments"),))


QUESTIONS = Command("questions", ("问题", "待回答"), HELP["questions"], _questions,
                    permission=Permission.ANSWER_QUESTIONS, usage=USAGE["questions"])  # fmt: skip
