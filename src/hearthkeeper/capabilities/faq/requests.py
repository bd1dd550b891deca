"""The FAQ's effects, as typed requests. The names stay those the untyped effects had:
scheduled staff alerts already in a database (`faq.alert`, payload `{"question": 12}`) still run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext, EffectError, Request
from hearthkeeper.engine.events import Event

HANDLER = "faq"


@dataclass(frozen=True, kw_only=True)
class QueueQuestion(Request):
    """Put the member's question (the triggering message) in the staff queue."""

    effect: ClassVar[str] = "faq.queue"
    text: str


@dataclass(frozen=True, kw_only=True)
class MarkAnswered(Request):
    """A message that may answer a waiting question: a reply to `reply_to`, or @-mentions."""

    effect: ClassVar[str] = "faq.answered"
    reply_to: str | None = None
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class AlertStaff(Request):
    """Scheduled: staff hear of question `question` if nobody answered it."""

    effect: ClassVar[str] = "faq.alert"
    question: int


@dataclass(frozen=True, kw_only=True)
class ListQuestions(Request):
    """`/questions`: what waits in the community's queue."""

    effect: ClassVar[str] = "faq.list"


@dataclass(frozen=True, kw_only=True)
class CloseQuestion(Request):
    """`/questions done 12`: staff answered question 12 elsewhere."""

    effect: ClassVar[str] = "faq.close"
    question: int


@dataclass(frozen=True, kw_only=True)
class FindExperts(Request):
    """@-mention members tagged with `tags` (with the FAQ `answer`, if any); with nobody to
    mention and `queue`, the question (`text`) goes to staff."""

    effect: ClassVar[str] = "faq.experts"
    tags: tuple[str, ...]
    queue: bool
    text: str
    answer: str | None = None


@dataclass(frozen=True, kw_only=True)
class MarkHelpful(Request):
    """`/helpful` in reply to `reply_to`: its author earns points."""

    effect: ClassVar[str] = "faq.helpful"
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


def answer_to(action: Action, text: str, *, reason: str, mentions: Sequence[str] = ()) -> Action:
    """A reply to the member whose message the effect `action` was decided on."""
    return Action(kind=ActionKind.REPLY, carrier=action.carrier, group=action.group,
                  member=action.member, target=action.target, text=text, reason=reason,
                  handler=HANDLER, extra={"mentions": list(mentions)} if mentions else {})  # fmt: skip
