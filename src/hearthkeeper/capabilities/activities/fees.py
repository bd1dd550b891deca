"""An event's fee in billing's orders ledger — the one place activities touch billing.

Staff record a member's payment for a priced event (CLI, console) as an order of kind
`event_fee`, `plan_id` `event:<id>`, provider `manual` and the receipt as its reference:
unique like every order, so recording it twice changes nothing. The sign-up is then
confirmed and the member told, with their door code, in the group they signed up from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from hearthkeeper.capabilities.activities import decide as d
from hearthkeeper.capabilities.activities.addresses import ticket_link
from hearthkeeper.capabilities.activities.catalogue import zone_of
from hearthkeeper.capabilities.activities.moments import tell
from hearthkeeper.capabilities.activities.records import SignUp, Status
from hearthkeeper.capabilities.activities.render import when_text
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.capabilities.activities.texts import TEXTS
from hearthkeeper.capabilities.billing.ledger import BillingError
from hearthkeeper.capabilities.billing.lookup import playbook_of
from hearthkeeper.capabilities.billing.payments import amount_of, checked_order, payer
from hearthkeeper.capabilities.billing.records import NewOrder, Order, OrderKind, Provider
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Community, Store


class EventError(Exception):
    """Something staff asked that cannot be done (the message says what and why)."""


@dataclass(frozen=True)
class FeeRecorded:
    """The order and the sign-up it confirmed; `created` False: recorded before."""

    order: Order
    signup: SignUp
    created: bool


def plan_of_event(event_id: int) -> str:
    """How the ledger names an event's fee."""
    return f"event:{event_id}"


def record_fee(store: Store, community: Community, event_id: int, who: str, receipt: str,
               amount: str, by: str, now: datetime) -> FeeRecorded:  # fmt: skip
    """Record `who`'s fee for the event once per receipt and confirm their place."""
    if not receipt.strip():
        raise EventError("give the payment's receipt or order number (it keeps it recorded once)")
    playbook = playbook_of(store, community)
    lang = playbook.community.language if playbook else Language.EN
    with store.transaction() as tx:
        repo, billing = SqlActivities.on(tx), SqlBilling.on(tx)
        event = repo.event(event_id)
        if event is None or event.community_id != community.id:
            raise EventError(f"community {community.slug!r} has no event {event_id}")
        try:
            member_id = payer(tx, who)
            value = amount_of(amount) if amount.strip() else (event.price or Decimal(0))
        except BillingError as exc:
            raise EventError(str(exc)) from None
        before = billing.order(Provider.MANUAL, receipt.strip())
        repo.lock_event(event.id)
        signups = repo.signups(event.id)
        mine = next((s for s in signups if s.member_id == member_id), None)
        if before is not None:
            if (mine is None or before.plan_id != plan_of_event(event.id)
                    or before.member_id != member_id):  # fmt: skip
                raise EventError(f"receipt {receipt.strip()} was recorded already "
                                 f"(order {before.id}, {before.plan_id})")  # fmt: skip
            return FeeRecorded(before, mine, False)
        if mine is None:
            raise EventError(f"member {member_id} has not signed up for event {event.id}; "
                             "they sign up in the group first (/rsvp, /报名)")  # fmt: skip
        status = d.decide_payment(event, signups, mine)
        if not isinstance(status, Status):
            raise EventError(status)
        try:
            fee = checked_order(NewOrder(plan_of_event(event.id), value, event.currency,
                                         Provider.MANUAL, receipt.strip(), by))  # fmt: skip
        except BillingError as exc:
            raise EventError(str(exc)) from None
        order, _ = billing.record(community.id, member_id, None, fee, OrderKind.EVENT_FEE, now)
        confirmed = repo.set_status(mine.id, status, now, order_id=order.id)
        text = TEXTS.say("paid", lang, name=confirmed.display_name, title=event.title,
                         ticket=ticket_link(tx, confirmed.code),
                         when=when_text(event.starts_at, zone_of(playbook), lang))  # fmt: skip
        tell(tx, confirmed, text, f"activity:{event.id}:paid:{confirmed.id}", now)
        tx.audit(by, "event fee recorded", community.id,
                 target=f"member {member_id}",
                 detail={"event": event.id, "order": order.id, "amount": f"{value:f}"})  # fmt: skip
        return FeeRecorded(order, confirmed, True)
