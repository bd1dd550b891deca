"""What a referral decides, from plain inputs (no store): whose link a join came by, whether a
join counts, what a stay check settles, when the reward is due, and what the bot says."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.referrals.repository import Link, Progress, Ranked, Status
from hearthkeeper.capabilities.texts import Phrasebook, accepts_rules
from hearthkeeper.playbook.mechanisms import Referrals as Settings
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.text.counts import counted

PREFIX = "ref:"  # the prefix referrals own among link tokens (`Join.source`)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
TOP = 10

TEXTS = Phrasebook({
    "link": {
        Language.ZH_CN: "{nickname}，这是你的专属邀请链接：\n{link}\n{task}",
        Language.EN: "{nickname}, here is your own invite link:\n{link}\n{task}",
    },
    "path_hint": {
        Language.ZH_CN: "（在本站网址后加上这段路径，发给朋友）",
        Language.EN: "(this site's address followed by this path: send it to friends)",
    },
    "task": {
        Language.ZH_CN: "邀请 {invites} 位朋友入群并留满 {stay}{posting}，可获得：{reward}。"
                        "目前已计入 {credited} 位，考察中 {pending} 位。",
        Language.EN: "Bring {friends} who {stays} {stay}{posting} to earn {reward}. "
                     "So far {credited} counted, {pending} still in their first {stay}.",
    },
    "task_done": {
        Language.ZH_CN: "你已完成邀请任务（已计入 {credited} 位），感谢帮社群壮大！",
        Language.EN: "You completed the invite task ({credited} counted). Thanks for growing "
                     "the community!",
    },
    "posting": {
        Language.ZH_CN: "、期间发言至少 {posts} 条",
        Language.EN: " and {post} at least {posts} message{s}",
    },
    "reward_points": {Language.ZH_CN: "{points} 积分", Language.EN: "{points} points"},
    "reward_title": {Language.ZH_CN: "头衔「{title}」", Language.EN: "the title '{title}'"},
    "reward_item": {Language.ZH_CN: "奖品「{item}」", Language.EN: "the reward '{item}'"},
    "reward_days": {Language.ZH_CN: "{days} 天会员", Language.EN: "{days} day{s} of membership"},
    "reward_none": {Language.ZH_CN: "大家的感谢", Language.EN: "everyone's thanks"},
    "rewarded": {
        Language.ZH_CN: "🎉 {nickname} 邀请的 {invites} 位朋友都留了下来，完成邀请任务，获得 {reward}！",
        Language.EN: "🎉 {nickname} brought {friends} who stayed: invite task done, "
                     "earning {reward}!",
    },
    "days_not_given": {
        Language.ZH_CN: "【邀请奖励】{group}：{nickname} 完成邀请任务，但 {days} 天会员未能发放：{why}",
        Language.EN: "[Invite reward] {group}: {nickname} completed the invite task, but its "
                     "{days} days of membership were not given: {why}",
    },
    "hand_over": {
        Language.ZH_CN: "【邀请奖励】{group}：{nickname} 完成邀请任务，请发放「{item}」。",
        Language.EN: "[Invite reward] {group}: {nickname} completed the invite task; please "
                     "hand over '{item}'.",
    },
    "sold_out": {
        Language.ZH_CN: "【邀请奖励】{group}：{nickname} 完成邀请任务，但「{item}」已无库存，请另行安排。",
        Language.EN: "[Invite reward] {group}: {nickname} completed the invite task, but '{item}' "
                     "is out of stock; please arrange something else.",
    },
    "withheld": {
        Language.ZH_CN: "【邀请奖励】{group}：{nickname} 邀请的朋友已完成邀请任务，但{why}，奖励暂不发放。"
                        "奖励为其保留：对方回到社群的任一群（且不在黑名单）时自动发放。",
        Language.EN: "[Invite reward] {group}: {nickname}'s friends completed the invite task, "
                     "but {why}: no reward was given. It is kept for them: they get it when they "
                     "are back in one of the community's groups (and not blacklisted).",
    },
    "why_gone": {
        Language.ZH_CN: "{nickname} 已不在社群中（退出、被移出或被封禁）",
        Language.EN: "{nickname} is no longer in the community (left, removed or banned)",
    },
    "why_blacklisted": {
        Language.ZH_CN: "{nickname} 在黑名单中",
        Language.EN: "{nickname} is blacklisted",
    },
    "top_month": {Language.ZH_CN: "📣 本月邀请榜", Language.EN: "📣 Invites this month"},
    "top_all": {Language.ZH_CN: "🏆 总邀请榜", Language.EN: "🏆 Invites of all time"},
    "top_line": {Language.ZH_CN: "{rank}. {name} {n} 位", Language.EN: "{rank}. {name} {n}"},
    "top_empty": {
        Language.ZH_CN: "还没有计入的邀请。发 /邀请 领取你的邀请链接吧！",
        Language.EN: "No invites counted yet. Send /invite for your own link!",
    },
    "refused": {
        Language.ZH_CN: "加入本社群需要先邀请 {needed} 位朋友（留满考察期才计入）。你目前已计入 {have} 位，"
                        "还差 {missing} 位。",
        Language.EN: "To join this community you first need {friends} you invited to have "
                     "stayed. You have {have}; {missing} to go.",
    },
})  # fmt: skip

SEP = {Language.ZH_CN: "、", Language.EN: ", "}


def token_of(source: str | None) -> str | None:
    """The referral token a join's link carried (`ref:<token>`); None for another link's
    token (a live code's), no link, or something malformed."""
    if source is None or not source.startswith(PREFIX):
        return None
    token = source[len(PREFIX) :].strip()
    return token if _TOKEN.match(token) else None


def path_of(token: str) -> str:
    """The path of a member's invite link on this server (it leads on to a group's join page)."""
    return f"/ref/{token}"


class JoinVerdict(StrEnum):
    RECORD = "record"
    UNKNOWN = "unknown"  # no such link in this community
    SELF = "self"  # a member's own link
    KNOWN = "known"  # the person was in the community before: nobody brought them


def decide_join(link: Link | None, community_id: int, invitee_id: int, *,
                known_before: bool) -> JoinVerdict:  # fmt: skip
    """Whether a join by a referral link is recorded for the link's owner. (A person already
    recorded by anyone counts once: the store refuses the second row.)"""
    if link is None or link.community_id != community_id:
        return JoinVerdict.UNKNOWN
    if link.member_id == invitee_id:
        return JoinVerdict.SELF
    if known_before:
        return JoinVerdict.KNOWN
    return JoinVerdict.RECORD


SAID_READ = 50  # a friend's messages the stay check reads beyond the `posts` it needs


def took_part(said: Sequence[str], posts: int) -> bool:
    """Whether a friend's messages during their stay (`said`, their texts) are the `posts`
    the task asks: typing the words that accept the rules, which the door asks of everyone,
    is not taking part."""
    real = [t for t in said if not accepts_rules(t)]
    return len(real) >= posts


def decide_stay(status: Status, still_in: bool, posted: bool = True) -> Status | None:
    """What the stay check makes of a referral: credited when the invitee is still in the
    community and posted what the task asks (`posted`), revoked when they are gone or said
    nothing; None when it was settled already."""
    if status is not Status.PENDING:
        return None
    return Status.CREDITED if still_in and posted else Status.REVOKED


def reward_due(credited: int, needed: int, rewarded: bool) -> bool:
    """Whether the invite task's reward is due now (once: never after it was given)."""
    return not rewarded and credited >= needed


def month_start(now: datetime, timezone: str) -> datetime:
    """Midnight of the first day of `now`'s month, in the community's time zone."""
    local = now.astimezone(ZoneInfo(timezone))
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def stay_text(stay: timedelta, lang: Language) -> str:
    """`7 天`, `7 days`, `12 h`: how long an invitee must stay."""
    days, rest = divmod(int(stay.total_seconds()), 86400)
    if days and not rest:
        return f"{days} 天" if lang is Language.ZH_CN else f"{days} day{'s' if days > 1 else ''}"
    hours = max(1, round(stay.total_seconds() / 3600))
    return f"{hours} 小时" if lang is Language.ZH_CN else f"{hours} h"


@dataclass(frozen=True)
class Offer:
    """What the invite task offers as this playbook runs: the task, whether points are kept,
    and the reward item's name (its `mechanisms.points.rewards` entry)."""

    settings: Settings
    points_enabled: bool = True
    item: str | None = None


def posting_text(posts: int, lang: Language, invites: int = 2) -> str:
    """What the task asks a friend to post during their stay, in words ("" for nothing);
    `invites` friends are asked it (one "posts", several "post")."""
    if posts <= 0:
        return ""
    return TEXTS.say("posting", lang, posts=posts, s="" if posts == 1 else "s",
                     post="posts" if invites == 1 else "post")  # fmt: skip


def reward_text(offer: Offer, lang: Language) -> str:
    """What the invite task earns, in words."""
    reward, points_enabled = offer.settings.reward, offer.points_enabled
    parts = []
    if reward.points and points_enabled:
        parts.append(TEXTS.say("reward_points", lang, points=reward.points))
    if reward.title:
        parts.append(TEXTS.say("reward_title", lang, title=reward.title))
    if reward.reward:
        parts.append(TEXTS.say("reward_item", lang, item=offer.item or reward.reward))
    if reward.membership_days:
        days = reward.membership_days
        parts.append(TEXTS.say("reward_days", lang, days=days, s="" if days == 1 else "s"))
    return SEP[lang].join(parts) or TEXTS.say("reward_none", lang)


def link_text(nickname: str, link: str, progress: Progress, offer: Offer, lang: Language, *,
              rewarded: bool) -> str:  # fmt: skip
    """The reply to `/invite`: the member's link, and how far they are with the task."""
    shown = link if link.startswith("http") else f"{link}\n{TEXTS.say('path_hint', lang)}"
    if rewarded:
        task = TEXTS.say("task_done", lang, credited=progress.credited)
    else:
        settings = offer.settings
        task = TEXTS.say("task", lang, invites=settings.invites, stay=stay_text(settings.stay, lang),
                         friends=counted(settings.invites, "friend"),
                         stays="stays" if settings.invites == 1 else "stay",
                         posting=posting_text(settings.posts, lang, settings.invites),
                         reward=reward_text(offer, lang), credited=progress.credited,
                         pending=progress.pending)  # fmt: skip
    return TEXTS.say("link", lang, nickname=nickname, link=shown, task=task)


def rewarded_text(nickname: str, offer: Offer, lang: Language) -> str:
    """What the group reads when a member completes the invite task."""
    return TEXTS.say("rewarded", lang, nickname=nickname, invites=offer.settings.invites,
                     friends=counted(offer.settings.invites, "friend"),
                     reward=reward_text(offer, lang))  # fmt: skip


def hand_over_text(nickname: str, group: str, item: str, given: bool, lang: Language) -> str:
    """The staff alert about a reward item to hand over (or that ran out)."""
    return TEXTS.say("hand_over" if given else "sold_out", lang, nickname=nickname, group=group,
                     item=item)  # fmt: skip


def withheld_text(nickname: str, group: str, blacklisted: bool, lang: Language) -> str:
    """The staff alert about an invite reward held back: the inviter is gone or blacklisted."""
    why = TEXTS.say("why_blacklisted" if blacklisted else "why_gone", lang, nickname=nickname)
    return TEXTS.say("withheld", lang, group=group, nickname=nickname, why=why)


def top_text(month: Sequence[Ranked], ever: Sequence[Ranked], lang: Language) -> str:
    """The leaderboard: credited invites this month and of all time, top ten each."""
    if not ever:
        return TEXTS.say("top_empty", lang)

    def lines(ranked: Sequence[Ranked]) -> list[str]:
        return [TEXTS.say("top_line", lang, rank=i, name=r.display_name, n=r.credited)
                for i, r in enumerate(ranked[:TOP], start=1)]  # fmt: skip

    out = [TEXTS.say("top_month", lang), *lines(month)]
    if not month:
        out.append("—")
    return "\n".join([*out, TEXTS.say("top_all", lang), *lines(ever)])


def task_refusal(have: int, needed: int, lang: Language) -> str | None:
    """The `task` threshold: None when `have` credited referrals are enough, else why not."""
    if have >= needed:
        return None
    return TEXTS.say(
        "refused",
        lang,
        needed=needed,
        have=have,
        missing=needed - have,
        friends=counted(needed, "friend"),
    )
