"""A subscription's lifecycle, exactly once: the renewal reminder before its period ends,
then, unrenewed, its expiry and the member's removal from every group of the community.

Both are scheduled work keyed by the subscription, the moment and its instant
(`billing:<id>:remind:<instant>`), so planning twice, or in two processes, schedules one row;
a payment, a cancellation or a refund calls off what is pending for the subscription and
plans again. The effect also checks the subscription still ends when it was planned for, so
work planned before a change does nothing. Carriers have no direct messages yet: the
reminder is said in each group of the community the member is in, mentioning them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hearthkeeper.capabilities.billing.ledger import (
    access_until,
    expiry_at,
    has_access,
    reminder_at,
)
from hearthkeeper.capabilities.billing.records import Status, Subscription
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.billing.requests import BillingExpire, BillingRemind
from hearthkeeper.capabilities.billing.texts import TEXTS, day_of, other_plans, plan_values
from hearthkeeper.engine.actions import Action, ActionKind, privately
from hearthkeeper.engine.effects import EffectContext, schedule_request
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.business import Plan
from hearthkeeper.store import Group, Store
from hearthkeeper.store.scope import StoreBase


def plan_of(playbook: Playbook | None, plan_id: str) -> Plan | None:
    """The playbook's plan `plan_id`, if it has one."""
    if playbook is None:
        return None
    return next((p for p in playbook.monetisation.plans if p.id == plan_id), None)


def zone_of(playbook: Playbook | None) -> tzinfo:
    """The community's time zone (UTC when unknown)."""
    try:
        return ZoneInfo(playbook.community.timezone) if playbook else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def plan_lifecycle(scope: StoreBase, sub: Subscription, playbook: Playbook | None,
                   now: datetime) -> list[str]:  # fmt: skip
    """Schedule the reminder (if still ahead) and the expiry of `sub`'s current period; the
    same moments are scheduled once however often this runs. The keys planned."""
    plan = plan_of(playbook, sub.plan_id)
    # attached, as the watches are, to a group a carrier serves (not an imported history)
    group = Store.on(scope).watch_group(sub.community_id)
    group_id = group.id if group is not None else None
    keys = []
    remind = reminder_at(sub, plan)
    if remind is not None and remind > now:
        keys.append(f"billing:{sub.id}:remind:{remind.isoformat()}")
        schedule_request(scope, keys[-1], sub.community_id,
                         BillingRemind(subscription=sub.id, period_end=sub.period_end), remind,
                         group_id=group_id)  # fmt: skip
    expire = expiry_at(sub, plan)
    if expire is not None:
        keys.append(f"billing:{sub.id}:expire:{expire.isoformat()}")
        schedule_request(scope, keys[-1], sub.community_id,
                         BillingExpire(subscription=sub.id, period_end=sub.period_end),
                         max(expire, now), group_id=group_id)  # fmt: skip
    return keys


def replan(scope: StoreBase, sub: Subscription, playbook: Playbook | None, now: datetime) -> None:
    """Call off what was pending for `sub` and plan its current period. A moment planned
    again that was called off (a cancellation on a plan without grace keeps the expiry at the
    period's end; a refunded renewal brings back the period before it) is pending again: its
    key is taken, so planning it anew would not schedule it."""
    repo = SqlBilling.on(scope)
    repo.call_off(sub.id)
    repo.reopen(plan_lifecycle(scope, sub, playbook, now))


def in_groups(tx: Store, sub: Subscription) -> list[tuple[Group, str]]:
    """The community's groups the member is in now, with their id on each group's carrier."""
    groups = tx.list_groups(sub.community_id)
    stays = tx.active_stays([(g.id, sub.member_id) for g in groups])
    found = []
    for group in groups:
        user = (
            tx.user_on(sub.member_id, group.carrier) if (group.id, sub.member_id) in stays else None
        )
        if user is not None:
            found.append((group, user))
    return found


def remove(scope: StoreBase, sub: Subscription, playbook: Playbook | None, why: str,
           now: datetime) -> int:  # fmt: skip
    """Queue the member's removal (a kick saying why) from every group of the community they
    are in, once per subscription, reason and group, and let their unpaid event places go
    (`activities.departures`); how many kicks were queued. Nobody is removed whom another
    subscription still lets in (a trial that lapsed, then a payment: a period of its own)."""
    tx = Store.on(scope)
    others = SqlBilling.on(scope).subscriptions(sub.community_id, member_id=sub.member_id)
    if any(o.id != sub.id and has_access(o, plan_of(playbook, o.plan_id), now) for o in others):
        return 0  # another subscription lets them in (paid after this one lapsed): they stay
    plan = plan_of(playbook, sub.plan_id)
    language = playbook.community.language if playbook else None
    reason = sub.plan_id
    if plan is not None and language is not None:
        reason = TEXTS.say(f"removed_{why}", language, plan=plan.name)
    queued = 0
    for group, user in in_groups(tx, sub):
        kick = Action(kind=ActionKind.KICK, carrier=group.carrier, group=group.carrier_group_id,
                      member=user, reason=reason, handler="billing",
                      detail=f"subscription {sub.id} {why}")  # fmt: skip
        _, created = tx.enqueue(f"billing:{sub.id}:kick:{why}:{group.id}", group.carrier,
                                kick.to_json(), kick.priority, group_id=group.id, at=now)  # fmt: skip
        queued += int(created)
    # their event places: the unpaid ones go to the waitlist, the paid ones stay (staff told)
    from hearthkeeper.capabilities.activities.departures import member_left

    member_left(scope, sub.community_id, sub.member_id, playbook, why, f"{sub.id}:{why}", now)
    return queued


def remind(scope: StoreBase, request: BillingRemind, ctx: EffectContext) -> Sequence[Action]:
    """Effect: the renewal reminder, in each group the member is in, if the period it is
    about is still the subscription's and nobody renewed or cancelled meanwhile."""
    repo = SqlBilling.on(scope)
    sub = repo.subscription(request.subscription)
    plan = None if sub is None else plan_of(ctx.playbook, sub.plan_id)
    if sub is None or plan is None or sub.status is not Status.ACTIVE:
        return []
    if sub.period_end != request.period_end:
        return []
    others = repo.subscriptions(sub.community_id, member_id=sub.member_id)
    if any(o.id != sub.id and _beyond(o, plan_of(ctx.playbook, o.plan_id), sub.period_end)
           for o in others):  # fmt: skip
        return []  # paid for another plan that runs on after this one: nothing to renew
    tx = Store.on(scope)
    language = ctx.playbook.community.language
    member = tx.get_member(sub.member_id)
    for group, user in in_groups(tx, sub):
        code = repo.reference_for(group.carrier, user, member.display_name if member else "",
                                  ctx.now).code  # fmt: skip
        key = "reminder" if sub.paid else "trial_reminder"
        text = TEXTS.say(key, language, name=member.display_name if member else user,
                         date=day_of(sub.period_end, zone_of(ctx.playbook)), code=code,
                         **plan_values(plan, language)) + other_plans(ctx.playbook, plan)  # fmt: skip
        send = Action(kind=ActionKind.SEND, carrier=group.carrier, group=group.carrier_group_id,
                      member=user, text=text, handler="billing",
                      reason="renewal reminder")  # fmt: skip
        # the member's own money: shown to them alone where the carrier can (the web chat),
        # said in the group as before where it cannot (their only way to read it there)
        send = privately(send, text)
        tx.enqueue(f"billing:{sub.id}:remind:{sub.period_end.isoformat()}:{group.id}",
                   group.carrier, send.to_json(), send.priority, group_id=group.id, at=ctx.now)  # fmt: skip
    return []


def _beyond(sub: Subscription, plan: Plan | None, end: datetime) -> bool:
    """Whether `sub`, paid, lets its member in past `end`."""
    until = access_until(sub, plan)
    return sub.paid and until is not None and until > end


def expire(scope: StoreBase, request: BillingExpire, ctx: EffectContext) -> Sequence[Action]:
    """Effect: the period (and its grace) ended unrenewed: the subscription expires and the
    member is removed from every group of the community, once."""
    repo = SqlBilling.on(scope)
    sub = repo.subscription(request.subscription)
    if sub is None or not sub.live or sub.period_end != request.period_end:
        return []
    until = expiry_at(sub, plan_of(ctx.playbook, sub.plan_id))
    if until is not None and until > ctx.now:  # the grace grew since: plan the new expiry
        plan_lifecycle(scope, sub, ctx.playbook, ctx.now)
        return []
    ended = repo.change(sub.id, status=Status.EXPIRED, ended_at=ctx.now)
    removed = remove(scope, ended, ctx.playbook, "expired" if sub.paid else "trial", ctx.now)
    Store.on(scope).audit("billing", "subscription expired", sub.community_id,
                          target=f"member {sub.member_id}",
                          detail={"subscription": sub.id, "plan": sub.plan_id,
                                  "removed_from": removed})  # fmt: skip
    return []
