"""The billing capability's typed effects: the renewal reminder and the expiry of one period
of a subscription, run as scheduled work."""

from __future__ import annotations

from datetime import datetime

from hearthkeeper.engine.effects import Request


class BillingRemind(Request, effect="billing.remind", answers_members=True):
    subscription: int
    period_end: datetime  # the end the reminder is about; a renewal moved it: nothing to say


class BillingExpire(Request, effect="billing.expire", answers_members=True):
    subscription: int
    period_end: datetime  # the end it expires at; a renewal moved it: nothing to do


class MembershipAsked(Request, effect="billing.membership"):
    """A member's `/membership` (`/会员`): their own plan, until when, and their reference."""


class UnscreenedJoin(Request, effect="billing.unscreened_join"):
    """A joiner a paid community's door never screened: a trial started, or told to pay."""


class UnpaidJoinEnds(Request, effect="billing.unpaid_join_ends", answers_members=True):
    member: int  # the member who joined without a membership
    joined_at: datetime  # when: one removal per join
