"""The sign-up effects' arguments, one frozen request each (see `engine.effects.Request`).
Their `effect` names are the ones scheduled work has always stored (`signup.close`)."""

from __future__ import annotations

from datetime import datetime

from hearthkeeper.engine.effects import Request


class SignUpStart(Request, effect="signup.start"):
    """`/接龙 …` read: the title, the items (labels, prices as decimal text, stock; the three
    side by side) and the deadline."""

    title: str
    labels: tuple[str, ...] = ()
    prices: tuple[str | None, ...] = ()
    stocks: tuple[int | None, ...] = ()
    deadline: datetime


class SignUpJoin(Request, effect="signup.join"):
    """`+2 西兰花`: the count in `+N` (None: a join word or `/join`) and the words after it;
    `explicit` (the `/join` command) says so when there is no list."""

    counted: int | None = None
    text: str = ""
    explicit: bool = False


class SignUpPaste(Request, effect="signup.paste"):
    """A pasted numbered list: its numbered lines and the whole text."""

    lines: tuple[str, ...]
    text: str


class SignUpCancel(Request, effect="signup.cancel"):
    """`-1`, `取消接龙 西兰花`: the words after it; `explicit` (a cancel word or `/cancel`,
    not a bare `-1`) answers even when there is nothing to cancel."""

    text: str = ""
    explicit: bool = False


class SignUpShow(Request, effect="signup.show"):
    """`/接龙列表`: the open list, else the last one."""


class SignUpClose(Request, effect="signup.close", answers_members=True):
    """Close a list: the one scheduled at its deadline, or (None) the group's open one, early."""

    # Named as the rows scheduled before requests were typed store it: {"list": 3}.
    list: int | None = None
