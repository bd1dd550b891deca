"""What staff and payment providers do to the ledger, each in the caller's transaction with
its audit entry: record a payment (a purchase or a renewal), refund, cancel at the period's
end. The CLI, the console, the REST API and the webhooks all come here.

Recording is idempotent: an order is keyed by its provider and the provider's reference, and
the order row is written before the subscription changes, so a second delivery of the same
payment (or two at once: the database lets one insert win) changes nothing. The same reference
for another payment (another member, plan or community: a receipt number typed twice, two
shops numbering their orders alike) is refused saying so, never taken for the first one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from hearthkeeper.capabilities.billing.ledger import BillingError, coverage, refundable
from hearthkeeper.capabilities.billing.lifecycle import plan_of, remove, replan, zone_of
from hearthkeeper.capabilities.billing.records import (
    NewOrder,
    Order,
    OrderKind,
    Provider,
    Status,
    Subscription,
)
from hearthkeeper.capabilities.billing.references import normalise_code
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Community, Store
from hearthkeeper.store.ids import MAX_ID


@dataclass(frozen=True)
class Recorded:
    """An order and the subscription it belongs to; `created` False: recorded before."""

    order: Order
    subscription: Subscription | None
    created: bool


def payer(tx: Store, who: str) -> int:
    """The member a payment is for: a payment reference (`7KQ2-M9XD`: the person is made a
    member if the store did not know them yet), `member:ID`, or `CARRIER:USER_ID`."""
    text = who.strip()
    code = normalise_code(text)
    if code is not None:
        found = SqlBilling.on(tx).resolve(code)
        if found is None:
            raise BillingError(f"no one was given the payment reference {code}")
        return tx.member_for(found.carrier, found.carrier_user_id, found.display_name).id
    kind, sep, rest = text.partition(":")
    if sep and kind == "member" and rest.isdigit():
        if int(rest) > MAX_ID or tx.get_member(int(rest)) is None:
            raise BillingError(f"there is no member {rest}")
        return int(rest)
    if sep and rest:
        member = tx.find_member(kind, rest)
        if member is None:
            raise BillingError(f"no member is known as {rest!r} on {kind!r}")
        return member.id
    raise BillingError(
        f"{who!r} is not a payment reference (XXXX-XXXX), member:ID or CARRIER:USER_ID"
    )


def record_payment(tx: Store, community: Community, playbook: Playbook | None, member_id: int,
                   order: NewOrder, now: datetime) -> Recorded:  # fmt: skip
    """Record a payment of `order.plan_id`: it starts a period, or extends the member's
    current one from its end; the lifecycle is planned again."""
    repo = SqlBilling.on(tx)
    repo.lock_member(member_id)  # the period read below is the one this payment extends
    before = repo.order(order.provider, order.provider_ref)
    if before is not None:
        _same_payment(before, community, member_id, order.plan_id, None)
        return _recorded(repo, before, False)
    plan = plan_of(playbook, order.plan_id)
    if plan is None:
        known = ", ".join(p.id for p in playbook.monetisation.plans) if playbook else ""
        raise BillingError(f"community {community.slug!r} has no plan {order.plan_id!r} "
                           f"(monetisation.plans: {known or 'none'})")  # fmt: skip
    if checked_amount(order.amount, f"{order.amount}") < 0:
        raise BillingError("a payment's amount cannot be negative; refund instead")
    current = _latest(repo, community.id, member_id, order.plan_id)
    cover = coverage(current, plan, now, zone_of(playbook))
    recorded, created = repo.record(community.id, member_id, None, order, cover.kind, now)
    if not created:  # recorded meanwhile by another delivery of the same payment
        _same_payment(recorded, community, member_id, order.plan_id, None)
        return _recorded(repo, recorded, False)
    if cover.extends is not None:
        sub = repo.change(cover.extends.id, status=Status.ACTIVE, period_end=cover.period_end,
                          ended_at=None)  # fmt: skip
    else:
        sub = repo.start(community.id, member_id, plan.id, cover.period_start, cover.period_end,
                         trial=False, at=now)  # fmt: skip
    recorded = repo.attach(recorded.id, sub.id)
    replan(tx, sub, playbook, now)
    tx.audit(order.recorded_by, f"billing {cover.kind.value}", community.id,
             target=f"member {member_id}",
             detail={"order": recorded.id, "plan": plan.id, "amount": f"{order.amount:f}",
                     "currency": order.currency, "provider": order.provider.value,
                     "reference": order.provider_ref,
                     "until": sub.period_end.isoformat()})  # fmt: skip
    return Recorded(recorded, sub, True)


def refund(tx: Store, community: Community, playbook: Playbook | None, subscription_id: int,
           by: str, now: datetime, *, provider: Provider = Provider.MANUAL,
           provider_ref: str | None = None, amount: Decimal | None = None) -> Recorded:  # fmt: skip
    """Give back the latest payment of a subscription within its plan's refund window: a
    refund order (a negative amount), access ended at once and the member removed from the
    community's groups. Outside the window: `BillingError` saying when it closed. A refund a
    provider reports (not `MANUAL`) was made already: it is recorded whatever the window,
    with the `amount` it gave back."""
    repo = SqlBilling.on(tx)
    sub = repo.subscription(subscription_id)
    if sub is None or sub.community_id != community.id:
        raise BillingError(f"community {community.slug!r} has no subscription {subscription_id}")
    repo.lock_member(sub.member_id)
    sub = repo.subscription(subscription_id) or sub  # as the lock found it
    orders = repo.orders(community.id, subscription_id=sub.id)
    reference = provider_ref or f"refund:{sub.id}"
    before = repo.order(provider, reference)
    if before is not None:
        _same_payment(before, community, sub.member_id, sub.plan_id, sub.id)
        return _recorded(repo, before, False)
    paid = refundable(sub, orders, plan_of(playbook, sub.plan_id), now,
                      done_by_provider=provider is not Provider.MANUAL)  # fmt: skip
    given = paid.amount if amount is None else abs(checked_amount(amount, f"{amount}"))
    back = NewOrder(sub.plan_id, -given, paid.currency, provider, reference, by)
    recorded, created = repo.record(
        community.id, sub.member_id, sub.id, back, OrderKind.REFUND, now
    )
    if not created:
        _same_payment(recorded, community, sub.member_id, sub.plan_id, sub.id)
        return _recorded(repo, recorded, False)
    ended = repo.change(sub.id, status=Status.REFUNDED, ended_at=now)
    repo.call_off(sub.id)
    removed = remove(tx, ended, playbook, "refunded", now)
    tx.audit(by, "billing refund", community.id, target=f"member {sub.member_id}",
             detail={"order": recorded.id, "refunds": paid.id, "amount": f"{back.amount:f}",
                     "removed_from": removed})  # fmt: skip
    return Recorded(recorded, ended, True)


def cancel(tx: Store, community: Community, playbook: Playbook | None, subscription_id: int,
           by: str, now: datetime) -> Subscription:  # fmt: skip
    """Stop renewing: the member keeps access to the end of the paid period (no grace, no
    reminder), then is removed."""
    repo = SqlBilling.on(tx)
    sub = repo.subscription(subscription_id)
    if sub is None or sub.community_id != community.id:
        raise BillingError(f"community {community.slug!r} has no subscription {subscription_id}")
    if sub.status is Status.CANCEL_AT_PERIOD_END:
        return sub
    if sub.status is not Status.ACTIVE:
        raise BillingError(f"subscription {sub.id} is {sub.status.value}; nothing to cancel")
    changed = repo.change(sub.id, status=Status.CANCEL_AT_PERIOD_END)
    replan(tx, changed, playbook, now)
    tx.audit(by, "billing cancel", community.id, target=f"member {sub.member_id}",
             detail={"subscription": sub.id, "until": sub.period_end.isoformat()})  # fmt: skip
    return changed


def start_trial(tx: Store, community: Community, playbook: Playbook | None, member_id: int,
                plan_id: str, start: datetime, end: datetime) -> Subscription:  # fmt: skip
    """A free trial of `plan_id` from `start` to `end`, with its lifecycle planned."""
    sub = SqlBilling.on(tx).start(community.id, member_id, plan_id, start, end, trial=True,
                                  at=start)  # fmt: skip
    replan(tx, sub, playbook, start)
    tx.audit("billing", "billing trial", community.id, target=f"member {member_id}",
             detail={"subscription": sub.id, "plan": plan_id, "until": end.isoformat()})  # fmt: skip
    return sub


def _latest(repo: SqlBilling, community_id: int, member_id: int,
            plan_id: str) -> Subscription | None:  # fmt: skip
    subs = repo.subscriptions(community_id, member_id=member_id, plan_id=plan_id)
    return subs[-1] if subs else None


def _same_payment(before: Order, community: Community, member_id: int, plan_id: str,
                  subscription_id: int | None) -> None:  # fmt: skip
    """Nothing if `before`, recorded under the reference given now, is this very payment
    (or refund, of `subscription_id`) delivered again; `BillingError` saying so otherwise."""
    what = "receipt" if before.provider is Provider.MANUAL else f"{before.provider.value} reference"
    if before.community_id != community.id:
        raise BillingError(f"{what} {before.provider_ref!r} is recorded already, for a payment "
                           f"in another community; nothing was recorded: give this payment a "
                           f"reference of its own (e.g. {community.slug}-{before.provider_ref})")  # fmt: skip
    same = before.member_id == member_id and before.plan_id == plan_id and (
        subscription_id is None or before.subscription_id == subscription_id)  # fmt: skip
    if not same:
        raise BillingError(f"{what} {before.provider_ref!r} is recorded already as order "
                           f"{before.id} (member {before.member_id}, {before.plan_id}); nothing "
                           f"was recorded: check the {what}, or give this payment its own")  # fmt: skip


def _recorded(repo: SqlBilling, order: Order, created: bool) -> Recorded:
    sub = repo.subscription(order.subscription_id) if order.subscription_id is not None else None
    return Recorded(order, sub, created)


MAX_AMOUNT = Decimal("9999999999.99")  # the ledger's NUMERIC(12, 2)


def amount_of(text: str) -> Decimal:
    """An amount as typed ('299', '299.00'); `BillingError` if it is not one."""
    try:
        value = Decimal(text.strip())
    except ArithmeticError:
        raise BillingError(f"{text!r} is not an amount; write e.g. 299 or 299.00") from None
    return checked_amount(value, text)


def checked_amount(value: Decimal, shown: object) -> Decimal:
    """`value` if the ledger can keep it (finite, at most 2 decimals, at most `MAX_AMOUNT`
    either way); `BillingError` naming `shown` (what was sent) otherwise."""
    if not value.is_finite() or value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise BillingError(f"{shown!r} is not an amount with at most 2 decimals")
    # by its digits first: abs() of a number like 1e999999999 overflows the decimal context
    if value.adjusted() > MAX_AMOUNT.adjusted() or abs(value) > MAX_AMOUNT:
        raise BillingError(f"the amount {shown!r} is larger than the ledger keeps ({MAX_AMOUNT:f})")
    return value
