"""Sign-ups and group-buys (接龙): staff start a list, members join with the replies they
already use in WeChat solitaire (`+1`, `接龙 2份`, `+1 西兰花 x2`, a pasted list), cancel with
`-1`; the bot keeps the numbered list, the stock and the waitlist, and closes on time.

One open list per group: a bare `+1` then always means that list. Store work is done by the
effects in `effects`; this module only reads text and decides which request to ask for.
"""

from __future__ import annotations

from functools import lru_cache

from hearthkeeper.capabilities.command_book import Command, CommandBook, Invocation, Takes, naming
from hearthkeeper.capabilities.lists_common.access import asking, staff_command, starting
from hearthkeeper.capabilities.lists_common.actions import ask
from hearthkeeper.capabilities.lists_common.install import install
from hearthkeeper.capabilities.lists_common.reading import normal
from hearthkeeper.capabilities.signups import requests as rq
from hearthkeeper.capabilities.signups.command import ListSpec, read_list
from hearthkeeper.capabilities.signups.effects import register_effects
from hearthkeeper.capabilities.signups.parse import (
    FORMS,
    Cancel,
    Join,
    Pasted,
    Reply,
    Show,
    read_reply,
)
from hearthkeeper.capabilities.signups.render import problem_text
from hearthkeeper.capabilities.signups.repository import SqlSignUps
from hearthkeeper.engine.events import Event, Message
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.engine.registry import Registry, Stage
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.mechanisms import SignUps
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.structure import Permission
from hearthkeeper.text.normalise import LONGEST_REMEMBERED, TEXTS_REMEMBERED

NAME = "signups"
BUILT_IN_JOIN = ("接龙",)
BUILT_IN_CANCEL = ("取消接龙", "cancel")
ZH, EN = Language.ZH_CN, Language.EN


class SignUpReplies:
    """Members' solitaire replies to the open list: join, cancel, pasted list, show."""

    name = NAME

    def __init__(self, settings: SignUps) -> None:
        self.join_words = tuple(dict.fromkeys((*settings.join_keywords, *BUILT_IN_JOIN)))
        self.cancel_words = tuple(dict.fromkeys((*settings.cancel_keywords, *BUILT_IN_CANCEL)))
        # what the last texts say to a list (pure, and read by moderation, the check and the
        # handler of each message): chat repeats itself, `+1` most of all
        self._remembered = lru_cache(maxsize=TEXTS_REMEMBERED)(self._read_text)

    def read(self, event: Event) -> Reply | None:
        """What the message means for a list, if anything."""
        if not isinstance(event, Message) or event.sender.is_bot or not event.text:
            return None
        if len(event.text) > LONGEST_REMEMBERED:
            return self._read_text(event.text)
        return self._remembered(event.text)

    def _read_text(self, text: str) -> Reply | None:
        return read_reply(text, self.join_words, self.cancel_words)

    def check(self, event: Event, ctx: Context) -> bool:
        return self.read(event) is not None

    def own(self, event: Event, ctx: Context) -> str:
        """What of a join or cancel names nothing on the group's latest list (`+1 西兰花
        <an ad>`: the ad), judged by moderation like a message; a pasted list is the list's."""
        said = self.read(event)
        if not isinstance(said, Join | Cancel):
            return ""
        return naming(_labels, *FORMS)(said.text, ctx)

    def handle(self, event: Event, ctx: Context) -> Outcome:
        said = self.read(event)
        if isinstance(said, Join):
            join = rq.SignUpJoin(counted=said.counted, text=said.text)
            return Outcome((ask(event, join, NAME),), stop=True)
        if isinstance(said, Cancel):
            explicit = not normal(event.text if isinstance(event, Message) else "").startswith("-")
            cancel = rq.SignUpCancel(text=said.text, explicit=explicit)
            return Outcome((ask(event, cancel, NAME),), stop=True)
        if isinstance(said, Pasted):
            # Numbered text may be something else (an agenda): later handlers still run.
            return Outcome((ask(event, rq.SignUpPaste(lines=said.lines, text=said.text), NAME),))
        if isinstance(said, Show):
            return Outcome((ask(event, rq.SignUpShow(), NAME),), stop=True)
        return Outcome()


def _start(settings: SignUps) -> Command:
    def request_of(spec: ListSpec) -> rq.SignUpStart:
        return rq.SignUpStart(title=spec.title, labels=tuple(i.label for i in spec.items),
                              prices=tuple(i.price for i in spec.items),
                              stocks=tuple(i.stock for i in spec.items), deadline=spec.deadline)  # fmt: skip

    run = starting(read_list, settings.default_duration, request_of, problem_text, handler=NAME,
                   unreadable="unreadable sign-up command")  # fmt: skip
    return staff_command("signup", ("接龙", "团购", "groupbuy"), {
        ZH: "发起接龙或团购（可带商品、价格、限量和截止时间）",
        EN: "start a sign-up list or group-buy (items, prices, stock and a deadline optional)",
    }, run, started_by=settings.started_by, permission=Permission.START_SIGNUPS, handler=NAME,
       takes=Takes.TEXT,
       usage={
        ZH: "/接龙 周六夜跑 限20人 截止 20:00；/团购 有机蔬菜 | 西兰花 ¥12 限20份 | 截止 明天 10:00",
        EN: "/signup Saturday run | max 20 | until 20:00",
    })  # fmt: skip


def _close(settings: SignUps) -> Command:
    return staff_command("closelist", ("结束接龙", "截止接龙"), {
        ZH: "提前结束接龙并公布最终名单", EN: "close the sign-up list now and post the final list",
    }, asking(rq.SignUpClose(), NAME), started_by=settings.started_by,
       permission=Permission.START_SIGNUPS, handler=NAME)  # fmt: skip


def _labels(ctx: Context) -> list[str] | None:
    """What `/join`'s or `/cancel`'s words may name: the title and items of the group's latest
    list (a join just after it closed names them too)."""
    if ctx.reads is None:
        return None
    lst = SqlSignUps.on(ctx.reads).latest(ctx.group.id)
    return [] if lst is None else [lst.title, *(item.label for item in lst.items)]


def _member_commands() -> list[Command]:
    def join(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
        return Outcome((ask(event, rq.SignUpJoin(text=invocation.rest, explicit=True), NAME),))

    def cancel(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
        return Outcome((ask(event, rq.SignUpCancel(text=invocation.rest, explicit=True), NAME),))

    return [
        Command("list", ("接龙列表", "名单"), {
            ZH: "查看接龙名单", EN: "show the sign-up list"}, asking(rq.SignUpShow(), NAME),
            takes=Takes.NOTHING),
        Command("join", ("参加",), {
            ZH: "参加接龙（也可以直接回复 +1）", EN: "join the sign-up list (or just reply +1)",
        }, join, usage={ZH: "/参加 西兰花 x2", EN: "/join Broccoli x2"},
            own=naming(_labels, *FORMS)),
        Command("cancel", ("取消接龙", "取消报名"), {
            ZH: "取消自己的接龙（也可以回复 -1）", EN: "leave the sign-up list (or reply -1)",
        }, cancel, own=naming(_labels, *FORMS)),
    ]  # fmt: skip


def register(registry: Registry, playbook: Playbook, commands: CommandBook) -> None:
    """Add this mechanism's handlers, effects and commands."""
    settings = playbook.mechanisms.signups
    if settings.enabled:
        install(registry, commands, effects=register_effects,
                commands=[_start(settings), _close(settings), *_member_commands()],
                replies=SignUpReplies(settings), stage=Stage.MECHANISMS + 2)  # fmt: skip
