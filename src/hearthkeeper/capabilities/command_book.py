"""In-chat commands: `/checkin`, `#打卡`, `/help` … each with help in both languages and a
permission checked against the member's role."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Protocol

from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import Request
from hearthkeeper.engine.events import Command as CommandEvent
from hearthkeeper.engine.events import Event, Message
from hearthkeeper.engine.handler import Context, Handler, Outcome
from hearthkeeper.engine.registry import Registry, Stage
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.structure import Permission
from hearthkeeper.text.folding import fold

PREFIXES = ("/", "#", "＃", "／")

TEXTS = Phrasebook({
    "refused": {
        Language.ZH_CN: "{nickname}，只有 {roles} 可以使用「{command}」。",
        Language.EN: "{nickname}, only {roles} can use '{command}'.",
    },
    "nobody": {Language.ZH_CN: "管理员", Language.EN: "staff"},
    "help_header": {Language.ZH_CN: "可用的指令：", Language.EN: "Commands you can use:"},
})  # fmt: skip


@dataclass(frozen=True)
class Invocation:
    """A command as typed: its name (as written), the words after it, and the raw rest."""

    name: str
    args: tuple[str, ...]
    rest: str


Run = Callable[[Event, Context, Invocation], Outcome]
# What of a command's words names nothing the community has: the member's own words
Own = Callable[[str, Context], str]
# A number a command reads (an option, an item, a quantity: `2`, `x2`, `#3`); a longer one
# (a phone or order number) is the member's own words
# the shortest name whose one-character miss still names it (`包邮劵`); `爬山` and `爬水` differ
MISTYPED = 3
NUMBER = re.compile(r"(?<!\d)[#x×*]?\s*\d{1,3}(?!\d)", re.IGNORECASE)


class Takes(Enum):
    """What a command reads after its name, which tells moderation's learned scorer what of a
    member's command is their own words to judge (every rule reads all of it anyway)."""

    NOTHING = "nothing"  # `/rank`: any words after it are the member's, judged like a message
    WORDS = "words"  # `/rsvp night-run`, `/vote 2`: the community's own names, not judged
    # (with `Command.own`: what of them names nothing the community has is judged)
    TEXT = "text"  # `/打卡 今天练了一页`, `/poll …`: the member's own words, judged like a message


@dataclass(frozen=True)
class Command:
    """One command: names members can type, help in each language, who may use it, what it does."""

    name: str
    aliases: tuple[str, ...]
    help: dict[Language, str]
    run: Run
    permission: Permission | None = None
    usage: dict[Language, str] = field(default_factory=dict)
    allowed: Callable[[Context], bool] | None = None  # a finer rule than a permission (roles named
    # in the playbook); the command checks it itself, `/help` uses it to show only what is usable
    takes: Takes = Takes.WORDS
    # For a command that takes names: what of its words names nothing the community has
    # (`/rsvp 周六护肤沙龙` names an event, `/vote 2` an option, `/redeem 包邮券` a reward: ""),
    # the member's own words, judged like a message (`/报名 <an ad>`, `/vote 2 <an ad>`).
    # Asked only when the learned scorer flags the words; None: they are always the
    # community's names (staff's commands, which a member may not use: judged whole anyway).
    own: Own | None = None

    def names(self) -> tuple[str, ...]:
        """Every name that invokes it, lower-cased."""
        return (self.name.lower(), *(a.lower() for a in self.aliases))

    def forms(self) -> tuple[re.Pattern[str], ...]:
        """What of its words `own` takes out as the command's own besides names and short
        numbers (a sign-up's quantity, `2份`): nothing for a command that reads names whole."""
        return self.own.forms if isinstance(self.own, Naming) else ()

    def usable(self, ctx: Context) -> bool:
        """Whether this member may use it (their role's permission, the playbook's roles)."""
        return (self.permission is None or ctx.member.may(self.permission)) and (
            self.allowed is None or self.allowed(ctx)
        )


def own_words(words: str, names: Iterable[str], also: Iterable[re.Pattern[str]] = ()) -> str:
    """What of a command's `words` names nothing of `names` (the community's own: its poll's
    options, its rewards, titles, sign-up items), once those names, short numbers and what
    `also` matches (a command's own forms, a quantity: `2份`) are taken out, width and case
    ignored; "" when nothing of the member's own is left. The one reading every command that
    looks names up shares: `/vote 2 加V信ab12345 领福利` keeps `加v信ab12345 领福利`."""
    text = fold(words)
    folded = sorted({fold(n) for n in names}, key=len, reverse=True)
    # longest first: `秋冬保湿套装` before `保湿`; a one-character name only as the whole
    # words (taken out everywhere it would cut an ad's words apart)
    for name in folded:
        if len(name) > 1 or (name and text == name):
            text = text.replace(name, " ")
    rest = " ".join(_forms_out(text, also).split())
    if not any(c.isalnum() for c in rest):
        return ""
    # all that is left a name written with spaces in it (`包邮 券`), or mistyped by one
    # character (`包邮劵`, `包邮卷` for `包邮券`): the member named it (the command says there
    # is no such thing); never a short name's miss
    typed = "".join(rest.split())
    named = any(typed == "".join(n.split()) or (len(n) >= MISTYPED and _one_edit(typed, n))
                for n in folded)  # fmt: skip
    return "" if named else rest


def _one_edit(typed: str, name: str) -> bool:
    """Whether `typed` is `name` with one character changed, added or left out."""
    if abs(len(typed) - len(name)) > 1 or typed == name:
        return False
    short, long = sorted((typed, name), key=len)
    start = 0
    while start < len(short) and short[start] == long[start]:
        start += 1
    skip = 1 if len(short) == len(long) else 0  # changed: skip it in both; else in the longer
    return short[start + skip :] == long[start + 1 :]


def without_forms(words: str, also: Iterable[re.Pattern[str]] = ()) -> str:
    """A command's `words` folded without what `own_words` takes out as the command's own
    besides names: short numbers and what `also` matches (`西兰花 x3`, `西兰花 2份` → `西兰花`),
    each left as a space: what moderation's repeat window compares (names are read from
    the store, and only when a text was repeated)."""
    return _forms_out(fold(words), also)


def _forms_out(folded: str, also: Iterable[re.Pattern[str]]) -> str:
    for pattern in (*also, NUMBER):
        folded = pattern.sub(" ", folded)
    return folded


@dataclass(frozen=True)
class Naming:
    """`Command.own` for a command whose words name what `names` lists (None: it cannot be
    read now, no store to read: the words are taken as naming it), in the command's own
    `forms` besides short numbers (a sign-up's quantity: `2份`, `x2`)."""

    names: Callable[[Context], Iterable[str] | None]
    forms: tuple[re.Pattern[str], ...] = ()

    def __call__(self, words: str, ctx: Context) -> str:
        found = self.names(ctx)
        return "" if found is None else own_words(words, found, self.forms)


def naming(names: Callable[[Context], Iterable[str] | None], *also: re.Pattern[str]) -> Naming:
    """`Command.own` for a command whose words name what `names` lists, in the forms `also`
    matches (a quantity) besides short numbers."""
    return Naming(names, also)


@dataclass(frozen=True)
class Whole:
    """`Command.own` for a command whose words name something as a whole or not at all:
    `known` says which."""

    known: Callable[[str, Context], bool]

    def __call__(self, words: str, ctx: Context) -> str:
        return "" if self.known(words, ctx) else words


def whole(known: Callable[[str, Context], bool]) -> Whole:
    """`Command.own` for a command whose words name something as a whole or not at all
    (`/rsvp 护肤沙龙`, part of an event's title; `/tag 肤质 油皮`): `known` says which."""
    return Whole(known)


def parse(text: str) -> Invocation | None:
    """`/poll 午饭吃什么 | 面 | 饭` → Invocation("poll", ...); None when it is not a command."""
    stripped = text.strip()
    if len(stripped) < 2 or stripped[0] not in PREFIXES:
        return None
    parts = stripped[1:].split(maxsplit=1)
    head = parts[0] if parts else ""
    rest = parts[1] if len(parts) > 1 else ""
    if not head or head[0] in PREFIXES:
        return None
    return Invocation(head.lower(), tuple(rest.split()), rest.strip())


def invokes(text: str, names: tuple[str, ...]) -> bool:
    """Whether `text` invokes the command called one of `names` (any prefix `parse` takes,
    any case): for a capability that must know its command before the command book runs."""
    invocation = parse(text)
    return invocation is not None and invocation.name in names


class Replies(Handler, Protocol):
    """A mechanism's reader of bare replies (a sign-up's `+1 西兰花`, a poll's `2`), which
    also says what of a reply is the member's own words (`+1 西兰花 <an ad>`: the ad)."""

    def own(self, event: Event, ctx: Context) -> str:
        """What of the reply names nothing the mechanism reads ("": all of it does)."""
        ...


class CommandBook:
    """The commands of one community's engine; mechanism modules add theirs."""

    def __init__(self) -> None:
        self._by_name: dict[str, Command] = {}
        self._commands: list[Command] = []
        self._replies: list[Replies] = []

    def add(self, command: Command) -> None:
        """Register a command; a name used twice is a programming error."""
        for name in command.names():
            if name in self._by_name:
                raise ValueError(f"command name {name!r} is used twice")
            self._by_name[name] = command
        self._commands.append(command)

    def add_replies(self, replies: Replies) -> None:
        """Register a mechanism's reader of bare replies (a sign-up's `+1`, a poll's `2`)."""
        self._replies.append(replies)

    def own_of_reply(self, event: Event, ctx: Context) -> str | None:
        """What of a reply to a mechanism (`+1 西兰花`, `取消接龙`) is the member's own words;
        None when no mechanism reads the message as a reply."""
        reader = next((r for r in self._replies if r.check(event, ctx)), None)
        return None if reader is None else reader.own(event, ctx)

    def find(self, name: str) -> Command | None:
        """The command invoked by `name` (case-insensitive)."""
        return self._by_name.get(name.lower())

    def unslashed(self, text: str) -> Invocation | None:
        """The command `text` names when read as typed without its slash or its space, as
        members in Chinese circles type them (`兑换 包邮券`, `兑换包邮券`, `/兑换包邮券`): the
        longest name it starts with, then a space, or, after a name written in Chinese,
        anything; None when it starts with no command's name or is nothing but one."""
        said = text.strip()
        if said[:1] in PREFIXES:
            said = said[1:]
        for name in sorted(self._by_name, key=len, reverse=True):
            if len(said) <= len(name) or said[: len(name)].lower() != name:
                continue
            after = said[len(name)]
            if after.isspace() or not name[-1].isascii():
                rest = said[len(name) :].strip()
                return Invocation(name, tuple(rest.split()), rest) if rest else None
        return None

    def members_words(self, text: str, ctx: Context, *, stored: bool = True) -> str:
        """What of a message names nothing the community's commands look up (a reward, a
        poll's option, a sign-up's item, an event, a title, a tag), read as each command's
        `own` reads its words, one after the other: `包邮券怎么用` → `怎么用`; "" when nothing
        else is left (`包邮券`, `包邮券！`, `包邮 券`). The text itself without the store (a
        poll's or a list's names cannot be read, and any words would be taken as naming
        them). `stored=False`: only the names the playbook holds (rewards, titles), without
        reading the store (a poll's options, a list's items, events and tags are left in)."""
        if ctx.reads is None:
            return text
        if not stored:  # a `Naming` of what the store holds answers None without it
            ctx = replace(ctx, reads=None)
        said = text
        # what several commands look up is read once (`/join` and `/cancel` a list's items,
        # `/vote` and `/unvote` a poll's options, `/rsvp` and `/unrsvp` the events)
        names: dict[Callable[[Context], Iterable[str] | None], Iterable[str] | None] = {}
        asked: set[tuple[Callable[[str, Context], bool], str]] = set()
        for command in self._commands:
            own = command.own
            if command.takes is not Takes.WORDS or own is None:
                continue
            if isinstance(own, Naming):
                if own.names not in names:
                    names[own.names] = own.names(ctx)
                found = names[own.names]
                if found is not None:
                    said = own_words(said, found, own.forms)
                elif stored:
                    return ""  # no store to read: the words are taken as naming it
            elif not stored:
                continue  # what `known` reads is not said
            elif isinstance(own, Whole):
                if (own.known, said) not in asked:
                    asked.add((own.known, said))
                    said = own(said, ctx)
            else:
                said = own(said, ctx)
            if not said:
                return ""
        return said

    def names_only(self, text: str, ctx: Context) -> bool:
        """Whether `text`, whole, is nothing but what the community's commands look up
        (`members_words` leaves nothing); never a text without a letter (`2`, `+1`: a number
        names nothing alone) nor without the store."""
        return (ctx.reads is not None and any(c.isalpha() for c in text)
                and not self.members_words(text, ctx))  # fmt: skip

    def commanded(self, text: str, ctx: Context) -> bool:
        """Whether `text` is a member's command to the bot, not words to the group: one the
        book knows with its slash (`/打卡 …`), nothing but commands' names without it
        (`签到`, `排行榜`, `积分排行榜`), or typed without its slash with words naming only
        the community's own (`兑换 包邮券`: `unslashed`; only with the store, as
        `names_only`). A message that merely starts with a command's word (`结果退款一直没到`,
        `我的脸过敏了`) is not."""
        invocation = parse(text)
        if invocation is not None and self.find(invocation.name) is not None:
            return True
        if any(c.isalpha() for c in text) and not own_words(text, self._by_name):
            return True  # nothing but commands' names: `签到！`, `积分排行榜`
        invocation = None if ctx.reads is None else self.unslashed(text)
        command = None if invocation is None else self.find(invocation.name)
        return (command is not None and command.takes is Takes.WORDS and command.own is not None
                and invocation is not None and not command.own(invocation.rest, ctx))  # fmt: skip

    def available(self, ctx: Context) -> list[Command]:
        """The commands this member may use, in registration order."""
        return [c for c in self._commands if c.usable(ctx)]


def invocation_of(event: Event) -> Invocation | None:
    """The command an event carries, if any."""
    if isinstance(event, CommandEvent):
        return Invocation(event.name.lower(), event.args, event.text or " ".join(event.args))
    if isinstance(event, Message):
        return parse(event.text)
    return None


class Commands:
    """Runs a known command after checking the member's permission; refuses politely."""

    name = "commands"

    def __init__(self, book: CommandBook) -> None:
        self.book = book

    def check(self, event: Event, ctx: Context) -> bool:
        invocation = invocation_of(event)
        return invocation is not None and self.book.find(invocation.name) is not None

    def handle(self, event: Event, ctx: Context) -> Outcome:
        invocation = invocation_of(event)
        assert invocation is not None
        command = self.book.find(invocation.name)
        assert command is not None
        if command.permission is not None and not ctx.member.may(command.permission):
            return Outcome((self._refusal(event, ctx, command, invocation),), stop=True)
        outcome = command.run(event, ctx, invocation)
        return Outcome(outcome.actions, stop=True)

    def _refusal(
        self, event: Event, ctx: Context, command: Command, invocation: Invocation
    ) -> Action:
        lang = ctx.playbook.community.language
        assert command.permission is not None
        roles = [r.title for r in ctx.playbook.structure.roles.values()
                 if command.permission in r.permissions]  # fmt: skip
        text = TEXTS.say("refused", lang, nickname=event.sender.display_name or event.sender.user_id,
                         roles="、".join(roles) if lang is Language.ZH_CN and roles else
                         ", ".join(roles) or TEXTS.say("nobody", lang),
                         command=PREFIXES[0] + invocation.name)  # fmt: skip
        return reply(event, text, handler=self.name, reason=f"no permission for {command.name}")


def reply(
    event: Event, text: str, *, handler: str, reason: str = "", key: str | None = None
) -> Action:
    """A reply in the event's group to the event's sender."""
    return Action(kind=ActionKind.REPLY, carrier=event.carrier, group=event.group,
                  member=event.sender.user_id, target=event.event_id, text=text,
                  handler=handler, reason=reason, key=key)  # fmt: skip


def ask(event: Event, request: Request, *, handler: str, reason: str = "") -> Action:
    """Ask the engine to run `request`'s effect for the event's sender, about the event."""
    return request.action(carrier=event.carrier, group=event.group, member=event.sender.user_id,
                          target=event.event_id, handler=handler, reason=reason)  # fmt: skip


def answer(action: Action | None, text: str) -> Action:
    """A reply to the event an effect was asked for (`action`: the effect's trigger)."""
    assert action is not None, "an effect that answers was asked for by an action"
    return replace(action, kind=ActionKind.REPLY, text=text, effect=None, extra={}, key=None,
                   request=None)  # fmt: skip


def help_command(book: CommandBook) -> Command:
    """`/help`: the commands this member may use, with what they do."""

    def run(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
        lang = ctx.playbook.community.language
        lines = [TEXTS.say("help_header", lang)]
        for command in book.available(ctx):
            names = " ".join(PREFIXES[0] + n for n in (command.name, *command.aliases))
            usage = command.usage.get(lang)
            lines.append(f"{names} — {command.help[lang]}" + (f"  ({usage})" if usage else ""))
        return Outcome((reply(event, "\n".join(lines), handler="help"),))

    return Command("help", ("帮助", "h"), {
        Language.ZH_CN: "查看可用的指令", Language.EN: "list the commands you can use",
    }, run, takes=Takes.NOTHING)  # fmt: skip


def register(registry: Registry, book: CommandBook) -> None:
    """Add the command dispatcher (commands come first among the mechanisms)."""
    book.add(help_command(book))
    registry.add(Commands(book), Stage.MECHANISMS)
