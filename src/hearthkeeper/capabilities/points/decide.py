"""What the points commands answer, decided from plain inputs (no store)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.checkin.decide import local_day
from hearthkeeper.capabilities.points.repository import RedeemOutcome, Redemption
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.playbook.mechanisms import Reward
from hearthkeeper.playbook.positioning import Language

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
        Language.ZH_CN: "找不到你写的成员，请 @ 对方或回复对方的消息。",
        Language.EN: "I can't find the member you named: @-mention them or reply to their "
                     "message.",
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


def share_day_start(now: datetime, timezone: str) -> datetime:
    """Midnight of the community's day: sharing earns points once from then on."""
    zone = ZoneInfo(timezone)
    return datetime.combine(local_day(now, timezone), time(0), tzinfo=zone)


def shared_text(nickname: str, points: int, lang: Language) -> str:
    """Thanks for a share, with the points it earned."""
    return TEXTS.say("shared", lang, nickname=nickname, points=points)


def balance_text(nickname: str, balance: int, rewards: Sequence[Reward],
                 taken: Mapping[str, int], lang: Language) -> str:  # fmt: skip
    """The member's balance, and the rewards with what is left of them (`taken`: redeemed)."""
    lines = [TEXTS.say("balance", lang, nickname=nickname, balance=balance)]
    if rewards:
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
    return "\n".join(lines)


def not_found_text(lang: Language) -> str:
    """A staff command pointed at nobody this bot knows. How it named them is not repeated:
    the group reads the answer, and a `@name` may be a member's words (a Telegram @username
    the client put in, a display name copied from an ad account)."""
    return TEXTS.say("not_found", lang)


def award_refusal(found: int | None, sender: int, lang: Language) -> str | None:
    """Why an award to member `found` (None: nobody found) by `sender` is refused; None
    when it may go ahead."""
    if found is None:
        return not_found_text(lang)
    if found == sender:
        return TEXTS.say("not_yourself", lang)
    return None


def award_reason(giver: str, reason: str) -> str:
    """The ledger's reason for a staff award."""
    return f"awarded by {giver}" + (f": {reason}" if reason else "")


def awarded_text(name: str, points: int, reason: str, balance: int, lang: Language) -> str:
    """`🎁 mei gets 15 points (came to the tasting); balance 15.` (or loses them)."""
    return TEXTS.say("awarded" if points > 0 else "deducted", lang, target=name,
                     points=abs(points), balance=balance,
                     reason=TEXTS.say("reason", lang, reason=reason) if reason else "")  # fmt: skip


@dataclass(frozen=True)
class Redeemed:
    """What a redemption answers, and the alert telling staff to hand it over (if redeemed)."""

    reply: str
    alert: str | None = None


def redeemed_texts(done: Redemption, reward: Reward, nickname: str, group: str,
                   lang: Language) -> Redeemed:  # fmt: skip
    """The reply to a redemption (and staff's alert when it went through)."""
    values = {"nickname": nickname, "name": reward.name, "cost": reward.cost,
              "balance": done.balance}  # fmt: skip
    if done.outcome is RedeemOutcome.SHORT:
        return Redeemed(TEXTS.say("short", lang, **values))
    if done.outcome is RedeemOutcome.SOLD_OUT:
        return Redeemed(TEXTS.say("sold_out", lang, **values))
    return Redeemed(TEXTS.say("redeemed", lang, **values),
                    TEXTS.say("redeemed_alert", lang, group=group, **values))  # fmt: skip
