"""`/helpful` (`/有用`): staff reply with it to a member's answer; the author earns
`mechanisms.points.helpful_answer` points, once per answer."""

from __future__ import annotations

from collections.abc import Sequence

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.events import Event, Message
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.handlers.commands import Command, Invocation, reply
from hearthkeeper.handlers.faq_texts import HELP, TEXTS, USAGE
from hearthkeeper.playbook.structure import Permission
from hearthkeeper.store import Store

HELPFUL = "faq.helpful"


def helpful_reason(group_id: int, carrier_event_id: str) -> str:
    """The ledger reason for one marked answer: the same answer is rewarded once."""
    return f"helpful answer (message {carrier_event_id} in group {group_id})"


def mark_helpful(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Award the author of the replied-to message, unless it is the marker's own or done."""
    lang = ctx.playbook.community.language
    replied = str(action.extra.get("reply_to", ""))
    author = store.message_author(ctx.group.id, replied)
    member = store.get_member(author) if author is not None else None
    if member is None:
        return [_say(action, TEXTS.say("helpful_unknown", lang), "unknown message")]
    if ctx.member is not None and member.id == ctx.member.id:
        return [_say(action, TEXTS.say("helpful_own", lang), "own message")]
    settings = ctx.playbook.mechanisms.points
    points = settings.helpful_answer if settings.enabled else 0
    reason = helpful_reason(ctx.group.id, replied)
    if points and store.points_given(ctx.group.community_id, member.id, reason):
        return [_say(action, TEXTS.say("helpful_again", lang), "already marked helpful")]
    if points:
        # Not an AWARD_POINTS action: the executor credits those to the event's sender (staff)
        store.award_points(ctx.group.community_id, member.id, points, reason, ctx.now,
                           event_id=ctx.event_id)  # fmt: skip
    user = store.user_on(member.id, ctx.group.carrier)
    name = f"@{member.display_name or user or member.id}"
    text = (TEXTS.say("helpful", lang, name=name, points=points) if points
            else TEXTS.say("helpful_no_points", lang, name=name))  # fmt: skip
    return [Action(kind=ActionKind.REPLY, carrier=action.carrier, group=action.group,
                   member=user, target=replied, text=text,
                   reason="answer marked helpful", handler="faq",
                   extra={"mentions": [user]} if user else {})]  # fmt: skip


def _say(action: Action, text: str, reason: str) -> Action:
    return Action(kind=ActionKind.REPLY, carrier=action.carrier, group=action.group,
                  member=action.member, target=action.target, text=text, reason=reason,
                  handler="faq")  # fmt: skip


def _helpful(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    if not isinstance(event, Message) or not event.reply_to:
        usage = TEXTS.say("helpful_usage", ctx.playbook.community.language)
        return Outcome((reply(event, usage, handler="faq", reason="/helpful without a reply"),))
    return Outcome((Action(kind=ActionKind.EFFECT, carrier=event.carrier, group=event.group,
                           member=event.sender.user_id, target=event.event_id, effect=HELPFUL,
                           extra={"reply_to": event.reply_to}, handler="faq"),))  # fmt: skip


HELPFUL_COMMAND = Command("helpful", ("有用",), HELP["helpful"], _helpful,
                          permission=Permission.ANSWER_QUESTIONS, usage=USAGE["helpful"])  # fmt: skip
