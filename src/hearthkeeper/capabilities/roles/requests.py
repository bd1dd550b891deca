"""What role, title and tag handlers ask the engine to do (typed effect requests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from hearthkeeper.capabilities.points.requests import Pointing
from hearthkeeper.engine.effects import Request


@dataclass(frozen=True, kw_only=True)
class MembersMe(Request):
    """The sender's card: role, level, points, streak, titles, tags."""

    effect: ClassVar[str] = "members.me"


@dataclass(frozen=True, kw_only=True)
class TitlesClaim(Request):
    """Claim the title named `title` (as the playbook spells it)."""

    effect: ClassVar[str] = "titles.claim"
    title: str


@dataclass(frozen=True, kw_only=True)
class TitlesRelease(Request):
    """Step down from `title` (empty: the only one held)."""

    effect: ClassVar[str] = "titles.release"
    title: str = ""


@dataclass(frozen=True, kw_only=True)
class TitlesList(Request):
    """Every title with its holders and duty."""

    effect: ClassVar[str] = "titles.list"


@dataclass(frozen=True, kw_only=True)
class TitlesRemind(Request):
    """Scheduled: remind the holders of `title` in this group of their duty."""

    effect: ClassVar[str] = "titles.remind"
    title: str


@dataclass(frozen=True, kw_only=True)
class TagsSet(Pointing):
    """Make the values of tag set `tagset` exactly `values` (none: clear it), for the sender
    or for the member a staff command points at."""

    effect: ClassVar[str] = "tags.set"
    tagset: str
    values: tuple[str, ...] = ()
