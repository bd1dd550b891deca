"""The ladder: which rung a strike reaches, and what that rung does. Pure."""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

from hearthkeeper.capabilities.format import human_duration
from hearthkeeper.capabilities.texts import say, violation_name
from hearthkeeper.engine.actions import (
    BAN_FOLLOWS,
    PRIVATE_APPEAL,
    UNLESS_UNREACHABLE,
    Action,
    ActionKind,
)
from hearthkeeper.engine.events import Message
from hearthkeeper.playbook.joining import check_placeholders
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.rules import LADDER_PLACEHOLDERS, LadderStep, Sanction

_SANCTION_ACTIONS = {
    Sanction.DELETE: ActionKind.DELETE,
    Sanction.MUTE: ActionKind.MUTE,
    Sanction.KICK: ActionKind.KICK,
    Sanction.BAN: ActionKind.BAN,
    Sanction.BLACKLIST: ActionKind.BLACKLIST,
}
# A placeholder a ladder step's message may place, written bare.
_PLACEHOLDER = re.compile(r"\{(" + "|".join(LADDER_PLACEHOLDERS) + r")\}")
# The sanctions whose notice to the group names the member.
_TOLD = frozenset({ActionKind.MUTE, ActionKind.KICK, ActionKind.BAN})


def rung(ladder: Sequence[LadderStep], strikes: int) -> LadderStep | None:
    """The highest step whose `at` the live strike count has reached."""
    reached = [step for step in ladder if step.at <= strikes]
    return max(reached, key=lambda s: s.at) if reached else None


def next_rung(ladder: Sequence[LadderStep], strikes: int) -> LadderStep | None:
    """The step the next strike would reach, if it differs from the current one."""
    current = rung(ladder, strikes)
    following = rung(ladder, strikes + 1)
    return following if following is not None and following != current else None


def sanction_actions(
    message: Message,
    ladder: Sequence[LadderStep],
    strikes: int,
    violation: str,
    reason: str,
    language: Language,
    handler: str,
    *,
    weight: int = 1,
    appeal: str = "",
    ask: str = "",
    label: str | None = None,
    privately: str = "",
    banned_notice: str = "",
) -> list[Action]:
    """The actions of the rung that `strikes` (this violation's `weight` included) reaches.

    `reason` is the full explanation, for staff: it becomes each action's `detail`; the
    `reason` carriers may show the member names only the rule broken. `appeal` (how to
    appeal, `capabilities/appeals/`) ends the warning and the mute notice
    (the operator's own words too); `ask` (whom to contact, `rules.appeals.contact`) ends a
    ban's or blacklisting's: the reason carriers show the member, and the group's notice.
    `label` is the rule broken as the member reads it, when the violation's name says less
    (a display name that advertises is no matter of its format). `privately` (how to appeal
    to the bot in a private chat, `{bot}` for its name) goes with a ban's notice as
    `PRIVATE_APPEAL`, for the carriers where a banned member can still write to the bot;
    `banned_notice` (the ban and how to appeal, `appeals.private.ban_notice`) is sent to the member in
    their private chat with the bot, where it may write to them: the group's notice is posted
    once they are gone."""
    step = rung(ladder, strikes)
    name = label or violation_name(violation, language)
    common = {"carrier": message.carrier, "group": message.group,
              "member": message.sender.user_id, "violation": violation, "handler": handler,
              "reason": say("rule_broken", language, violation=name, count=strikes),
              "detail": reason}  # fmt: skip
    actions = [Action(kind=ActionKind.STRIKE, **common) for _ in range(weight)]  # type: ignore[arg-type]
    if step is None:
        return actions
    nickname = message.sender.display_name or message.sender.user_id
    # the name the notices call the member by: a carrier that @-s them there names them once
    named: dict[str, object] = {"mention_names": {message.sender.user_id: nickname}}
    words = (own_words(step.message, language, nickname=nickname, rule=name, count=strikes)
             if step.message else None)  # fmt: skip
    # The operator's own words for a rung that does not warn are said as its warning, in
    # place of the built-in mute or removal notice (said once, on every carrier).
    own = words if Sanction.WARN not in step.do else None
    banning = bool({Sanction.BAN, Sanction.BLACKLIST} & set(step.do))
    # a banned member cannot send /appeal in the group: their notice says whom to ask instead,
    # and where they may write to the bot privately, that they can appeal there
    end = ask if banning else appeal
    notice = {**named, PRIVATE_APPEAL: privately} if banning and privately else named
    for sanction in step.do:
        if sanction is Sanction.WARN:
            text = (words or say("warn", language, nickname=nickname, violation=name,
                                        count=strikes, next=next_hint(ladder, strikes, language))) + end  # fmt: skip
            actions.append(Action(kind=ActionKind.WARN, text=text, extra=notice, **common))  # type: ignore[arg-type]
            continue
        kind = _SANCTION_ACTIONS[sanction]
        extra: dict[str, object] = {}
        if kind in _TOLD:
            # the removal's notice is the ban's when said (no warning, nor own words, says it);
            # a kick whose rung bans says so (no rejoining)
            said = kind is not ActionKind.MUTE and own is None and Sanction.WARN not in step.do
            shown = notice if said else named
            extra["extra"] = {**shown, BAN_FOLLOWS: True} if kind is ActionKind.KICK and banning \
                else shown  # fmt: skip
        if kind is ActionKind.DELETE:
            extra["target"] = message.event_id
        if kind is ActionKind.MUTE and step.mute_for is not None:
            extra["duration"] = step.mute_for
            if own is None:
                extra["text"] = say("muted", language, nickname=nickname, violation=name,
                                    duration=human_duration(step.mute_for, language)) + appeal  # fmt: skip
        if kind in (ActionKind.KICK, ActionKind.BAN) and own is None:
            # said once: after the warning when the rung warns, else after the removal (a
            # member removed without a ban may come back and appeal the strike in the group)
            extra["text"] = say("removed", language, nickname=nickname, violation=name) + (
                "" if Sanction.WARN in step.do else end)  # fmt: skip
        told = common
        if banning and ask and kind in (ActionKind.KICK, ActionKind.BAN, ActionKind.BLACKLIST):
            told = {**common, "reason": f"{common['reason']}{ask}"}
        actions.append(Action(kind=kind, **{**told, **extra}))  # type: ignore[arg-type]
    if own is not None:
        actions.append(Action(kind=ActionKind.WARN, text=own + end, extra=notice, **common))  # type: ignore[arg-type]
    if banning and banned_notice:
        actions.append(Action(kind=ActionKind.DIRECT, carrier=message.carrier,
                              member=message.sender.user_id, text=banned_notice,
                              handler=handler,
                              reason=common["reason"], violation=violation,
                              extra={UNLESS_UNREACHABLE: True}))  # fmt: skip
    return actions


def own_words(text: str, language: Language, *, nickname: str, rule: str, count: int) -> str:
    """A ladder step's message as the member reads it: its placeholders filled, then a line
    naming the rule broken and the strike count, unless the text places either itself
    (the operator's words alone left the member guessing which rule, and how many strikes)."""
    values = {"nickname": nickname, "rule": rule, "count": str(count)}
    try:
        check_placeholders(text, LADDER_PLACEHOLDERS)
    except ValueError:
        # a message stored before placeholders were checked (`base.REFUSED_SINCE`): its own
        # braces ({群规}, {}, a lone {) are sent as typed, only {rule} {count} {nickname} filled
        placed = set(_PLACEHOLDER.findall(text))
        filled = _PLACEHOLDER.sub(lambda found: values[found[1]], text)
    else:
        placed = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        filled = text.format(**values)
    if placed & {"rule", "count"}:
        return filled
    return f"{filled}\n{say('rule_and_count', language, violation=rule, count=count)}"


def next_hint(ladder: Sequence[LadderStep], strikes: int, language: Language) -> str:
    """What the next strike brings (a mute, a removal), said after a warning; "" if nothing new."""
    following = next_rung(ladder, strikes)
    if following is None:
        return ""
    if Sanction.MUTE in following.do and following.mute_for is not None:
        return say("next_mute", language, duration=human_duration(following.mute_for, language))
    if {Sanction.KICK, Sanction.BAN, Sanction.BLACKLIST} & set(following.do):
        return say("next_kick", language)
    return ""
