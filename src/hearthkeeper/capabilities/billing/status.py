"""`/membership` (`/会员`, `/我的会员`): a member asks where their paid membership stands — the
plan, whether a free trial, a paid period, a cancellation or the grace, until when — and their
payment reference, before any reminder quotes it. The answer is about the asker alone (the
command takes no name) and is shown to them alone where the carrier can (the web chat); on a
carrier without private replies it is said in the group, as the renewal reminder is there
(a reference only credits payments *to* its member: docs/membership.md)."""

from __future__ import annotations

from collections.abc import Sequence

from hearthkeeper.capabilities.billing.ledger import access_until, has_access, payments_of
from hearthkeeper.capabilities.billing.lifecycle import plan_of, zone_of
from hearthkeeper.capabilities.billing.records import Status, Subscription
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.billing.requests import MembershipAsked
from hearthkeeper.capabilities.billing.texts import TEXTS, day_of, other_plans, plan_values
from hearthkeeper.capabilities.command_book import Command, Invocation, Takes, answer, ask
from hearthkeeper.engine.actions import Action, privately
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store.scope import StoreBase

HANDLER = "billing"


def _run(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    return Outcome((ask(event, MembershipAsked(), handler=HANDLER, reason="membership asked"),))


COMMAND = Command("membership", ("会员", "我的会员"), {
    Language.ZH_CN: "查看你的会员：套餐、到期日和付款参考码",
    Language.EN: "your membership: plan, until when, and your payment reference",
}, _run, takes=Takes.NOTHING)  # fmt: skip


def membership(scope: StoreBase, request: MembershipAsked,
               ctx: EffectContext) -> Sequence[Action]:  # fmt: skip
    """Effect: the asker's memberships that let them in now or are paid to follow, each with
    until when, then their payment reference (kept from now on, as the reminder's is)."""
    if ctx.member is None or ctx.trigger is None:
        return []
    repo, playbook = SqlBilling.on(scope), ctx.playbook
    language = playbook.community.language
    name = ctx.member.display_name or ctx.member.user_id
    lines = [TEXTS.say("membership_head", language, name=name)]
    subs = [s for s in repo.subscriptions(ctx.group.community_id, member_id=ctx.member.id)
            if s.live]  # fmt: skip
    for sub in sorted(subs, key=lambda s: s.period_start):
        given = not payments_of(repo.orders(sub.community_id, subscription_id=sub.id))
        said = _line(sub, ctx, given=given)
        if said:
            lines.append(said)
    if len(lines) == 1:
        lines.append(TEXTS.say("membership_none", language))
        offered = _offered(ctx)
        if offered:
            lines.append(offered)
    code = repo.reference_for(ctx.group.carrier, ctx.member.user_id, ctx.member.display_name,
                              ctx.now).code  # fmt: skip
    lines.append(TEXTS.say("membership_reference", language, code=code))
    text = "\n".join(lines)
    return [privately(answer(ctx.trigger, text), text)]


def _line(sub: Subscription, ctx: EffectContext, *, given: bool = False) -> str:
    """One membership as its member reads it (`given`: no payment covers it, only days or
    periods given free); empty for one that no longer lets them in."""
    playbook, now = ctx.playbook, ctx.now
    language, zone = playbook.community.language, zone_of(playbook)
    plan = plan_of(playbook, sub.plan_id)
    values = plan_values(plan, language) if plan is not None else {
        "plan": sub.plan_id, "price": "", "currency": "", "period": "", "every": ""}  # fmt: skip
    end = day_of(sub.period_end, zone)
    if sub.period_start > now:  # paid to follow the one running now
        return TEXTS.say("membership_ahead", language, start=day_of(sub.period_start, zone),
                         date=end, **values)  # fmt: skip
    if not has_access(sub, plan, now):
        return ""
    if now >= sub.period_end:
        until = access_until(sub, plan)
        return TEXTS.say("membership_grace", language, date=end,
                         until=day_of(until or sub.period_end, zone), **values)  # fmt: skip
    if not sub.paid:
        key = "membership_trial" if plan is not None else "membership_trial_unsold"
        return TEXTS.say(key, language, date=end, **values)
    if sub.status is Status.CANCEL_AT_PERIOD_END:
        return TEXTS.say("membership_cancelled", language, date=end, **values)
    if given:  # only ever given free (days given, a period recorded at 0)
        return TEXTS.say("membership_given", language, date=end, **values)
    return TEXTS.say("membership_paid", language, date=end, **values)


def _offered(ctx: EffectContext) -> str:
    """What the door offers one who holds no membership: the threshold's plan, else the first."""
    playbook = ctx.playbook
    plans = playbook.monetisation.plans
    if not plans:
        return ""
    wanted = playbook.joining.threshold.plan
    plan = next((p for p in plans if p.id == wanted), plans[0])
    language = playbook.community.language
    return TEXTS.say("membership_offer", language, **plan_values(plan, language)) + other_plans(
        playbook, plan
    )
