"""What staff and payment providers do to the ledger, each in the caller's transaction with
its audit entry: record a payment (a purchase or a renewal), refund, cancel at the period's
end. The CLI, the console, the REST API and the webhooks all come here.

Recording is idempotent: an order is keyed by its provider and the provider's reference, and
the order row is written before the subscription changes, so a second delivery of the same
payment (or two at once: the database lets one insert win) changes nothing. The same reference
for another payment (another member, plan or community: a receipt number typed twice, two
shops numbering their orders alike) is refused saying so, never taken for the first one.

A payment short of the plan's price (less, 0, or another currency: `ledger.shortfall`) never
buys a full period silently. Staff recording one by hand must say why (`discount`: a
discount or a gift they agreed), else it is refused and nothing is stored. A provider's
(webhook) is recorded as `held`: in the ledger, granting nothing, with a staff alert saying
what was paid and the price; staff then `grant` it deliberately, with a reason, or leave it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from hearthkeeper.capabilities.billing.amounts import checked_amount
from hearthkeeper.capabilities.billing.ledger import (
    BillingError,
    chain_moved_up,
    continued,
    coverage,
    kept_until,
    latest_payment,
    payment_named,
    payments_of,
    refundable,
    shortfall,
    staff_reason,
)
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
from hearthkeeper.capabilities.billing.texts import TEXTS
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.business import Plan
from hearthkeeper.store import Community, NewStaffAlert, Store
from hearthkeeper.store.ids import MAX_ID, split_reference, typed_id
from hearthkeeper.store.models.base import KEY

_CURRENCY = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class Recorded:
    """An order and the subscription it belongs to; `created` False: recorded before. A
    held order (`order.kind` HELD) has no subscription: `held` says what it lacks."""

    order: Order
    subscription: Subscription | None
    created: bool
    held: str = ""
    # a refund: the member's later plans, bought to follow the refunded one one after
    # another, each now starting where the one before it ends (the first: where the refunded
    # one ends now, at once when access ended)
    chain: tuple[Subscription, ...] = ()

    @property
    def moved(self) -> Subscription | None:
        """The later plan that followed the refunded one directly, moved up (None: none)."""
        return self.chain[0] if self.chain else None


def payer(tx: Store, who: str) -> int:
    """The member a payment is for: a payment reference (`7KQ2-M9XD`: the person is made a
    member if the store did not know them yet), `member:ID`, or `CARRIER:USER_ID`."""
    found = _payer(tx, who, make=True)
    assert found is not None  # made when unknown
    return found


def known_payer(store: Store, who: str) -> int | None:
    """The member `who` names, as `payer` reads it, without making one: None for a payment
    reference given to someone the store does not hold as a member yet. `BillingError` when
    `who` names nobody."""
    return _payer(store, who, make=False)


def _payer(tx: Store, who: str, *, make: bool) -> int | None:
    text = who.strip()
    code = normalise_code(text)
    if code is not None:
        repo = SqlBilling.on(tx)
        # a code not given yet but derived for a member (what a rehearsal shows them to be
        # given) is theirs: given now, the reminder later gives the same one
        found = repo.resolve(code) or repo.coming(code, keep=make)
        if found is None:
            raise BillingError(f"no one was given the payment reference {code}")
        if not make:
            member = tx.find_member(found.carrier, found.carrier_user_id)
            return None if member is None else member.id
        return tx.member_for(found.carrier, found.carrier_user_id, found.display_name).id
    # `Member:42`, `WebChat: w-…`: the prefix in any case, spaces around either part
    kind, rest, sep = split_reference(text)
    if sep and kind == "member":
        if not rest.isdecimal():  # a keyboard's full-width digits are digits (typed_id)
            raise BillingError(f"{_cut(text)} names no member: write member:ID with the "
                               "member's number (member:42), or CARRIER:USER_ID")  # fmt: skip
        number = typed_id(rest)
        if number is None or tx.get_member(number) is None:
            shown = rest if len(rest) <= SHOWN else f"{rest[:SHOWN]}… ({len(rest)} digits)"
            raise BillingError(f"there is no member {shown}")
        return number
    if sep and kind and rest:
        member = tx.find_member(kind, rest)
        if member is None:
            raise BillingError(f"no member is known as {_cut(rest)} on {_cut(kind)} "
                               "(CARRIER:USER_ID)")  # fmt: skip
        return member.id
    named = _members_named(tx, text)
    if named:
        raise BillingError(
            f"{_cut(who)} is a name, not a payment reference (XXXX-XXXX), member:ID or "
            f"CARRIER:USER_ID: write {' or '.join(named)}"
        )
    raise BillingError(
        f"{_cut(who)} is not a payment reference (XXXX-XXXX), member:ID or CARRIER:USER_ID "
        "(a member's id is beside their name in `hearth billing list` and on the console's "
        "member pages)"
    )


def _members_named(store: Store, name: str) -> list[str]:
    """`member:ID` of each member whose name is `name` (any case), in any community: what
    staff who typed a member's name as the payer meant, to write instead."""
    wanted = name.casefold()
    if not wanted or len(name) > SHOWN:
        return []
    found: list[str] = []
    for community in store.list_communities():
        for summary in store.search_members(community.id, query=name, limit=20):
            said = f"member:{summary.member_id} ({summary.display_name})"
            if summary.display_name.strip().casefold() == wanted and said not in found:
                found.append(said)
    return found


SHOWN = 64  # the most of a typed value a refusal repeats


def _cut(text: str) -> str:
    """`text` quoted for a refusal: whole when short, else its start and its length (a
    100 KB value is not echoed back)."""
    if len(text) <= SHOWN:
        return repr(text)
    return f"{text[:SHOWN]!r}… ({len(text)} characters)"


def record_payment(tx: Store, community: Community, playbook: Playbook | None, member_id: int,
                   order: NewOrder, now: datetime, *, discount: str = "") -> Recorded:  # fmt: skip
    """Record a payment of `order.plan_id`: it starts a period, or extends the member's
    current one from its end; the lifecycle is planned again. Short of the price, staff's
    (`MANUAL`) needs a `discount` reason, else `BillingError`; a provider's is held."""
    checked_order(order)
    repo = SqlBilling.on(tx)
    discount = staff_reason(discount, "the discount's reason")
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
    short = shortfall(order.amount, order.currency, plan)
    if short is not None and order.provider is Provider.MANUAL and not discount:
        raise BillingError(f"{short}; nothing was recorded: to grant a full period for it "
                           f"anyway, give the discount's reason (CLI --discount, console "
                           f"'discount reason', API \"discount\")")  # fmt: skip
    if short is not None and order.provider is not Provider.MANUAL:
        return _hold(tx, community, playbook, member_id, order, plan, short, now)
    current = _latest(repo, community.id, member_id, order.plan_id)
    cover = coverage(current, plan, now, zone_of(playbook),
                     _other_plan(repo, community.id, member_id, playbook, plan.id, now))  # fmt: skip
    recorded, created = repo.record(community.id, member_id, None, order, cover.kind, now)
    if not created:  # recorded meanwhile by another delivery of the same payment
        _same_payment(recorded, community, member_id, order.plan_id, None)
        return _recorded(repo, recorded, False)
    more = {"discount": discount, "short": short} if short is not None or discount else {}
    recorded, sub = _cover(tx, community, playbook, recorded, plan, f"billing {cover.kind.value}",
                           order.recorded_by, now, more)  # fmt: skip
    return Recorded(recorded, sub, True)


def _cover(tx: Store, community: Community, playbook: Playbook | None, recorded: Order,
           plan: Plan, action: str, by: str, now: datetime,
           more: Mapping[str, str | None]) -> tuple[Order, Subscription]:  # fmt: skip
    """Let `recorded` (a payment of `plan`) start a period or extend the member's current
    one from its end; the lifecycle planned again and the change audited as `action`."""
    repo = SqlBilling.on(tx)
    current = _latest(repo, community.id, recorded.member_id, plan.id)
    cover = coverage(current, plan, now, zone_of(playbook),
                     _other_plan(repo, community.id, recorded.member_id, playbook, plan.id,
                                 now))  # fmt: skip
    if cover.extends is not None:
        sub = repo.change(cover.extends.id, status=Status.ACTIVE, period_end=cover.period_end,
                          ended_at=None)  # fmt: skip
    else:
        sub = repo.start(community.id, recorded.member_id, plan.id, cover.period_start,
                         cover.period_end, trial=False, at=now)  # fmt: skip
    recorded = repo.attach(recorded.id, sub.id, cover.kind)
    replan(tx, sub, playbook, now)
    tx.audit(by, action, community.id, target=f"member {recorded.member_id}",
             detail={"order": recorded.id, "kind": cover.kind.value, "plan": plan.id, "amount": f"{recorded.amount:f}",
                     "currency": recorded.currency, "provider": recorded.provider.value,
                     "reference": recorded.provider_ref, "price": f"{plan.price:f}",
                     "until": sub.period_end.isoformat(), **more})  # fmt: skip
    return recorded, sub


def _hold(tx: Store, community: Community, playbook: Playbook | None, member_id: int,
          order: NewOrder, plan: Plan, short: str, now: datetime) -> Recorded:  # fmt: skip
    """A provider's payment short of the price: recorded as HELD (nothing lost, once per
    reference), granting nothing; staff are told in the inbox (and the staff channel)."""
    repo = SqlBilling.on(tx)
    recorded, created = repo.record(community.id, member_id, None, order, OrderKind.HELD, now)
    if not created:
        _same_payment(recorded, community, member_id, order.plan_id, None)
        return _recorded(repo, recorded, False)
    tx.audit(order.recorded_by, "billing held", community.id, target=f"member {member_id}",
             detail={"order": recorded.id, "plan": plan.id, "amount": f"{order.amount:f}",
                     "currency": order.currency, "price": f"{plan.price:f}",
                     "price_currency": plan.currency, "provider": order.provider.value,
                     "reference": order.provider_ref, "short": short})  # fmt: skip
    _alert_held(tx, community, playbook, recorded, short, now)
    return Recorded(recorded, None, True, held=short)


def _alert_held(tx: Store, community: Community, playbook: Playbook | None, order: Order,
                short: str, now: datetime) -> None:  # fmt: skip
    """The staff inbox gets the held payment, once (keyed by the order), and the staff
    channel and direct messages as for every alert, when the community has a group."""
    from hearthkeeper.engine.actions import Action, ActionKind

    member = tx.get_member(order.member_id)
    name = member.display_name if member is not None else f"member {order.member_id}"
    language = playbook.community.language if playbook is not None else None
    values = {"name": name, "short": short, "provider": order.provider.value,
              "reference": order.provider_ref, "order": order.id}  # fmt: skip
    text = TEXTS.say("held", language, **values) if language is not None else (
        f"{name}'s payment granted no membership: {short} (order {order.id}, held)")  # fmt: skip
    key, reason = f"billing:held:{order.id}", "a payment below the plan's price granted nothing"
    group = tx.watch_group(community.id)  # a group a carrier serves, not an imported history
    tx.add_staff_alerts([NewStaffAlert(key, community.id, group.id if group else None,
                                       order.member_id, None, "billing", text, reason, now)])  # fmt: skip
    if group is None or playbook is None:
        return
    from hearthkeeper.capabilities.alerts.route import route_alert

    action = Action(kind=ActionKind.ALERT_STAFF, carrier=group.carrier,
                    group=group.carrier_group_id, text=text, reason=reason, handler="billing",
                    key=key)  # fmt: skip
    for d in route_alert(tx, playbook, action, key, community.id, group.id, now):
        tx.enqueue(d.key, d.action.carrier, d.action.to_json(), d.action.priority,
                   group_id=d.group_id, at=now)  # fmt: skip


def grant(tx: Store, community: Community, playbook: Playbook | None, order_id: int,
          reason: str, by: str, now: datetime) -> Recorded:  # fmt: skip
    """Staff grant a held payment (short of the price) its period deliberately, saying why:
    it becomes the purchase or renewal it would have been, audited with paid vs price."""
    reason = staff_reason(reason, "the reason")
    if not reason:
        raise BillingError("say why this payment gets a full period (a reason: a discount, a "
                           "gift, a payment completed elsewhere)")  # fmt: skip
    repo = SqlBilling.on(tx)
    found = repo.order_by_id(order_id) if 0 < order_id <= MAX_ID else None
    if found is None or found.community_id != community.id:
        raise BillingError(f"community {community.slug!r} has no order {order_id}")
    repo.lock_member(found.member_id)  # one grant at a time; re-read as the lock found it
    found = repo.order_by_id(order_id) or found
    if found.kind is not OrderKind.HELD:
        done = "granted already" if found.subscription_id is not None else found.kind.value
        raise BillingError(f"order {order_id} is not a held payment ({done}); nothing to grant")
    if _held_refund(repo, found) is not None:
        raise BillingError(f"order {order_id} was refunded by {found.provider.value}; there is "
                           f"no payment left to grant a period for")  # fmt: skip
    plan = plan_of(playbook, found.plan_id)
    if plan is None:
        raise BillingError(f"community {community.slug!r} has no plan {found.plan_id!r} any "
                           f"more; order {order_id} cannot be granted")  # fmt: skip
    more = {"reason": reason.strip(), "short": shortfall(found.amount, found.currency, plan)}
    recorded, sub = _cover(tx, community, playbook, found, plan, "billing grant", by, now, more)
    _handle_alert(tx, community.id, f"billing:held:{order_id}", by, now)
    return Recorded(recorded, sub, True)


def _held_refund(repo: SqlBilling, held: Order) -> Order | None:
    """The provider's refund of the held payment `held` (a refund tied to no subscription,
    of the same member and plan, recorded after it), if there is one."""
    return next((o for o in repo.orders(held.community_id, member_id=held.member_id)
                 if o.kind is OrderKind.REFUND and o.subscription_id is None
                 and o.plan_id == held.plan_id and o.provider is held.provider
                 and (o.at, o.id) > (held.at, held.id)), None)  # fmt: skip


def refund_held(tx: Store, community: Community, held: Order, provider_ref: str,
                amount: Decimal | None, now: datetime) -> Recorded:  # fmt: skip
    """A provider refunded a held payment (it granted nothing, so nothing ends): the refund
    is recorded, once per reference, and the payment can no longer be granted."""
    repo = SqlBilling.on(tx)
    repo.lock_member(held.member_id)
    given = held.amount if amount is None else abs(checked_amount(amount, f"{amount}"))
    back = checked_order(NewOrder(held.plan_id, -given, held.currency, held.provider,
                                  provider_ref, held.provider.value))  # fmt: skip
    recorded, created = repo.record(community.id, held.member_id, None, back, OrderKind.REFUND,
                                    now)  # fmt: skip
    if created:
        tx.audit(held.provider.value, "billing refund", community.id,
                 target=f"member {held.member_id}",
                 detail={"order": recorded.id, "refunds": held.id, "held": True,
                         "amount": f"{back.amount:f}"})  # fmt: skip
        _handle_alert(tx, community.id, f"billing:held:{held.id}", held.provider.value, now)
    return Recorded(recorded, None, created)


def _handle_alert(tx: Store, community_id: int, key: str, by: str, now: datetime) -> None:
    """The held payment's inbox alert is handled by granting it (or by its refund), looked
    up by its key: however many other alerts are open, it leaves the inbox."""
    alert = tx.staff_alert_by_key(key)
    if alert is not None and alert.community_id == community_id and alert.handled_at is None:
        tx.handle_alert(alert.id, by, now)


def refund(tx: Store, community: Community, playbook: Playbook | None, subscription_id: int,
           by: str, now: datetime, *, provider: Provider = Provider.MANUAL,
           provider_ref: str | None = None, amount: Decimal | None = None,
           order_id: int | None = None) -> Recorded:  # fmt: skip
    """Give back one payment of a subscription — the one named (`order_id`: staff's choice, or
    the payment a provider says it refunded), else its latest — within its plan's refund
    window: a refund order (a negative amount) naming it, and one period less; access ends
    at once, and the member is removed from the community's groups, unless a period paid
    otherwise still runs. Outside the window: `BillingError` saying when it closed. A refund
    a provider reports (not `MANUAL`) was made already: it is recorded whatever the window,
    with the `amount` it gave back. A payment is given back once: a second refund of it (a
    second click, staff's then the provider's) records nothing and answers the first."""
    repo = SqlBilling.on(tx)
    sub = repo.subscription(subscription_id)
    if sub is None or sub.community_id != community.id:
        raise BillingError(f"community {community.slug!r} has no subscription {subscription_id}")
    repo.lock_member(sub.member_id)
    sub = repo.subscription(subscription_id) or sub  # as the lock found it
    orders = repo.orders(community.id, subscription_id=sub.id)
    refunds = [o for o in orders if o.kind is OrderKind.REFUND]
    if provider_ref is not None:  # the provider's refund delivered again
        before = repo.order(provider, provider_ref)
        if before is not None:
            _same_payment(before, community, sub.member_id, sub.plan_id, sub.id)
            return _recorded(repo, before, False)
    if (
        order_id is None
        and provider is Provider.MANUAL
        and sub.status is Status.REFUNDED
        and refunds
    ):
        return _recorded(repo, refunds[-1], False)  # a second click on Refund
    if order_id is not None:  # this subscription's payment, before asking if it was given back
        payment_named(sub, orders, order_id)
    latest = latest_payment(orders)
    named = order_id if order_id is not None else latest.id if latest is not None else None
    if named is not None:
        given_back = repo.refund_for(named)
        if given_back is not None:  # staff's refund, then the provider's (or twice)
            return _recorded(repo, given_back, False)
    plan = plan_of(playbook, sub.plan_id)
    paid = refundable(sub, orders, plan, now, order_id=order_id,
                      done_by_provider=provider is not Provider.MANUAL,
                      zone=zone_of(playbook))  # fmt: skip
    # staff's reference: one refund per payment (a later renewal is refunded in its turn)
    reference = provider_ref or f"refund:{sub.id}:{paid.id}"
    before = repo.order(provider, reference)
    if before is not None:
        _same_payment(before, community, sub.member_id, sub.plan_id, sub.id)
        return _recorded(repo, before, False)
    given = paid.amount if amount is None else abs(checked_amount(amount, f"{amount}"))
    back = checked_order(NewOrder(sub.plan_id, -given, paid.currency, provider, reference, by))
    recorded, created = repo.record(community.id, sub.member_id, sub.id, back, OrderKind.REFUND,
                                    now, refund_of=paid.id)  # fmt: skip
    if not created:
        _same_payment(recorded, community, sub.member_id, sub.plan_id, sub.id)
        return _recorded(repo, recorded, False)
    given_back_ids = {o.refund_of for o in refunds}
    later = any((o.at, o.id) > (paid.at, paid.id) and o.id not in given_back_ids
                for o in payments_of(orders))  # fmt: skip
    kept = kept_until(sub, paid, plan, now, zone_of(playbook), later_paid=later)
    detail = {"order": recorded.id, "refunds": paid.id, "amount": f"{back.amount:f}"}
    if kept is not None:  # one period less; the rest, paid for, stays
        shorter = repo.change(sub.id, period_end=kept)
        replan(tx, shorter, playbook, now)
        moved = _start_later_plan(tx, community, playbook, sub, kept, by, now)
        tx.audit(by, "billing refund", community.id, target=f"member {sub.member_id}",
                 detail={**detail, "until": kept.isoformat(), "removed_from": 0})  # fmt: skip
        return Recorded(recorded, shorter, True, chain=moved)
    if sub.status is Status.REFUNDED:  # access ended by an earlier refund: the money only
        tx.audit(by, "billing refund", community.id, target=f"member {sub.member_id}",
                 detail={**detail, "removed_from": 0})  # fmt: skip
        return Recorded(recorded, sub, True)
    ended = repo.change(sub.id, status=Status.REFUNDED, ended_at=now)
    repo.call_off(sub.id)
    moved = _start_later_plan(tx, community, playbook, sub, now, by, now)
    removed = remove(tx, ended, playbook, "refunded", now)
    tx.audit(by, "billing refund", community.id, target=f"member {sub.member_id}",
             detail={**detail, "removed_from": removed})  # fmt: skip
    return Recorded(recorded, ended, True, chain=moved)


def _start_later_plan(tx: Store, community: Community, playbook: Playbook | None,
                      before: Subscription, start: datetime, by: str,
                      now: datetime) -> tuple[Subscription, ...]:  # fmt: skip
    """The member's subscriptions bought to follow `before` one after another (a monthly
    member's second monthly card, then a yearly one: `ledger.chain_moved_up`), moved up now
    that `before` ends at `start` (a refund): each starts where the one before it now ends,
    with as many whole periods as it held, its lifecycle planned again and the change
    audited. A paying member has no days between the refund and the later plans, nor free
    ones before them. In order; empty when nothing follows `before`."""
    repo = SqlBilling.on(tx)
    subs = repo.subscriptions(community.id, member_id=before.member_id)
    plans = {p.id: p for p in playbook.monetisation.plans} if playbook else {}
    was = {s.id: s for s in subs}
    moved = []
    for shifted in chain_moved_up(subs, before, start, plans, zone_of(playbook)):
        later = was[shifted.id]
        changed = repo.change(later.id, period_start=shifted.period_start,
                              period_end=shifted.period_end)  # fmt: skip
        replan(tx, changed, playbook, now)
        tx.audit(by, "billing plan moved up", community.id, target=f"member {before.member_id}",
                 detail={"subscription": later.id, "plan": later.plan_id,
                         "was": later.period_start.isoformat(),
                         "from": changed.period_start.isoformat(),
                         "until": changed.period_end.isoformat(), "after": before.id})  # fmt: skip
        moved.append(changed)
    return tuple(moved)


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
                plan_id: str, start: datetime, end: datetime,
                network: str | None = None) -> Subscription:  # fmt: skip
    """A free trial of `plan_id` from `start` to `end`, with its lifecycle planned; `network`:
    the digest of the client network it was asked from (`ledger.network_digest`)."""
    sub = SqlBilling.on(tx).start(community.id, member_id, plan_id, start, end, trial=True,
                                  at=start, network=network)  # fmt: skip
    replan(tx, sub, playbook, start)
    tx.audit("billing", "billing trial", community.id, target=f"member {member_id}",
             detail={"subscription": sub.id, "plan": plan_id, "until": end.isoformat()})  # fmt: skip
    return sub


def _other_plan(repo: SqlBilling, community_id: int, member_id: int,
                playbook: Playbook | None, plan_id: str, now: datetime) -> Subscription | None:  # fmt: skip
    """The member's subscription of another plan that still gives access (ending last): a
    payment of `plan_id` continues from its end."""
    plans = {p.id: p for p in playbook.monetisation.plans} if playbook else {}
    subs = repo.subscriptions(community_id, member_id=member_id)
    return continued([s for s in subs if s.plan_id != plan_id], plans, now)


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


def checked_order(order: NewOrder) -> NewOrder:
    """`order` if the ledger can keep its reference and currency, else `BillingError` saying
    which is wrong: the reference (a receipt, a provider's event or payment id) keeps the
    order recorded once, so an empty one would make every later empty one a "replay"; the
    store keeps at most `KEY` characters of it, and a currency as ISO 4217's three letters."""
    reference = order.provider_ref
    if not reference.strip():
        raise BillingError("the payment's receipt or event id is empty; give the one that "
                           "keeps it recorded once")  # fmt: skip
    if len(reference) > KEY:
        raise BillingError(f"the payment's receipt or event id {reference[:24]!r}… is "
                           f"{len(reference)} characters long; the ledger keeps at most {KEY} "
                           "characters")  # fmt: skip
    if not _CURRENCY.fullmatch(order.currency):
        raise BillingError(f"{order.currency[:24]!r} is not a currency: give ISO 4217's three "
                           "letters, e.g. CNY or USD")  # fmt: skip
    return order
