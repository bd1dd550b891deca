"""Who is held back in a group: a member muted there, or banned or kicked from it and not
back since, earns nothing from what they post (no check-in, points, vote, place, answer,
command, welcome, strike) and what they post is deleted.

Carriers that enforce mutes and removals still deliver what was sent in the moments before
the platform applied them (QQ, Telegram and Matrix do; the web chat refuses it at the door),
and a member banned by the ladder who floods would otherwise cost a kick and a deletion per
message. One kick or ban per member, then only deletions; the ladder does not climb from
what the member sends while held (the same offence repeated before the sanction takes
effect is not a new one). An edit (Telegram, Matrix) is held back as a post is: a muted
member may not change what the group reads either, so their message edited is deleted, an ad
edited in or a typo mended, with no strike. A mute lifted in the platform's own tools is not seen: lift it in
Hearthkeeper (`hearth sanctions lift`, the console)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.appeals.words import is_appeal
from hearthkeeper.capabilities.format import when_text
from hearthkeeper.capabilities.moderation.handler import as_edited
from hearthkeeper.capabilities.moderation.repository import SqlEdited
from hearthkeeper.capabilities.reports.words import is_report
from hearthkeeper.capabilities.texts import say
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.events import Edit, Event, Message
from hearthkeeper.engine.handler import Context, Hold, Outcome


def removed(hold: Hold | None, joined_at: datetime | None) -> bool:
    """Whether a ban or kick holds: a member who joined again since is no longer held by it
    (the platform let them back in)."""
    at = hold.removed_at if hold is not None else None
    return at is not None and (joined_at is None or at >= joined_at)


def held(ctx: Context) -> tuple[Hold | None, bool]:
    """The member's hold in the event's group, and whether it holds them back now."""
    hold = ctx.state.hold(ctx.group.community_id, ctx.group.id, ctx.member.id, ctx.now)
    if hold is None:
        return None, False
    return hold, hold.muted_until is not None or removed(hold, ctx.member.joined_at)


class Sanctioned:
    """A member's message sent while muted, banned or kicked: deleted, and nothing else runs.
    A muted member is told once per mute that their messages are removed until it ends (they
    may not know it is still on); a member being removed is told nothing more. An `/appeal`
    passes (`capabilities/appeals/`): it is how a held member asks staff to review; so does a
    muted member's `/report` (`capabilities/reports/`). The notice's
    key is the mute's end to the microsecond: a mute lifted and given again within the same
    second (ending in the same second) is a new mute, told again.

    An edit sent while held is their message edited sent again: that message is deleted
    (moderation, which would strike an ad edited in, does not run). An edit naming someone
    else's message (Matrix lets anyone send one) deletes the edit, not their message; one of
    a message already deleted is nothing to do."""

    name = "sanctioned"

    def check(self, event: Event, ctx: Context) -> bool:
        if not isinstance(event, Message | Edit) or event.sender.is_bot or ctx.member.is_staff:
            return False
        if not held(ctx)[1]:
            return False
        if isinstance(event, Edit):  # no command is read from an edit: no appeal, no report
            return True
        return not (
            (ctx.playbook.rules.appeals.enabled and is_appeal(event.text)) or _reporting(event, ctx)
        )

    def handle(self, event: Event, ctx: Context) -> Outcome:
        hold, _ = held(ctx)
        assert hold is not None
        if isinstance(event, Edit):
            stored = None if ctx.reads is None else \
                SqlEdited.on(ctx.reads).edited(ctx.group.id, event.target)  # fmt: skip
            if stored is not None and stored.deleted:
                return Outcome((), stop=True)
            event = as_edited(event, stored, ctx.member.id)
        assert isinstance(event, Message)

        def action(kind: ActionKind, why: str, text: str | None = None,
                   key: str | None = None) -> Action:  # fmt: skip
            target = event.event_id if kind is ActionKind.DELETE else None
            return Action(kind=kind, carrier=event.carrier, group=event.group,
                          member=event.sender.user_id, target=target, text=text, key=key,
                          reason=why, handler=self.name)  # fmt: skip

        if removed(hold, ctx.member.joined_at):
            why = "sent while being removed from the group"
            return Outcome((action(ActionKind.DELETE, why),), stop=True)
        until = hold.muted_until
        assert until is not None
        lang = ctx.playbook.community.language
        notice = say("held_muted", lang, nickname=event.sender.display_name or event.sender.user_id,
                     until=when_text(until, ZoneInfo(ctx.playbook.community.timezone),
                                     lang))  # fmt: skip
        key = f"held:{ctx.group.id}:{ctx.member.id}:{until:%Y%m%dT%H%M%S.%f}"  # once per mute
        return Outcome((action(ActionKind.DELETE, "sent while muted"),
                        action(ActionKind.REPLY, "sent while muted", text=notice, key=key)),
                       stop=True)  # fmt: skip


def _reporting(event: Message, ctx: Context) -> bool:
    """A muted member's `/report` passes (`capabilities/reports/`): silenced members harassed
    into silence still flag abuse (their report does not count toward hiding the message). A
    member being removed reports nothing."""
    if not ctx.playbook.rules.reports.enabled or not is_report(event.text):
        return False
    hold, _ = held(ctx)
    return hold is not None and not removed(hold, ctx.member.joined_at)
