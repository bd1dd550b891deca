"""Billing on the web side, on the skincare community (paid, half-year plan, zh-CN): the
console page and its forms, the REST API, and the signed webhooks (Stripe's scheme verified
by the `stripe` library, the generic HMAC one)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
import stripe
from sqlalchemy import event

from hearthkeeper.apply import apply_playbook
from hearthkeeper.capabilities.billing import staff
from hearthkeeper.capabilities.billing.records import OrderKind, Provider, Status
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.billing.settings import BillingSecrets
from hearthkeeper.capabilities.billing.webhooks import sign_hmac
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import template_text
from tests.capabilities.billing.billing_setup import (
    HOOK_SECRET,
    STRIPE_SECRET,
    with_webhook_secrets,
)
from tests.console_setup import BASE, SLUG, Console


@pytest.fixture
def c(console: Console) -> Console:
    """The console (the shared fixture), its webhooks' secrets set."""
    return with_webhook_secrets(console)


def code_of(c: Console, user: str) -> str:
    return SqlBilling.on(c.store).reference_for("webchat", user, user, c.clock.now()).code


def orders(c: Console) -> list[tuple[OrderKind, Decimal, Provider]]:
    return [(o.kind, o.amount, o.provider) for o in SqlBilling.on(c.store).orders(c.community_id)]


def kicks_queued(c: Console) -> list[str]:
    return [i.key for i in c.store.outbox_items("pending", limit=1000) if ":kick:" in i.key]


def test_the_console_records_a_payment_once_refunds_and_refuses_late_refunds(c: Console) -> None:
    page = c.get("/billing")
    assert page.status_code == 200 and "颜学院半年会员" in page.text
    assert "No subscriptions yet." in page.text
    now = c.clock.now()
    c.clock.set(now - timedelta(days=8))  # mei paid eight days ago (the session is younger)
    old = {"who": code_of(c, "mei"), "plan": "half-year", "receipt": "taobao-1000"}
    assert c.post("/billing/pay", old).headers["location"].endswith("notice=paid")
    c.clock.set(now)
    form = {"who": code_of(c, "angry"), "plan": "half-year", "receipt": "taobao-1001"}
    done = c.post("/billing/pay", form)
    assert done.status_code == 303 and done.headers["location"].endswith("notice=paid")
    assert "taobao-1001" in c.get("/billing").text
    assert c.post("/billing/pay", form).headers["location"].endswith("notice=again")
    assert len(orders(c)) == 2
    unknown = c.post("/billing/pay", {**form, "who": "ZZZZ-ZZZZ", "receipt": "x"})
    assert unknown.status_code == 409 and "no one was given the payment reference" in unknown.text
    late, fresh = SqlBilling.on(c.store).subscriptions(c.community_id)
    refused = c.post(f"/billing/{late.id}/refund")
    assert refused.status_code == 409 and "refund window" in refused.text
    assert c.post(f"/billing/{fresh.id}/refund").headers["location"].endswith("notice=refunded")
    assert orders(c)[-1] == (OrderKind.REFUND, Decimal("-299.00"), Provider.MANUAL)
    assert kicks_queued(c) == [f"billing:{fresh.id}:kick:refunded:{c.group_id}"]
    audit = [e.action for e in c.store.audit_log(c.community_id)]
    assert "billing purchase" in audit and "billing refund" in audit


def test_the_console_refunds_a_renewal_and_the_member_keeps_the_period_before_it(
    c: Console,
) -> None:
    """Refund on a member who had renewed gave back the renewal and removed them at once:
    the period they paid for first was lost with it."""
    form = {"who": code_of(c, "mei"), "plan": "half-year", "receipt": "taobao-1"}
    assert c.post("/billing/pay", form).headers["location"].endswith("notice=paid")
    [sub] = SqlBilling.on(c.store).subscriptions(c.community_id)
    first_end = sub.period_end
    renewed = c.post("/billing/pay", {**form, "receipt": "taobao-2"})
    assert renewed.headers["location"].endswith("notice=renewed")
    asked = c.get("/billing").text  # what the Refund button asks before it acts
    assert "Refund mei's renewal? They keep access until" in asked
    done = c.post(f"/billing/{sub.id}/refund")
    assert done.headers["location"].endswith("notice=renewal")
    page = c.get("/billing?notice=renewal").text
    assert "The renewal is refunded; the member keeps access" in page
    assert kicks_queued(c) == []
    [after] = SqlBilling.on(c.store).subscriptions(c.community_id)
    assert after.status is Status.ACTIVE and after.period_end == first_end
    assert [k for k, _, _ in orders(c)] == [OrderKind.PURCHASE, OrderKind.RENEWAL, OrderKind.REFUND]
    again = c.post(f"/billing/{sub.id}/refund")  # a second click gives nothing more back
    assert again.status_code == 303 and len(orders(c)) == 3


def test_the_billing_page_says_what_happened_once(c: Console) -> None:
    form = {"who": code_of(c, "mei"), "plan": "half-year", "receipt": "taobao-2000"}
    assert c.post("/billing/pay", form).headers["location"].endswith("notice=paid")
    done = c.get("/billing?notice=paid")
    # a first payment was said to extend a period, "and the lifecycle planned"
    assert done.text.count("period starts now (Until, below)") == 1
    again = c.post("/billing/pay", {**form, "receipt": "taobao-2001"})
    assert again.headers["location"].endswith("notice=renewed")
    renewed = c.get("/billing?notice=renewed").text
    assert "Renewal recorded" in renewed and "period is extended from its end" in renewed
    unknown = c.post("/billing/pay", {**form, "who": "ZZZZ-ZZZZ", "receipt": "x"})
    assert unknown.text.count("no one was given the payment reference") == 1


def test_the_api_records_lists_and_cancels(c: Console) -> None:
    operator = c.store.operator_by_name("ann")
    assert operator is not None
    auth = {"Authorization": f"Bearer {c.site.token(operator)}"}
    api = f"/api/v1/communities/{SLUG}"
    body = {"who": "webchat:mei", "plan": "half-year", "receipt": "wx-1", "amount": "199"}
    short = c.client.post(f"{api}/payments", json=body, headers=auth)  # below 299: say why
    assert short.status_code == 409 and "below the price" in short.json()["detail"]
    assert orders(c) == []
    body["discount"] = "agreed: a friend of the founder"
    first = c.client.post(f"{api}/payments", json=body, headers=auth)
    assert first.status_code == 200 and first.json()["created"] is True
    assert first.json()["order"]["amount"] == "199.00"
    assert c.client.post(f"{api}/payments", json=body, headers=auth).json()["created"] is False
    # the console session alone (no CSRF token) may not write
    assert c.client.post(f"{api}/payments", json=body).status_code == 403
    wrong = c.client.post(f"{api}/payments", json={**body, "plan": "gold", "receipt": "wx-2"},
                          headers=auth)  # fmt: skip
    assert wrong.status_code == 409 and "no plan 'gold'" in wrong.json()["detail"]
    subs = c.client.get(f"{api}/subscriptions", headers=auth).json()["subscriptions"]
    assert [(s["member_name"], s["status"]) for s in subs] == [("美美", "active")]
    cancelled = c.client.post(f"{api}/subscriptions/{subs[0]['id']}/cancel", headers=auth)
    assert cancelled.json()["status"] == "cancel_at_period_end"
    listed = c.client.get(f"{api}/orders", headers=auth).json()["orders"]
    assert [(o["kind"], o["recorded_by"]) for o in listed] == [("purchase", "api:ann")]
    as_number = {"who": "webchat:mei", "plan": "half-year", "receipt": "wx-3", "amount": 249.5,
                 "discount": "renewal offer"}  # fmt: skip
    paid = c.client.post(f"{api}/payments", json=as_number, headers=auth)
    assert paid.status_code == 200 and paid.json()["order"]["amount"] == "249.50"
    assert c.client.post(f"{api}/payments", json={**as_number, "receipt": "wx-4", "amount": True},
                         headers=auth).status_code == 422  # fmt: skip


def stripe_post(
    c: Console, event: dict[str, object], secret: str = STRIPE_SECRET
) -> httpx.Response:
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret)
    return c.client.post(f"/billing/{SLUG}/stripe", content=payload,
                         headers={"Stripe-Signature": header, "Content-Type": "application/json"})  # fmt: skip


def checkout(c: Console, user: str) -> dict[str, object]:
    return {"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {
        "id": "cs_1", "payment_intent": "pi_1", "client_reference_id": code_of(c, user),
        "metadata": {"plan": "half-year"}, "amount_total": 29900, "currency": "cny",
        "payment_status": "paid"}}}  # fmt: skip


def test_a_stripe_checkout_is_verified_recorded_once_and_refunded_by_charge_refunded(
    c: Console,
) -> None:
    forged = stripe_post(c, checkout(c, "newbie"), secret="whsec_wrong")
    assert forged.status_code == 400 and "signature" in forged.json()["detail"].lower()
    assert orders(c) == [] and c.store.find_member("webchat", "newbie") is None
    paid = stripe_post(c, checkout(c, "newbie"))
    assert paid.status_code == 200 and paid.json()["recorded"] is True
    assert stripe_post(c, checkout(c, "newbie")).json()["recorded"] is False  # delivered twice
    assert orders(c) == [(OrderKind.PURCHASE, Decimal("299.00"), Provider.STRIPE)]
    newbie = c.store.find_member("webchat", "newbie")  # created from the payment reference
    assert newbie is not None and newbie.display_name == "newbie"
    renewal = {"id": "evt_2", "type": "invoice.paid", "data": {"object": {
        "id": "in_2", "billing_reason": "subscription_cycle", "amount_paid": 29900, "currency": "cny",
        "parent": {"subscription_details": {"metadata": {"reference": code_of(c, "newbie"),
                                                         "plan": "half-year"}}}}}}  # fmt: skip
    first_end = SqlBilling.on(c.store).subscriptions(c.community_id)[0].period_end
    assert stripe_post(c, renewal).json()["recorded"] is True
    first_invoice = {"id": "evt_3", "type": "invoice.paid", "data": {"object": {
        "id": "in_1", "billing_reason": "subscription_create"}}}  # fmt: skip
    assert "ignored" in stripe_post(c, first_invoice).json()
    refunded = {"id": "evt_4", "type": "charge.refunded", "data": {"object": {
        "id": "ch_1", "payment_intent": "pi_1", "amount_refunded": 29900, "currency": "cny"}}}  # fmt: skip
    assert stripe_post(c, refunded).json()["recorded"] is True
    assert stripe_post(c, refunded).json()["recorded"] is False
    assert [k for k, _, _ in orders(c)] == [OrderKind.PURCHASE, OrderKind.RENEWAL, OrderKind.REFUND]
    sub = SqlBilling.on(c.store).subscriptions(c.community_id)[0]
    # one of the two periods paid is given back: the member keeps the other, not both lost
    assert sub.status is Status.ACTIVE and sub.period_end == first_end


def test_the_generic_webhook_checks_its_hmac_and_age(c: Console) -> None:
    now = int(c.clock.now().timestamp())

    def send(event: dict[str, object], at: int = now, secret: str = HOOK_SECRET) -> httpx.Response:
        body = json.dumps(event).encode()
        return c.client.post(f"/billing/{SLUG}/webhook", content=body, headers={
            "X-Hearth-Timestamp": str(at), "X-Hearth-Signature": sign_hmac(body, at, secret)})  # fmt: skip

    event = {"event_id": "pay-1", "kind": "paid", "reference": code_of(c, "mei"),
             "plan": "half-year", "amount": "299", "currency": "CNY"}  # fmt: skip
    assert send(event, secret="nope").status_code == 400
    old = send(event, at=now - 301)
    assert old.status_code == 400 and "5 minutes" in old.json()["detail"]
    assert orders(c) == []
    assert send(event).json()["recorded"] is True
    assert send(event).json()["recorded"] is False
    back = {**event, "event_id": "refund-1", "kind": "refunded"}
    assert send(back).json()["recorded"] is True
    assert orders(c) == [(OrderKind.PURCHASE, Decimal("299.00"), Provider.WEBHOOK),
                         (OrderKind.REFUND, Decimal("-299.00"), Provider.WEBHOOK)]  # fmt: skip


def test_webhooks_without_a_configured_secret_are_off(c: Console) -> None:
    c.site.web.settings = replace(c.site.web.settings, billing=BillingSecrets())
    off = c.client.post(f"/billing/{SLUG}/stripe", content=b"{}")
    assert off.status_code == 503 and "stripe_webhook_secret_env" in off.json()["detail"]


def test_a_refused_payment_keeps_what_staff_typed(c: Console) -> None:
    form = {"who": code_of(c, "mei"), "plan": "half-year", "receipt": "taobao-2000",
            "amount": "two hundred"}  # fmt: skip
    refused = c.post("/billing/pay", form)
    assert refused.status_code == 409 and "is not an amount" in refused.text
    assert f'value="{form["who"]}"' in refused.text and 'value="taobao-2000"' in refused.text
    assert 'value="two hundred"' in refused.text
    assert 'value="half-year" selected' in refused.text


def test_the_console_takes_an_amount_as_staff_type_it_and_refuses_another_currency(
    c: Console,
) -> None:
    """The amount field refused `￥299` and `299元` ("not an amount"), what a Chinese
    operator types for the half-year plan's 299 CNY; `$29` is refused naming both currencies,
    never recorded as 29 CNY."""
    form = {"who": code_of(c, "mei"), "plan": "half-year", "receipt": "taobao-2100",
            "amount": "$29"}  # fmt: skip
    refused = c.post("/billing/pay", form)
    assert refused.status_code == 409 and orders(c) == []
    assert "in USD, HKD" in refused.text and "priced in CNY" in refused.text
    done = c.post("/billing/pay", {**form, "amount": "￥299"})
    assert done.headers["location"].endswith("notice=paid")
    assert orders(c) == [(OrderKind.PURCHASE, Decimal("299.00"), Provider.MANUAL)]
    operator = c.store.operator_by_name("ann")
    assert operator is not None
    body = {"who": "webchat:angry", "plan": "half-year", "receipt": "wx-2101", "amount": "299元"}
    paid = c.client.post(f"/api/v1/communities/{SLUG}/payments", json=body,
                         headers={"Authorization": f"Bearer {c.site.token(operator)}"})  # fmt: skip
    assert paid.status_code == 200 and paid.json()["order"]["amount"] == "299.00"


def test_a_free_stripe_checkout_is_held_for_staff_who_grant_it_in_the_console_or_api(
    c: Console,
) -> None:
    coupon = checkout(c, "newbie")
    coupon["data"]["object"].update(amount_total=0, payment_status="no_payment_required")  # type: ignore[index]
    held = stripe_post(c, coupon)
    assert held.status_code == 200 and held.json()["recorded"] is True
    assert held.json()["subscription"] is None
    assert "0.00 CNY was paid, below the price of plan 'half-year', 299 CNY" in held.json()["held"]
    assert orders(c) == [(OrderKind.HELD, Decimal("0.00"), Provider.STRIPE)]
    assert SqlBilling.on(c.store).subscriptions(c.community_id) == []
    inbox = [a for a in c.store.staff_alerts(c.community_id) if a.handler == "billing"]
    assert len(inbox) == 1 and "299 CNY" in inbox[0].text
    assert "0.00 CNY" in c.get("/inbox").text
    order_id = held.json()["order"]
    page = c.get("/billing")
    assert f"/billing/orders/{order_id}/grant" in page.text
    no_reason = c.post(f"/billing/orders/{order_id}/grant", {"reason": " "})
    assert no_reason.status_code == 409 and "say why" in no_reason.text
    granted = c.post(f"/billing/orders/{order_id}/grant", {"reason": "launch giveaway"})
    assert granted.headers["location"].endswith("notice=granted")
    assert orders(c) == [(OrderKind.PURCHASE, Decimal("0.00"), Provider.STRIPE)]
    assert [s.status for s in SqlBilling.on(c.store).subscriptions(c.community_id)] == [
        Status.ACTIVE
    ]
    operator = c.store.operator_by_name("ann")
    assert operator is not None
    auth = {"Authorization": f"Bearer {c.site.token(operator)}"}
    api = f"/api/v1/communities/{SLUG}/orders"
    twice = c.client.post(f"{api}/{order_id}/grant", json={"reason": "x"}, headers=auth)
    assert twice.status_code == 409 and "not a held payment" in twice.json()["detail"]
    missing = c.client.post(f"{api}/99999/grant", json={"reason": "x"}, headers=auth)
    assert missing.status_code == 404


def test_the_console_asks_why_a_payment_below_the_price_gets_a_full_period(c: Console) -> None:
    form = {"who": code_of(c, "mei"), "plan": "half-year", "receipt": "taobao-3000",
            "amount": "99"}  # fmt: skip
    refused = c.post("/billing/pay", form)
    assert refused.status_code == 409 and "below the price" in refused.text
    assert 'value="99"' in refused.text and orders(c) == []
    done = c.post("/billing/pay", {**form, "discount": "staff friend"})
    assert done.headers["location"].endswith("notice=paid")
    assert orders(c) == [(OrderKind.PURCHASE, Decimal("99.00"), Provider.MANUAL)]


def test_a_held_payment_the_provider_refunds_is_recorded_and_can_no_longer_be_granted(
    c: Console,
) -> None:
    short = checkout(c, "newbie")
    short["data"]["object"]["amount_total"] = 9900  # type: ignore[index]
    order_id = stripe_post(c, short).json()["order"]
    refunded = {"id": "evt_9", "type": "charge.refunded", "data": {"object": {
        "id": "ch_9", "payment_intent": "pi_1", "amount_refunded": 9900, "currency": "cny"}}}  # fmt: skip
    answer = stripe_post(c, refunded)
    assert answer.status_code == 200 and answer.json()["recorded"] is True
    assert stripe_post(c, refunded).json()["recorded"] is False
    assert orders(c) == [(OrderKind.HELD, Decimal("99.00"), Provider.STRIPE),
                         (OrderKind.REFUND, Decimal("-99.00"), Provider.STRIPE)]  # fmt: skip
    assert [a for a in c.store.staff_alerts(c.community_id) if a.handler == "billing"] == []
    late = c.post(f"/billing/orders/{order_id}/grant", {"reason": "oops"})
    assert late.status_code == 409 and "was refunded by stripe" in late.text


def renewal_invoice(c: Console, user: str, invoice: str = "in_2") -> dict[str, object]:
    return {"id": f"evt_{invoice}", "type": "invoice.paid", "data": {"object": {
        "id": invoice, "billing_reason": "subscription_cycle", "amount_paid": 29900,
        "currency": "cny", "parent": {"subscription_details": {"metadata": {
            "reference": code_of(c, user), "plan": "half-year"}}}}}}  # fmt: skip


def charge_refunded(charge: str, **names: str) -> dict[str, object]:
    return {"id": f"evt_{charge}", "type": "charge.refunded", "data": {"object": {
        "id": charge, "amount_refunded": 29900, "currency": "cny", **names}}}  # fmt: skip


def test_stripe_refunding_the_first_purchase_gives_back_that_payment_not_the_renewal(
    c: Console,
) -> None:
    """Stripe refunded the purchase (pi_1) after a renewal: the ledger gave back the renewal
    instead, and when Stripe then refunded the renewal too, gave it back a second time: two
    refunds of one payment, the member still active with both payments returned."""
    assert stripe_post(c, checkout(c, "newbie")).json()["recorded"] is True
    assert stripe_post(c, renewal_invoice(c, "newbie")).json()["recorded"] is True
    billing = SqlBilling.on(c.store)
    purchase, renewal = billing.orders(c.community_id)
    assert (purchase.provider_ref, renewal.provider_ref) == ("pi_1", "in_2")

    first = stripe_post(c, charge_refunded("ch_1", payment_intent="pi_1")).json()
    assert first["recorded"] is True
    assert billing.order_by_id(first["order"]).refund_of == purchase.id  # type: ignore[union-attr]
    sub = billing.subscriptions(c.community_id)[0]
    assert sub.status is Status.ACTIVE, "the renewal, still paid, keeps one period"

    second = stripe_post(c, charge_refunded("ch_2", invoice="in_2")).json()
    assert second["recorded"] is True
    assert billing.order_by_id(second["order"]).refund_of == renewal.id  # type: ignore[union-attr]
    sub = billing.subscriptions(c.community_id)[0]
    assert sub.status is Status.REFUNDED, "both payments given back: access ends"
    assert sum(o.amount for o in billing.orders(c.community_id)) == Decimal("0.00")


def test_a_payment_staff_refunded_is_not_refunded_again_by_the_providers_webhook(
    c: Console,
) -> None:
    from hearthkeeper.capabilities.billing import staff
    from hearthkeeper.capabilities.billing.ledger import BillingError

    stripe_post(c, checkout(c, "newbie"))
    stripe_post(c, renewal_invoice(c, "newbie"))
    billing = SqlBilling.on(c.store)
    purchase, _ = billing.orders(c.community_id)
    community = c.store.get_community(SLUG)
    assert community is not None and purchase.subscription_id is not None
    with pytest.raises(BillingError, match=r"order 999 is not a payment of subscription 1 \(its "
                       r"payments: order 1 \(purchase of 299.00 CNY\), order 2 \(renewal"):  # fmt: skip
        staff.refund(c.store, community, purchase.subscription_id, "staff", c.clock.now(), 999)
    done = staff.refund(c.store, community, purchase.subscription_id, "staff", c.clock.now(),
                        purchase.id)  # fmt: skip
    assert done.created and done.order.refund_of == purchase.id
    assert done.order.amount == -purchase.amount
    again = staff.refund(c.store, community, purchase.subscription_id, "staff", c.clock.now(),
                         purchase.id)  # fmt: skip
    assert not again.created and again.order.id == done.order.id
    late = stripe_post(c, charge_refunded("ch_1", payment_intent="pi_1")).json()
    assert late == {"recorded": False, "order": done.order.id, "subscription": 1}
    refunds = [o for o in billing.orders(c.community_id) if o.kind is OrderKind.REFUND]
    assert [o.refund_of for o in refunds] == [purchase.id], "given back once"
    assert billing.subscriptions(c.community_id)[0].status is Status.ACTIVE  # the renewal stands


def test_a_generic_refund_naming_no_payment_of_several_is_refused_listing_them(
    c: Console,
) -> None:
    now = int(c.clock.now().timestamp())

    def send(event: dict[str, object]) -> httpx.Response:
        body = json.dumps(event).encode()
        return c.client.post(f"/billing/{SLUG}/webhook", content=body, headers={
            "X-Hearth-Timestamp": str(now), "X-Hearth-Signature": sign_hmac(body, now, HOOK_SECRET)})  # fmt: skip

    paid = {"event_id": "pay-1", "kind": "paid", "reference": code_of(c, "mei"),
            "plan": "half-year"}  # fmt: skip
    assert send(paid).json()["recorded"] is True
    assert send({**paid, "event_id": "pay-2"}).json()["recorded"] is True
    vague = send({**paid, "event_id": "refund-1", "kind": "refunded"})
    assert vague.status_code == 400
    said = vague.json()["detail"]
    assert "2 payments of plan 'half-year' not refunded" in said
    assert "'pay-1'" in said and "'pay-2'" in said and "'refunds'" in said
    assert [k for k, _, _ in orders(c)] == [OrderKind.PURCHASE, OrderKind.RENEWAL]
    named = send({**paid, "event_id": "refund-1", "kind": "refunded", "refunds": "pay-1"})
    assert named.json()["recorded"] is True
    refund = SqlBilling.on(c.store).order_by_id(named.json()["order"])
    assert refund is not None and refund.refund_of == 1


def test_the_console_refunds_the_payment_staff_pick_in_the_orders_table(c: Console) -> None:
    """The member asks for their first purchase back, not the renewal: the Orders table's
    button gives back that payment, once, and then says it was refunded."""
    form = {"who": code_of(c, "mei"), "plan": "half-year", "receipt": "taobao-1"}
    assert c.post("/billing/pay", form).headers["location"].endswith("notice=paid")
    assert c.post("/billing/pay", {**form, "receipt": "taobao-2"}).status_code == 303
    first, renewal = SqlBilling.on(c.store).orders(c.community_id)
    page = c.get("/billing").text
    assert f"Give back mei's payment {first.id} (299.00 CNY)?" in page
    assert page.count("Refund this payment") == 2
    done = c.post(f"/billing/{first.subscription_id}/refund", {"order": str(first.id)})
    assert done.status_code == 303 and done.headers["location"].endswith("notice=renewal")
    refund = SqlBilling.on(c.store).orders(c.community_id)[-1]
    assert (refund.kind, refund.refund_of) == (OrderKind.REFUND, first.id)
    page = c.get("/billing").text
    assert page.count("Refund this payment") == 1 and ">refunded</td>" in page
    again = c.post(f"/billing/{first.subscription_id}/refund", {"order": str(first.id)})
    assert again.status_code == 303 and len(orders(c)) == 3  # nothing more given back
    assert renewal.id not in {o.refund_of for o in SqlBilling.on(c.store).orders(c.community_id)}


def test_the_api_refunds_the_payment_it_names(c: Console) -> None:
    operator = c.store.operator_by_name("ann")
    assert operator is not None
    auth = {"Authorization": f"Bearer {c.site.token(operator)}"}
    api = f"/api/v1/communities/{SLUG}"
    for receipt in ("wx-1", "wx-2"):
        body = {"who": "webchat:mei", "plan": "half-year", "receipt": receipt}
        assert c.client.post(f"{api}/payments", json=body, headers=auth).status_code == 200
    first, second = SqlBilling.on(c.store).orders(c.community_id)
    sub = first.subscription_id
    wrong = c.client.post(f"{api}/subscriptions/{sub}/refund?order=99", headers=auth)
    assert wrong.status_code == 409 and "Order 99 is not a payment" in wrong.json()["detail"]
    back = c.client.post(f"{api}/subscriptions/{sub}/refund?order={first.id}", headers=auth)
    assert back.status_code == 200 and back.json()["order"]["refund_of"] == first.id
    again = c.client.post(f"{api}/subscriptions/{sub}/refund?order={first.id}", headers=auth)
    assert again.json()["created"] is False
    listed = c.client.get(f"{api}/orders", headers=auth).json()["orders"]
    assert [o["refund_of"] for o in listed if o["kind"] == "refund"] == [first.id]
    assert second.id not in [o["refund_of"] for o in listed]


def test_a_trial_offers_no_refund_button_on_the_billing_page(c: Console) -> None:
    """A trial (nothing paid) had a Refund button whose question said the member's latest
    payment would be given back and their access end now; pressing it only said there was no
    payment. A paid subscription keeps its button."""
    repo = SqlBilling.on(c.store)
    now = c.clock.now()
    trial = repo.start(c.community_id, c.member_id("mei"), "half-year", now,
                       now + timedelta(days=3), trial=True, at=now)  # fmt: skip
    assert c.post("/billing/pay", {"who": code_of(c, "angry"), "plan": "half-year",
                                   "receipt": "taobao-1"}).status_code == 303  # fmt: skip
    paid = next(s for s in repo.subscriptions(c.community_id) if s.id != trial.id)
    table = c.get("/billing").text.split('id="subscriptions"', 1)[1].split("</table>", 1)[0]
    rows = {s.id: table.split(f"<td>{s.id}</td>", 1)[1].split("</tr>", 1)[0] for s in (trial, paid)}
    assert ">trial<" in rows[trial.id] and f"/billing/{trial.id}/refund" not in rows[trial.id]
    assert f"/billing/{paid.id}/refund" in rows[paid.id]
    # cancelling a trial asks about the trial, not about renewing a paid period
    assert "free trial at its end" in rows[trial.id] and "paid period" not in rows[trial.id]
    assert "Stop renewing" in rows[paid.id]


def test_the_console_refunds_a_purchase_made_in_the_trial_and_the_trial_runs_on(
    c: Console,
) -> None:
    """Refund on a newcomer who paid during their free trial said "Their access ends now"
    and removed them, the rest of the trial with it: they are back in the trial now."""
    from hearthkeeper.capabilities.billing.lookup import playbook_of
    from hearthkeeper.capabilities.billing.payments import start_trial

    now = c.clock.now()
    with c.store.transaction() as tx:
        community = tx.get_community(SLUG)
        assert community is not None
        member = tx.member_for("webchat", "mei", "mei")
        start_trial(tx, community, playbook_of(tx, community), member.id, "half-year", now,
                    now + timedelta(days=3))  # fmt: skip
    form = {"who": code_of(c, "mei"), "plan": "half-year", "receipt": "taobao-1"}
    assert c.post("/billing/pay", form).headers["location"].endswith("notice=after-trial")
    asked = c.get("/billing").text
    assert "Refund mei's purchase? They go back to their free trial, until" in asked
    assert "(a purchase made in a free trial: back to the trial, to its end)" in asked  # Orders
    [sub] = SqlBilling.on(c.store).subscriptions(c.community_id)
    done = c.post(f"/billing/{sub.id}/refund")
    assert done.headers["location"].endswith("notice=trial")
    assert "back in their free trial" in c.get("/billing?notice=trial").text
    assert kicks_queued(c) == []
    [after] = SqlBilling.on(c.store).subscriptions(c.community_id)
    assert after.status is Status.ACTIVE and after.period_end == now + timedelta(days=3)


def test_the_orders_table_says_why_a_payment_below_the_price_got_a_full_period(
    c: Console,
) -> None:
    """A coupon recorded from the console's form read as a bare '199 CNY' in the Orders
    table: the discount's reason typed with it was only in the audit log."""
    form = {"who": code_of(c, "mei"), "plan": "half-year", "receipt": "taobao-2000",
            "amount": "199", "discount": "双十一优惠券 100 元"}  # fmt: skip
    assert c.post("/billing/pay", form).status_code == 303
    table = c.get("/billing").text.split('id="orders"')[1].split("</table>")[0]
    assert "below the price: 双十一优惠券 100 元" in table


def test_the_health_page_says_who_pays_now_and_the_revenue(c: Console) -> None:
    """The Health page of a paid community showed messages and members who spoke but no money
    figure: how many pay now and what came in were only on the Billing page and the report."""
    form = {"who": code_of(c, "mei"), "plan": "half-year", "receipt": "taobao-1"}
    assert c.post("/billing/pay", form).headers["location"].endswith("notice=paid")
    page = c.get("/health")
    assert page.status_code == 200 and 'id="health-money"' in page.text
    line = " ".join(page.text.split('id="health-money"')[1].split("</p>")[0].split())
    assert "<strong>Members now</strong> 1 paying" in line, line
    assert "<strong>Revenue to date</strong> 299.00 CNY" in line, line
    billing = c.get("/billing").text  # the same figures as the Billing page's
    assert "<td>1 paying</td>" in billing and "<td>299.00 CNY</td>" in billing


def _page_reads(c: Console) -> tuple[int, str]:
    """How many statements the Billing page ran, and its Orders table."""
    ran: list[str] = []

    def count(*args: object) -> None:
        ran.append(str(args[2]))

    event.listen(c.store.engine, "before_cursor_execute", count)
    try:
        page = c.get("/billing")
    finally:
        event.remove(c.store.engine, "before_cursor_execute", count)
    assert page.status_code == 200
    return len(ran), page.text.split('id="orders"')[1].split("</table>")[0]


def _paying(c: Console, members: range) -> None:
    """Members each paying twice (a purchase and a renewal), every third at a discount."""
    community = c.store.get_community(SLUG)
    assert community is not None
    for n in members:
        for receipt in (f"tb-{n}-a", f"tb-{n}-b"):
            discount = f"老会员券 {n}" if n % 3 == 0 else ""
            staff.pay(c.store, community, f"webchat:fan-{n}", "half-year",
                      "199" if discount else "", receipt, "staff", c.clock.now(),
                      discount=discount)  # fmt: skip


def test_the_billing_page_reads_the_same_whatever_the_members_and_orders(c: Console) -> None:
    """At 20,000 orders of 8,000 members the Billing page took 21 s of reads (main, SQLite,
    docs/benchmarks.md): every order and a name per member for the 200 orders shown, a name
    per subscription, the whole billing audit for the discount reasons. It reads what it
    shows, in a number of statements that does not grow with the members and orders."""
    for n in range(60):
        c.store.member_for("webchat", f"fan-{n}", f"Fan {n}")
    _paying(c, range(0, 5))
    few, _ = _page_reads(c)
    _paying(c, range(5, 60))
    many, table = _page_reads(c)
    assert many == few, f"{few} statements with 5 paying members, {many} with 60"
    # what it shows is unchanged: the newest orders first, with the discounts' reasons
    assert table.index("tb-59-b") < table.index("tb-0-a")
    assert table.count("below the price: 老会员券 ") == 2 * 20


def test_refunding_the_first_of_three_plans_asks_naming_each_later_plan(c: Console) -> None:
    """The console's Refund asked about the plan that followed the refunded one only: the
    yearly card bought to follow that one (moved up too) went unmentioned."""
    more = ("  plans:\n"
            "    - id: coaching\n      name: 院长私教月\n      price: 99\n      currency: CNY\n"
            "      period: 1 month\n"
            "    - id: yearly\n      name: 颜学院年卡\n      price: 499\n      currency: CNY\n"
            "      period: 1 year\n")  # fmt: skip
    text = template_text("skincare").replace("  plans:\n", more, 1)
    apply_playbook(c.store, parse_playbook(text), "test")
    community = c.store.get_community(SLUG)
    assert community is not None
    first = staff.pay(c.store, community, "webchat:mei", "half-year", "", "tb-1", "staff",
                      c.clock.now()).subscription  # fmt: skip
    assert first is not None
    for plan, receipt in (("coaching", "tb-2"), ("yearly", "tb-3")):
        staff.pay(c.store, community, "webchat:mei", plan, "", receipt, "staff", c.clock.now())
    page = c.get("/billing").text
    form = page.split(f'action="{BASE}/billing/{first.id}/refund"')[1]
    said = form.split('data-confirm="')[1].split('"')[0]
    assert "their 院长私教月, which was to start when it ended, starts now instead" in said, said
    assert ", followed by their 颜学院年卡, moved up behind it, until " in said, said


def test_a_second_refund_of_one_payment_says_nothing_more_was_given_back(c: Console) -> None:
    """Refund sent twice (a double click, a second tab): the second said "Refunded; access
    ended and the member is removed…" as if it had given money back again. And a payment
    named with another member's subscription (a form from a stale page) answered that it was
    refunded, though nothing was: it is refused, naming the subscription's own payments."""
    form = {"who": code_of(c, "mei"), "plan": "half-year", "receipt": "taobao-1"}
    assert c.post("/billing/pay", form).headers["location"].endswith("notice=paid")
    other = {"who": code_of(c, "angry"), "plan": "half-year", "receipt": "taobao-2"}
    assert c.post("/billing/pay", other).headers["location"].endswith("notice=paid")
    mine, theirs = SqlBilling.on(c.store).subscriptions(c.community_id)
    paid = {o.subscription_id: o.id for o in SqlBilling.on(c.store).orders(c.community_id)}
    order = {"order": str(paid[mine.id])}
    assert c.post(f"/billing/{mine.id}/refund", order).headers["location"].endswith(
        "notice=refunded")  # fmt: skip
    again = c.post(f"/billing/{mine.id}/refund", order)
    assert again.headers["location"].endswith("notice=refunded-already")
    page = c.get("/billing?notice=refunded-already").text
    assert "That payment was refunded already; nothing more was given back." in page
    stale = c.post(f"/billing/{theirs.id}/refund", order)
    assert stale.status_code == 409
    assert f"order {paid[mine.id]} is not a payment of subscription {theirs.id}" in stale.text
    assert [k for k, _, _ in orders(c)] == [OrderKind.PURCHASE, OrderKind.PURCHASE,
                                           OrderKind.REFUND]  # fmt: skip
    assert SqlBilling.on(c.store).subscription(theirs.id).status is Status.ACTIVE  # type: ignore[union-attr]


def test_a_free_community_s_billing_page_measures_nothing_rather_than_zero(c: Console) -> None:
    """A community with no plan and no payment read "Purchase rate 0% (0 of 2)" above "The
    playbook has no membership plans": a rate nobody could have bought into. It says there is
    nothing to measure; once a payment was recorded (a plan since dropped) the figures show."""
    text = template_text("skincare")
    free = text.replace("    kind: paid ", "    kind: open ", 1).replace(
        "    plan: half-year\n", "", 1
    )
    free = free[: free.index("monetisation:")] + free[free.index("copy:") :]
    apply_playbook(c.store, parse_playbook(free), "test")
    page = c.get("/billing").text
    assert "Nothing to measure: no membership plan and no payment recorded." in page
    assert "Purchase rate" not in page

    apply_playbook(c.store, parse_playbook(text), "test")
    form = {"who": code_of(c, "mei"), "plan": "half-year", "receipt": "taobao-1"}
    assert c.post("/billing/pay", form).headers["location"].endswith("notice=paid")
    apply_playbook(c.store, parse_playbook(free), "test")  # the plan dropped, the payment kept
    page = c.get("/billing").text
    assert "Purchase rate" in page and "Nothing to measure" not in page


def _subscriptions_table(page: str) -> list[str]:
    """The member names in the Subscriptions table, top to bottom."""
    table = page.split('id="subscriptions"')[1].split("</table>")[0]
    return [row.split("</td><td>")[1].split("<")[0] for row in table.split("<tr>")[2:]]


def test_the_subscriptions_table_shows_a_page_at_a_time_with_a_way_onward(c: Console) -> None:
    """The Billing page listed every subscription the community ever had (thousands of rows,
    each with its refund question, on one page); now 50 a page, newest first, like the
    Members and Audit pages, and the pages lead on to the oldest."""
    for n in range(55):
        c.store.member_for("webchat", f"fan-{n}", f"Fan {n}")
    _paying(c, range(55))
    first = c.get("/billing")
    assert first.status_code == 200
    names = _subscriptions_table(first.text)
    assert names == [f"Fan {n}" for n in range(54, 4, -1)]  # the newest 50
    assert "Page 1 of 2" in first.text and 'href="/console/c/' in first.text
    assert f'{BASE}/billing?subs=2">Next →' in first.text
    second = c.get("/billing?subs=2")
    assert _subscriptions_table(second.text) == [f"Fan {n}" for n in range(4, -1, -1)]
    assert "Page 2 of 2" in second.text and "← Previous" in second.text
    assert second.text.count(">Refund</button>") == 5  # each still offers its refund
    # an old link past the end, or a page that is no number, still shows rows
    assert _subscriptions_table(c.get("/billing?subs=99").text) == _subscriptions_table(second.text)
    assert _subscriptions_table(c.get("/billing?subs=x").text) == names


def test_a_refund_or_cancel_on_the_second_page_comes_back_on_it(c: Console) -> None:
    """Staff refund Fan 2 on the subscriptions table's page 2: the answer came back on page 1,
    where Fan 2 is not, so nobody could see what the refund did without paging again. Now it
    comes back on page 2 (a cancel too, and a refusal shows page 2 with why)."""
    for n in range(55):
        c.store.member_for("webchat", f"fan-{n}", f"Fan {n}")
    _paying(c, range(55))
    second = c.get("/billing?subs=2").text
    row = second.split("<td>Fan 2</td>")[0].rsplit("<tr>", 1)[1]
    sub = row.split("<td>")[1].split("<")[0]
    assert f'{BASE}/billing/{sub}/refund?subs=2"' in second
    refunded = c.post(f"/billing/{sub}/refund?subs=2", {})
    assert refunded.headers["location"] == f"{BASE}/billing?notice=renewal&subs=2"
    back = c.client.get(refunded.headers["location"]).text
    assert "Page 2 of 2" in back and "Fan 2" in _subscriptions_table(back)
    other = second.split("<td>Fan 3</td>")[0].rsplit("<tr>", 1)[1].split("<td>")[1].split("<")[0]
    cancelled = c.post(f"/billing/{other}/cancel?subs=2", {})
    assert cancelled.headers["location"] == f"{BASE}/billing?notice=cancelled&subs=2"
    refused = c.post("/billing/999999/refund?subs=2", {})  # no such subscription
    assert refused.status_code == 409 and "Page 2 of 2" in refused.text
    first = c.get("/billing").text  # on page 1 the forms carry no page
    assert (
        f'/billing/{first.split("<td>Fan 54</td>")[0].rsplit("<tr>", 1)[1].split("<td>")[1].split("<")[0]}/refund"'
        in first
    )


def test_the_api_gives_the_subscriptions_a_page_at_a_time_with_the_total(c: Console) -> None:
    """`GET …/subscriptions` answered every subscription the community ever had in one list
    (thousands); now a page, newest first, with `total`, `limit` and `offset`, as `/members`."""
    for n in range(55):
        c.store.member_for("webchat", f"fan-{n}", f"Fan {n}")
    _paying(c, range(55))
    operator = c.store.operator_by_name("ann")
    assert operator is not None
    auth = {"Authorization": f"Bearer {c.site.token(operator)}"}
    api = f"/api/v1/communities/{SLUG}/subscriptions"
    first = c.client.get(api, headers=auth).json()
    assert (first["total"], first["limit"], first["offset"]) == (55, 50, 0)
    assert [s["member_name"] for s in first["subscriptions"]] == [
        f"Fan {n}" for n in range(54, 4, -1)
    ]
    rest = c.client.get(api, params={"offset": 50, "limit": 10}, headers=auth).json()
    assert [s["member_name"] for s in rest["subscriptions"]] == [
        f"Fan {n}" for n in range(4, -1, -1)
    ]
    assert rest["total"] == 55
    too_many = c.client.get(api, params={"limit": 501}, headers=auth)
    assert too_many.status_code == 422


def test_the_api_gives_the_orders_ledger_a_page_at_a_time_with_the_total(c: Console) -> None:
    """`GET …/orders` answered the whole ledger in one list (every payment and refund the
    community ever had); now a page, newest first, with `total`, `limit` and `offset`, as
    `/subscriptions`."""
    for n in range(31):
        c.store.member_for("webchat", f"fan-{n}", f"Fan {n}")
    _paying(c, range(31))  # two orders each
    operator = c.store.operator_by_name("ann")
    assert operator is not None
    auth = {"Authorization": f"Bearer {c.site.token(operator)}"}
    api = f"/api/v1/communities/{SLUG}/orders"
    first = c.client.get(api, headers=auth).json()
    assert (first["total"], first["limit"], first["offset"]) == (62, 50, 0)
    rest = c.client.get(api, params={"offset": 50, "limit": 10}, headers=auth).json()
    assert len(first["orders"]) == 50 and len(rest["orders"]) == 10
    every = [o["id"] for o in first["orders"] + rest["orders"]]
    assert every == sorted(every, reverse=True) and len(set(every)) == 60
    assert c.client.get(api, params={"limit": 501}, headers=auth).status_code == 422


def test_the_billing_page_says_how_many_orders_it_leaves_out(c: Console) -> None:
    """The Billing page lists the newest 200 orders: past them it said nothing, and staff
    could take the table for the whole ledger. Now it says how many there are and how to
    read the older ones."""
    for n in range(101):
        c.store.member_for("webchat", f"fan-{n}", f"Fan {n}")
    _paying(c, range(100))  # two orders each: all 200 shown
    page = c.get("/billing").text
    assert page.count("<tr><td>") >= 200 and 'id="orders-shown"' not in page
    _paying(c, range(100, 101))
    said = " ".join(c.get("/billing").text.split())
    assert (
        "The newest 200 of 202 orders; older ones: <code>hearth billing list --orders --page "
        "5</code> and on, or all of them: <code>hearth billing export --orders</code>."
    ) in said


def test_the_api_answers_an_unknown_community_as_its_other_endpoints_do(c: Console) -> None:
    """Billing's endpoints said "There is no community 'coffee'." with no way to find the
    right slug; the read endpoints point at the list of communities."""
    operator = c.store.operator_by_name("ann")
    assert operator is not None
    auth = {"Authorization": f"Bearer {c.site.token(operator)}"}
    for path in ("subscriptions", "orders"):
        answer = c.client.get(f"/api/v1/communities/coffee/{path}", headers=auth)
        assert answer.status_code == 404, answer.text
        assert answer.json()["detail"] == (
            "There is no community 'coffee' (see /api/v1/communities)."
        )


def test_a_refunded_subscription_reads_until_its_refund_not_the_period_it_gave_back(
    c: Console,
) -> None:
    """A refund ends access at once: the Subscriptions table's Until says when (and that it
    was refunded), not the end of the half year given back, which read as access still
    running; `hearth billing list` says the same."""
    from zoneinfo import ZoneInfo

    now = c.clock.now()
    c.clock.set(now - timedelta(days=2))  # mei paid two days ago, within the 7-day window
    form = {"who": code_of(c, "mei"), "plan": "half-year", "receipt": "taobao-2000"}
    assert c.post("/billing/pay", form).headers["location"].endswith("notice=paid")
    [sub] = SqlBilling.on(c.store).subscriptions(c.community_id)
    c.clock.set(now)
    assert c.post(f"/billing/{sub.id}/refund").headers["location"].endswith("notice=refunded")
    shanghai = ZoneInfo("Asia/Shanghai")
    page = c.get("/billing").text
    table = page[page.index('<table id="subscriptions">') :]
    row = table[table.index(f"<td>{sub.id}</td>") :]
    row = " ".join(row[: row.index("</tr>")].split())
    assert f"{c.clock.now().astimezone(shanghai):%Y-%m-%d %H:%M} (refunded)" in row
    assert f"{sub.period_end.astimezone(shanghai):%Y-%m-%d}" not in row
    community = c.store.get_community(SLUG)
    assert community is not None
    [line] = staff.subscription_lines(c.store, community, c.clock.now())
    assert line.ended == c.clock.now()


def test_the_subscriptions_until_column_names_its_time_zone_as_since_does(c: Console) -> None:
    """The Subscriptions table's Since header named the community's time zone and its Until
    header (an hour and minute, the moment access ends) named none: read as the operator's
    own clock, it was off by their difference from the community's."""
    form = {"who": code_of(c, "mei"), "plan": "half-year", "receipt": "taobao-2001"}
    assert c.post("/billing/pay", form).headers["location"].endswith("notice=paid")
    page = c.get("/billing").text
    table = page[page.index('<table id="subscriptions">') :]
    head = table[: table.index("</thead>")]
    for label in ("Since", "Until"):
        assert f'<th>{label} <span class="muted small zone">Asia/Shanghai</span></th>' in head, head


def test_the_console_and_the_api_give_days_once_said_in_the_ledger_as_given_free(
    c: Console,
) -> None:
    """Staff could give a week only as a payment of 0 for a whole half-year."""
    paid = {"who": code_of(c, "mei"), "plan": "half-year", "receipt": "taobao-3000"}
    assert c.post("/billing/pay", paid).headers["location"].endswith("notice=paid")
    [sub] = SqlBilling.on(c.store).subscriptions(c.community_id)
    page = c.get("/billing").text
    key = page.split('name="key" value="')[1].split('"')[0]
    form = {"who": code_of(c, "mei"), "days": "7", "reason": "邀请奖励", "key": key}
    assert c.post("/billing/give", form).headers["location"].endswith("notice=given")
    assert c.post("/billing/give", form).status_code == 303  # the form sent twice: once
    [after] = SqlBilling.on(c.store).subscriptions(c.community_id)
    assert after.period_end == sub.period_end + timedelta(days=7)
    page = c.get("/billing?notice=given").text
    assert "membership ends that much later, or a period of that many days" in page
    assert "7 days given: 邀请奖励" in page and "below the price: 7 days" not in page
    assert "<td>days given</td>" in page and "days_given" not in page  # the kind as read
    refused = c.post("/billing/give", {**form, "days": "a week", "key": ""})
    assert refused.status_code == 409 and "give a whole number of days, 1 to 3650" in refused.text
    refused = c.post("/billing/give", {**form, "days": "-7", "key": ""})
    assert refused.status_code == 409 and "days given are not taken back" in refused.text
    assert [o[0] for o in orders(c)] == [OrderKind.PURCHASE, OrderKind.DAYS_GIVEN]
    # from the member's page: back there, saying so
    mei = c.store.find_member("webchat", "mei")
    assert mei is not None
    member_page = c.get(f"/members/{mei.id}").text
    assert 'action="' in member_page and "Give days of membership" in member_page
    back = f"{BASE}/members/{mei.id}"
    done = c.post("/billing/give", {"who": f"member:{mei.id}", "days": "1", "back": back})
    assert done.headers["location"].endswith(f"/members/{mei.id}?notice=given")
    member_page = c.get(f"/members/{mei.id}?notice=given").text
    assert "Days of membership given: the new end is under Paid membership" in member_page
    history = member_page.split('id="history"')[1]  # each gift listed, the audit log's
    assert "<strong>days given</strong> 1 day of " in history, history
    assert "<strong>days given</strong> 7 days of " in history and ": 邀请奖励" in history, history
    # the API, once per key
    operator = c.store.operator_by_name("ann")
    assert operator is not None
    auth = {"Authorization": f"Bearer {c.site.token(operator)}"}
    api = f"/api/v1/communities/{SLUG}/days-given"
    body = {"who": "webchat:angry", "days": 3, "reason": "apology", "key": "ticket-9"}
    first = c.client.post(api, json=body, headers=auth)
    assert first.status_code == 200 and first.json()["created"] is True, first.text
    assert first.json()["was"] is None and first.json()["order"]["kind"] == "days_given"
    # the member's page says a period only given free is given free, as `/membership` does;
    # mei, who paid before her days were given, is a paying member
    angry = c.store.find_member("webchat", "angry")
    assert angry is not None
    paid = c.get(f"/members/{angry.id}").text.split('id="paid"')[1].split("</table>")[0]
    assert "<td>given free</td>" in paid and "<td>active</td>" not in paid, paid
    paid = c.get(f"/members/{mei.id}").text.split('id="paid"')[1].split("</table>")[0]
    assert "<td>active</td>" in paid and "given free" not in paid, paid
    assert c.client.post(api, json=body, headers=auth).json()["created"] is False
    too_many = c.client.post(api, json={**body, "days": 4000, "key": ""}, headers=auth)
    assert too_many.status_code == 409 and "at most 3650 days" in too_many.json()["detail"]
