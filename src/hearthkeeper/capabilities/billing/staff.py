"""What staff do by hand, from the CLI, the console or the REST API: each in one transaction,
against the playbook version the community runs."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from hearthkeeper.capabilities.billing import given, payments
from hearthkeeper.capabilities.billing.amounts import amount_of
from hearthkeeper.capabilities.billing.given import Given
from hearthkeeper.capabilities.billing.ledger import (
    BillingError,
    access_until,
    chain_moved_up,
    follows,
    kept_until,
    latest_payment,
    shown_status,
)
from hearthkeeper.capabilities.billing.lifecycle import plan_of, zone_of
from hearthkeeper.capabilities.billing.lookup import playbook_of
from hearthkeeper.capabilities.billing.payments import Recorded
from hearthkeeper.capabilities.billing.records import (
    NewOrder,
    Order,
    OrderKind,
    Provider,
    Status,
    Subscription,
)
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Community, Store

# subscriptions or orders `hearth billing list` shows at a time, as the console's Billing page
LIST_PAGE = 50


def pay(store: Store, community: Community, who: str, plan_id: str, amount: str,
        receipt: str, by: str, now: datetime, currency: str | None = None,
        discount: str = "") -> Recorded:  # fmt: skip
    """Record a payment staff took (a shop's order, a transfer) for `who` (a payment
    reference, member:ID or CARRIER:USER_ID), once per `receipt`; one short of the plan's
    price needs `discount`, the reason staff give it a full period anyway."""
    if not receipt.strip():
        raise BillingError("give the payment's receipt or order number (it keeps it recorded once)")
    playbook = playbook_of(store, community)
    plan = plan_of(playbook, plan_id)
    if plan is None:
        known = ", ".join(p.id for p in playbook.monetisation.plans) if playbook else ""
        raise BillingError(f"community {community.slug!r} has no plan {plan_id!r} "
                           f"(monetisation.plans: {known or 'none'})")  # fmt: skip
    paid_in = (currency or plan.currency).strip().upper()
    priced = (f"plan {plan.id!r} is priced in {plan.currency}" if paid_in == plan.currency
              else f"the payment's currency is {paid_in}")  # fmt: skip
    value = amount_of(amount, paid_in, priced) if amount.strip() else plan.price
    with store.transaction() as tx:
        member_id = payments.payer(tx, who)
        order = NewOrder(plan_id, value, paid_in,
                         Provider.MANUAL, receipt.strip(), by)  # fmt: skip
        return payments.record_payment(tx, community, playbook, member_id, order, now,
                                       discount=discount)  # fmt: skip


def give(store: Store, community: Community, who: str, days: int, reason: str, by: str,
         now: datetime, plan_id: str = "", key: str = "") -> Given:  # fmt: skip
    """Give `who` (a payment reference, member:ID or CARRIER:USER_ID) `days` of membership
    free (`given.give_days`): their membership's end moves on, or a period of that many days
    starts now."""
    days = given.checked_days(days)  # before anything is read or made
    playbook = playbook_of(store, community)
    with store.transaction() as tx:
        member_id = payments.payer(tx, who)
        return given.give_days(tx, community, playbook, member_id, days, reason, by, now,
                               plan_id=plan_id, key=key)  # fmt: skip


def payment_community(store: Store, who: str, plan_id: str = "") -> Community:
    """The community a payment (`hearth billing pay`) or a gift of days (`give`) for `who`
    on plan `plan_id` (empty: any plan) is for, when staff did not say: the only one on the
    server; else the only one whose playbook has the plan; else, of those, the only one
    where the member has a subscription, then the only one they are in. `BillingError`
    naming the candidates when it stays ambiguous."""
    communities = store.list_communities()
    if len(communities) == 1:
        return communities[0]
    if not communities:
        raise BillingError("there is no community yet; `hearth apply` its playbook first")
    offering = [c for c in communities if _offers(playbook_of(store, c), plan_id)]
    if len(offering) == 1:
        return offering[0]
    plan = f"a plan {plan_id!r}" if plan_id else "a membership plan"
    if not offering:
        names = ", ".join(c.shown for c in communities)
        raise BillingError(f"no community has {plan} (there are: {names}); say "
                           "which community with --community")  # fmt: skip
    member_id = payments.known_payer(store, who)
    if member_id is not None:
        repo = SqlBilling.on(store)
        paying = [c for c in offering if repo.subscriptions(c.id, member_id=member_id)]
        staying = [c for c in offering if store.member_in_community(c.id, member_id)]
        for narrowed in (paying, [c for c in paying or offering if c in staying]):
            if len(narrowed) == 1:
                return narrowed[0]
    names = ", ".join(c.shown for c in offering)
    offered = f"plan {plan_id!r} is offered by" if plan_id else "membership plans are offered by"
    raise BillingError(f"{offered} {names}, and {who.strip()} could be a member of any of "
                       "them: say which with --community")  # fmt: skip


def _offers(playbook: Playbook | None, plan_id: str) -> bool:
    """Whether the playbook has plan `plan_id` (empty: any plan)."""
    if plan_id:
        return plan_of(playbook, plan_id) is not None
    return playbook is not None and bool(playbook.monetisation.plans)


def grant(store: Store, community: Community, order_id: int, reason: str, by: str,
          now: datetime) -> Recorded:  # fmt: skip
    """Grant a held payment (a provider's, short of the price) its period, saying why."""
    playbook = playbook_of(store, community)
    with store.transaction() as tx:
        return payments.grant(tx, community, playbook, order_id, reason, by, now)


def refund(store: Store, community: Community, subscription_id: int, by: str,
           now: datetime, order_id: int | None = None) -> Recorded:  # fmt: skip
    """Refund one payment of a subscription (`order_id`, else its latest) within its plan's
    window: the member leaves, unless a period paid otherwise still runs (or the free trial
    the purchase was made in, to its end)."""
    playbook = playbook_of(store, community)
    with store.transaction() as tx:
        return payments.refund(tx, community, playbook, subscription_id, by, now,
                               order_id=order_id)  # fmt: skip


def cancel(store: Store, community: Community, subscription_id: int, by: str,
           now: datetime) -> Subscription:  # fmt: skip
    """Stop a subscription renewing: access to the end of its period, then removal."""
    playbook = playbook_of(store, community)
    with store.transaction() as tx:
        return payments.cancel(tx, community, playbook, subscription_id, by, now)


@dataclass(frozen=True)
class SubscriptionLine:
    """A subscription as staff read it: who, which plan, its shown status."""

    subscription: Subscription
    name: str
    status: str
    kept: datetime | None = None  # a refund now gives a renewal back: access stays until then
    paid: bool = True  # it has a payment to give back (not a trial or a gift)
    to_trial: bool = False  # a refund now gives the purchase back: the trial runs to `kept`
    other: OtherPlan | None = None  # another plan lets the member in: a refund removes nobody
    ended: datetime | None = None  # refunded: when (access ended then, not at its period's end)


@dataclass(frozen=True)
class OtherPlan:
    """Another subscription of the member that lets them in: its plan's name, until when."""

    name: str
    until: datetime
    # bought to start when the refunded one ends: a refund now starts it now instead, and
    # it runs until `until` (the end of its period moved up)
    moved: bool = False
    # more plans bought to follow that one, moved up behind it: their names, in order, and
    # when the last of them now ends
    then: tuple[str, ...] = ()
    last: datetime | None = None


def other_plan(subs: list[Subscription], sub: Subscription, playbook: Playbook | None,
               now: datetime) -> OtherPlan | None:  # fmt: skip
    """Of `subs`, the member's other subscription that lets them in at `now` (the one ending
    last), whatever becomes of `sub`."""
    found = None
    for other in subs:
        if other.id == sub.id or other.member_id != sub.member_id:
            continue
        plan = plan_of(playbook, other.plan_id)
        until = access_until(other, plan)
        name = plan.name if plan is not None else other.plan_id
        if plan is not None and follows(other, sub, now):  # a refund now moves them up
            plans = {p.id: p for p in playbook.monetisation.plans} if playbook else {}
            first, *rest = chain_moved_up(subs, sub, now, plans, zone_of(playbook))
            names = tuple(plans[r.plan_id].name for r in rest)
            return OtherPlan(name, first.period_end, moved=True, then=names,
                             last=rest[-1].period_end if rest else None)  # fmt: skip
        if until is not None and until > now and (found is None or until > found.until):
            found = OtherPlan(name, until)
    return found


def other_plan_of(store: Store, community: Community, sub: Subscription,
                  now: datetime) -> OtherPlan | None:  # fmt: skip
    """`other_plan` of `sub`'s member, read from the store."""
    subs = SqlBilling.on(store).subscriptions(community.id, member_id=sub.member_id)
    return other_plan(subs, sub, playbook_of(store, community), now)


def subscription_lines(store: Store, community: Community, now: datetime,
                       page: tuple[int, int] | None = None) -> list[SubscriptionLine]:  # fmt: skip
    """The community's subscriptions, newest first, with member names and shown statuses:
    all of them, or the `page` (how many, after how many) the console shows, read for those
    alone (their members' other plans and their orders)."""
    playbook = playbook_of(store, community)
    repo = SqlBilling.on(store)
    if page is None:
        subs = repo.subscriptions(community.id)
        shown = list(reversed(subs))
        paid = repo.orders(community.id)
    else:
        shown = repo.newest_subscriptions(community.id, *page)
        subs = repo.subscriptions_of(community.id, {s.member_id for s in shown}) if shown else []
        paid = repo.orders_of(community.id, [s.id for s in shown]) if shown else []
    orders: dict[int, list[Order]] = defaultdict(list)
    for order in paid:
        if order.subscription_id is not None:
            orders[order.subscription_id].append(order)
    zone = zone_of(playbook)
    lines = []
    mine: dict[int, list[Subscription]] = defaultdict(list)
    for sub in subs:
        mine[sub.member_id].append(sub)
    names = store.member_names(mine)  # in one read, not one per subscription
    for sub in shown:
        plan = plan_of(playbook, sub.plan_id)
        latest = latest_payment(orders[sub.id])
        kept = None if latest is None else kept_until(sub, latest, plan, now, zone)
        lines.append(SubscriptionLine(sub, names.get(sub.member_id, f"member {sub.member_id}"),
                                      shown_status(sub, plan, now), kept,
                                      latest is not None,
                                      kept is not None and kept == sub.trial_end,
                                      other_plan(mine[sub.member_id], sub, playbook, now),
                                      _refunded_at(sub, orders[sub.id])))  # fmt: skip
    return lines


def _refunded_at(sub: Subscription, orders: list[Order]) -> datetime | None:
    """When a refunded subscription's access ended: its latest refund (None: not refunded)."""
    if sub.status is not Status.REFUNDED:
        return None
    return max((o.at for o in orders if o.kind is OrderKind.REFUND), default=None)


def order_lines(store: Store, community: Community, newest: int | None = None,
                skip: int = 0) -> list[tuple[Order, str]]:  # fmt: skip
    """The community's ledger, newest first, with member names: all of it, or a page of it
    (`newest` orders after the `skip` newest: the console's, `billing list --orders`')."""
    repo = SqlBilling.on(store)
    if newest is None:
        orders = list(reversed(repo.orders(community.id)))
    else:
        orders = repo.newest_orders(community.id, newest, skip)
    names = store.member_names(o.member_id for o in orders)
    return [(o, names.get(o.member_id, f"member {o.member_id}")) for o in orders]
