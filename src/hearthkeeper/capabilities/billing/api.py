"""The REST API of billing under /api/v1/communities/{slug}/ (an API token or a console
session, like the rest of /api/v1), and the public webhooks of the payment providers."""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, NoReturn

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from hearthkeeper.capabilities.billing import staff
from hearthkeeper.capabilities.billing.ledger import BillingError
from hearthkeeper.capabilities.billing.payments import Recorded
from hearthkeeper.capabilities.billing.records import Order, Subscription
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.store import Community, Operator
from hearthkeeper.store.ids import MAX_ID
from hearthkeeper.web.api_lookup import api_community
from hearthkeeper.web.api_models import ErrorOut
from hearthkeeper.web.auth import require_api
from hearthkeeper.web.context import Web
from hearthkeeper.web.joined import joined

OperatorDep = Annotated[Operator, Depends(require_api)]
REFUSED: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}, 409: {"model": ErrorOut}}


class SubscriptionOut(BaseModel):
    """A member's paid membership of a plan; `shown_status` tells trial, in grace, lapsed."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    member_id: int
    member_name: str = ""
    plan_id: str
    status: str
    shown_status: str = ""
    period_start: datetime
    period_end: datetime
    trial_end: datetime | None
    ended_at: datetime | None


class SubscriptionPageOut(BaseModel):
    """A page of the community's subscriptions, newest first, and how many there are."""

    total: int = Field(description="How many subscriptions the community has, over all pages.")
    limit: int
    offset: int
    subscriptions: list[SubscriptionOut]


class OrderOut(BaseModel):
    """One line of the ledger (a refund has a negative amount)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    member_id: int
    subscription_id: int | None
    plan_id: str
    amount: Decimal
    currency: str
    kind: str
    provider: str
    provider_ref: str
    recorded_by: str
    at: datetime
    refund_of: int | None = Field(
        None, description="A refund: the payment (order id) it gave back."
    )


class OrderPageOut(BaseModel):
    """A page of the community's orders ledger, newest first, and how many orders there are."""

    total: int = Field(description="How many orders the community's ledger holds, over all pages.")
    limit: int
    offset: int
    orders: list[OrderOut]


class PaymentIn(BaseModel):
    """A payment staff took: for whom, which plan, the receipt that keeps it recorded once."""

    who: str = Field(description="Payment reference (XXXX-XXXX), member:ID or CARRIER:USER_ID.")
    plan: str = Field(description="The plan paid for (monetisation.plans id).")
    receipt: str = Field(min_length=1, description="The shop's order or receipt number.")
    amount: str = Field(
        "", description="Amount paid, a number or a text as staff type it (299.00, ￥299, "
        "299元, RMB 299, 1,299: a currency sign or code must be the payment's); empty: the "
        "plan's price.",
    )  # fmt: skip

    @field_validator("amount", mode="before")
    @classmethod
    def _number(cls, value: object) -> object:
        """`299` and `299.5` as well as `"299.00"` (a float is read by its shortest digits,
        written out: 1e20 is an amount too large, not a text that is none)."""
        if isinstance(value, bool):
            return value  # refused as not a string
        if isinstance(value, float) and math.isfinite(value):
            return f"{Decimal(repr(value)):f}"
        return str(value) if isinstance(value, int | float) else value

    currency: str | None = Field(None, description="ISO 4217; default: the plan's.")
    discount: str = Field(
        "", description="Why a payment short of the plan's price (less, 0, another currency) "
        "gets a full period anyway; without it such a payment is refused (409).",
    )  # fmt: skip


class GrantIn(BaseModel):
    """Grant a held payment (short of the price, from a provider) its period, saying why."""

    reason: str = Field(min_length=1, description="Why it gets a full period anyway.")


class GiveIn(BaseModel):
    """Give a member days of membership free (a week for a referral, as an apology)."""

    who: str = Field(description="Payment reference (XXXX-XXXX), member:ID or CARRIER:USER_ID.")
    days: int = Field(description="Days given, 1 to 3650 (others are refused, 409).")
    reason: str = Field("", description="Why (audited; the ledger shows it).")
    plan: str = Field("", description="For a member holding no membership: the plan; default: "
                      "the one they last held, else the community's only one.")  # fmt: skip
    key: str = Field("", max_length=40, description="Your reference for this gift: the same "
                     "key again gives nothing more (`created` false).")  # fmt: skip


class GivenOut(BaseModel):
    """What a gift of days did; `created` false: the same key was given before."""

    created: bool
    order: OrderOut
    subscription: SubscriptionOut
    was: datetime | None = Field(
        None, description="The membership's end before; null: started now."
    )


class RecordedOut(BaseModel):
    """What a payment or refund recorded; `created` false: it was recorded before."""

    created: bool
    order: OrderOut
    subscription: SubscriptionOut | None
    held: str = Field("", description="A held payment: what it lacks (it granted nothing).")


def router(web: Web) -> APIRouter:
    """Billing's endpoints: the staff API and the providers' webhooks."""
    from hearthkeeper.capabilities.billing.webhooks import webhook_router

    api = APIRouter(prefix="/api/v1", dependencies=[Depends(require_api)], tags=["billing"],
                    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}})  # fmt: skip

    def community(slug: str) -> Community:
        return api_community(web.store, slug)  # as the core API's endpoints find it

    @api.get("/communities/{slug}/subscriptions", responses=REFUSED)
    def list_subscriptions(
        slug: str,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    ) -> SubscriptionPageOut:
        """A page of the community's subscriptions, newest first (`limit` at a time, after
        `offset`), with how many there are (`total`); as `/members` pages."""
        found = community(slug)
        lines = staff.subscription_lines(web.store, found, web.clock.now(), (limit, offset))
        return SubscriptionPageOut(
            total=SqlBilling.on(web.store).subscription_count(found.id), limit=limit,
            offset=offset,
            subscriptions=[_sub_out(line.subscription, line.name, line.status)
                           for line in lines],
        )  # fmt: skip

    @api.get("/communities/{slug}/orders", responses=REFUSED)
    def list_orders(
        slug: str,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    ) -> OrderPageOut:
        """A page of the community's orders ledger, newest first (`limit` at a time, after
        `offset`), with how many orders there are (`total`); as `/subscriptions` pages."""
        found = community(slug)
        lines = staff.order_lines(web.store, found, limit, offset)
        return OrderPageOut(
            total=SqlBilling.on(web.store).order_count(found.id), limit=limit, offset=offset,
            orders=[OrderOut.model_validate(order) for order, _ in lines],
        )  # fmt: skip

    @api.post("/communities/{slug}/payments", responses=REFUSED)
    def record_payment(slug: str, body: PaymentIn, operator: OperatorDep) -> RecordedOut:
        """Record a payment: it starts a period or extends the current one from its end;
        the same receipt twice records nothing new."""
        found = community(slug)
        try:
            done = staff.pay(web.store, found, body.who, body.plan, body.amount, body.receipt,
                             f"api:{operator.username}", web.clock.now(), body.currency,
                             body.discount)  # fmt: skip
        except BillingError as exc:
            _refuse(exc)
        return _recorded(done)

    @api.post("/communities/{slug}/days-given", responses=REFUSED)
    def give(slug: str, body: GiveIn, operator: OperatorDep) -> GivenOut:
        """Give days of membership free: the member's membership ends that many days later,
        or, holding none, a period of that many days starts now; recorded at 0 as
        `days_given`, audited, and the member is told."""
        key = f"given:api:{body.key.strip()}" if body.key.strip() else ""
        try:
            done = staff.give(web.store, community(slug), body.who, body.days, body.reason,
                              f"api:{operator.username}", web.clock.now(), body.plan, key)  # fmt: skip
        except BillingError as exc:
            _refuse(exc)
        return GivenOut(created=done.created, order=_order_out(done.order),
                        subscription=_sub_out(done.subscription), was=done.was)  # fmt: skip

    @api.post("/communities/{slug}/orders/{order_id}/grant", responses=REFUSED)
    def grant(slug: str, order_id: int, body: GrantIn, operator: OperatorDep) -> RecordedOut:
        """Grant a held payment (a provider's, short of the plan's price) its period: it
        becomes the purchase or renewal it would have been, audited with the reason."""
        try:
            done = staff.grant(web.store, community(slug), order_id, body.reason,
                               f"api:{operator.username}", web.clock.now())  # fmt: skip
        except BillingError as exc:
            _refuse(exc)
        return _recorded(done)

    @api.post("/communities/{slug}/subscriptions/{subscription_id}/refund", responses=REFUSED)
    def refund(
        slug: str,
        subscription_id: int,
        operator: OperatorDep,
        order: Annotated[
            int | None,
            Query(ge=1, le=MAX_ID, description="The payment to give back; default: the latest."),
        ] = None,
    ) -> RecordedOut:
        """Refund one payment (`order`, else the latest) within the plan's window, once: access
        ends unless a period paid otherwise still runs."""
        try:
            done = staff.refund(web.store, community(slug), subscription_id,
                                f"api:{operator.username}", web.clock.now(), order)  # fmt: skip
        except BillingError as exc:
            _refuse(exc)
        return _recorded(done)

    @api.post("/communities/{slug}/subscriptions/{subscription_id}/cancel", responses=REFUSED)
    def cancel(slug: str, subscription_id: int, operator: OperatorDep) -> SubscriptionOut:
        """Cancel at the period's end: access until then, no renewal reminder, then removal."""
        try:
            sub = staff.cancel(web.store, community(slug), subscription_id,
                               f"api:{operator.username}", web.clock.now())  # fmt: skip
        except BillingError as exc:
            _refuse(exc)
        return _sub_out(sub)

    return joined([api, webhook_router(web)])


def _refuse(exc: BillingError) -> NoReturn:
    """A refusal as an HTTP error: 404 for a subscription that does not exist, else 409."""
    message = str(exc)
    status = 404 if "has no subscription" in message or "has no order" in message else 409
    raise HTTPException(status, detail=message[:1].upper() + message[1:] + ".")


def _sub_out(sub: Subscription, name: str = "", status: str = "") -> SubscriptionOut:
    out = SubscriptionOut.model_validate(sub)
    return out.model_copy(update={"member_name": name, "shown_status": status or sub.status.value})


def _order_out(order: Order) -> OrderOut:
    return OrderOut.model_validate(order)


def _recorded(done: Recorded) -> RecordedOut:
    sub = None if done.subscription is None else _sub_out(done.subscription)
    return RecordedOut(created=done.created, order=_order_out(done.order), subscription=sub,
                       held=done.held)  # fmt: skip
