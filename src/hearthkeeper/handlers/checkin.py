"""Check-ins (打卡): by keyword or command, once a day in the community's time zone, with
streaks, milestone rewards, a leaderboard and an optional daily summary."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import cache

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.events import Event, Message
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.engine.registry import Registry, Stage
from hearthkeeper.handlers import checkin_effects
from hearthkeeper.handlers.commands import Command, CommandBook, Invocation
from hearthkeeper.handlers.points import is_share, share_effect
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language

NOTE_LIMIT = 50  # a check-in may carry a short note ("打卡 第3天 跑了5公里"), not an essay
_OPENERS = "【[(（「#＃"
_CLOSERS = "】])）」"
_PARTICLES = "了啦咯喽哦呀"
_SEPARATORS = set(" :：,，.。!！~～-—|/、")
_QUESTION = ("?", "？")


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def check_in_note(text: str, keywords: Sequence[str]) -> str | None:
    """The note of a check-in message ("" for the bare keyword); None when the message is not
    a check-in (it only mentions the word, asks a question, or runs long)."""
    body = _fold(text).lstrip(_OPENERS).lstrip()
    if not body or body.endswith(_QUESTION):
        return None
    for keyword in _spellings(tuple(keywords)):
        if not body.startswith(keyword):
            continue
        rest = body[len(keyword) :].lstrip(_CLOSERS)
        if rest[:1] and rest[0] in _PARTICLES:
            rest = rest[1:]
        if rest and rest[0] not in _SEPARATORS and not _note_may_follow(keyword, rest):
            continue
        note = rest.strip("".join(_SEPARATORS)).strip()
        return note if len(note) <= NOTE_LIMIT else None
    return None


@cache
def _spellings(keywords: tuple[str, ...]) -> tuple[str, ...]:
    """The keywords folded, longest first; "check in" is also written "check-in"."""
    folded = {_fold(k) for k in keywords if k.strip()}
    folded |= {k.replace(" ", "-") for k in folded}
    return tuple(sorted(folded, key=len, reverse=True))


def _note_may_follow(keyword: str, rest: str) -> bool:
    """`打卡第3天`, `打卡3`, `签到day5`: a day count may follow a Chinese keyword directly."""
    wide = not keyword[-1].isascii()
    return wide and (rest[0].isdigit() or rest.startswith(("第", "day")))


def ask(event: Event, effect: str, handler: str, **extra: object) -> Action:
    """Ask the engine to run `effect` for this event's sender."""
    return Action(kind=ActionKind.EFFECT, carrier=event.carrier, group=event.group,
                  member=event.sender.user_id, target=event.event_id, effect=effect,
                  extra=dict(extra), handler=handler)  # fmt: skip


class CheckInByKeyword:
    """A message that is a check-in keyword, maybe with a short note, checks the member in."""

    name = "checkin"

    def __init__(self, keywords: Sequence[str]) -> None:
        self.keywords = tuple(keywords)

    def check(self, event: Event, ctx: Context) -> bool:
        return (
            isinstance(event, Message)
            and not event.sender.is_bot
            and check_in_note(event.text, self.keywords) is not None
        )

    def handle(self, event: Event, ctx: Context) -> Outcome:
        assert isinstance(event, Message)
        actions = [ask(event, "checkin.record", self.name,
                       note=check_in_note(event.text, self.keywords) or "")]  # fmt: skip
        if is_share(event) and ctx.playbook.mechanisms.points.enabled:
            actions.append(share_effect(event))  # a photo of today's run is a share too
        return Outcome(tuple(actions), stop=True)


def _check_in(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    return Outcome((ask(event, "checkin.record", "checkin", note=invocation.rest[:NOTE_LIMIT]),))


def _rank(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    return Outcome((ask(event, "checkin.rank", "checkin"),))


def register(registry: Registry, playbook: Playbook, commands: CommandBook) -> None:
    """Add check-ins by keyword, `/checkin`, `/rank` and their effects."""
    settings = playbook.mechanisms.check_in
    if not settings.enabled:
        return
    registry.add(CheckInByKeyword(settings.keywords), Stage.MECHANISMS + 1)
    checkin_effects.register(registry)
    commands.add(Command("checkin", ("打卡", "签到"), {
        Language.ZH_CN: "今日打卡（可以附一句话，如 /打卡 跑了5公里）",
        Language.EN: "check in for today (a short note may follow)",
    }, _check_in))  # fmt: skip
    commands.add(Command("rank", ("排行榜", "打卡榜"), {
        Language.ZH_CN: "连续打卡榜和本月打卡次数",
        Language.EN: "top streaks and this month's check-ins",
    }, _rank))  # fmt: skip
