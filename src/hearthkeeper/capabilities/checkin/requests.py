"""What check-in handlers ask the engine to do (typed effect requests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from hearthkeeper.engine.effects import Request


@dataclass(frozen=True, kw_only=True)
class CheckInRecord(Request):
    """Check the sender in for today (a short note may come with it)."""

    effect: ClassVar[str] = "checkin.record"
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class CheckInRank(Request):
    """The leaderboard: running streaks and this month's check-ins."""

    effect: ClassVar[str] = "checkin.rank"


@dataclass(frozen=True, kw_only=True)
class CheckInSummary(Request):
    """Scheduled: post one group's check-in summary of `day` and plan the next day's."""

    effect: ClassVar[str] = "checkin.summary"
    day: date
