"""The calendar's effects and their arguments. Scheduled work stores a request under its
`effect` name with its fields as JSON, so the names and fields here are what databases hold:
renaming one would leave rows that no longer run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from hearthkeeper.engine.effects import Request


@dataclass(frozen=True, kw_only=True)
class CalendarPlan(Request):
    """Plan this group's posts, live sessions and anniversary (first event seen in a group)."""

    effect: ClassVar[str] = "calendar.plan"


@dataclass(frozen=True, kw_only=True)
class CalendarPost(Request):
    """One firing of a scheduled post (`calendar.posts[].id`) in the group, at `at`."""

    effect: ClassVar[str] = "calendar.post"
    post: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class CalendarConfirm(Request):
    """`/confirm <ref>`: send the reminded firing `ref` (`posts.id`)."""

    effect: ClassVar[str] = "calendar.confirm"
    ref: int


@dataclass(frozen=True, kw_only=True)
class CalendarSession(Request):
    """One moment (`reminder-<seconds>`, `start`, `digest`) of a live session starting at
    `starts`, due at `at`."""

    effect: ClassVar[str] = "calendar.session"
    session: str
    moment: str
    at: datetime
    starts: datetime


@dataclass(frozen=True, kw_only=True)
class CalendarAnniversary(Request):
    """The monthly anniversary in the group, due at `at`."""

    effect: ClassVar[str] = "calendar.anniversary"
    at: datetime


@dataclass(frozen=True, kw_only=True)
class CalendarWelcomePlan(Request):
    """Schedule the joining member's welcome-week digest."""

    effect: ClassVar[str] = "calendar.welcome_plan"


@dataclass(frozen=True, kw_only=True)
class CalendarWelcome(Request):
    """The welcome-week digest of `member` (`user` on the carrier, `name` shown), who joined
    at `joined`."""

    effect: ClassVar[str] = "calendar.welcome"
    member: int
    user: str
    name: str
    joined: datetime
