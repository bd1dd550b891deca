"""What members read about their paid membership, in the community's language."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo
from typing import Any

from hearthkeeper.capabilities.format import currency_words
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.business import Plan, every_period
from hearthkeeper.playbook.positioning import Language

_TWICE_EN = re.compile(r"(membership”) membership\b", re.IGNORECASE)


class _MembershipTexts(Phrasebook):
    """The texts below; a plan named as a membership (`颜学院半年会员`, `Monthly membership`)
    is not called a membership twice (`你的「颜学院半年会员」会员已开通`, `your “Monthly
    membership” membership ends` read so; in English until session 40)."""

    def say(self, key: str, language: Language, **values: Any) -> str:
        said = super().say(key, language, **values)
        if language is Language.ZH_CN:
            return said.replace("会员」会员", "会员」")
        return _TWICE_EN.sub(r"\1", said)


TEXTS = _MembershipTexts({
    "refused_visitor": {
        Language.ZH_CN: "「{community}」是付费社群：开通「{plan}」（{price} {currency} {every}）"
                        "后即可加入。先填写昵称并点“加入”，即可拿到你的付款参考码。",
        Language.EN: "{community} is a paid community: join with the plan “{plan}” ({price} "
                     "{currency} {every}). Choose a nickname and press Join to get your "
                     "payment reference.",
    },
    "trial_offer": {
        Language.ZH_CN: "「{community}」是付费社群：新成员可免费试用 {trial}，之后开通「{plan}」"
                        "（{price} {currency} {every}）即可继续留在群里，未开通则会被移出群。",
        Language.EN: "{community} is a paid community: newcomers try it free for {trial}, then "
                     "stay with the plan “{plan}” ({price} {currency} {every}); without "
                     "it they are removed from the group.",
    },
    "trial_used": {
        Language.ZH_CN: "最近 30 天内已有人通过这个网络连接领取过免费试用，不能再次试用。"
                        "（与家人或同事共用网络？请联系社群管理员帮你开通。）",
        Language.EN: "A free trial was already used from this connection in the last 30 days, "
                     "so none is offered again. (Sharing the connection with family or "
                     "colleagues? Ask the community's staff to let you in.)",
    },
    "refused": {
        Language.ZH_CN: "「{community}」是付费社群：开通「{plan}」（{price} {currency} {every}）"
                        "后即可加入。付款时请备注你的付款参考码 {code}，到账后再打开本链接即可进群。",
        Language.EN: "{community} is a paid community: join with the plan “{plan}” ({price} "
                     "{currency} {every}). When you pay, quote your payment reference "
                     "{code}; once it is credited, open this link again to join.",
    },
    # the join page of a member whose payment is in: the link opened again after paying
    "paid_in": {
        Language.ZH_CN: "你的「{plan}」会员已开通，有效期至 {date}。点“加入”即可进群。",
        Language.EN: "Your “{plan}” membership is paid until {date}: press Join to come in.",
    },
    "other_plans": {
        Language.ZH_CN: "另有{plans}可选。",
        Language.EN: "Also offered: {plans}.",
    },
    "other_plan": {
        Language.ZH_CN: "「{plan}」（{price} {currency} {every}）",
        Language.EN: "“{plan}” ({price} {currency} {every})",
    },
    "expired_before": {
        Language.ZH_CN: "你的「{plan}」会员已于 {date} 结束。",
        Language.EN: "Your “{plan}” membership ended on {date}.",
    },
    "trial_ended_before": {
        Language.ZH_CN: "你的「{plan}」免费试用已于 {date} 结束。",
        Language.EN: "Your free trial of “{plan}” ended on {date}.",
    },
    "reminder": {
        Language.ZH_CN: "{name}，你的「{plan}」会员将于 {date} 到期。续费 {price} {currency} "
                        "可再享 {period}，付款时请备注付款参考码 {code}。",
        Language.EN: "{name}, your “{plan}” membership ends on {date}. Renew for {price} "
                     "{currency} for another {period}; quote your payment reference {code}.",
    },
    "trial_reminder": {
        Language.ZH_CN: "{name}，你的「{plan}」免费试用将于 {date} 结束。开通 {price} {currency} "
                        "{every} 即可继续留在群里，付款时请备注付款参考码 {code}。",
        Language.EN: "{name}, your free trial of “{plan}” ends on {date}. To stay, pay {price} "
                     "{currency} {every}; quote your payment reference {code}.",
    },
    "welcome_trial": {
        Language.ZH_CN: "你正在免费试用「{plan}」，试用到 {date}；之后开通 {price} {currency} "
                        "{every} 即可继续留在群里。",
        Language.EN: "You are on a free trial of “{plan}” until {date}; to stay after it, the "
                     "plan is {price} {currency} {every}.",
    },
    "welcome_trial_reminded": {
        Language.ZH_CN: "试用结束前会提醒你如何付款。",
        Language.EN: " You will be reminded how to pay before the trial ends.",
    },
    "removed_trial": {
        Language.ZH_CN: "「{plan}」免费试用已结束，未开通会员",
        Language.EN: "the free trial of “{plan}” ended without a payment",
    },
    "removed_expired": {
        Language.ZH_CN: "「{plan}」会员已到期未续费",
        Language.EN: "the “{plan}” membership ended and was not renewed",
    },
    "held": {
        Language.ZH_CN: "{name} 的付款未开通会员：{short}（{provider}，参考号 {reference}）。"
                        "已记为订单 {order}（held）。核实后可用 `hearth billing grant {order} "
                        "--reason 原因` 或控制台的 Billing 页开通一期。",
        Language.EN: "{name}'s payment granted no membership: {short} ({provider}, reference "
                     "{reference}). It is recorded as order {order} (held). To grant a period "
                     "anyway: `hearth billing grant {order} --reason WHY` or the console's "
                     "Billing page.",
    },
    # `/membership` (`/会员`): the asker's own memberships, one line each, then their reference
    "membership_head": {
        Language.ZH_CN: "{name}，你的会员情况：",
        Language.EN: "{name}, your membership:",
    },
    "membership_trial": {
        Language.ZH_CN: "「{plan}」免费试用中，试用到 {date}；之后开通 {price} {currency} {every} "
                        "即可继续留在群里。",
        Language.EN: "“{plan}”: free trial until {date}; to stay after it, {price} {currency} "
                     "{every}.",
    },
    "membership_trial_unsold": {
        Language.ZH_CN: "「{plan}」免费试用中，试用到 {date}。",
        Language.EN: "“{plan}”: free trial until {date}.",
    },
    "membership_paid": {
        Language.ZH_CN: "「{plan}」会员，有效期至 {date}。",
        Language.EN: "“{plan}”: paid until {date}.",
    },
    "membership_given": {
        Language.ZH_CN: "「{plan}」会员（赠送），有效期至 {date}。",
        Language.EN: "“{plan}”: given free until {date}.",
    },
    # days of membership given (`hearth billing give`, a referral reward), to the member alone
    "days_given": {
        Language.ZH_CN: "{name}，你获赠 {days} 天「{plan}」会员，现在有效期至 {date}。",
        Language.EN: "{name}, you were given {days} day{s} of “{plan}”: your membership now "
                     "runs until {date}.",
    },
    "membership_cancelled": {
        Language.ZH_CN: "「{plan}」会员，已取消续费，{date} 到期。",
        Language.EN: "“{plan}”: cancelled, ends on {date}.",
    },
    "membership_grace": {
        Language.ZH_CN: "「{plan}」会员已于 {date} 到期，续费宽限到 {until}。",
        Language.EN: "“{plan}”: ended on {date}; renew by {until} to stay.",
    },
    "membership_ahead": {
        Language.ZH_CN: "「{plan}」会员（已付款），{start} 起，有效期至 {date}。",
        Language.EN: "“{plan}”: paid, from {start} until {date}.",
    },
    "membership_none": {
        Language.ZH_CN: "你目前没有会员。",
        Language.EN: "You hold no membership now.",
    },
    "membership_offer": {
        Language.ZH_CN: "开通「{plan}」：{price} {currency} {every}。",
        Language.EN: "Join with “{plan}”: {price} {currency} {every}.",
    },
    "membership_reference": {
        Language.ZH_CN: "付款或续费时请备注你的付款参考码 {code}。",
        Language.EN: "When you pay or renew, quote your payment reference {code}.",
    },
    "unscreened_pay": {
        Language.ZH_CN: "{name}，「{community}」是付费社群，你入群时还没有开通会员：请在 {when} 前开通"
                        "「{plan}」（{price} {currency} {every}），否则会被移出群。付款时请备注你的"
                        "付款参考码 {code}。",
        Language.EN: "{name}, {community} is a paid community and you joined without a "
                     "membership: join with the plan “{plan}” ({price} {currency} {every}) "
                     "by {when}, or you will be removed. When you pay, quote your payment "
                     "reference {code}.",
    },
    "unscreened_refused": {
        Language.ZH_CN: "{name}，「{community}」是付费社群：开通「{plan}」（{price} {currency} "
                        "{every}）后即可加入。付款时请备注你的付款参考码 {code}，到账后再入群即可。",
        Language.EN: "{name}, {community} is a paid community: join with the plan “{plan}” "
                     "({price} {currency} {every}). When you pay, quote your payment "
                     "reference {code}; once it is credited, join again.",
    },
    "removed_unscreened": {
        Language.ZH_CN: "未开通「{plan}」即入群",
        Language.EN: "joined without a “{plan}” membership",
    },
    "removed_refunded": {
        Language.ZH_CN: "「{plan}」会员已退款",
        Language.EN: "the “{plan}” membership was refunded",
    },
})  # fmt: skip

_PERIOD_ZH = {"day": "天", "days": "天", "week": "周", "weeks": "周", "month": "个月",
              "months": "个月", "year": "年", "years": "年"}  # fmt: skip
_PER_ZH = {"day": "天", "week": "周", "month": "月", "year": "年"}  # `39 元 / 月`


def period_words(period: str, language: Language) -> str:
    """A period after "for another" as a member reads it: 'month' or '6 months' ('for another
    month', not 'another 1 month'); '1 个月', '6 个月'."""
    count, _, unit = period.partition(" ")
    if language is Language.EN:
        return unit if count == "1" else period
    return f"{count} {_PERIOD_ZH.get(unit, unit)}"


def every_words(period: str, language: Language) -> str:
    """A price's period as a member reads it: 'a month', 'every 6 months' ('9 GBP a month',
    not 'per 1 month'); '/ 月', '/ 6 个月'."""
    if language is Language.EN:
        return every_period(period)
    count, _, unit = period.partition(" ")
    if count == "1" and unit in _PER_ZH:
        return f"/ {_PER_ZH[unit]}"
    return f"/ {count} {_PERIOD_ZH.get(unit, unit)}"


def trial_words(trial: timedelta, language: Language) -> str:
    """A trial's length as a member reads it: '3 天' or '3 days' (hours when not whole days)."""
    seconds = int(trial.total_seconds())
    days, hours = seconds // 86400, seconds / 3600
    if seconds % 86400 == 0:
        return f"{days} 天" if language is Language.ZH_CN else f"{days} day{'s' * (days != 1)}"
    return f"{hours:g} 小时" if language is Language.ZH_CN else f"{hours:g} hours"


def day_of(moment: datetime, zone: tzinfo) -> str:
    """The local date of `moment`, YYYY-MM-DD."""
    return moment.astimezone(zone).strftime("%Y-%m-%d")


def plan_values(plan: Plan, language: Language) -> dict[str, str]:
    """The plan's name, price, currency and period, for the texts."""
    return {"plan": plan.name, "price": f"{plan.price:f}",
            "currency": currency_words(plan.currency, language),
            "period": period_words(plan.period, language),
            "every": every_words(plan.period, language)}  # fmt: skip


def other_plans(playbook: Playbook, offered: Plan) -> str:
    """The community's other plans, said after the one a text is about (the door's offer, a
    reminder: a yearly card beside the monthly one): each lets a member in too. Empty when
    there is none."""
    language = playbook.community.language
    others = [TEXTS.say("other_plan", language, **plan_values(p, language))
              for p in playbook.monetisation.plans if p.id != offered.id]  # fmt: skip
    if not others:
        return ""
    said = TEXTS.say("other_plans", language,
                     plans=("、" if language.value != "en" else ", ").join(others))  # fmt: skip
    return f" {said}" if language.value == "en" else said
