"""What role, title and tag handlers ask the engine to do (typed effect requests)."""

from __future__ import annotations

from datetime import datetime

from hearthkeeper.capabilities.pointing import Pointing
from hearthkeeper.engine.effects import Request


class MembersMe(Request, effect="members.me"):
    """The sender's card: role, level, points, streak, titles, tags."""


class TitlesClaim(Request, effect="titles.claim"):
    """Claim the title named `title` (as the playbook spells it)."""

    title: str


class TitlesRelease(Request, effect="titles.release"):
    """Step down from `title` (empty: the only one held)."""

    title: str = ""


class TitlesList(Request, effect="titles.list"):
    """Every title with its holders and duty."""


class TitlesRemind(Request, effect="titles.remind"):
    """Scheduled: remind the holders of `title` in this group of their duty, at `at` (the
    time the reminder was planned for; None in work planned before it was recorded)."""

    title: str
    at: datetime | None = None


class TagsSet(Pointing, effect="tags.set"):
    """Make the values of tag set `tagset` exactly `values` (none: clear it), for the sender
    or for the member a staff command points at."""

    tagset: str
    values: tuple[str, ...] = ()
