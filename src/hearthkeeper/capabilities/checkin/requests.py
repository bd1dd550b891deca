"""What check-in handlers ask the engine to do (typed effect requests)."""

from __future__ import annotations

from datetime import date

from hearthkeeper.engine.effects import Request


class CheckInRecord(Request, effect="checkin.record"):
    """Check the sender in for today (a short note may come with it)."""

    note: str = ""


class CheckInRank(Request, effect="checkin.rank"):
    """The leaderboard: running streaks and this month's check-ins."""


class CheckInSummary(Request, effect="checkin.summary"):
    """Scheduled: post one group's check-in summary of `day` and plan the next day's."""

    day: date


class CheckInPrompt(Request, effect="checkin.prompt"):
    """Scheduled by an operator for many groups at once (`hearth grid checkin`, the console's
    Matrix page): call the group to check in today, with `text` as they wrote it; `day`:
    the community's day it was asked for (a prompt the engine reaches a day late says
    nothing: "today" would be wrong)."""

    text: str = ""
    day: date | None = None
