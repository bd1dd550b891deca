"""The poll effects' arguments, one frozen request each (see `engine.effects.Request`).
Their `effect` names are the ones scheduled work has always stored (`poll.close`)."""

from __future__ import annotations

from datetime import datetime

from hearthkeeper.engine.effects import Request


class PollStart(Request, effect="poll.start"):
    """`/poll …` read, with the playbook's default for a setting not given. `across`: started
    by an operator in many groups at once (`hearth grid poll`, the Matrix page), scheduled
    work: a group where a poll is open by then is passed over without a word (the operator
    was told which groups had one when they asked)."""

    question: str
    options: tuple[str, ...]
    multiple: bool
    anonymous: bool
    deadline: datetime
    across: bool = False


class CastVote(Request, effect="poll.vote"):
    """A vote: the options named (0-based, as positions); `explicit` (`/vote`) answers even
    where a bare number would be ordinary chat; `said`: the reply as typed, which names an
    option by its own text when the poll has one called so (an option called `A`)."""

    choices: tuple[int, ...]
    explicit: bool = False
    said: str = ""


class WithdrawVote(Request, effect="poll.unvote"):
    """`/unvote`: take back the member's votes."""


class PollResults(Request, effect="poll.results"):
    """`/results`: the open poll's standings, else the last one's."""


class PollClose(Request, effect="poll.close", answers_members=True):
    """Close a poll: the one scheduled at its deadline, or (None) the group's open one, early."""

    # Named as the rows scheduled before requests were typed store it: {"poll": 3}.
    poll: int | None = None
