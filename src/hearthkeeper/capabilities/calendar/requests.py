"""The calendar's effects and their arguments. Scheduled work stores a request under its
`effect` name with its fields as JSON, so the names and fields here are what databases hold:
renaming one would leave rows that no longer run."""

from __future__ import annotations

from datetime import datetime

from hearthkeeper.engine.effects import Request


class CalendarPlan(Request, effect="calendar.plan"):
    """Plan this group's posts, live sessions and anniversary (first event seen in a group)."""


class CalendarPost(Request, effect="calendar.post"):
    """One firing of a scheduled post (`calendar.posts[].id`) in the group, at `at`."""

    post: str
    at: datetime


class CalendarConfirm(Request, effect="calendar.confirm"):
    """`/confirm <ref>`: send the reminded firing `ref` (`posts.id`)."""

    ref: int


class CalendarAgenda(Request, effect="calendar.agenda"):
    """`/calendar [days]`: what the group's calendar sends in the next `days`."""

    days: int


class CalendarSkip(Request, effect="calendar.skip"):
    """`/skip <post>`: call off the next firing of the scheduled post `post` in the group."""

    post: str


class CalendarPostNow(Request, effect="calendar.post_now"):
    """`/postnow <post>`: send the next firing of the scheduled post `post` in the group now,
    in its place."""

    post: str


class CalendarSession(Request, effect="calendar.session"):
    """One moment (`reminder-<seconds>`, `start`, `digest`) of a live session starting at
    `starts`, due at `at`."""

    session: str
    moment: str
    at: datetime
    starts: datetime


class CalendarAnniversary(Request, effect="calendar.anniversary"):
    """The monthly anniversary in the group, due at `at`."""

    at: datetime


class CalendarWelcomePlan(Request, effect="calendar.welcome_plan"):
    """Schedule the joining member's welcome-week digest."""


class CalendarWelcome(Request, effect="calendar.welcome"):
    """The welcome-week digest of `member` (`user` on the carrier, `name` shown), who joined
    at `joined`."""

    member: int
    user: str
    name: str
    joined: datetime
