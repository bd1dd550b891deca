"""Payments arriving by signed webhook, at /billing/{slug}/stripe and /billing/{slug}/webhook.

Stripe: the `Stripe-Signature` header is verified with the `stripe` library against the
secret in the environment variable `[billing] stripe_webhook_secret_env` names;
`checkout.session.completed` (with `client_reference_id` = the payment reference and
`metadata.plan`) records a purchase, `invoice.paid` for a subscription's later cycle (with
`reference` and `plan` in the subscription's metadata) a renewal, `charge.refunded` a refund
of the payment it names (its `payment_intent`, else its `invoice`): that payment, not the
member's latest. The generic webhook: `X-Hearth-Timestamp` (Unix seconds) and
`X-Hearth-Signature: sha256=<hex HMAC-SHA256 of "timestamp.body">`, refused when older than
five minutes; its JSON body says `event_id`, `kind` (paid | refunded), `reference`, `plan`,
`amount`, `currency`. A bad signature is a 400 and stores nothing; an event seen before is a
200 that records nothing new.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import stripe
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from hearthkeeper.capabilities.billing import payments
from hearthkeeper.capabilities.billing.amounts import checked_amount
from hearthkeeper.capabilities.billing.ledger import BillingError, payments_of
from hearthkeeper.capabilities.billing.lifecycle import plan_of
from hearthkeeper.capabilities.billing.lookup import community_by_slug, playbook_of
from hearthkeeper.capabilities.billing.records import NewOrder, OrderKind, Provider
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.text.controls import quoted, shown_input
from hearthkeeper.web.context import Web

TOLERANCE_SECONDS = 300
MAX_BODY_BYTES = 1024 * 1024  # a payment event is a few KiB; more is refused unread
# Currencies Stripe counts in whole units (no cents).
ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)


class Refused(Exception):
    """A webhook call that cannot be used: answered 400 with this message."""


class TooLarge(Exception):
    """A body over `MAX_BODY_BYTES`: answered 413, the rest left unread."""


async def _read(request: Request) -> bytes:
    """The request's body, at most `MAX_BODY_BYTES` of it read (`TooLarge` beyond)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> JSONResponse:
    return _answer(413, f"The body is larger than {MAX_BODY_BYTES} bytes; a payment event is "
                        "far smaller. Nothing was recorded.")  # fmt: skip


# The most digits of a whole number in an event: an amount in cents or a timestamp has a
# dozen; Python reads none over 4,300 (a ValueError saying so), and says none back over them.
MOST_DIGITS = 100


def _whole(text: str) -> int:
    """A JSON whole number of an event, or `Refused` when it has more than `MOST_DIGITS`."""
    digits = len(text.lstrip("-"))
    if digits > MOST_DIGITS:
        raise Refused(f"The body holds a number of {digits:,} digits ({shown_input(text)}); "
                      "no field of a payment event has so many.")  # fmt: skip
    return int(text)


def _event(body: bytes) -> dict[str, Any]:
    """The body as a JSON object (`Refused`, or ValueError for text that is not JSON)."""
    try:
        event = json.loads(body, parse_int=_whole)
    except RecursionError:
        raise Refused("The body nests objects or lists too deeply to be an event.") from None
    if not isinstance(event, dict):
        raise Refused(f"The body must be a JSON object (an event), not {type(event).__name__}.")
    return event


def _field(obj: Mapping[str, Any], name: str, where: str = "the event") -> Any:
    """`obj[name]`, or `Refused` saying which field is missing."""
    if not isinstance(obj, Mapping) or obj.get(name) is None:
        raise Refused(f"{where} has no {name!r}")
    return obj[name]


def _answer(status: int, message: str, **more: Any) -> JSONResponse:
    return JSONResponse({"detail": message, **more}, status_code=status)


def webhook_router(web: Web) -> APIRouter:
    """The providers' public endpoints (no console session: the signature is the proof)."""
    router = APIRouter(prefix="/billing", tags=["billing webhooks"])

    @router.post("/{slug}/stripe")
    async def stripe_webhook(slug: str, request: Request) -> JSONResponse:
        """A Stripe event, verified by its `Stripe-Signature`."""
        secret = web.settings.billing.stripe
        if secret is None:
            return _answer(503, "Stripe webhooks are off: set the signing secret in the "
                                "environment variable [billing] stripe_webhook_secret_env names.")  # fmt: skip
        try:
            body = await _read(request)
        except TooLarge:
            return _too_large()
        try:
            stripe.WebhookSignature.verify_header(body.decode("utf-8"),
                                                  request.headers.get("stripe-signature"),
                                                  secret, TOLERANCE_SECONDS)  # fmt: skip
            event = _event(body)
        except (stripe.SignatureVerificationError, ValueError, UnicodeDecodeError) as exc:
            return _answer(
                400, f"Invalid Stripe signature or payload: {exc}. Nothing was recorded."
            )
        except Refused as exc:
            return _answer(400, f"{exc} Nothing was recorded.")
        return await run_in_threadpool(_handle, web, slug, lambda: stripe_event(web, slug, event))

    @router.post("/{slug}/webhook")
    async def generic_webhook(slug: str, request: Request) -> JSONResponse:
        """A payment system's event signed with HMAC-SHA256 over `timestamp.body`."""
        secret = web.settings.billing.webhook
        if secret is None:
            return _answer(503, "The billing webhook is off: set its secret in the environment "
                                "variable [billing] webhook_secret_env names.")  # fmt: skip
        try:
            body = await _read(request)
        except TooLarge:
            return _too_large()
        try:
            verify_hmac(body, request.headers.get("x-hearth-timestamp"),
                        request.headers.get("x-hearth-signature"), secret, web.clock.now())  # fmt: skip
            event = _event(body)
        except (Refused, ValueError) as exc:
            return _answer(400, f"{exc} Nothing was recorded.")
        return await run_in_threadpool(_handle, web, slug, lambda: generic_event(web, slug, event))

    return router


def _handle(web: Web, slug: str, work: Any) -> JSONResponse:
    try:
        outcome: dict[str, Any] = work()
    except (BillingError, Refused) as exc:
        said = str(exc)  # a question ("did you mean 'tea'?") keeps its own mark
        stop = "" if said.endswith(("?", ".")) else "."
        return _answer(400, f"Cannot record this event: {said}{stop} Nothing was recorded.")
    except (KeyError, TypeError, AttributeError) as exc:  # a field of an unexpected shape
        return _answer(400, f"Cannot record this event: a field has an unexpected shape "
                            f"({type(exc).__name__}: {exc}). Nothing was recorded.")  # fmt: skip
    return JSONResponse(outcome)


def sign_hmac(body: bytes, timestamp: int, secret: str) -> str:
    """The `X-Hearth-Signature` of `body` sent at `timestamp` (for senders and tests)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_hmac(body: bytes, timestamp: str | None, signature: str | None, secret: str,
                now: datetime) -> None:  # fmt: skip
    """`Refused` unless `signature` is the body's HMAC and `timestamp` within five minutes."""
    if not timestamp or not signature:
        raise Refused("Missing X-Hearth-Timestamp or X-Hearth-Signature header.")
    try:
        sent = int(timestamp)
    except ValueError:
        raise Refused("X-Hearth-Timestamp is not Unix seconds.") from None
    if abs(now.timestamp() - sent) > TOLERANCE_SECONDS:
        raise Refused("The signature's timestamp is more than 5 minutes away from now (replayed?).")
    if not hmac.compare_digest(sign_hmac(body, sent, secret), signature.strip()):
        raise Refused("Invalid signature.")


def _amount(text: Any, what: str) -> Decimal:
    try:
        return Decimal(str(text))
    except InvalidOperation:
        raise Refused(f"{what} {quoted(text)} is not an amount") from None


def _money_or_none(text: Any) -> Decimal | None:
    """The generic event's `amount` (None when it leaves it to the plan's price)."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise Refused(f"amount {quoted(text)} is not an amount")
    return checked_amount(_amount(text, "amount"), text)


def _stripe_money(minor: Any, currency: str) -> Decimal:
    units = _amount(minor, "amount")
    if not units.is_finite():
        raise Refused(f"amount {quoted(minor)} is not an amount")
    if units.adjusted() > 40:  # far beyond the ledger; dividing it could overflow
        raise Refused(f"amount {quoted(minor)} is larger than the ledger keeps")
    return checked_amount(units if currency.upper() in ZERO_DECIMAL else units / 100, minor)


def _outcome(done: payments.Recorded) -> dict[str, Any]:
    outcome: dict[str, Any] = {"recorded": done.created, "order": done.order.id,
                               "subscription": done.order.subscription_id}  # fmt: skip
    if done.order.kind is OrderKind.HELD:  # short of the price: staff decide (an inbox alert)
        outcome["held"] = done.held or "short of the plan's price; staff may grant it"
    return outcome


def _pay(web: Web, slug: str, reference: str, plan: str, amount: Decimal | None,
         currency: str | None, provider: Provider, provider_ref: str) -> dict[str, Any]:  # fmt: skip
    """Record the payment; an amount or currency the event leaves out is the plan's."""
    store = web.store
    community = community_by_slug(store, slug)
    playbook = playbook_of(store, community)
    priced = plan_of(playbook, plan)
    if priced is not None:
        amount = priced.price if amount is None else amount
        currency = currency or priced.currency
    with store.transaction() as tx:
        member_id = payments.payer(tx, reference)
        order = NewOrder(plan, amount or Decimal(0), (currency or "").upper(), provider,
                         provider_ref, provider.value)  # fmt: skip
        return _outcome(payments.record_payment(tx, community, playbook, member_id, order,
                                                web.clock.now()))  # fmt: skip


def _refund(web: Web, slug: str, paid_ref: str, provider: Provider, refund_ref: str,
            amount: Decimal | None, member_reference: str | None = None,
            plan: str | None = None) -> dict[str, Any]:  # fmt: skip
    """Refund the payment recorded as `paid_ref` (that very payment, not its subscription's
    latest); without one, the payment of `plan` the person `member_reference` names, when
    exactly one of theirs is not refunded yet (several: `Refused`, listing them)."""
    store = web.store
    community = community_by_slug(store, slug)
    playbook = playbook_of(store, community)
    with store.transaction() as tx:
        repo = SqlBilling.on(tx)
        paid = repo.order(provider, paid_ref) if paid_ref else None
        if paid is not None and paid.community_id != community.id:
            paid = None
        if paid is not None and paid.kind is OrderKind.HELD:
            return _outcome(payments.refund_held(tx, community, paid, refund_ref, amount,
                                                 web.clock.now()))  # fmt: skip
        if paid is not None and paid.subscription_id is not None:
            done = payments.refund(tx, community, playbook, paid.subscription_id,
                                   provider.value, web.clock.now(), provider=provider,
                                   provider_ref=refund_ref, amount=amount,
                                   order_id=paid.id)  # fmt: skip
            return _outcome(done)
        if paid_ref or not (member_reference and plan):
            # A payment named and not recorded (yet: webhooks arrive in any order) is not
            # the member's other payment: refused, the sender sends it again later.
            raise Refused(f"no recorded payment matches {paid_ref!r}" if not member_reference
                          else f"no recorded payment matches {paid_ref!r} (its 'refunds'); "
                               "send the refund again once that payment is recorded")  # fmt: skip
        before = repo.order(provider, refund_ref)  # this refund delivered again
        if before is not None and before.kind is OrderKind.REFUND:
            return _outcome(payments.Recorded(before, None, False))
        member_id = payments.payer(tx, member_reference)
        subs = repo.subscriptions(community.id, member_id=member_id, plan_id=plan)
        if not subs:
            raise Refused(f"no recorded payment matches {paid_ref!r}, and {member_reference!r} "
                          f"has no subscription of plan {plan!r}")  # fmt: skip
        orders = repo.orders(community.id, subscription_id=subs[-1].id)
        given_back = {o.refund_of for o in orders if o.kind is OrderKind.REFUND}
        open_ = [o for o in payments_of(orders) if o.id not in given_back]
        if len(open_) > 1:
            listed = ", ".join(f"{o.provider_ref!r} ({o.kind.value} of {o.amount} "
                               f"{o.currency}, order {o.id})" for o in open_)  # fmt: skip
            raise Refused(f"{member_reference!r} has {len(open_)} payments of plan {plan!r} not "
                          f"refunded: {listed}; say which one in 'refunds' (its event_id)")  # fmt: skip
        done = payments.refund(tx, community, playbook, subs[-1].id, provider.value,
                               web.clock.now(), provider=provider, provider_ref=refund_ref,
                               amount=amount,
                               order_id=open_[0].id if open_ else None)  # fmt: skip
        return _outcome(done)


def stripe_event(web: Web, slug: str, event: Mapping[str, Any]) -> dict[str, Any]:
    """Record what a verified Stripe event says (or say it was ignored)."""
    kind = event.get("type")
    obj = _field(_field(event, "data"), "object", "the event's data")
    if not isinstance(obj, Mapping):
        raise Refused("the event's data.object is not an object")
    currency = str(obj.get("currency", "")).upper()
    if kind == "checkout.session.completed":
        if obj.get("payment_status") not in (None, "paid", "no_payment_required"):
            return {"ignored": f"checkout not paid ({obj.get('payment_status')})"}
        reference, plan = obj.get("client_reference_id"), (obj.get("metadata") or {}).get("plan")
        if not reference or not plan:
            raise Refused("checkout.session.completed needs client_reference_id (the payment "
                          "reference) and metadata.plan")  # fmt: skip
        ref = obj.get("payment_intent") or obj["id"]
        return _pay(web, slug, reference, plan, _stripe_money(obj.get("amount_total", 0), currency),
                    currency, Provider.STRIPE, str(ref))  # fmt: skip
    if kind == "invoice.paid":
        if obj.get("billing_reason") != "subscription_cycle":
            return {
                "ignored": "only a subscription's later cycles renew (its first invoice is the checkout)"
            }
        meta = _invoice_metadata(obj)
        if not meta.get("reference") or not meta.get("plan"):
            return {"ignored": "no reference and plan in the subscription's metadata"}
        return _pay(web, slug, meta["reference"], meta["plan"],
                    _stripe_money(obj.get("amount_paid", 0), currency), currency,
                    Provider.STRIPE, str(obj.get("payment_intent") or obj["id"]))  # fmt: skip
    if kind == "charge.refunded":
        paid = obj.get("payment_intent") or obj.get("invoice")
        if not paid:
            raise Refused("charge.refunded names no payment_intent or invoice")
        return _refund(web, slug, str(paid), Provider.STRIPE, f"refund:{obj['id']}",
                       _stripe_money(obj.get("amount_refunded", 0), currency) or None)  # fmt: skip
    return {"ignored": f"event type {kind!r} is not used"}


def _invoice_metadata(invoice: Mapping[str, Any]) -> Mapping[str, Any]:
    details = (invoice.get("parent") or {}).get("subscription_details") or invoice.get(
        "subscription_details") or {}  # fmt: skip
    return details.get("metadata") or invoice.get("metadata") or {}


def generic_event(web: Web, slug: str, event: Mapping[str, Any]) -> dict[str, Any]:
    """Record what a verified generic webhook event says."""
    event_id, kind = str(_field(event, "event_id")), _field(event, "kind")
    if not event_id.strip():
        raise Refused("the event's 'event_id' is empty (it keeps the event recorded once)")
    reference, plan = str(_field(event, "reference")), str(_field(event, "plan"))
    currency = str(event["currency"]) if event.get("currency") else None
    amount = _money_or_none(event.get("amount"))
    if kind == "paid":
        return _pay(web, slug, reference, plan, amount, currency, Provider.WEBHOOK, event_id)
    if kind == "refunded":
        return _refund(web, slug, str(event.get("refunds", "")), Provider.WEBHOOK, event_id,
                       amount or None, member_reference=reference, plan=plan)  # fmt: skip
    raise Refused(f"kind {kind!r} is neither paid nor refunded")
