"""`/report [why]` (`/举报 [理由]`), sent as a reply to a member's message: a command for every
member, taken at the gate so that moderation never reads it (a reason quoting the ad is not
struck) and out of the group (the reported member does not see who reported them)."""

from __future__ import annotations

from hearthkeeper.capabilities.command_book import Command, Invocation, ask, invocation_of
from hearthkeeper.capabilities.reports.requests import FileReport
from hearthkeeper.capabilities.reports.words import ALIASES, NAME, is_report
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.events import Event, Message
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.playbook.positioning import Language

HANDLER = "reports"


def _run(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    reply_to = (event.reply_to or None) if isinstance(event, Message) else None
    request = FileReport(reply_to=reply_to, why=invocation.rest)
    return Outcome((ask(event, request, handler=HANDLER),))


COMMAND = Command(NAME, ALIASES, {
    Language.ZH_CN: "回复（引用）一条消息发送，向管理员举报它；够多人举报会先隐藏",
    Language.EN: "send as a reply to a message to report it to staff; enough reports hide it",
}, _run, usage={Language.ZH_CN: "/举报 理由", Language.EN: "/report why"})  # fmt: skip


class ReportGate:
    """A member's `/report`, taken before moderation reads it, and taken out of the group
    where the carrier can delete it. Staff's `/report` is left to the command book (they are
    told to `/warn`). A muted member's passes the gate's hold (`gate/sanctioned.py`) to
    here: a member harassed into silence still flags abuse; their report does not count
    toward hiding. A member being kicked or banned reports nothing (the hold deletes it)."""

    name = HANDLER

    def check(self, event: Event, ctx: Context) -> bool:
        return (
            isinstance(event, Message)
            and not event.sender.is_bot
            and not ctx.member.is_staff
            and ctx.playbook.rules.reports.enabled
            and is_report(event.text)
        )

    def handle(self, event: Event, ctx: Context) -> Outcome:
        assert isinstance(event, Message)
        invocation = invocation_of(event)
        assert invocation is not None
        out = Action(kind=ActionKind.DELETE, carrier=event.carrier, group=event.group,
                     member=event.sender.user_id, target=event.event_id,
                     reason="a report: staff read it in the inbox", handler=HANDLER)  # fmt: skip
        return Outcome((*_run(event, ctx, invocation).actions, out), stop=True)
