"""In-chat staff commands: `/warn`, `/mute`, `/ban` and `/pardon` (`/警告` `/禁言` `/封禁`
`/解除` …), pointed at a member by an @-mention, `@name`, or a reply to their message.

The handlers only read what was typed and ask for an effect (`chat_effects.py`): the store
work and the carrier actions are the console's (`staff.py`), performed by the engine."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from hearthkeeper.capabilities.command_book import (
    Command,
    CommandBook,
    Invocation,
    Run,
    ask,
    reply,
)
from hearthkeeper.capabilities.format import human_duration
from hearthkeeper.capabilities.moderation.requests import (
    StaffBan,
    StaffMute,
    StaffPardon,
    StaffWarn,
)
from hearthkeeper.capabilities.pointing import first_word, pointed_at, typed_reason
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.playbook.base import MAX_DURATION, DurationTooLong, parse_duration
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.rules import LadderStep, Sanction
from hearthkeeper.playbook.structure import Permission

HANDLER = "moderation"
DEFAULT_MUTE = timedelta(hours=1)  # when the ladder has no mute to take the length from
# The longest mute a command gives: Discord's timeouts end within 28 days, and a longer one
# is a ban in all but name.
LONGEST_MUTE = timedelta(days=28)
# The shortest: QQ mutes for a minute at least, and Telegram takes a restriction under 30
# seconds as one for ever.
SHORTEST_MUTE = timedelta(minutes=1)

TEXTS = Phrasebook({
    "warn_usage": {
        Language.ZH_CN: "用法：/警告 @成员 原因（也可以回复对方的消息发 /警告 原因：那条消息会被撤回）",
        Language.EN: "Usage: /warn @member reason (or reply to their message with /warn reason: "
        "that message is removed)",
    },
    "mute_usage": {
        Language.ZH_CN: "用法：/禁言 @成员 1h 原因（时长可省略，默认 {default}；也可以回复对方的消息发 /禁言 1h）",
        Language.EN: "Usage: /mute @member 1h reason (without a duration: {default}; or reply to "
        "their message with /mute 1h)",
    },
    "ban_usage": {
        Language.ZH_CN: "用法：/封禁 @成员 原因（移出本社群所有群并禁止再加入；也可以回复对方的消息发 /封禁：那条消息会被撤回）",
        Language.EN: "Usage: /ban @member reason (removed from every group of the community and "
        "kept out; or reply to their message with /ban: that message is removed)",
    },
    "pardon_usage": {
        Language.ZH_CN: "用法：/解除 @成员（解除禁言和封禁，并撤销最近一次违规记录；也可以回复对方的消息发 /解除）",
        Language.EN: "Usage: /pardon @member (lifts their mute and ban and takes back their "
        "latest strike; or reply to their message with /pardon)",
    },
    # the word read as the length is not repeated: after a member picked in the chat it is
    # their display name (Telegram and Matrix put it in the text), maybe an ad or a phone number
    "bad_duration": {
        Language.ZH_CN: "成员后面要写禁言时长：请写 10m、1h、2d 或 1h30m（也可以写 30分钟、2小时、1天）。",
        Language.EN: "Write how long after the member: 10m, 1h, 2d or 1h30m.",
    },
    "mute_range": {
        Language.ZH_CN: "禁言时长须在 1 分钟到 28 天之间。",
        Language.EN: "A mute lasts from 1 minute to 28 days.",
    },
})  # fmt: skip


def default_mute(ladder: list[LadderStep]) -> timedelta:
    """How long `/mute` without a duration lasts: the ladder's first mute, else an hour."""
    for step in sorted(ladder, key=lambda s: s.at):
        if Sanction.MUTE in step.do and step.mute_for is not None:
            return step.mute_for
    return DEFAULT_MUTE


def mute_length(word: str) -> timedelta | None:
    """A mute's length as typed (`10m`, `1h`, `2d`, `1h30m`, `2小时`, full-width `１ｈ`), None
    when it is not a duration (one too long to read is `MAX_DURATION`: out of range)."""
    try:
        return parse_duration(unicodedata.normalize("NFKC", word))
    except DurationTooLong:
        return MAX_DURATION
    except ValueError:
        return None


def _usage(event: Event, key: str, lang: Language, **values: object) -> Outcome:
    return Outcome((reply(event, TEXTS.say(key, lang, **values), handler=HANDLER),))


def _with_reason(usage: str, kind: type[StaffWarn] | type[StaffBan]) -> Run:
    """`/warn` or `/ban`: a member pointed at, then staff's reason (their usage without one)."""

    def run(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
        target, rest = pointed_at(event, invocation)
        if not target:
            return _usage(event, usage, ctx.playbook.community.language)
        request = kind(user_id=target.user_id, name=target.name, reply_to=target.reply_to,
                       reason=typed_reason(rest))  # fmt: skip
        return Outcome((ask(event, request, handler=HANDLER),))

    return run


def _mute(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    lang = ctx.playbook.community.language
    default = default_mute(ctx.playbook.rules.ladder)
    target, rest = pointed_at(event, invocation)
    if not target:
        return _usage(event, "mute_usage", lang, default=human_duration(default, lang))
    word, reason = first_word(rest)
    length = default
    if word:
        found = mute_length(word)
        if found is None:
            return _usage(event, "bad_duration", lang)
        if not SHORTEST_MUTE <= found <= LONGEST_MUTE:
            return _usage(event, "mute_range", lang)
        length = found
    request = StaffMute(user_id=target.user_id, name=target.name, reply_to=target.reply_to,
                        duration=length, reason=typed_reason(reason))  # fmt: skip
    return Outcome((ask(event, request, handler=HANDLER),))


def _pardon(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    lang = ctx.playbook.community.language
    target, _ = pointed_at(event, invocation)
    if not target:
        return _usage(event, "pardon_usage", lang)
    request = StaffPardon(user_id=target.user_id, name=target.name, reply_to=target.reply_to)
    return Outcome((ask(event, request, handler=HANDLER),))


def _command(name: str, aliases: tuple[str, ...], help_zh: str, help_en: str, run: Run,
             permission: Permission, usage_zh: str, usage_en: str) -> Command:  # fmt: skip
    return Command(name, aliases, {Language.ZH_CN: help_zh, Language.EN: help_en}, run,
                   permission=permission,
                   usage={Language.ZH_CN: usage_zh, Language.EN: usage_en})  # fmt: skip


COMMANDS = (
    _command("warn", ("警告",), "警告成员：记一次违规，按群规的处罚阶梯处理",
             "warn a member: a strike, and the ladder's next step",
             _with_reason("warn_usage", StaffWarn),
             Permission.MODERATE, "/警告 @成员 原因", "/warn @member reason"),
    _command("mute", ("禁言",), "禁言成员一段时间", "mute a member for a while", _mute,
             Permission.MODERATE, "/禁言 @成员 1h 原因", "/mute @member 1h reason"),
    _command("ban", ("封禁", "踢出"), "把成员移出本社群的所有群并禁止再加入",
             "ban a member from every group of the community",
             _with_reason("ban_usage", StaffBan),
             Permission.BAN, "/封禁 @成员 原因", "/ban @member reason"),
    _command("pardon", ("解除", "解封", "解除禁言"), "解除成员的禁言和封禁，撤销最近一次违规",
             "lift a member's mute and ban, take back their latest strike", _pardon,
             Permission.PARDON, "/解除 @成员", "/pardon @member"),
)  # fmt: skip


def register(commands: CommandBook) -> None:
    """Add `/warn`, `/mute`, `/ban` and `/pardon`."""
    for command in COMMANDS:
        commands.add(command)
