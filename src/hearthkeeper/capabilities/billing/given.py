"""Days of membership given free ("a week free"): by staff (`hearth billing give`, the
console's Billing and member pages, the REST API) or by the invite task's reward
(`mechanisms.referrals.reward.membership_days`), all through `give_days`.

The days extend the end of the membership the member holds (the one ending last of those
letting them in or paid to follow: a chain of plans is not overlapped), or, holding none,
start a period of that many days now: of the plan they last held, else the community's only
plan, else the one staff name. Each gift is an order of kind `days_given` at 0 (no payment:
the Billing page counts its member as on a period given free, `metrics`) with its audit entry
(`billing days given`: the days, the reason, the end before and after); the lifecycle is
planned again, so the removal at the old end does not happen, and the member is told in
private where the carrier can. A gift is recorded once per `key`: a referral's reward, a
console form sent twice, give nothing more.

Days given are not taken back: a negative number is refused (see docs/membership.md).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from hearthkeeper.capabilities.billing.ledger import BillingError, has_access, staff_reason
from hearthkeeper.capabilities.billing.lifecycle import in_groups, replan, zone_of
from hearthkeeper.capabilities.billing.periods import add_days
from hearthkeeper.capabilities.billing.records import (
    NewOrder,
    Order,
    OrderKind,
    Provider,
    Subscription,
)
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.billing.texts import TEXTS, day_of
from hearthkeeper.engine.actions import Action, ActionKind, privately
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.business import Plan
from hearthkeeper.store import Community, Store

MAX_DAYS = 3650  # ten years: more is a typo (a year typed as days, a date typed as a number)
GIVEN_ACTION = "billing days given"  # a gift's audit entry (the member page's history lists it)


@dataclass(frozen=True)
class Given:
    """What a gift of days did: its order, the membership it extended or started (`was`: its
    end before; None: started now), and `created` False when recorded before (its key)."""

    order: Order
    subscription: Subscription
    created: bool
    was: datetime | None = None


def checked_days(days: int) -> int:
    """`days` when it is 1 to `MAX_DAYS`, else `BillingError` saying what is allowed."""
    if days < 1:
        raise BillingError(f"{days} days: give 1 to {MAX_DAYS} days; days given are not "
                           "taken back (nothing was recorded; docs/membership.md says how to "
                           "correct a gift)")  # fmt: skip
    if days > MAX_DAYS:
        raise BillingError(f"{days} days: at most {MAX_DAYS} days (ten years) are given at "
                           "once; nothing was recorded")  # fmt: skip
    return days


def new_key() -> str:
    """A gift's reference when nothing else keeps it once (a command typed on purpose)."""
    return f"given:{secrets.token_hex(8)}"


def give_days(tx: Store, community: Community, playbook: Playbook | None, member_id: int,
              days: int, reason: str, by: str, now: datetime, *, plan_id: str = "",
              key: str = "") -> Given:  # fmt: skip
    """Give `member_id` `days` of membership (see the module): recorded once per `key` (a
    new one when empty), audited, the lifecycle planned again, the member told."""
    days = checked_days(days)
    reason = staff_reason(reason, "the reason")
    plans = {p.id: p for p in playbook.monetisation.plans} if playbook is not None else {}
    if not plans:
        raise BillingError(f"community {community.slug!r} has no membership plan "
                           "(monetisation.plans): there is no membership to give days of")  # fmt: skip
    wanted = plan_id.strip()
    if wanted and wanted not in plans:
        raise BillingError(f"community {community.slug!r} has no plan {wanted!r} "
                           f"(monetisation.plans: {', '.join(plans)})")  # fmt: skip
    repo = SqlBilling.on(tx)
    repo.lock_member(member_id)  # the end read below is the one these days extend
    key = key or new_key()
    before = repo.order(Provider.MANUAL, key)
    if before is not None:
        sub = repo.subscription(before.subscription_id) if before.subscription_id else None
        if sub is not None and before.member_id == member_id and (
                before.kind is OrderKind.DAYS_GIVEN):  # fmt: skip
            return Given(before, sub, False)
        raise BillingError(f"reference {key!r} is recorded already as order {before.id}; "
                           "nothing was given")  # fmt: skip
    subs = repo.subscriptions(community.id, member_id=member_id)
    holding = [s for s in subs if s.live and (has_access(s, plans.get(s.plan_id), now)
                                              or s.period_start > now)]  # fmt: skip
    current = max(holding, key=lambda s: s.period_end, default=None)
    zone = zone_of(playbook)
    if current is not None:
        if wanted and current.plan_id != wanted:
            raise BillingError(f"member {member_id} holds plan {current.plan_id!r} until "
                               f"{day_of(current.period_end, zone)}: days are added to it; "
                               "leave out the plan (nothing was recorded)")  # fmt: skip
        plan = plans.get(current.plan_id)
        plan_name = current.plan_id if plan is None else plan.id
    else:
        plan = _plan_for(plans, subs, wanted, member_id)
        plan_name = plan.id
    currency = plan.currency if plan is not None else next(iter(plans.values())).currency
    order = NewOrder(plan_name, Decimal(0), currency, Provider.MANUAL, key, by)
    recorded, created = repo.record(community.id, member_id, None, order, OrderKind.DAYS_GIVEN,
                                    now)  # fmt: skip
    if not created:  # the same gift, recorded meanwhile
        return _again(repo, recorded)
    if current is not None:
        was: datetime | None = current.period_end
        sub = repo.change(current.id, period_end=add_days(current.period_end, days, zone))
    else:
        was = None
        sub = repo.start(community.id, member_id, plan_name, now, add_days(now, days, zone),
                         trial=False, at=now)  # fmt: skip
    recorded = repo.attach(recorded.id, sub.id)
    replan(tx, sub, playbook, now)
    tx.audit(by, GIVEN_ACTION, community.id, target=f"member {member_id}",
             detail={"order": recorded.id, "days": days, "reason": reason, "plan": plan_name,
                     "subscription": sub.id, "was": was.isoformat() if was else None,
                     "until": sub.period_end.isoformat()})  # fmt: skip
    _tell(tx, playbook, sub, recorded, days, plan, now)
    return Given(recorded, sub, True, was)


def _plan_for(plans: dict[str, Plan], subs: list[Subscription], wanted: str,
              member_id: int) -> Plan:  # fmt: skip
    """The plan a member holding no membership is given days of: the one named, else the
    one they last held (still offered), else the only one."""
    if wanted:
        return plans[wanted]
    for sub in sorted(subs, key=lambda s: (s.period_end, s.id), reverse=True):
        if sub.plan_id in plans:
            return plans[sub.plan_id]
    if len(plans) == 1:
        return next(iter(plans.values()))
    raise BillingError(f"member {member_id} holds no membership and the community has "
                       f"{len(plans)} plans: say which to give days of (CLI --plan, console "
                       f"'plan', API \"plan\"; one of {', '.join(plans)})")  # fmt: skip


def _again(repo: SqlBilling, order: Order) -> Given:
    sub = repo.subscription(order.subscription_id) if order.subscription_id is not None else None
    if sub is None:
        raise BillingError(f"order {order.id} was being recorded meanwhile; try again")
    return Given(order, sub, False)


def _tell(tx: Store, playbook: Playbook | None, sub: Subscription, order: Order, days: int,
          plan: Plan | None, now: datetime) -> None:  # fmt: skip
    """The member is told their new end, in private, once per carrier they are in a group
    on; on a carrier without private messages nothing is said in the group (a gift is their
    own business; `/membership` shows the date)."""
    if playbook is None:
        return
    member = tx.get_member(sub.member_id)
    language = playbook.community.language
    told: set[str] = set()
    for group, user in in_groups(tx, sub):
        if group.carrier in told:
            continue
        told.add(group.carrier)
        name = member.display_name if member is not None and member.display_name else user
        text = TEXTS.say("days_given", language, name=name, days=days,
                         s="" if days == 1 else "s", plan=plan.name if plan else sub.plan_id,
                         date=day_of(sub.period_end, zone_of(playbook)))  # fmt: skip
        send = privately(Action(kind=ActionKind.SEND, carrier=group.carrier,
                                group=group.carrier_group_id, member=user, text=text,
                                handler="billing", reason="days of membership given"), "")  # fmt: skip
        tx.enqueue(f"billing:given:{order.id}:{group.carrier}", group.carrier, send.to_json(),
                   send.priority, group_id=group.id, at=now)  # fmt: skip
