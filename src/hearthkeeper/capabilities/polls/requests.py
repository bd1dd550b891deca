"""The poll effects' arguments, one frozen request each (see `engine.effects.Request`).
Their `effect` names are the ones scheduled work has always stored (`poll.close`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from hearthkeeper.engine.effects import Request


@dataclass(frozen=True, kw_only=True)
class PollStart(Request):
    """`/poll …` read, with the playbook's default for a setting not given."""

    effect: ClassVar[str] = "poll.start"
    question: str
    options: tuple[str, ...]
    multiple: bool
    anonymous: bool
    deadline: datetime


@dataclass(frozen=True, kw_only=True)
class CastVote(Request):
    """A vote: the options named (0-based); `explicit` (`/vote`) answers even where a bare
    number would be ordinary chat."""

    effect: ClassVar[str] = "poll.vote"
    choices: tuple[int, ...]
    explicit: bool = False


@dataclass(frozen=True, kw_only=True)
class WithdrawVote(Request):
    """`/unvote`: take back the member's votes."""

    effect: ClassVar[str] = "poll.unvote"


@dataclass(frozen=True, kw_only=True)
class PollResults(Request):
    """`/results`: the open poll's standings, else the last one's."""

    effect: ClassVar[str] = "poll.results"


@dataclass(frozen=True, kw_only=True)
class PollClose(Request):
    """Close a poll: the one scheduled at its deadline, or (None) the group's open one, early."""

    effect: ClassVar[str] = "poll.close"
    # Named as the rows scheduled before requests were typed store it: {"poll": 3}.
    poll: int | None = None
