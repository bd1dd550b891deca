"""The actions sign-up and poll code asks for and answers with: a handler asks for an effect on
behalf of a message's sender; the effect answers with replies and posts addressed like the
action that asked for it (for scheduled work: the group, with nobody in particular)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities import command_book
from hearthkeeper.engine.actions import Action, ActionKind, mentioning
from hearthkeeper.engine.effects import EffectContext, Request
from hearthkeeper.engine.events import Event
from hearthkeeper.playbook.positioning import Language


def ask(event: Event, request: Request, handler: str) -> Action:
    """Ask for `request`'s effect on behalf of the event's sender (the effect's name as reason)."""
    return command_book.ask(event, request, handler=handler, reason=request.effect)


def language(ctx: EffectContext) -> Language:
    """The community's language."""
    return ctx.playbook.community.language


def zone(ctx: EffectContext) -> ZoneInfo:
    """The community's time zone."""
    return ZoneInfo(ctx.playbook.community.timezone)


@dataclass(frozen=True)
class Answers:
    """Replies and posts one effect answers with."""

    trigger: Action
    handler: str

    @classmethod
    def to(cls, ctx: EffectContext, request: Request, handler: str) -> Answers:
        """Answers to the action that asked for `request` (or, without one, to its group)."""
        trigger = ctx.trigger or request.action(
            carrier=ctx.group.carrier, group=ctx.group.carrier_group_id,
            member=ctx.member.user_id if ctx.member else None,
        )  # fmt: skip
        return cls(trigger, handler)

    @property
    def reason(self) -> str:
        return f"{self.trigger.effect}"

    def reply(self, text: str) -> Action:
        """A reply to the message that asked."""
        t = self.trigger
        return Action(kind=ActionKind.REPLY, carrier=t.carrier, group=t.group, member=t.member,
                      target=t.target, text=text, handler=self.handler, reason=self.reason)  # fmt: skip

    def send(self, text: str) -> Action:
        """A message to the group."""
        t = self.trigger
        return Action(kind=ActionKind.SEND, carrier=t.carrier, group=t.group, member=t.member,
                      text=text, handler=self.handler, reason=self.reason)  # fmt: skip

    def mention(self, text: str, user_id: str | None, name: str = "") -> Action:
        """A message to the group that @-mentions a member (when their carrier id is known),
        whom the text calls `name`."""
        t = self.trigger
        extra = mentioning([(user_id, name)])
        return Action(kind=ActionKind.SEND, carrier=t.carrier, group=t.group, member=user_id,
                      text=text, handler=self.handler, reason=self.reason, extra=extra)  # fmt: skip


@dataclass(frozen=True)
class Say:
    """A decision that writes nothing and answers with one reply (text None: with nothing)."""

    text: str | None = None

    def actions(self, answers: Answers) -> list[Action]:
        """The reply, if there is one."""
        return [] if self.text is None else [answers.reply(self.text)]
