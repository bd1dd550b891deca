"""The store work behind points: the sharing reward, staff awards, balances and redemptions.
Each effect loads, decides (`decide.py`, no store) and writes."""

from __future__ import annotations

from collections.abc import Sequence

from hearthkeeper.capabilities.command_book import answer
from hearthkeeper.capabilities.pointing import Unclear, find_only, shared_answer
from hearthkeeper.capabilities.points.decide import (
    SHARE,
    award_reason,
    award_refusal,
    awarded_text,
    balance_text,
    redeemed_texts,
    share_day_start,
    shared_text,
)
from hearthkeeper.capabilities.points.repository import Points, SqlPoints
from hearthkeeper.capabilities.points.requests import (
    LevelsEvaluate,
    PointsAward,
    PointsBalance,
    PointsRedeem,
    PointsShare,
    follow,
)
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.registry import Registry
from hearthkeeper.store.scope import StoreBase


def share(scope: StoreBase, request: PointsShare, ctx: EffectContext) -> Sequence[Action]:
    """The sharing reward, at most once per member per (community) day."""
    assert ctx.member is not None and ctx.trigger is not None, "a share has a member"
    pb, member = ctx.playbook, ctx.member
    points = pb.mechanisms.points.share
    if not pb.mechanisms.points.enabled or not points:
        return []
    since = share_day_start(ctx.now, pb.community.timezone)
    if not SqlPoints.on(scope).award_once(ctx.group.community_id, member.id, points, SHARE,
                                          ctx.now, since, event_id=ctx.event_id):  # fmt: skip
        return []
    text = shared_text(member.display_name or member.user_id, points, pb.community.language)
    return [answer(ctx.trigger, text), follow(ctx.trigger, LevelsEvaluate())]


def balance(scope: StoreBase, request: PointsBalance, ctx: EffectContext) -> Sequence[Action]:
    """The member's balance, and the rewards with what is left of them."""
    assert ctx.member is not None
    pb, community = ctx.playbook, ctx.group.community_id
    points: Points = SqlPoints.on(scope)
    rewards = pb.mechanisms.points.rewards
    text = balance_text(ctx.member.display_name or ctx.member.user_id,
                        points.points_of(community, ctx.member.id), rewards,
                        points.redeemed(community) if rewards else {},
                        pb.community.language)  # fmt: skip
    return [answer(ctx.trigger, text)]


def award(scope: StoreBase, request: PointsAward, ctx: EffectContext) -> Sequence[Action]:
    """Staff give (or take) a member points, for an event or a correction."""
    assert ctx.member is not None and ctx.trigger is not None
    lang = ctx.playbook.community.language
    member_id, name = find_only(scope, ctx, request.target)
    if isinstance(member_id, Unclear):  # a name several members carry: none of them gets points
        return [answer(ctx.trigger, shared_answer(scope, ctx, member_id))]
    refused = award_refusal(member_id, ctx.member.id, lang)
    if refused is not None or member_id is None:
        return [answer(ctx.trigger, refused or "")]
    community = ctx.group.community_id
    points: Points = SqlPoints.on(scope)
    giver = ctx.member.display_name or ctx.member.user_id
    points.award_points(community, member_id, request.points, award_reason(giver, request.reason),
                        ctx.now, event_id=ctx.event_id)  # fmt: skip
    text = awarded_text(name, request.points, request.reason,
                        points.points_of(community, member_id), lang)  # fmt: skip
    return [answer(ctx.trigger, text),
            follow(ctx.trigger, LevelsEvaluate(member_id=member_id, name=name))]  # fmt: skip


def redeem(scope: StoreBase, request: PointsRedeem, ctx: EffectContext) -> Sequence[Action]:
    """Spend points on a reward, atomically; staff are told to hand it over."""
    assert ctx.member is not None and ctx.trigger is not None
    pb, trigger = ctx.playbook, ctx.trigger
    reward = next((r for r in pb.mechanisms.points.rewards if r.id == request.reward), None)
    if reward is None:  # the playbook changed between the command and now
        return []
    done = SqlPoints.on(scope).redeem(ctx.group.community_id, ctx.member.id, reward.id,
                                      reward.cost, reward.stock, ctx.now,
                                      event_id=ctx.event_id)  # fmt: skip
    said = redeemed_texts(done, reward, ctx.member.display_name or ctx.member.user_id,
                          ctx.group.name, pb.community.language)  # fmt: skip
    if said.alert is None:
        return [answer(trigger, said.reply)]
    alert = Action(kind=ActionKind.ALERT_STAFF, carrier=trigger.carrier, group=trigger.group,
                   member=trigger.member, target=trigger.target, handler="points",
                   text=said.alert, reason=f"redeemed {reward.id}")  # fmt: skip
    return [answer(trigger, said.reply), alert]


def register(registry: Registry) -> None:
    """Add the points effects."""
    registry.add_effect(PointsShare, share)
    registry.add_effect(PointsBalance, balance)
    registry.add_effect(PointsAward, award)
    registry.add_effect(PointsRedeem, redeem)
