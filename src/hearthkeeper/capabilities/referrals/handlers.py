"""Referral handlers: a join by a member's link is recorded for them, a leave may revoke it,
and `/invite` and `/invites` answer with the member's link and the leaderboard."""

from __future__ import annotations

from hearthkeeper.capabilities.command_book import Command, CommandBook, Invocation, Takes, ask
from hearthkeeper.capabilities.referrals.decide import token_of
from hearthkeeper.capabilities.referrals.requests import (
    ReferralBack,
    ReferralJoined,
    ReferralLeft,
    ReferralLink,
    ReferralTop,
)
from hearthkeeper.engine.events import Event, Join, Leave
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.engine.registry import Registry, Stage
from hearthkeeper.playbook.positioning import Language


class ReferralTracker:
    """Joins by a referral link (`Join.source` = `ref:<token>`), every leave (an invitee
    leaving early counts nothing) and every join (an inviter back gets a reward held back
    while they were gone); the effects decide the rest."""

    name = "referrals"

    def check(self, event: Event, ctx: Context) -> bool:
        if event.sender.is_bot:
            return False
        return isinstance(event, Join | Leave)

    def handle(self, event: Event, ctx: Context) -> Outcome:
        if isinstance(event, Join):
            back = ask(event, ReferralBack(), handler=self.name)
            token = token_of(event.source)
            if token is None:
                return Outcome((back,))
            return Outcome((ask(event, ReferralJoined(token=token), handler=self.name), back))
        return Outcome((ask(event, ReferralLeft(), handler=self.name),))


def _link(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    return Outcome((ask(event, ReferralLink(), handler="referrals"),))


def _top(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    return Outcome((ask(event, ReferralTop(), handler="referrals"),))


INVITE = Command("invite", ("邀请", "邀请链接"), {
    Language.ZH_CN: "领取你的专属邀请链接，查看邀请任务进度",
    Language.EN: "your own invite link, and how far you are with the invite task",
}, _link, takes=Takes.NOTHING)  # fmt: skip

INVITES = Command("invites", ("邀请榜", "拉新榜"), {
    Language.ZH_CN: "本月和总邀请排行榜（只计留下来的朋友）",
    Language.EN: "who brought the most friends who stayed, this month and of all time",
}, _top, takes=Takes.NOTHING)  # fmt: skip


def register(registry: Registry, commands: CommandBook) -> None:
    """Add the join/leave tracker (after the other mechanisms that plan work on joins) and
    `/invite`, `/invites`."""
    registry.add(ReferralTracker(), Stage.MECHANISMS + 8)
    commands.add(INVITE)
    commands.add(INVITES)
