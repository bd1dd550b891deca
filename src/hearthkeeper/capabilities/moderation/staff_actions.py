"""What staff's decisions by hand reach and ask of the carriers. Pure: the store work is in
`staff.py`."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import timedelta

from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.engine.actions import UNLESS_UNREACHABLE, Action, ActionKind, mentioning
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.rules import ViolationKind
from hearthkeeper.store import Group, Message, Sanction, SanctionKind

HANDLER = "staff"


def ban_reach(group: Group, every: Sequence[Group], sender_in: Collection[int]) -> list[Group]:
    """The groups a ban for a message in `group` reaches: that group and every other group of
    the community (`every`) whose id is in `sender_in`, the groups the sender is in now."""
    return [g for g in every if g.id == group.id or g.id in sender_in]


def lifted_along(sanction: Sanction, bans: Iterable[Sanction]) -> list[Sanction]:
    """The bans in force that lifting `sanction` also lifts: lifting a blacklisting lifts the
    member's bans in its community (in every community, for a blacklisting across them)."""
    if sanction.kind is not SanctionKind.BLACKLIST:
        return []
    return [
        b for b in bans if sanction.community_id is None or b.community_id == sanction.community_id
    ]


def alerted_event(key: str, group: Group) -> str | None:
    """The carrier's id of the message in `group` that a handler's alert about it was raised
    on, from the alert's key (its outbox key): the engine keys an event's actions
    `<carrier>:<group>:<event id>:<index>` (`Event.key`, then `Step.apply`), so the event id is
    what lies between the group's prefix and the last `:`. None for an alert keyed otherwise
    (a nickname's, scheduled work's), which names no message."""
    prefix = f"{group.carrier}:{group.carrier_group_id}:"
    if not key.startswith(prefix):
        return None
    event_id, colon, index = key.removeprefix(prefix).rpartition(":")
    if not colon or not event_id or not index.isdigit():
        return None
    return event_id


# What staff are offered on an advertising alert, in the community's language as the alert's
# own text is (the console shows it beside that text).
NOT_AN_AD = Phrasebook({
    "not_an_ad": {Language.ZH_CN: "不是广告", Language.EN: "Not an ad"},
    "not_an_ad_title": {
        Language.ZH_CN: "这条消息没问题：标记为已处理，并让本社区的广告模型学习为正常聊天",
        Language.EN: "The message was fine: mark the alert handled and teach this community's "
        "spam scorer it was ordinary chat",
    },
})  # fmt: skip


def not_an_ad(violation: str | None) -> bool:
    """Whether staff may say an alert of this kind was not an ad: an advertising alert (the
    learned scorer's guess on a member in good standing, an ad the playbook only alerts on)."""
    return violation == ViolationKind.ADVERTISING.value


def teaches_spam(member_id: int | None, staff_role: str | None) -> bool:
    """Whether a message staff removed is kept as spam: a member's is, staff's own messages
    teach nothing (an operator tidying up a group is not judging spam)."""
    return member_id is not None and staff_role is None


NOTICES = Phrasebook({
    "removed_message": {Language.ZH_CN: "已被管理员撤回", Language.EN: "removed by a moderator"},
    "banned": {Language.ZH_CN: "已被管理员封禁", Language.EN: "banned by a moderator"},
    "muted": {Language.ZH_CN: "已被管理员禁言", Language.EN: "muted by a moderator"},
    "removed": {Language.ZH_CN: "已被管理员移出群", Language.EN: "removed by a moderator"},
    "because": {Language.ZH_CN: "{notice}：{reason}", Language.EN: "{notice}: {reason}"},
    "pardoned": {Language.ZH_CN: "{name}，你因「{violation}」被记的一次违规已被管理员撤销，不再计入。",
                 Language.EN: "{name}, a moderator took back your strike for {violation}: it "
                              "no longer counts."},
})  # fmt: skip


def pardoned(group: Group, user: str, name: str, violation: str, language: Language) -> Action:
    """Tell the member, @-mentioned in the group where the strike was given, that staff took
    it back (from the console, the REST API or `hearth strikes pardon`: a member who appealed
    learns the outcome; `/pardon` in the chat answers there itself)."""
    text = NOTICES.say("pardoned", language, name=name, violation=violation)
    return Action(kind=ActionKind.SEND, carrier=group.carrier, group=group.carrier_group_id,
                  member=user, text=text, handler=HANDLER, reason="strike pardoned",
                  extra=mentioning([(user, name)]))  # fmt: skip


def notice(what: str, language: Language, reason: str = "") -> str:
    """What a member is shown of staff's decision `what` (banned, muted, removed): that a
    moderator decided, in the community's language, with staff's own words if they gave some."""
    said = NOTICES.say(what, language)
    return NOTICES.say("because", language, notice=said, reason=reason) if reason else said


def deletion(message: Message, group: Group, user: str | None, by: str,
             language: Language = Language.EN) -> Action:  # fmt: skip
    """Delete `message` (sent by `user` on the group's carrier) for `by`."""
    return Action(kind=ActionKind.DELETE, carrier=group.carrier, group=group.carrier_group_id,
                  member=user, target=message.carrier_event_id,
                  reason=notice("removed_message", language), detail=f"deleted by {by}",
                  handler=HANDLER)  # fmt: skip


def ban(where: Group, user: str, why: str, shown: str) -> Action:
    """Ban `user` from `where`. The member is shown `shown` (`notice("banned", …)`); `why`
    (who and for which message) goes to the audit log."""
    return Action(kind=ActionKind.BAN, carrier=where.carrier, group=where.carrier_group_id,
                  member=user, reason=shown, detail=why, handler=HANDLER)  # fmt: skip


def told_banned(carrier: str, user: str, text: str) -> Action:
    """Tell `user` privately they are banned, and how to appeal (`text`): dropped by the
    carrier when they never opened a private chat with the bot (`UNLESS_UNREACHABLE`)."""
    return Action(kind=ActionKind.DIRECT, carrier=carrier, member=user, text=text,
                  reason="banned: told privately", handler=HANDLER,
                  extra={UNLESS_UNREACHABLE: True})  # fmt: skip


def mute(where: Group, user: str, duration: timedelta, why: str, shown: str) -> Action:
    """Mute `user` in `where` for `duration`; the member is shown `shown`
    (`notice("muted", …)`), `why` goes to the audit log."""
    return Action(kind=ActionKind.MUTE, carrier=where.carrier, group=where.carrier_group_id,
                  member=user, duration=duration, reason=shown, detail=why,
                  handler=HANDLER)  # fmt: skip


def kick(where: Group, user: str, why: str, shown: str) -> Action:
    """Remove `user` from `where` (they may come back); shown `shown` (`notice("removed", …)`)."""
    return Action(kind=ActionKind.KICK, carrier=where.carrier, group=where.carrier_group_id,
                  member=user, reason=shown, detail=why, handler=HANDLER)  # fmt: skip


def undo(sanction: Sanction, group: Group, user: str, by: str) -> Action:
    """Undo `sanction` on `group`'s carrier: an unmute for a mute, else an unban."""
    kind = ActionKind.UNMUTE if sanction.kind is SanctionKind.MUTE else ActionKind.UNBAN
    return Action(kind=kind, carrier=group.carrier, group=group.carrier_group_id, member=user,
                  reason=f"lifted by {by}", handler=HANDLER)  # fmt: skip
