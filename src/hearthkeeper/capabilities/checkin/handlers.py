"""Check-ins (打卡): by keyword or command, once a day in the community's time zone, with
streaks, milestone rewards, a leaderboard and an optional daily summary."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from hearthkeeper.capabilities.checkin import effects
from hearthkeeper.capabilities.checkin.keywords import NOTE_LIMIT, check_in_note
from hearthkeeper.capabilities.checkin.requests import CheckInRank, CheckInRecord
from hearthkeeper.capabilities.command_book import (
    Command,
    CommandBook,
    Invocation,
    Takes,
    ask,
    invocation_of,
)
from hearthkeeper.capabilities.points.handlers import is_share, share_effect
from hearthkeeper.engine.events import Event, Message
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.engine.registry import Registry, Stage
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.text.normalise import LONGEST_REMEMBERED, TEXTS_REMEMBERED


class CheckInByKeyword:
    """A message that is a check-in keyword, maybe with a short note, checks the member in."""

    name = "checkin"

    def __init__(self, keywords: Sequence[str]) -> None:
        self.keywords = tuple(keywords)
        # whether the last texts check in, and with what note (pure, and read by the check
        # and the handler): chat repeats itself, `打卡` most of all
        self._remembered = lru_cache(maxsize=TEXTS_REMEMBERED)(self._read_text)

    def check(self, event: Event, ctx: Context) -> bool:
        return self.matches(event)

    def matches(self, event: Event) -> bool:
        """Whether `event` is a check-in by keyword."""
        return (
            isinstance(event, Message)
            and not event.sender.is_bot
            and self._note(event.text) is not None
        )

    def _note(self, text: str) -> str | None:
        if len(text) > LONGEST_REMEMBERED:
            return self._read_text(text)
        return self._remembered(text)

    def _read_text(self, text: str) -> str | None:
        return check_in_note(text, self.keywords)

    def handle(self, event: Event, ctx: Context) -> Outcome:
        assert isinstance(event, Message)
        note = self._note(event.text) or ""
        actions = [ask(event, CheckInRecord(note=note), handler=self.name)]
        if is_share(event) and ctx.playbook.mechanisms.points.enabled:
            actions.append(share_effect(event))  # a photo of today's run is a share too
        return Outcome(tuple(actions), stop=True)


def _check_in(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    return Outcome(
        (ask(event, CheckInRecord(note=invocation.rest[:NOTE_LIMIT]), handler="checkin"),)
    )


def _rank(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    return Outcome((ask(event, CheckInRank(), handler="checkin"),))


def register(registry: Registry, playbook: Playbook, commands: CommandBook) -> None:
    """Add check-ins by keyword, `/checkin`, `/rank` and their effects."""
    settings = playbook.mechanisms.check_in
    if not settings.enabled:
        return
    keyword = CheckInByKeyword(settings.keywords)
    registry.add(keyword, Stage.MECHANISMS + 1)
    effects.register(registry)
    command = Command("checkin", ("打卡", "签到"), {
        Language.ZH_CN: "今日打卡（可以附一句话，如 /打卡 跑了5公里）",
        Language.EN: "check in for today (a short note may follow)",
    }, _check_in, takes=Takes.TEXT)  # fmt: skip
    commands.add(command)
    names = frozenset(command.names())

    def checks_in(event: Event) -> bool:
        invocation = invocation_of(event)
        return keyword.matches(event) or (invocation is not None and invocation.name in names)

    registry.add_lock_ahead(effects.DaysAhead(checks_in))
    commands.add(Command("rank", ("排行榜", "打卡榜"), {
        Language.ZH_CN: "连续打卡榜和本月打卡次数",
        Language.EN: "top streaks and this month's check-ins",
    }, _rank, takes=Takes.NOTHING))  # fmt: skip
