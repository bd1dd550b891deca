"""`/appeal <why>` (`/申诉 <理由>`): a command for every member, and the gate that lets a
struck or muted member's appeal reach staff before anything else reads it."""

from __future__ import annotations

from hearthkeeper.capabilities.appeals.requests import FileAppeal
from hearthkeeper.capabilities.appeals.words import ALIASES, NAME, is_appeal
from hearthkeeper.capabilities.command_book import Command, Invocation, ask, invocation_of
from hearthkeeper.capabilities.gate.sanctioned import held
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.events import Event, Message
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.playbook.positioning import Language

HANDLER = "appeals"


def _run(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    """File the appeal, and take the message out of the group: an appeal's words are for
    staff (the inbox), and the learned scorer reads no command, so `/appeal <an ad>` from a
    member with nothing to appeal stood in the group, unread by it. Moderation's rules read
    it first (a member with nothing to appeal reaches this after them)."""
    ask_staff = ask(event, FileAppeal(why=invocation.rest), handler=HANDLER)
    if ctx.member.is_staff or not isinstance(event, Message):
        return Outcome((ask_staff,))
    out = Action(kind=ActionKind.DELETE, carrier=event.carrier, group=event.group,
                 member=event.sender.user_id, target=event.event_id,
                 reason="an appeal: staff read it in the inbox", handler=HANDLER)  # fmt: skip
    return Outcome((ask_staff, out))


COMMAND = Command(NAME, ALIASES, {
    Language.ZH_CN: "对最近一次处罚（违规记录或禁言）提出申诉，请管理员复核",
    Language.EN: "appeal against your latest strike or mute: staff review it",
}, _run, usage={Language.ZH_CN: "/申诉 理由", Language.EN: "/appeal why"})  # fmt: skip


class AppealGate:
    """A struck or muted member's `/appeal`, taken before the gate deletes a muted member's
    messages and before moderation reads it: an appeal repeating what was struck is not
    struck again. Moderation not reading it, it is taken out of the group (staff read it in
    the inbox), as every member's appeal is: else every message of a struck member could
    pass as an appeal. Anyone else's `/appeal` is an ordinary command, read by moderation
    first."""

    name = HANDLER

    def check(self, event: Event, ctx: Context) -> bool:
        if not isinstance(event, Message) or event.sender.is_bot or ctx.member.is_staff:
            return False
        if not ctx.playbook.rules.appeals.enabled or not is_appeal(event.text):
            return False
        community = ctx.group.community_id
        return ctx.state.live_strikes(community, ctx.member.id, ctx.now) > 0 or held(ctx)[1]

    def handle(self, event: Event, ctx: Context) -> Outcome:
        assert isinstance(event, Message)
        invocation = invocation_of(event)
        assert invocation is not None
        return Outcome(_run(event, ctx, invocation).actions, stop=True)
