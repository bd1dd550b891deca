"""An event's fee in billing's orders ledger — the one place activities touch billing.

Staff record a member's payment for a priced event (CLI, console) as an order of kind
`event_fee`, `plan_id` `event:<id>`, provider `manual` and the receipt as its reference:
unique like every order, so recording it twice changes nothing. The sign-up is then
confirmed and the member told, with their door code, in the group they signed up from. An
amount below the event's fee (a mistyped 5 for 50, a 0) confirms nobody silently: staff
must say why (`discount`), as for a membership payment below its price; a negative amount
is refused (a refund is `refund_fee`).

Staff give a fee back (`refund_fee`) before the event starts, or any time once it is
cancelled: a `refund` order naming the fee (`refund_of`, unique: a fee is refunded once, a
second refund is refused naming the first), the place freed for the next in line, the
sign-up owing again should the member sign up anew, and the member told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from hearthkeeper.capabilities.activities import decide as d
from hearthkeeper.capabilities.activities.addresses import ticket_link
from hearthkeeper.capabilities.activities.catalogue import zone_of
from hearthkeeper.capabilities.activities.holds import move_up
from hearthkeeper.capabilities.activities.moments import tell
from hearthkeeper.capabilities.activities.records import Event, SignUp, Status
from hearthkeeper.capabilities.activities.render import amount_text
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.capabilities.activities.texts import TEXTS
from hearthkeeper.capabilities.billing.amounts import amount_of
from hearthkeeper.capabilities.billing.ledger import BillingError, staff_reason
from hearthkeeper.capabilities.billing.lookup import playbook_of
from hearthkeeper.capabilities.billing.payments import checked_order, payer
from hearthkeeper.capabilities.billing.records import NewOrder, Order, OrderKind, Provider
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.format import currency_words, when_text
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.handler import group_view
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Community, Store


class EventError(Exception):
    """Something staff asked that cannot be done (the message says what and why)."""


def event_of(repo: SqlActivities, community: Community, event_id: int) -> Event:
    """The community's event `event_id`; EventError when it has none of that id."""
    event = repo.event(event_id)
    if event is None or event.community_id != community.id:
        raise EventError(f"community {community.slug!r} has no event {event_id}")
    return event


@dataclass(frozen=True)
class FeeRecorded:
    """The order and the sign-up it confirmed; `created` False: recorded before."""

    order: Order
    signup: SignUp
    created: bool


def _named(tx: Store, member_id: int) -> str:
    """A member as staff know them: `小美 (member:3)`, the id as `member:ID` takes it."""
    member = tx.get_member(member_id)
    name = member.display_name if member is not None and member.display_name else "member"
    return f"{name} (member:{member_id})"


def plan_of_event(event_id: int) -> str:
    """How the ledger names an event's fee."""
    return f"event:{event_id}"


def record_fee(store: Store, community: Community, event_id: int, who: str, receipt: str,
               amount: str, by: str, now: datetime, *,
               discount: str = "") -> FeeRecorded:  # fmt: skip
    """Record `who`'s fee for the event once per receipt and confirm their place; an amount
    below the fee needs staff's `discount` reason, a negative one is refused."""
    if not receipt.strip():
        raise EventError("give the payment's receipt or order number (it keeps it recorded once)")
    try:
        discount = staff_reason(discount, "the discount's reason")
    except BillingError as exc:
        raise EventError(str(exc)) from None
    playbook = playbook_of(store, community)
    lang = playbook.community.language if playbook else Language.EN
    with store.transaction() as tx:
        repo, billing = SqlActivities.on(tx), SqlBilling.on(tx)
        event = event_of(repo, community, event_id)
        try:
            member_id = payer(tx, who)
            priced = f"event {event.id}'s fee is in {event.currency}"
            value = amount_of(amount, event.currency, priced) if amount.strip() else None
        except BillingError as exc:
            raise EventError(str(exc)) from None
        if value is None:
            value = event.price or Decimal(0)
        repo.lock_event(event.id)
        # read once the lock is held: a second staff member recording the same receipt at
        # once then finds the first one's order, not a paid place to call a second payment
        before = billing.order(Provider.MANUAL, receipt.strip())
        signups = repo.signups(event.id)
        mine = next((s for s in signups if s.member_id == member_id), None)
        if before is not None:
            if (mine is None or before.plan_id != plan_of_event(event.id)
                    or before.member_id != member_id):  # fmt: skip
                raise EventError(f"receipt {receipt.strip()} was recorded already "
                                 f"(order {before.id}, {before.plan_id})")  # fmt: skip
            return FeeRecorded(before, mine, False)
        if mine is None:
            raise EventError(f"{_named(tx, member_id)} has not signed up for event {event.id} "
                             f"({event.title}); they sign up in the group first (/rsvp, "
                             "/报名)")  # fmt: skip
        status = d.decide_payment(event, signups, mine)
        if not isinstance(status, Status):
            raise EventError(status)
        short = _short_of_fee(event, value, discount)
        try:
            fee = checked_order(NewOrder(plan_of_event(event.id), value, event.currency,
                                         Provider.MANUAL, receipt.strip(), by))  # fmt: skip
        except BillingError as exc:
            raise EventError(str(exc)) from None
        order, created = billing.record(community.id, member_id, None, fee,
                                        OrderKind.EVENT_FEE, now)  # fmt: skip
        if not created:  # another payment recorded the receipt meanwhile (it waited for it)
            raise EventError(f"receipt {receipt.strip()} was recorded already "
                             f"(order {order.id}, {order.plan_id})")  # fmt: skip
        confirmed = repo.set_status(mine.id, status, now, order_id=order.id)
        text = TEXTS.say("paid", lang, name=confirmed.display_name, title=event.title,
                         ticket=ticket_link(tx, confirmed.code),
                         when=when_text(event.starts_at, zone_of(playbook), lang))  # fmt: skip
        shared = TEXTS.say("paid_shared", lang, name=confirmed.display_name, title=event.title,
                           tail=d.code_tail(confirmed.code))  # fmt: skip
        tell(tx, confirmed, text, f"activity:{event.id}:paid:{confirmed.id}", now,
             in_group=shared)  # fmt: skip
        tx.audit(by, "event fee recorded", community.id,
                 target=f"member {member_id}",
                 detail={"event": event.id, "order": order.id, "amount": f"{value:f}",
                         **({"discount": discount, "short": short} if short
                            else {})})  # fmt: skip
        return FeeRecorded(order, confirmed, True)


def _short_of_fee(event: Event, value: Decimal, discount: str) -> str | None:
    """What makes `value` short of `event`'s fee (None: it is not); `EventError` for a
    negative amount, or one short of the fee without staff's `discount` reason."""
    if value < 0:
        raise EventError(f"a fee cannot be negative ({value:f} {event.currency}); nothing was "
                         "recorded: to give a fee back, refund it (hearth events refund, "
                         "console 'Refund a fee')")  # fmt: skip
    price = event.price or Decimal(0)
    if value >= price:
        return None
    short = (f"{value.quantize(Decimal('0.01')):f} {event.currency} was paid, below the fee "
             f"of event {event.id}, {price:f} {event.currency}")  # fmt: skip
    if not discount.strip():
        raise EventError(f"{short}; nothing was recorded: to confirm the place for it anyway, "
                         "give the discount's reason (CLI --discount, console 'Discount "
                         "reason')")  # fmt: skip
    return short


@dataclass(frozen=True)
class FeeRefunded:
    """The refund order, the fee it gave back, the sign-up as it is now and who moved up."""

    refund: Order
    fee: Order
    signup: SignUp
    moved_up: tuple[SignUp, ...] = ()


def refund_fee(store: Store, community: Community, event_id: int, who: str, by: str,
               now: datetime) -> FeeRefunded:  # fmt: skip
    """Give `who`'s fee for the event back, once: before the event starts (a member giving
    a paid place up) or whenever once it is cancelled; `EventError` saying why not."""
    playbook = playbook_of(store, community)
    lang = playbook.community.language if playbook else Language.EN
    with store.transaction() as tx:
        repo, billing = SqlActivities.on(tx), SqlBilling.on(tx)
        event = event_of(repo, community, event_id)
        try:
            member_id = payer(tx, who)
        except BillingError as exc:
            raise EventError(str(exc)) from None
        repo.lock_event(event.id)  # one refund (and one promotion) at a time
        mine = next((s for s in repo.signups(event.id) if s.member_id == member_id), None)
        if mine is None:
            raise EventError(f"{_named(tx, member_id)} has not signed up for event {event.id} "
                             f"({event.title}); there is no fee to refund")  # fmt: skip
        fee = _fee_of(billing, community, event, member_id, mine)
        before = billing.refund_for(fee.id)
        if before is not None:
            raise EventError(f"the fee for event {event.id} (order {fee.id}) was refunded "
                             f"already (order {before.id}); nothing more was given back")  # fmt: skip
        if not event.cancelled and now >= event.starts_at:
            zone = zone_of(playbook)
            started = f"{event.starts_at.astimezone(zone):%Y-%m-%d %H:%M} {zone}"
            raise EventError(f"event {event.id} started at {started}: its fees are refunded "
                             "before the start, or once the event is cancelled (hearth events "
                             "cancel)")  # fmt: skip
        back = NewOrder(fee.plan_id, -fee.amount, fee.currency, Provider.MANUAL,
                        f"refund:{fee.id}", by)  # fmt: skip
        try:
            refund, _ = billing.record(community.id, member_id, None, checked_order(back),
                                       OrderKind.REFUND, now, refund_of=fee.id)  # fmt: skip
        except BillingError as exc:
            raise EventError(str(exc)) from None
        moved: list[SignUp] = []
        held = mine.live
        # the place freed, and no fee left on it: signing up again owes one
        mine = repo.set_status(mine.id, Status.CANCELLED if held else mine.status, now,
                               clear_order=True)  # fmt: skip
        key = "fee_refunded_cancelled" if event.cancelled else "fee_refunded"
        text = TEXTS.say(key, lang, name=mine.display_name, title=event.title,
                         price=amount_text(fee.amount),
                         currency=currency_words(fee.currency, lang))  # fmt: skip
        tell(tx, mine, text, f"activity:{event.id}:refunded:{refund.id}", now)
        group = tx.get_group(mine.group_id)
        if held and not event.cancelled and playbook is not None and group is not None:
            ctx = EffectContext(playbook=playbook, group=group_view(group, community.slug),
                                member=None, now=now)  # fmt: skip
            moved = move_up(tx, event, ctx)
        tx.audit(by, "event fee refunded", community.id, target=f"member {member_id}",
                 detail={"event": event.id, "order": refund.id, "refunds": fee.id,
                         "amount": f"{refund.amount:f}",
                         "moved_up": [m.member_id for m in moved]})  # fmt: skip
        return FeeRefunded(refund, fee, mine, tuple(moved))


def _fee_of(billing: SqlBilling, community: Community, event: Event, member_id: int,
            mine: SignUp) -> Order:  # fmt: skip
    """The member's fee for `event`: the one their sign-up holds, else the latest recorded
    (a sign-up whose fee was refunded holds none: asked again, that one is named as refunded
    already); `EventError` when there is none."""
    fees = [o for o in billing.orders(community.id, member_id=member_id)
            if o.kind is OrderKind.EVENT_FEE and o.plan_id == plan_of_event(event.id)]  # fmt: skip
    held = next((o for o in fees if o.id == mine.order_id), None)
    if held is not None:
        return held
    if fees:
        return fees[-1]
    raise EventError(f"no fee is recorded for member {member_id} at event {event.id} "
                     "(hearth events pay records one); nothing to refund")  # fmt: skip
