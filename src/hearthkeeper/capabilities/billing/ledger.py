"""The ledger's decisions, pure: what a payment does to a subscription, when access ends,
whether a refund is allowed, what a trial starts, and the moments the lifecycle acts on."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal

from hearthkeeper.capabilities.billing.periods import add_period
from hearthkeeper.capabilities.billing.records import Order, OrderKind, Status, Subscription
from hearthkeeper.playbook.business import Plan
from hearthkeeper.text.controls import without_controls


class BillingError(Exception):
    """Something staff or a provider asked that the ledger refuses; the message says why."""


MAX_REASON = 500  # characters of a reason staff give (a discount, a grant): kept in the audit log


def staff_reason(text: str, what: str) -> str:
    """A reason staff typed, as kept: without control, text-direction or invisible
    characters (a reason of zero-width spaces is none), its spaces folded; `BillingError`
    when it is longer than `MAX_REASON` (a pasted page), naming `what` it is."""
    kept = " ".join(without_controls(text).split())
    if len(kept) > MAX_REASON:
        raise BillingError(f"{what} is {len(kept)} characters long; keep it to {MAX_REASON}, "
                           "the few words that say why (nothing was recorded)")  # fmt: skip
    return kept


def access_until(sub: Subscription, plan: Plan | None) -> datetime | None:
    """Until when `sub` lets its member in: the period's end, plus the plan's grace while it
    is active and paid (a member who cancelled gets no grace, nor does a free trial nobody
    paid for: it ends when its reminder said); None once it expired or was refunded."""
    if sub.status is Status.ACTIVE:
        grace = plan.grace if plan is not None and plan.grace is not None else timedelta(0)
        return sub.period_end + (grace if sub.paid else timedelta(0))
    if sub.status is Status.CANCEL_AT_PERIOD_END:
        return sub.period_end
    return None


def has_access(sub: Subscription, plan: Plan | None, now: datetime) -> bool:
    """Whether `sub`'s member may be in the groups at `now`."""
    until = access_until(sub, plan)
    return until is not None and now < until


def shown_status(sub: Subscription, plan: Plan | None, now: datetime) -> str:
    """The status staff read: the stored one, with "trial", "in grace" and "lapsed" (due to
    expire, its removal not yet run) told apart."""
    if not sub.live:
        return sub.status.value
    if not has_access(sub, plan, now):
        return "lapsed"
    if now >= sub.period_end:
        return "in grace"
    if not sub.paid:
        return "trial"
    return sub.status.value


@dataclass(frozen=True)
class Coverage:
    """What a payment buys: a new subscription or the extension of `extends`."""

    kind: OrderKind
    extends: Subscription | None  # None: a new subscription
    period_start: datetime
    period_end: datetime


def coverage(current: Subscription | None, plan: Plan, paid_at: datetime, zone: tzinfo,
             other: Subscription | None = None) -> Coverage:  # fmt: skip
    """What a payment of `plan` at `paid_at` covers. While `current` still gives access (in
    its period, trial or grace) the payment extends it from its end — a renewal, or the
    purchase that follows a trial — unless `other` runs on after it. While `other` (the
    member's subscription of another plan, ending last) gives access, a new period starts
    where it ends: a member moving from the monthly to the yearly card keeps the days they
    paid for, and one who pays the monthly card again while the yearly card bought to follow
    it is still ahead gets that month after the year, not inside it. Else a new period starts
    at `paid_at`."""
    runs_on = other is not None and current is not None and other.period_end > current.period_end
    if current is not None and has_access(current, plan, paid_at) and not runs_on:
        kind = OrderKind.RENEWAL if current.paid else OrderKind.PURCHASE
        end = add_period(current.period_end, plan.period, zone)
        return Coverage(kind, current, current.period_start, end)
    start = paid_at if other is None else other.period_end
    return Coverage(OrderKind.PURCHASE, None, start, add_period(start, plan.period, zone))


def continued(subs: Sequence[Subscription], plans: Mapping[str, Plan],
              now: datetime) -> Subscription | None:  # fmt: skip
    """Of `subs` (a member's subscriptions of plans other than the one paid for), the one
    still giving access at `now` whose period ends last: a payment of another plan starts
    where it ends."""
    giving = [s for s in subs if has_access(s, plans.get(s.plan_id), now)]
    return max(giving, key=lambda s: s.period_end, default=None)


def follows(later: Subscription, before: Subscription, start: datetime) -> bool:
    """Whether `later` (another subscription of the member) was bought to start where
    `before` ends and, now that `before` ends at `start` (a refund), starts later than that."""
    return _starts_at(later, before.id, before.period_end, start)


def _starts_at(later: Subscription, before_id: int, end: datetime, start: datetime) -> bool:
    return (later.id != before_id and later.live and later.period_start == end
            and later.period_start > start)  # fmt: skip


def moved_up(later: Subscription, plan: Plan, start: datetime, zone: tzinfo) -> datetime:
    """Where `later`'s period ends once it starts at `start` instead: as many whole periods
    of `plan` as it held (a year from `start`), or, when it held no whole number of them,
    the same length."""
    for times in range(1, 121):
        if add_period(later.period_start, plan.period, zone, times=times) == later.period_end:
            return add_period(start, plan.period, zone, times=times)
    return later.period_end - (later.period_start - start)


def chain_moved_up(subs: Sequence[Subscription], before: Subscription, start: datetime,
                   plans: Mapping[str, Plan], zone: tzinfo) -> list[Subscription]:  # fmt: skip
    """The member's subscriptions (of `subs`) bought one after another to follow `before`
    — the one starting where `before` ends, the one starting where that one ends, and so on
    (a monthly card, a second monthly card, then a yearly one, all paid in advance) — as
    they run once `before` ends at `start` (a refund): each starts where the one before it
    now ends, holding as many whole periods as it did (`moved_up`). In order; empty when
    nothing follows `before`. A subscription of a plan the playbook no longer has ends the
    chain (its period cannot be counted again)."""
    moved: list[Subscription] = []
    seen = {before.id}
    end, now_end = before.period_end, start
    while True:
        later = next((s for s in subs if s.id not in seen and _starts_at(s, before.id, end, now_end)),
                     None)  # fmt: skip
        plan = None if later is None else plans.get(later.plan_id)
        if later is None or plan is None:
            return moved
        seen.add(later.id)
        shifted = replace(later, period_start=now_end,
                          period_end=moved_up(later, plan, now_end, zone))  # fmt: skip
        moved.append(shifted)
        end, now_end = later.period_end, shifted.period_end


def shortfall(amount: Decimal, currency: str, plan: Plan) -> str | None:
    """What makes a payment short of a full period of `plan` (None: it is not): less than
    the price, or another currency (no rate is assumed). Said for staff: paid vs price."""
    price = f"{plan.price:f} {plan.currency}"
    amount = amount.quantize(Decimal("0.01"))  # as the ledger keeps it
    if currency.upper() != plan.currency:
        return f"{amount:f} {currency.upper() or '(no currency)'} was paid, in another currency than the price of plan {plan.id!r}, {price}"
    if amount < plan.price:
        return f"{amount:f} {plan.currency} was paid, below the price of plan {plan.id!r}, {price}"
    return None


def trial_period(plan: Plan, had_one: bool, now: datetime) -> tuple[datetime, datetime] | None:
    """The free trial a newcomer gets (start, end): only where the plan has one and only for
    someone who never had a subscription of it."""
    if plan.trial is None or had_one:
        return None
    return now, now + plan.trial


# A client network (an IPv4 address, an IPv6 /64) that started a free trial in a community
# gets no other there for this long: a fresh browser or a new nickname is no new newcomer.
TRIAL_PER_NETWORK = timedelta(days=30)


def network_digest(community_id: int, network: str) -> str:
    """What the store keeps of the client network a trial was started from: a digest per
    community, not the address (one IPv4 address can still be found by trying them all)."""
    return hashlib.sha256(f"{community_id}/{network}".encode()).hexdigest()


def payments_of(orders: list[Order]) -> list[Order]:
    """A subscription's payments (purchases and renewals of money), oldest first."""
    return [o for o in orders if o.kind in _PAYMENTS and o.amount > Decimal(0)]


_PAYMENTS = (OrderKind.PURCHASE, OrderKind.RENEWAL)


def latest_payment(orders: list[Order]) -> Order | None:
    """The latest payment (a purchase or renewal of money) among a subscription's orders."""
    paid = payments_of(orders)
    return max(paid, key=lambda o: (o.at, o.id)) if paid else None


def payment_named(sub: Subscription, orders: list[Order], order_id: int) -> Order:
    """The payment `order_id` of `sub`, or `BillingError` naming the payments it has."""
    paid = payments_of(orders)
    found = next((o for o in paid if o.id == order_id), None)
    if found is not None:
        return found
    listed = ", ".join(f"order {o.id} ({o.kind.value} of {o.amount} {o.currency})" for o in paid)
    raise BillingError(f"order {order_id} is not a payment of subscription {sub.id} (its "
                       f"payments: {listed or 'none'})")  # fmt: skip


def refundable(sub: Subscription, orders: list[Order], plan: Plan | None, now: datetime, *,
               order_id: int | None = None, done_by_provider: bool = False,
               zone: tzinfo = UTC) -> Order:  # fmt: skip
    """The payment a refund of `sub` gives back: the one named (`order_id`), else its latest
    purchase or renewal, if paid within the plan's refund window; `BillingError` saying why
    not otherwise (its times on the clock of `zone`, the community's, named). A refund the
    payment provider already made (`done_by_provider`) is recorded whatever the window."""
    if order_id is not None:
        paid = payment_named(sub, orders, order_id)
    else:
        if sub.status is Status.REFUNDED:
            raise BillingError(f"subscription {sub.id} was refunded already")
        latest = latest_payment(orders)
        if latest is None:
            raise BillingError(
                f"subscription {sub.id} has no payment to refund (a trial or a gift)"
            )
        paid = latest
    if done_by_provider:
        return paid
    window = plan.refund_window if plan is not None else None
    if window is None:
        raise BillingError(f"plan {sub.plan_id!r} allows no refunds (refund_window: none)")
    if now > paid.at + window:
        raise BillingError(
            f"the refund window of plan {sub.plan_id!r} closed on "
            f"{(paid.at + window).astimezone(zone):%Y-%m-%d %H:%M} {zone}: order {paid.id} "
            f"was paid on {paid.at.astimezone(zone):%Y-%m-%d %H:%M}, refunds are possible for "
            f"{_days(window)} after paying"
        )
    return paid


def kept_until(sub: Subscription, refunded: Order, plan: Plan | None, now: datetime,
               zone: tzinfo, *, later_paid: bool = False) -> datetime | None:  # fmt: skip
    """Where `sub`'s period ends once the payment `refunded` is given back: one period
    shorter, when the member still has access then (None: the refund ends access now — the
    only purchase refunded, or the shorter period over too). A member who renewed early and
    asks for the renewal back keeps the period they paid before it; a purchase given back
    while a later payment stands (`later_paid`: a provider refunding the first payment) costs
    one period, not the ones paid after it. The purchase that followed a free trial, given
    back, returns the member to the trial until its own end (without grace: nobody paid)."""
    if plan is None or not sub.live:
        return None
    after_trial = refunded.kind is OrderKind.PURCHASE and sub.trial_end is not None
    if refunded.kind is not OrderKind.RENEWAL and not later_paid and not after_trial:
        return None
    if after_trial and not later_paid and sub.trial_end is not None:
        before = sub.trial_end  # exactly: a calendar period back may not land on it
    else:
        before = add_period(sub.period_end, plan.period, zone, times=-1)
    if before <= sub.period_start:
        return None
    return before if has_access(replace(sub, period_end=before), plan, now) else None


TRIAL_NOTICE = timedelta(days=1)  # a trial shorter than `renewal_reminder`: reminded then


def reminder_at(sub: Subscription, plan: Plan | None) -> datetime | None:
    """When to remind the member to renew: `renewal_reminder` before the period ends, for an
    active subscription (not one cancelled at the period's end). A free trial shorter than
    that (3 days, reminded 14 days before the end: a moment before the trial began) is
    reminded a day before it ends, or halfway through a trial of two days or less; so is any
    period shorter than that (a week of membership given to a member who held none)."""
    if sub.status is not Status.ACTIVE or plan is None or plan.renewal_reminder is None:
        return None
    remind = sub.period_end - plan.renewal_reminder
    if remind <= sub.period_start:  # a short trial, a week given to a member holding none
        remind = sub.period_end - min(TRIAL_NOTICE, (sub.period_end - sub.period_start) / 2)
    return remind


def expiry_at(sub: Subscription, plan: Plan | None) -> datetime | None:
    """When an unrenewed subscription expires and its member is removed."""
    return access_until(sub, plan) if sub.live else None


def _days(window: timedelta) -> str:
    if window.total_seconds() % 86400 == 0:
        days = int(window.total_seconds() // 86400)
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{window.total_seconds() / 3600:g} hours"
