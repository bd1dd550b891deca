"""The FAQ's effects, as typed requests. The names stay those the untyped effects had:
scheduled staff alerts already in a database (`faq.alert`, payload `{"question": 12}`) still run.
"""

from __future__ import annotations

from collections.abc import Sequence

from hearthkeeper.engine.actions import Action, ActionKind, mentioning
from hearthkeeper.engine.effects import EffectContext, EffectError, Request
from hearthkeeper.engine.events import Event

HANDLER = "faq"


class QueueQuestion(Request, effect="faq.queue"):
    """Put the member's question (the triggering message) in the staff queue."""

    text: str


class MarkAnswered(Request, effect="faq.answered"):
    """A message that may answer a waiting question: a reply to `reply_to`, or @-mentions."""

    reply_to: str | None = None
    mentions: tuple[str, ...] = ()


class AlertStaff(Request, effect="faq.alert"):
    """Scheduled: staff hear of question `question` if nobody answered it."""

    question: int


class ListQuestions(Request, effect="faq.list"):
    """`/questions`: what waits in the community's queue."""


class CloseQuestion(Request, effect="faq.close"):
    """`/questions done 12`: staff answered question 12 elsewhere."""

    question: int


class FindExperts(Request, effect="faq.experts"):
    """@-mention members tagged with `tags` (with the FAQ `answer`, if any); with nobody to
    mention and `queue`, the question (`text`) goes to staff."""

    tags: tuple[str, ...]
    queue: bool
    text: str
    answer: str | None = None


class MarkHelpful(Request, effect="faq.helpful"):
    """`/helpful` in reply to `reply_to`: its author earns points."""

    reply_to: str


def asked_by(request: Request, event: Event) -> Action:
    """The action asking for `request`'s effect on behalf of the sender of `event`."""
    return request.action(carrier=event.carrier, group=event.group, member=event.sender.user_id,
                          target=event.event_id, handler=HANDLER)  # fmt: skip


def trigger(ctx: EffectContext) -> Action:
    """The action that asked for the effect (its carrier, group, member and message)."""
    if ctx.trigger is None:
        raise EffectError("an FAQ effect needs the action that asked for it")
    return ctx.trigger


def answer_to(action: Action, text: str, *, reason: str,
              mentions: Sequence[tuple[str, str]] = ()) -> Action:  # fmt: skip
    """A reply to the member whose message the effect `action` was decided on, mentioning
    `mentions` (each a user id and the name the text calls them)."""
    return Action(kind=ActionKind.REPLY, carrier=action.carrier, group=action.group,
                  member=action.member, target=action.target, text=text, reason=reason,
                  handler=HANDLER, extra=mentioning(mentions))  # fmt: skip
