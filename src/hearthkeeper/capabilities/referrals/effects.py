"""The store work behind referrals: recording who brought whom, revoking on an early leave,
the scheduled stay check that credits the inviter and gives the reward once, the `/invite`
reply and the leaderboard. Each effect loads, decides (`decide.py`, no store) and writes."""

from __future__ import annotations

from collections.abc import Sequence

from hearthkeeper.capabilities.command_book import answer
from hearthkeeper.capabilities.referrals.addresses import link_for
from hearthkeeper.capabilities.referrals.decide import (
    SAID_READ,
    TEXTS,
    JoinVerdict,
    Offer,
    decide_join,
    decide_stay,
    hand_over_text,
    link_text,
    month_start,
    reward_due,
    rewarded_text,
    took_part,
    top_text,
    withheld_text,
)
from hearthkeeper.capabilities.referrals.repository import Referrals, SqlReferrals, Status
from hearthkeeper.capabilities.referrals.requests import (
    ReferralBack,
    ReferralJoined,
    ReferralLeft,
    ReferralLink,
    ReferralStay,
    ReferralTop,
)
from hearthkeeper.capabilities.roles.repository import SqlTitles
from hearthkeeper.engine.actions import Action, ActionKind, mentioning
from hearthkeeper.engine.effects import EffectContext, schedule_request
from hearthkeeper.engine.registry import Registry
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Store
from hearthkeeper.store.members import MemberQueries
from hearthkeeper.store.pointing import PointingQueries
from hearthkeeper.store.points import PointsQueries
from hearthkeeper.store.scope import StoreBase

REASON = "invite task"  # the points ledger's reason for the reward


def offer_of(playbook: Playbook) -> Offer:
    """The invite task as `playbook` runs it."""
    points = playbook.mechanisms.points
    item = playbook.mechanisms.referrals.reward.reward
    name = next((r.name for r in points.rewards if r.id == item), None)
    return Offer(playbook.mechanisms.referrals, points.enabled, name)


def stay_key(referral_id: int) -> str:
    """The scheduled stay check of one referral."""
    return f"referrals:stay:{referral_id}"


def joined(scope: StoreBase, request: ReferralJoined, ctx: EffectContext) -> Sequence[Action]:
    """Record who brought the newcomer and schedule their stay check; a join that does not
    count (an unknown or own link, someone known here, a person recorded before) records
    nothing."""
    assert ctx.member is not None, "a join has a member"
    settings, community = ctx.playbook.mechanisms.referrals, ctx.group.community_id
    if not settings.enabled:
        return []
    referrals: Referrals = SqlReferrals.on(scope)
    link = referrals.link_by_token(request.token)
    known = referrals.joined_before(community, ctx.member.id, ctx.now)
    if decide_join(link, community, ctx.member.id, known_before=known) is not JoinVerdict.RECORD:
        return []
    assert link is not None
    referral = referrals.record(community, link.member_id, ctx.member.id, ctx.group.id, ctx.now,
                                ctx.now + settings.stay)  # fmt: skip
    if referral is not None:
        schedule_request(scope, stay_key(referral.id), community,
                         ReferralStay(referral_id=referral.id), referral.due_at,
                         group_id=ctx.group.id)  # fmt: skip
    return []


def left(scope: StoreBase, request: ReferralLeft, ctx: EffectContext) -> Sequence[Action]:
    """An invitee who left the community before their stay was up counts nothing."""
    assert ctx.member is not None, "a leave has a member"
    community = ctx.group.community_id
    referrals: Referrals = SqlReferrals.on(scope)
    pending = referrals.pending_for(community, ctx.member.id)
    if pending is not None and not referrals.in_community(community, ctx.member.id):
        referrals.settle(pending.id, Status.REVOKED, ctx.now)
    return []


def stay(scope: StoreBase, request: ReferralStay, ctx: EffectContext) -> Sequence[Action]:
    """Scheduled, when the invitee's stay is up: credit the inviter if the invitee is still
    in the community and posted the task's `posts` messages meanwhile (else revoke); when the
    inviter reaches the task's count, the reward, once: points, a title, a reward item (staff
    are alerted to hand it over), and a message. An inviter who is no longer in the community
    (left, removed, banned from every group) or is blacklisted gets nothing now: staff are
    told once why, and the reward is kept for them (`back`: given when they join a group
    again, not blacklisted; or at the next friend credited while they are in)."""
    referrals: Referrals = SqlReferrals.on(scope)
    referral = referrals.get(request.referral_id)
    if referral is None:
        return []
    still_in = referrals.in_community(referral.community_id, referral.invitee_id)
    posts = ctx.playbook.mechanisms.referrals.posts
    said = referrals.said(referral.community_id, referral.invitee_id, referral.joined_at,
                          referral.due_at, posts + SAID_READ if posts else 0)  # fmt: skip
    settled = decide_stay(referral.status, still_in, took_part(said, posts))
    if settled is None or not referrals.settle(referral.id, settled, ctx.now):
        return []
    settings = ctx.playbook.mechanisms.referrals
    if settled is not Status.CREDITED or not settings.enabled:
        return []
    credited = referrals.progress(referral.community_id, referral.inviter_id).credited
    if not reward_due(credited, settings.invites, rewarded=False):
        return []
    community, inviter = referral.community_id, referral.inviter_id
    if referrals.link_of(community, inviter, ctx.now).rewarded_at is not None:
        return []  # given before: a later friend still counts, nothing more is due
    blacklisted = Store.on(scope).is_blacklisted(community, inviter)
    if blacklisted or not referrals.in_community(community, inviter):
        # no reward, no cheer for someone gone or shut out; the friend still counts
        return [withheld(scope, ctx, community, inviter, blacklisted=blacklisted)]
    if not referrals.mark_rewarded(community, inviter, ctx.now):
        return []  # given before (a race)
    return reward(scope, ctx, community, inviter)


def back(scope: StoreBase, request: ReferralBack, ctx: EffectContext) -> Sequence[Action]:
    """A member joined a group: the invite reward held back while they were gone (or
    blacklisted) is theirs now, once, unless they are blacklisted still. Most joiners have no
    link: one indexed query finds nothing."""
    assert ctx.member is not None, "a join has a member"
    settings = ctx.playbook.mechanisms.referrals
    community, member = ctx.group.community_id, ctx.member.id
    referrals: Referrals = SqlReferrals.on(scope)
    if not settings.enabled or not referrals.owed(community, member, settings.invites):
        return []
    if Store.on(scope).is_blacklisted(community, member):
        return []
    if not referrals.mark_rewarded(community, member, ctx.now):
        return []
    return reward(scope, ctx, community, member)


def withheld(scope: StoreBase, ctx: EffectContext, community: int, inviter: int, *,
             blacklisted: bool) -> Action:  # fmt: skip
    """The staff alert (once per inviter) that their invite reward is held back, and why."""
    found = MemberQueries.on(scope).get_member(inviter)
    nickname = found.display_name if found is not None else f"#{inviter}"
    group = ctx.group
    users = PointingQueries.on(scope).user_ids([inviter], group.carrier)
    text = withheld_text(nickname, group.name, blacklisted, ctx.playbook.community.language)
    why = "blacklisted" if blacklisted else "no longer in the community"
    return Action(kind=ActionKind.ALERT_STAFF, carrier=group.carrier,
                  group=group.carrier_group_id, member=users.get(inviter), text=text,
                  handler="referrals", key=f"referrals:withheld:{community}:{inviter}",
                  reason=f"invite reward held back: the inviter is {why}")  # fmt: skip


def reward(scope: StoreBase, ctx: EffectContext, community: int, inviter: int) -> list[Action]:
    """Give the invite task's reward to the inviter (marked given by the caller)."""
    pb, group, lang = ctx.playbook, ctx.group, ctx.playbook.community.language
    prize = pb.mechanisms.referrals.reward
    found = MemberQueries.on(scope).get_member(inviter)
    nickname = found.display_name if found is not None else f"#{inviter}"
    if prize.points and pb.mechanisms.points.enabled:
        PointsQueries.on(scope).award_points(community, inviter, prize.points, REASON, ctx.now)
    if prize.title:
        SqlTitles.on(scope).claim_title(community, inviter, prize.title, ctx.now)
    offer = offer_of(pb)
    key = f"referrals:reward:{community}:{inviter}"
    users = PointingQueries.on(scope).user_ids([inviter], group.carrier)
    said = Action(kind=ActionKind.SEND, carrier=group.carrier, group=group.carrier_group_id,
                  text=rewarded_text(nickname, offer, lang), handler="referrals",
                  reason="invite task completed", key=key,
                  extra=mentioning([(users.get(inviter), nickname)]))  # fmt: skip
    actions = [said]
    if prize.membership_days:
        actions += _membership_days(scope, ctx, community, inviter, nickname)
    if prize.reward is not None:
        item = next((r for r in pb.mechanisms.points.rewards if r.id == prize.reward), None)
        given = item is not None and SqlReferrals.on(scope).give_item(
            community, inviter, prize.reward, item.stock, ctx.now)  # fmt: skip
        text = hand_over_text(nickname, group.name, offer.item or prize.reward, given, lang)
        actions.append(Action(kind=ActionKind.ALERT_STAFF, carrier=group.carrier,
                              group=group.carrier_group_id, member=users.get(inviter),
                              text=text, handler="referrals", key=f"{key}:item",
                              reason=f"invite reward {prize.reward}"))  # fmt: skip
    return actions


def _membership_days(scope: StoreBase, ctx: EffectContext, community: int, inviter: int,
                     nickname: str) -> list[Action]:  # fmt: skip
    """The reward's days of membership, given as `hearth billing give` gives them (once per
    inviter: the gift's key), the inviter told by billing; when they cannot be given (no plan
    to give days of), staff are alerted saying why."""
    from hearthkeeper.capabilities.billing.given import give_days
    from hearthkeeper.capabilities.billing.ledger import BillingError

    pb, group = ctx.playbook, ctx.group
    days = pb.mechanisms.referrals.reward.membership_days
    tx = Store.on(scope)
    found = next((c for c in tx.list_communities() if c.id == community), None)
    if found is None:
        return []
    try:
        give_days(tx, found, pb, inviter, days, "invite task reward", "referrals", ctx.now,
                  key=f"referral:{community}:{inviter}")  # fmt: skip
    except BillingError as exc:
        users = PointingQueries.on(scope).user_ids([inviter], group.carrier)
        return [Action(kind=ActionKind.ALERT_STAFF, carrier=group.carrier,
                       group=group.carrier_group_id, member=users.get(inviter),
                       text=TEXTS.say("days_not_given", pb.community.language,
                                      group=group.name, nickname=nickname, days=days,
                                      why=str(exc)), handler="referrals",
                       key=f"referrals:reward:{community}:{inviter}:days",
                       reason="invite reward's membership days not given")]  # fmt: skip
    return []


def link(scope: StoreBase, request: ReferralLink, ctx: EffectContext) -> Sequence[Action]:
    """The sender's own invite link (made on first use), and how far they are with the task."""
    assert ctx.member is not None
    pb, community, member = ctx.playbook, ctx.group.community_id, ctx.member
    referrals: Referrals = SqlReferrals.on(scope)
    own = referrals.link_of(community, member.id, ctx.now)
    text = link_text(member.display_name or member.user_id, link_for(scope, own.token),
                     referrals.progress(community, member.id), offer_of(pb),
                     pb.community.language, rewarded=own.rewarded_at is not None)  # fmt: skip
    return [answer(ctx.trigger, text)]


def top(scope: StoreBase, request: ReferralTop, ctx: EffectContext) -> Sequence[Action]:
    """The leaderboard: credited invites this month (community time) and of all time."""
    pb, community = ctx.playbook, ctx.group.community_id
    referrals: Referrals = SqlReferrals.on(scope)
    month = referrals.top(community, month_start(ctx.now, pb.community.timezone))
    return [answer(ctx.trigger, top_text(month, referrals.top(community), pb.community.language))]


def register(registry: Registry) -> None:
    """Add the referral effects (always: a stay check scheduled before the task was turned
    off still settles)."""
    registry.add_effect(ReferralJoined, joined)
    registry.add_effect(ReferralLeft, left)
    registry.add_effect(ReferralStay, stay)
    registry.add_effect(ReferralBack, back)
    registry.add_effect(ReferralLink, link)
    registry.add_effect(ReferralTop, top)
