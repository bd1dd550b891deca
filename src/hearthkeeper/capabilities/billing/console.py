"""The console's billing page, `/console/c/{slug}/billing`: the seeds' money figures, the
subscriptions and the orders ledger; staff record a payment, refund within the window, or
cancel at the period's end."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hearthkeeper.capabilities.billing import staff
from hearthkeeper.capabilities.billing.given import MAX_DAYS, new_key
from hearthkeeper.capabilities.billing.ledger import BillingError
from hearthkeeper.capabilities.billing.metrics import money_figures
from hearthkeeper.capabilities.billing.records import OrderKind
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.store.ids import MAX_ID
from hearthkeeper.web.auth import require_csrf
from hearthkeeper.web.console.pages import (
    PAGE_SIZE,
    CommunityView,
    ConsoleRoute,
    Pages,
    SignedIn,
    back_to,
    page_number,
    paged,
)
from hearthkeeper.web.templates import render

ORDERS_SHOWN = 200  # the newest orders the page lists (`hearth billing export --orders`: all)

_NOTICES = {
    "paid": "Payment recorded: the member's period starts now (Until, below); their renewal "
    "reminder and their removal at its end are planned.",
    "after-trial": "Payment recorded during the member's free trial: their paid period follows "
    "the trial, keeping its days (Until, below); their renewal reminder and their removal at "
    "its end are planned.",
    "renewed": "Renewal recorded: the member's period is extended from its end (Until, below).",
    "moved": "Payment recorded: the new plan's period starts where the member's current plan "
    "ends (Since and Until, below), so no day paid for is lost; their reminder and removal "
    "follow the new plan.",
    "again": "That receipt was recorded already; nothing new.",
    "given": "Days given: the member's membership ends that much later, or a period of that "
    "many days started now (Until, below); they are told in private where the carrier can.",
    "granted": "The held payment was granted its period; the member is covered.",
    "refunded": "Refunded; access ended and the member is removed from the community's groups.",
    "refunded-already": "That payment was refunded already; nothing more was given back.",
    "renewal": "The renewal is refunded; the member keeps access until the end of the period "
    "paid before it (Until, below).",
    "trial": "The purchase is refunded; the member is back in their free trial until its end "
    "(Until, below), then removed unless they pay.",
    "cancelled": "The subscription ends at its period's end; no reminder, no grace.",
    "other": "Refunded; this subscription ended, and the member stays in the groups through "
    "another plan they hold (Subscriptions, below).",
    "later": "Refunded; the member's later plan, which was to start when this one ended, now "
    "starts where this one ends now, at once if it ended (Since and Until, below): no days "
    "between the two.",
}


def _days(typed: str) -> int:
    """The days typed in the form, as a number, else `BillingError` saying what to type."""
    text = typed.strip()
    if not _WHOLE.fullmatch(text):
        shown = text if len(text) <= 24 else f"{text[:24]}…"
        raise BillingError(f"days {shown!r}: give a whole number of days, 1 to {MAX_DAYS}; "
                           "nothing was recorded")  # fmt: skip
    return int(text)


_WHOLE = re.compile(r"[+-]?[0-9]{1,9}")


def router(pages: Pages) -> APIRouter:
    """The billing page and its three forms."""
    routes = APIRouter(route_class=ConsoleRoute)
    web = pages.web
    store = web.store

    def page(request: Request, view: CommunityView, operator: Any, problem: str = "",
             status: int = 200, typed: dict[str, str] | None = None) -> HTMLResponse:  # fmt: skip
        """The billing page; after a refusal, `problem` says why and `typed` fills the form."""
        now = web.clock.now()
        playbook = view.playbook
        lines = staff.order_lines(store, view.community, ORDERS_SHOWN)
        subs, subs_pages = paged(request, SqlBilling.on(store).subscription_count(view.community.id),
                                 "subs")  # fmt: skip
        return render(
            request, "console/billing.html", status_code=status, operator=operator,
            active="billing", plans=playbook.monetisation.plans if playbook else [],
            subscriptions=staff.subscription_lines(store, view.community, now,
                                                   (PAGE_SIZE, (subs - 1) * PAGE_SIZE)),
            subs_page=subs, subs_pages=subs_pages,
            orders=lines, refunded={o.refund_of for o, _ in lines if o.refund_of is not None},
            orders_total=(SqlBilling.on(store).order_count(view.community.id)
                          if len(lines) == ORDERS_SHOWN else len(lines)),
            orders_on=ORDERS_SHOWN // staff.LIST_PAGE + 1,  # the `billing list --orders` page next
            reasons=SqlBilling.on(store).reasons(view.community.id, [o for o, _ in lines]),
            figures=money_figures(store, view.community.id, now),
            notice=_NOTICES.get(request.query_params.get("notice", ""), ""), problem=problem,
            now=now, typed=typed or {}, give_key=new_key(), **view.context(),
        )  # fmt: skip

    def done(view: CommunityView, notice: str, request: Request | None = None) -> Response:
        """Back to the billing page saying `notice`; on the subscriptions page the form was
        on (`?subs=` in its action: a Refund on page 2 comes back on page 2)."""
        kept = page_number(request, "subs") if request is not None else 1
        subs = f"&subs={kept}" if kept > 1 else ""
        return RedirectResponse(f"{view.path}/billing?notice={notice}{subs}", status_code=303)

    @routes.get("/console/c/{slug}/billing", response_class=HTMLResponse)
    def billing(request: Request, slug: str, operator: SignedIn) -> HTMLResponse:
        return page(request, pages.community(slug), operator)

    @routes.post("/console/c/{slug}/billing/pay", dependencies=[Depends(require_csrf)])
    def pay(request: Request, slug: str, operator: SignedIn, who: Annotated[str, Form()],
            plan: Annotated[str, Form()], receipt: Annotated[str, Form()] = "",
            amount: Annotated[str, Form()] = "",
            discount: Annotated[str, Form()] = "") -> Response:  # fmt: skip
        view = pages.community(slug)
        typed = {"who": who, "plan": plan, "receipt": receipt, "amount": amount,
                 "discount": discount}  # fmt: skip
        try:
            recorded = staff.pay(store, view.community, who, plan, amount, receipt,
                                 f"console:{operator.username}", web.clock.now(),
                                 discount=discount)  # fmt: skip
        except BillingError as exc:
            return page(request, view, operator, str(exc), 409, typed)
        if not recorded.created:
            return done(view, "again")
        if recorded.order.kind is OrderKind.RENEWAL:
            return done(view, "renewed")
        sub = recorded.subscription
        if sub and sub.period_start > recorded.order.at:
            return done(view, "moved")
        # bought in a free trial: the period ends the plan's length after the trial's end
        trial = sub is not None and sub.trial_end is not None and sub.trial_end > recorded.order.at
        return done(view, "after-trial" if trial else "paid")

    @routes.post("/console/c/{slug}/billing/give", dependencies=[Depends(require_csrf)])
    def give(request: Request, slug: str, operator: SignedIn, who: Annotated[str, Form()],
             days: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
             plan: Annotated[str, Form()] = "", key: Annotated[str, Form()] = "",
             back: Annotated[str, Form()] = "") -> Response:  # fmt: skip
        """Give days of membership (`given.give_days`), from this page's form or a member's
        page (`back`: there again); `key`, the form's own, keeps a form sent twice once."""
        view = pages.community(slug)
        typed = {"give_who": who, "days": days, "give_reason": reason, "give_plan": plan}
        try:
            staff.give(store, view.community, who, _days(days), reason,
                       f"console:{operator.username}", web.clock.now(), plan,
                       key.strip()[:40] if key.startswith("given:") else "")  # fmt: skip
        except BillingError as exc:
            return page(request, view, operator, str(exc), 409, typed)
        if back:
            return back_to(view, back, "/billing", notice="given")
        return done(view, "given")

    @routes.post("/console/c/{slug}/billing/orders/{order_id}/grant",
                 dependencies=[Depends(require_csrf)])  # fmt: skip
    def grant(request: Request, slug: str, order_id: int, operator: SignedIn,
              reason: Annotated[str, Form()] = "") -> Response:  # fmt: skip
        view = pages.community(slug)
        try:
            staff.grant(store, view.community, order_id, reason, f"console:{operator.username}",
                        web.clock.now())  # fmt: skip
        except BillingError as exc:
            return page(request, view, operator, str(exc), 409)
        return done(view, "granted")

    @routes.post("/console/c/{slug}/billing/{subscription_id}/refund",
                 dependencies=[Depends(require_csrf)])  # fmt: skip
    def refund(request: Request, slug: str, subscription_id: int, operator: SignedIn,
               order: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None) -> Response:  # fmt: skip
        """Refund the payment `order` (the Orders table's button), else the latest (the
        Subscriptions table's)."""
        view = pages.community(slug)
        try:
            refunded = staff.refund(store, view.community, subscription_id,
                                    f"console:{operator.username}", web.clock.now(),
                                    order_id=order)  # fmt: skip
        except BillingError as exc:
            return page(request, view, operator, str(exc), 409)
        if not refunded.created:  # a second click, a second tab: the first refund stands
            return done(view, "refunded-already", request)
        sub = refunded.subscription
        if refunded.moved is not None:
            return done(view, "later", request)
        if sub is not None and sub.live:
            return done(view, "renewal" if sub.paid else "trial", request)
        if sub is not None and staff.other_plan_of(store, view.community, sub, web.clock.now()):
            return done(view, "other", request)
        return done(view, "refunded", request)

    @routes.post("/console/c/{slug}/billing/{subscription_id}/cancel",
                 dependencies=[Depends(require_csrf)])  # fmt: skip
    def cancel(request: Request, slug: str, subscription_id: int, operator: SignedIn) -> Response:
        view = pages.community(slug)
        try:
            staff.cancel(store, view.community, subscription_id, f"console:{operator.username}",
                         web.clock.now())  # fmt: skip
        except BillingError as exc:
            return page(request, view, operator, str(exc), 409)
        return done(view, "cancelled", request)

    return routes
