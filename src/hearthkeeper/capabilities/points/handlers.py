"""Points: for sharing one's own use (a picture or video, once a day), for events (awarded by
staff), the balance, and rewards redeemed with them. Levels are earned with the same activity."""

from __future__ import annotations

import re
import unicodedata

from hearthkeeper.capabilities.command_book import (
    Command,
    CommandBook,
    Invocation,
    Takes,
    ask,
    naming,
    reply,
)
from hearthkeeper.capabilities.pointing import first_word, pointed_at, typed_reason
from hearthkeeper.capabilities.points import effects, levels_effects
from hearthkeeper.capabilities.points.requests import (
    PointsAward,
    PointsBalance,
    PointsRedeem,
    PointsShare,
)
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.events import Event, Message
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.engine.registry import Registry, Stage
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.mechanisms import Reward
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.structure import Permission
from hearthkeeper.text.folding import fold

SHARED_KINDS = ("picture", "video")
AMOUNT = re.compile(r"^[+-]?\d{1,6}$")
NUMBER = re.compile(r"^[+-]?\d+$")  # a number, whatever its size: meant as the amount

TEXTS = Phrasebook({
    "award_usage": {
        Language.ZH_CN: "用法：/加分 @成员 10 参加线下沙龙（也可以回复对方的消息发 /加分 10 原因）",
        Language.EN: "Usage: /award @member 10 came to the meetup (or reply to their message with /award 10 reason)",
    },
    # the number is not repeated: after a member picked in the chat it is their display name
    # (Telegram and Matrix put it in the text), maybe a phone number
    "award_range": {
        Language.ZH_CN: "一次加减分须在 -999999 到 999999 之间。",
        Language.EN: "An award is from -999999 to 999999 points.",
    },
    "award_zero": {
        Language.ZH_CN: "加分数不能是 0。", Language.EN: "The number of points cannot be 0.",
    },
    "redeem_usage": {
        Language.ZH_CN: "用法：/兑换 奖品编号。可兑换的奖品：\n{rewards}",
        Language.EN: "Usage: /redeem <reward id>. Rewards:\n{rewards}",
    },
    "no_rewards": {
        Language.ZH_CN: "目前没有可兑换的奖品。", Language.EN: "There are no rewards to redeem yet.",
    },
    # the member's words are not repeated: they named no reward, maybe an ad
    "unknown_reward": {
        Language.ZH_CN: "/兑换：没有这个奖品。可兑换的奖品：\n{rewards}",
        Language.EN: "/redeem: there is no such reward. Rewards:\n{rewards}",
    },
    "reward_line": {
        Language.ZH_CN: "· {id} {name} — {cost} 积分", Language.EN: "· {id} {name} — {cost} points",
    },
})  # fmt: skip


def is_share(event: Message) -> bool:
    """A picture or video: a member showing their own use of the product."""
    return event.kind in SHARED_KINDS or any(a.kind in SHARED_KINDS for a in event.attachments)


def share_effect(event: Event) -> Action:
    """Ask for the (at most daily) sharing reward."""
    return ask(event, PointsShare(), handler="points")


def find_reward(rewards: list[Reward], wanted: str) -> Reward | None:
    """A reward by its id or its name, ignoring case and width."""
    folded = fold(wanted)
    for reward in rewards:
        if folded in (reward.id.casefold(), unicodedata.normalize("NFKC", reward.name).casefold()):
            return reward
    return None


def reward_lines(rewards: list[Reward], lang: Language) -> str:
    """The rewards, one a line."""
    return "\n".join(TEXTS.say("reward_line", lang, id=r.id, name=r.name, cost=r.cost)
                     for r in rewards)  # fmt: skip


class ShareReward:
    """A picture or video earns the sharing points, at most once a day."""

    name = "share"

    def check(self, event: Event, ctx: Context) -> bool:
        return isinstance(event, Message) and not event.sender.is_bot and is_share(event)

    def handle(self, event: Event, ctx: Context) -> Outcome:
        return Outcome((share_effect(event),))


def _balance(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    return Outcome((ask(event, PointsBalance(), handler="points"),))


def _award(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    lang = ctx.playbook.community.language
    target, rest = pointed_at(event, invocation)
    if not target:
        return Outcome((reply(event, TEXTS.say("award_usage", lang), handler="points"),))
    amount, reason = first_word(rest)
    amount = unicodedata.normalize("NFKC", amount)
    if AMOUNT.match(amount):
        points = int(amount)
    elif NUMBER.match(amount):
        return Outcome((reply(event, TEXTS.say("award_range", lang), handler="points"),))
    else:
        points, reason = ctx.playbook.mechanisms.points.event, rest
    if points == 0:
        return Outcome((reply(event, TEXTS.say("award_zero", lang), handler="points"),))
    award = PointsAward(user_id=target.user_id, name=target.name, reply_to=target.reply_to,
                        points=points,
                        reason=typed_reason(reason))  # fmt: skip
    return Outcome((ask(event, award, handler="points"),))


def _redeem(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    lang = ctx.playbook.community.language
    rewards = ctx.playbook.mechanisms.points.rewards
    if not rewards:
        return Outcome((reply(event, TEXTS.say("no_rewards", lang), handler="points"),))
    if not invocation.rest:
        text = TEXTS.say("redeem_usage", lang, rewards=reward_lines(rewards, lang))
        return Outcome((reply(event, text, handler="points"),))
    reward = find_reward(rewards, invocation.rest)
    if reward is None:
        text = TEXTS.say("unknown_reward", lang, rewards=reward_lines(rewards, lang))
        return Outcome((reply(event, text, handler="points"),))
    return Outcome((ask(event, PointsRedeem(reward=reward.id), handler="points"),))


def _rewards(ctx: Context) -> list[str]:
    """What `/redeem`'s words may name: a reward, by its id or its name."""
    return [n for r in ctx.playbook.mechanisms.points.rewards for n in (r.id, r.name)]


def register(registry: Registry, playbook: Playbook, commands: CommandBook) -> None:
    """Add points (sharing, `/points`, `/award`, `/redeem`) and the level pyramid."""
    levels_effects.register(registry, playbook)
    settings = playbook.mechanisms.points
    effects.register(registry)
    if not settings.enabled:
        return
    if settings.share:
        registry.add(ShareReward(), Stage.MECHANISMS + 6)
    commands.add(Command("points", ("积分",), {
        Language.ZH_CN: "查看我的积分和可兑换的奖品", Language.EN: "your points and the rewards",
    }, _balance, takes=Takes.NOTHING))  # fmt: skip
    commands.add(Command("award", ("加分",), {
        Language.ZH_CN: "给成员加积分（如参加活动）", Language.EN: "give a member points (e.g. for an event)",
    }, _award, permission=Permission.AWARD_POINTS, usage={
        Language.ZH_CN: "/加分 @成员 10 原因", Language.EN: "/award @member 10 reason",
    }))  # fmt: skip
    commands.add(Command("redeem", ("兑换",), {
        Language.ZH_CN: "用积分兑换奖品", Language.EN: "redeem points for a reward",
    }, _redeem, usage={Language.ZH_CN: "/兑换 奖品编号", Language.EN: "/redeem <reward id>"},
       own=naming(_rewards)))  # fmt: skip
