"""Who may be here at all: blacklisted members are refused in every group of the scope."""

from __future__ import annotations

from hearthkeeper.capabilities.gate.sanctioned import held, removed
from hearthkeeper.capabilities.texts import say
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.events import Event, Join, Message
from hearthkeeper.engine.handler import Context, Outcome


class Blacklist:
    """A blacklisted member who joins, or still posts, is removed at once: banned once (what
    they post before the ban takes effect is only deleted)."""

    name = "blacklist"

    def check(self, event: Event, ctx: Context) -> bool:
        return (
            isinstance(event, Join | Message)
            and not ctx.member.is_staff
            and ctx.state.is_blacklisted(ctx.group.community_id, ctx.member.id)
        )

    def handle(self, event: Event, ctx: Context) -> Outcome:
        lang = ctx.playbook.community.language
        nickname = event.sender.display_name or event.sender.user_id
        actions = []
        if isinstance(event, Message):
            actions.append(Action(kind=ActionKind.DELETE, carrier=event.carrier, group=event.group,
                                  member=event.sender.user_id, target=event.event_id,
                                  reason="blacklisted member", handler=self.name))  # fmt: skip
            hold, _ = held(ctx)
            if removed(hold, ctx.member.joined_at):  # banned here already: not once per message
                return Outcome(tuple(actions), stop=True)
        actions.append(Action(kind=ActionKind.BAN, carrier=event.carrier, group=event.group,
                              member=event.sender.user_id, reason="blacklisted member",
                              handler=self.name))  # fmt: skip
        actions.append(Action(kind=ActionKind.SEND, carrier=event.carrier, group=event.group,
                              text=say("refused", lang, nickname=nickname),
                              key=f"refused:{ctx.group.id}:{ctx.member.id}",
                              reason="blacklisted member refused", handler=self.name))  # fmt: skip
        if isinstance(event, Join):  # a ban evasion: staff hear of it (urgent by default)
            actions.append(Action(kind=ActionKind.ALERT_STAFF, carrier=event.carrier,
                                  group=event.group, member=event.sender.user_id,
                                  text=say("ban_evasion", lang, nickname=nickname,
                                           group=ctx.group.name),
                                  violation="ban_evasion", reason="a blacklisted member came back",
                                  handler=self.name,
                                  key=f"evasion:{ctx.group.id}:{ctx.member.id}:{event.at:%Y%m%d}"))  # fmt: skip
        return Outcome(tuple(actions), stop=True)
