"""What referral handlers ask the engine to do (typed effect requests)."""

from __future__ import annotations

from hearthkeeper.engine.effects import Request


class ReferralJoined(Request, effect="referrals.joined"):
    """The sender joined by the referral link with `token`: record who brought them."""

    token: str


class ReferralLeft(Request, effect="referrals.left"):
    """The sender left a group: revoke their pending referral if they left the community."""


class ReferralBack(Request, effect="referrals.back"):
    """The sender joined a group: give an invite reward held back while they were gone."""


class ReferralStay(Request, effect="referrals.stay"):
    """Scheduled: the invitee's stay is up; credit the inviter (or revoke), reward once."""

    referral_id: int


class ReferralLink(Request, effect="referrals.link"):
    """The sender's own invite link and how far they are with the task."""


class ReferralTop(Request, effect="referrals.top"):
    """The leaderboard: credited invites this month and of all time."""
