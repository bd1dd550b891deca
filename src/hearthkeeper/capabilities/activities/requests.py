"""The activity effects' arguments, one frozen request each (see `engine.effects.Request`)."""

from __future__ import annotations

from hearthkeeper.engine.effects import Request


class EventsList(Request, effect="activity.list"):
    """`/活动`: the events coming up, with how to sign up."""


class EventSignUp(Request, effect="activity.signup"):
    """`/报名 夜跑`: a place at the event the words name (none: the only one coming up)."""

    words: str = ""


class EventWithdraw(Request, effect="activity.withdraw"):
    """`/不去了 夜跑`: give the place up (the first waiting moves up)."""

    words: str = ""


class EventTicket(Request, effect="activity.ticket"):
    """`/入场码`: the member's door code (a link to their QR code) for their events."""


class EventRemind(Request, effect="activity.remind", answers_members=True):
    """Scheduled per group: the reminder `before` seconds before the event starts."""

    event: int
    before: int


class EventRound(Request, effect="activity.round"):
    """Scheduled per group, after the event: thanks, and a call for photos and feedback."""

    event: int


class EventPayRemind(Request, effect="activity.pay_remind", answers_members=True):
    """Scheduled per unpaid place: remind the member to pay before the place lapses."""

    event: int
    signup: int


class EventPayLapse(Request, effect="activity.pay_lapse", answers_members=True):
    """Scheduled per unpaid place, at its deadline: let it go, the first waiting moves up."""

    event: int
    signup: int
