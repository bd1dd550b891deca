"""The store work behind points: the sharing reward, staff awards, balances and redemptions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, time
from zoneinfo import ZoneInfo

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.registry import Registry
from hearthkeeper.handlers.checkin_effects import answer, local_day
from hearthkeeper.handlers.texts import Phrasebook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import RedeemOutcome, Store

SHARE = "share"

TEXTS = Phrasebook({
    "shared": {
        Language.ZH_CN: "📸 谢谢 {nickname} 的分享！+{points} 积分",
        Language.EN: "📸 Thanks for sharing, {nickname}! +{points} points",
    },
    "balance": {
        Language.ZH_CN: "💰 {nickname} 的积分：{balance}", Language.EN: "💰 {nickname}'s points: {balance}",
    },
    "rewards_header": {
        Language.ZH_CN: "可兑换（/兑换 奖品编号）：", Language.EN: "Rewards (/redeem <id>):",
    },
    "reward_line": {
        Language.ZH_CN: "· {id} {name} — {cost} 积分{left}", Language.EN: "· {id} {name} — {cost} points{left}",
    },
    "left": {Language.ZH_CN: "（剩 {n} 份）", Language.EN: " ({n} left)"},
    "awarded": {
        Language.ZH_CN: "🎁 {target} 获得 {points} 积分{reason}，现有 {balance} 分。",
        Language.EN: "🎁 {target} gets {points} points{reason}; balance {balance}.",
    },
    "deducted": {
        Language.ZH_CN: "{target} 被扣除 {points} 积分{reason}，现有 {balance} 分。",
        Language.EN: "{target} loses {points} points{reason}; balance {balance}.",
    },
    "reason": {Language.ZH_CN: "（{reason}）", Language.EN: " ({reason})"},
    "not_found": {
        Language.ZH_CN: "找不到 {who}，请 @ 对方或回复对方的消息。",
        Language.EN: "I can't find {who}: @-mention them or reply to their message.",
    },
    "not_yourself": {
        Language.ZH_CN: "不能给自己加减积分哦。", Language.EN: "You cannot change your own points.",
    },
    "redeemed": {
        Language.ZH_CN: "🎁 {nickname} 兑换成功：{name}，花费 {cost} 积分，剩余 {balance} 分。工作人员会尽快联系你～",
        Language.EN: "🎁 {nickname} redeemed {name} for {cost} points; {balance} left. Staff will be in touch.",
    },
    "redeemed_alert": {
        Language.ZH_CN: "【兑换】{group}：{nickname} 兑换了「{name}」，请安排发放。",
        Language.EN: "[Reward] {group}: {nickname} redeemed '{name}'; please hand it over.",
    },
    "short": {
        Language.ZH_CN: "积分不够哦：「{name}」需要 {cost} 分，{nickname} 现在有 {balance} 分。",
        Language.EN: "Not enough points: '{name}' costs {cost}, {nickname} has {balance}.",
    },
    "sold_out": {
        Language.ZH_CN: "「{name}」已经兑完了，发 /积分 看看别的奖品吧。",
        Language.EN: "'{name}' is all gone; send /points to see the other rewards.",
    },
})  # fmt: skip


def _evaluate(action: Action, **who: object) -> Action:
    return replace(action, effect="levels.evaluate", extra=dict(who), key=None)


def find_target(store: Store, ctx: EffectContext,
                target: dict[str, str]) -> tuple[int, str] | None:  # fmt: skip
    """The member a staff command points at (see `points.pointed_at`), with their name."""
    member_id = store.member_pointed_at(ctx.group.id, ctx.group.carrier,
                                        user_id=target.get("user_id"), name=target.get("name"),
                                        reply_to=target.get("reply_to"))  # fmt: skip
    if member_id is None:
        return None
    found = store.get_member(member_id)
    return member_id, found.display_name if found is not None else target.get("name", "")


def who_was_meant(target: dict[str, str]) -> str:
    """How the command named the member it could not find."""
    return "@" + target["name"] if "name" in target else target.get("user_id", "")


def share(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """The sharing reward, at most once per member per (community) day."""
    assert ctx.member is not None, "a share has a member"
    pb, lang = ctx.playbook, ctx.playbook.community.language
    points = pb.mechanisms.points.share
    if not pb.mechanisms.points.enabled or not points:
        return []
    zone = ZoneInfo(pb.community.timezone)
    midnight = datetime.combine(local_day(ctx.now, pb.community.timezone), time(0), tzinfo=zone)
    if not store.award_once(ctx.group.community_id, ctx.member.id, points, SHARE, ctx.now,
                            midnight, event_id=ctx.event_id):  # fmt: skip
        return []
    nickname = ctx.member.display_name or ctx.member.user_id
    return [answer(action, TEXTS.say("shared", lang, nickname=nickname, points=points)),
            _evaluate(action)]  # fmt: skip


def balance(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """The member's balance, and the rewards with what is left of them."""
    assert ctx.member is not None
    pb, lang = ctx.playbook, ctx.playbook.community.language
    community = ctx.group.community_id
    lines = [TEXTS.say("balance", lang, nickname=ctx.member.display_name or ctx.member.user_id,
                       balance=store.points_of(community, ctx.member.id))]  # fmt: skip
    rewards = pb.mechanisms.points.rewards
    if rewards:
        taken = store.redeemed(community)
        lines.append(TEXTS.say("rewards_header", lang))
        for r in rewards:
            left = (
                ""
                if r.stock is None
                else TEXTS.say("left", lang, n=max(r.stock - taken.get(r.id, 0), 0))
            )
            lines.append(
                TEXTS.say("reward_line", lang, id=r.id, name=r.name, cost=r.cost, left=left)
            )
    return [answer(action, "\n".join(lines))]


def award(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Staff give (or take) a member points, for an event or a correction."""
    assert ctx.member is not None
    lang = ctx.playbook.community.language
    target = dict(action.extra["target"])
    points, reason = int(action.extra["points"]), str(action.extra.get("reason") or "")
    found = find_target(store, ctx, target)
    if found is None:
        return [answer(action, TEXTS.say("not_found", lang, who=who_was_meant(target)))]
    member_id, name = found
    if member_id == ctx.member.id:
        return [answer(action, TEXTS.say("not_yourself", lang))]
    community = ctx.group.community_id
    store.award_points(community, member_id, points,
                       f"awarded by {ctx.member.display_name or ctx.member.user_id}" +
                       (f": {reason}" if reason else ""), ctx.now, event_id=ctx.event_id)  # fmt: skip
    text = TEXTS.say("awarded" if points > 0 else "deducted", lang, target=name, points=abs(points),
                     reason=TEXTS.say("reason", lang, reason=reason) if reason else "",
                     balance=store.points_of(community, member_id))  # fmt: skip
    return [answer(action, text), _evaluate(action, member_id=member_id, name=name)]


def redeem(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Spend points on a reward, atomically; staff are told to hand it over."""
    assert ctx.member is not None
    pb, lang = ctx.playbook, ctx.playbook.community.language
    reward = next((r for r in pb.mechanisms.points.rewards if r.id == action.extra["reward"]), None)
    if reward is None:  # the playbook changed between the command and now
        return []
    nickname = ctx.member.display_name or ctx.member.user_id
    done = store.redeem(ctx.group.community_id, ctx.member.id, reward.id, reward.cost,
                        reward.stock, ctx.now, event_id=ctx.event_id)  # fmt: skip
    values = {"nickname": nickname, "name": reward.name, "cost": reward.cost,
              "balance": done.balance}  # fmt: skip
    if done.outcome is RedeemOutcome.SHORT:
        return [answer(action, TEXTS.say("short", lang, **values))]
    if done.outcome is RedeemOutcome.SOLD_OUT:
        return [answer(action, TEXTS.say("sold_out", lang, **values))]
    alert = Action(kind=ActionKind.ALERT_STAFF, carrier=action.carrier, group=action.group,
                   member=action.member, target=action.target, handler="points",
                   text=TEXTS.say("redeemed_alert", lang, group=ctx.group.name, **values),
                   reason=f"redeemed {reward.id}")  # fmt: skip
    return [answer(action, TEXTS.say("redeemed", lang, **values)), alert]


def register(registry: Registry) -> None:
    """Add the points effects."""
    registry.add_effect("points.share", share)
    registry.add_effect("points.balance", balance)
    registry.add_effect("points.award", award)
    registry.add_effect("points.redeem", redeem)
