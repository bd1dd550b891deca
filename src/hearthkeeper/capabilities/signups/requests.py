"""The sign-up effects' arguments, one frozen request each (see `engine.effects.Request`).
Their `effect` names are the ones scheduled work has always stored (`signup.close`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from hearthkeeper.engine.effects import Request


@dataclass(frozen=True, kw_only=True)
class SignUpStart(Request):
    """`/接龙 …` read: the title, the items (labels, prices as decimal text, stock; the three
    side by side) and the deadline."""

    effect: ClassVar[str] = "signup.start"
    title: str
    labels: tuple[str, ...] = ()
    prices: tuple[str | None, ...] = ()
    stocks: tuple[int | None, ...] = ()
    deadline: datetime


@dataclass(frozen=True, kw_only=True)
class SignUpJoin(Request):
    """`+2 西兰花`: the count in `+N` (None: a join word or `/join`) and the words after it;
    `explicit` (the `/join` command) says so when there is no list."""

    effect: ClassVar[str] = "signup.join"
    counted: int | None = None
    text: str = ""
    explicit: bool = False


@dataclass(frozen=True, kw_only=True)
class SignUpPaste(Request):
    """A pasted numbered list: its numbered lines and the whole text."""

    effect: ClassVar[str] = "signup.paste"
    lines: tuple[str, ...]
    text: str


@dataclass(frozen=True, kw_only=True)
class SignUpCancel(Request):
    """`-1`, `取消接龙 西兰花`: the words after it; `explicit` (a cancel word or `/cancel`,
    not a bare `-1`) answers even when there is nothing to cancel."""

    effect: ClassVar[str] = "signup.cancel"
    text: str = ""
    explicit: bool = False


@dataclass(frozen=True, kw_only=True)
class SignUpShow(Request):
    """`/接龙列表`: the open list, else the last one."""

    effect: ClassVar[str] = "signup.show"


@dataclass(frozen=True, kw_only=True)
class SignUpClose(Request):
    """Close a list: the one scheduled at its deadline, or (None) the group's open one, early."""

    effect: ClassVar[str] = "signup.close"
    # Named as the rows scheduled before requests were typed store it: {"list": 3}.
    list: int | None = None
