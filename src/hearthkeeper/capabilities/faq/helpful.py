"""`/helpful` (`/有用`): staff reply with it to a member's answer; the author earns
`mechanisms.points.helpful_answer` points, once per answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hearthkeeper.capabilities.command_book import Command, Invocation, reply
from hearthkeeper.capabilities.faq.repository import Questions, SqlQuestions
from hearthkeeper.capabilities.faq.requests import (
    HANDLER,
    MarkHelpful,
    answer_to,
    asked_by,
    trigger,
)
from hearthkeeper.capabilities.faq.texts import HELP, TEXTS, USAGE
from hearthkeeper.engine.actions import Action, ActionKind, mentioning
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.events import Event, Message
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.structure import Permission
from hearthkeeper.store import Member
from hearthkeeper.store.members import MemberQueries
from hearthkeeper.store.points import PointsQueries
from hearthkeeper.store.scope import StoreBase


def helpful_reason(group_id: int, carrier_event_id: str) -> str:
    """The ledger reason for one marked answer: the same answer is rewarded once."""
    return f"helpful answer (message {carrier_event_id} in group {group_id})"


@dataclass(frozen=True)
class Thanks:
    """What marking an answer helpful does: award `points` to `author` (0: none) and say
    `text`, to the author (`mention`, their user id; `called`, the name the text calls them)
    or, when refused, to the marker."""

    text: str
    reason: str
    author: int | None = None
    points: int = 0
    mention: str | None = None
    called: str = ""


def decide_helpful(author: Member | None, marker: int | None, points: int, already: bool,
                   user: str | None, language: Language) -> Thanks:  # fmt: skip
    """Reward the author of the replied-to message, unless it is unknown, the marker's own,
    or already rewarded; `points` is what the playbook awards (0: points are off)."""
    if author is None:
        return Thanks(TEXTS.say("helpful_unknown", language), "unknown message")
    if author.id == marker:
        return Thanks(TEXTS.say("helpful_own", language), "own message")
    if points and already:
        return Thanks(TEXTS.say("helpful_again", language), "already marked helpful")
    called = author.display_name or user or str(author.id)
    name = f"@{called}"
    text = (TEXTS.say("helpful", language, name=name, points=points) if points
            else TEXTS.say("helpful_no_points", language, name=name))  # fmt: skip
    return Thanks(text, "answer marked helpful", author.id, points, user, called)


def mark_helpful(scope: StoreBase, request: MarkHelpful, ctx: EffectContext) -> Sequence[Action]:
    """Award the author of the replied-to message (see `decide_helpful`)."""
    group, settings = ctx.group, ctx.playbook.mechanisms.points
    points = settings.helpful_answer if settings.enabled else 0
    reason = helpful_reason(group.id, request.reply_to)
    questions: Questions = SqlQuestions.on(scope)
    members = MemberQueries.on(scope)
    author_id = questions.message_author(group.id, request.reply_to)
    author = members.get_member(author_id) if author_id is not None else None
    already, user = False, None
    if author is not None:
        already = bool(points) and questions.points_given(group.community_id, author.id, reason)
        user = members.user_on(author.id, group.carrier)
    marker = ctx.member.id if ctx.member is not None else None
    thanks = decide_helpful(author, marker, points, already, user, ctx.playbook.community.language)
    if thanks.author is None:
        return [answer_to(trigger(ctx), thanks.text, reason=thanks.reason)]
    if thanks.points:
        # Not an AWARD_POINTS action: the executor credits those to the event's sender (staff)
        PointsQueries.on(scope).award_points(group.community_id, thanks.author, thanks.points,
                                             reason, ctx.now, event_id=ctx.event_id)  # fmt: skip
    asked = trigger(ctx)
    return [Action(kind=ActionKind.REPLY, carrier=asked.carrier, group=asked.group,
                   member=thanks.mention, target=request.reply_to, text=thanks.text,
                   reason=thanks.reason, handler=HANDLER,
                   extra=mentioning([(thanks.mention, thanks.called)]))]  # fmt: skip


def _helpful(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    if not isinstance(event, Message) or not event.reply_to:
        usage = TEXTS.say("helpful_usage", ctx.playbook.community.language)
        return Outcome((reply(event, usage, handler=HANDLER, reason="/helpful without a reply"),))
    return Outcome((asked_by(MarkHelpful(reply_to=event.reply_to), event),))


HELPFUL_COMMAND = Command("helpful", ("有用",), HELP["helpful"], _helpful,
                          permission=Permission.ANSWER_QUESTIONS, usage=USAGE["helpful"])  # fmt: skip
