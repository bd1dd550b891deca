"""What the payment webhooks make of bodies a payment system (or someone else) should not
send: amounts that are not money, bodies that are not events, a body far too large, a
generic event that leaves the amount to the plan. Each answer is a 4xx a sender can read,
and nothing odd reaches the ledger (found trying the webhooks by hand against `hearth serve`)."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest
import stripe

from hearthkeeper.capabilities.billing.amounts import amount_of
from hearthkeeper.capabilities.billing.ledger import BillingError
from hearthkeeper.capabilities.billing.records import NewOrder, OrderKind, Provider
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.billing.webhooks import MAX_BODY_BYTES, sign_hmac
from tests.capabilities.billing.billing_setup import (
    HOOK_SECRET,
    STRIPE_SECRET,
    with_webhook_secrets,
)
from tests.capabilities.billing.test_billing_web import code_of, orders, stripe_post
from tests.console_setup import SLUG, Console


@pytest.fixture
def c(console: Console) -> Console:
    """The console (the shared fixture), its webhooks' secrets set."""
    return with_webhook_secrets(console)


def hook(c: Console, body: bytes) -> httpx.Response:
    """`body` sent to the generic webhook, signed with its secret now."""
    at = int(c.clock.now().timestamp())
    return c.client.post(f"/billing/{SLUG}/webhook", content=body, headers={
        "X-Hearth-Timestamp": str(at), "X-Hearth-Signature": sign_hmac(body, at, HOOK_SECRET)})  # fmt: skip


def signed_stripe(c: Console, payload: str) -> httpx.Response:
    header = stripe.WebhookSignature.generate_signature_header(payload, STRIPE_SECRET)
    return c.client.post(f"/billing/{SLUG}/stripe", content=payload,
                         headers={"Stripe-Signature": header})  # fmt: skip


def test_a_generic_payment_without_amount_or_currency_is_the_plans_price(c: Console) -> None:
    event = {"event_id": "shop-1", "kind": "paid", "reference": code_of(c, "mei"),
             "plan": "half-year"}  # fmt: skip
    assert hook(c, json.dumps(event).encode()).json()["recorded"] is True
    assert orders(c) == [(OrderKind.PURCHASE, Decimal("299.00"), Provider.WEBHOOK)]


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "1e400", "299.001", "12345678901", "-5"])
def test_a_generic_payment_whose_amount_is_not_money_is_refused(c: Console, amount: str) -> None:
    event = {"event_id": "shop-2", "kind": "paid", "reference": code_of(c, "mei"),
             "plan": "half-year", "amount": amount, "currency": "CNY"}  # fmt: skip
    answer = hook(c, json.dumps(event).encode())
    assert answer.status_code == 400, answer.text
    assert "amount" in answer.json()["detail"] and "Nothing was recorded" in answer.json()["detail"]
    assert orders(c) == []


def test_a_stripe_checkout_whose_amount_is_not_money_is_refused(c: Console) -> None:
    event = {"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {
        "id": "cs_1", "payment_intent": "pi_1", "client_reference_id": code_of(c, "mei"),
        "metadata": {"plan": "half-year"}, "amount_total": "1e400", "currency": "cny",
        "payment_status": "paid"}}}  # fmt: skip
    answer = stripe_post(c, event)
    assert answer.status_code == 400 and "amount" in answer.json()["detail"]
    assert orders(c) == []


def test_bodies_that_are_not_events_are_refused_saying_what_is_wrong(c: Console) -> None:
    listed = signed_stripe(c, "[1, 2]")  # signed, but not an event
    assert listed.status_code == 400 and "JSON object" in listed.json()["detail"]
    no_data = signed_stripe(c, json.dumps({"id": "evt_9", "type": "charge.refunded"}))
    assert no_data.status_code == 400 and "has no 'data'" in no_data.json()["detail"]
    for body in (b"[1]", b'"paid"'):
        answer = hook(c, body)
        assert answer.status_code == 400 and "JSON object" in answer.json()["detail"]
    missing = hook(c, json.dumps({"kind": "paid"}).encode())
    assert missing.status_code == 400 and "has no 'event_id'" in missing.json()["detail"]
    assert orders(c) == []


def test_a_body_far_too_large_is_refused_unread(c: Console) -> None:
    big = b'{"pad": "' + b"x" * MAX_BODY_BYTES + b'"}'
    for path in ("stripe", "webhook"):
        answer = c.client.post(f"/billing/{SLUG}/{path}", content=big)
        assert answer.status_code == 413, (path, answer.text)
        assert "bytes" in answer.json()["detail"]
    assert orders(c) == []


@pytest.mark.parametrize("typed", ["NaN", "1e400", "12345678901", "299.001", "1.299"])
def test_staff_amounts_that_do_not_fit_the_ledger_are_refused(typed: str) -> None:
    with pytest.raises(BillingError, match="amount"):
        amount_of(typed, "CNY")
    assert amount_of("9999999999.99", "CNY") == Decimal("9999999999.99")


def test_an_amount_with_a_huge_exponent_is_refused_not_a_crash(c: Console) -> None:
    event = {"event_id": "shop-3", "kind": "paid", "reference": code_of(c, "mei"),
             "plan": "half-year", "amount": "1e999999999"}  # fmt: skip
    answer = hook(c, json.dumps(event).encode())
    assert answer.status_code == 400 and "larger than the ledger keeps" in answer.text
    with pytest.raises(BillingError, match="is not an amount"):  # staff write no exponents
        amount_of("1e999999999", "CNY")
    assert orders(c) == []


def test_an_amount_of_thousands_of_digits_is_said_back_by_its_start(c: Console) -> None:
    """An amount of 5,000 digits was repeated whole in the refusal (the webhook's answer, a
    staff command's error); one sent as a JSON number of 4,400 digits ended the request in a
    500 (Python writes no int so long)."""
    big = "9" * 5_000
    cut = "9" * 40 + "…"
    event = {"event_id": "shop-4", "kind": "paid", "reference": code_of(c, "mei"),
             "plan": "half-year", "amount": "AMOUNT"}  # fmt: skip
    written = json.dumps(event)
    for amount in (f'"{big}"', big[:4_400]):  # a text, and a JSON number
        answer = hook(c, written.replace('"AMOUNT"', amount).encode())
        assert answer.status_code == 400, answer.text
        assert cut in answer.json()["detail"] and len(answer.text) < 500, answer.text
    with pytest.raises(BillingError) as refused:
        amount_of(big, "CNY")
    assert cut in str(refused.value) and len(str(refused.value)) < 200
    with pytest.raises(BillingError) as refused:
        amount_of("1." + big, "CNY")
    assert f"'1.{'9' * 38}…' is not an amount with at most 2 decimals" in (str(refused.value))
    assert orders(c) == []


def test_a_body_nested_too_deeply_is_refused_saying_so(c: Console) -> None:
    answer = hook(c, b'{"a":' * 100_000)
    assert answer.status_code == 400 and "too deeply" in answer.json()["detail"]
    assert orders(c) == []


def test_a_receipt_recorded_for_another_payment_is_refused_not_taken_for_it(c: Console) -> None:
    """A receipt number typed for a second member (or another shop on the server numbering
    alike) is refused saying so: never answered 'recorded before' with the first payment
    while the second member gets nothing."""
    operator = c.store.operator_by_name("ann")
    assert operator is not None
    auth = {"Authorization": f"Bearer {c.site.token(operator)}"}
    api = f"/api/v1/communities/{SLUG}/payments"
    first = c.client.post(api, json={"who": code_of(c, "mei"), "plan": "half-year",
                                     "receipt": "shop-1001"}, headers=auth)  # fmt: skip
    assert first.status_code == 200 and first.json()["created"] is True
    other = c.client.post(api, json={"who": code_of(c, "bo"), "plan": "half-year",
                                     "receipt": "shop-1001"}, headers=auth)  # fmt: skip
    assert other.status_code == 409, other.text
    assert "'shop-1001' is recorded already as order" in other.json()["detail"]
    event = {"event_id": "shop-1001", "kind": "paid", "reference": code_of(c, "bo"),
             "plan": "half-year"}  # fmt: skip
    assert hook(c, json.dumps(event).encode()).json()["recorded"] is True  # another provider
    again = hook(c, json.dumps({**event, "reference": code_of(c, "mei")}).encode())
    assert again.status_code == 400 and "recorded already" in again.json()["detail"]
    assert len(orders(c)) == 2
    subs = SqlBilling.on(c.store).subscriptions(c.community_id)
    assert len(subs) == 2  # mei by the shop's receipt, bo by the webhook


def test_a_receipt_of_another_community_is_refused_without_showing_its_payment(
    c: Console,
) -> None:
    other = c.store.ensure_community("other-shop", "Other shop")
    member = c.store.member_for("webchat", "zed", "Zed")
    with c.store.transaction() as tx:
        SqlBilling.on(tx).record(other.id, member.id, None, NewOrder(
            "half-year", Decimal("10"), "CNY", Provider.MANUAL, "1001", "staff"),
            OrderKind.PURCHASE, c.clock.now())  # fmt: skip
    operator = c.store.operator_by_name("ann")
    assert operator is not None
    answer = c.client.post(f"/api/v1/communities/{SLUG}/payments",
                           json={"who": code_of(c, "mei"), "plan": "half-year", "receipt": "1001"},
                           headers={"Authorization": f"Bearer {c.site.token(operator)}"})  # fmt: skip
    assert answer.status_code == 409, answer.text
    assert "in another community" in answer.json()["detail"]
    assert "order" not in answer.json() and orders(c) == []


@pytest.mark.parametrize("named", ["name", "slug in capitals"])
def test_an_event_for_a_community_named_other_than_by_its_slug_is_refused(
    c: Console, named: str
) -> None:
    """A webhook address takes the community's slug only, exactly: a name changes whenever
    a playbook is applied, so an address written with one would later fail or record the
    payment in another community. The refusal says the slug to use; nothing is recorded."""
    [community] = c.store.list_communities()
    typed = community.name if named == "name" else community.slug.upper()
    event = {"event_id": "shop-10", "kind": "paid", "reference": code_of(c, "mei"),
             "plan": "half-year"}  # fmt: skip
    body = json.dumps(event).encode()
    at = int(c.clock.now().timestamp())
    answer = c.client.post(f"/billing/{typed}/webhook", content=body, headers={
        "X-Hearth-Timestamp": str(at), "X-Hearth-Signature": sign_hmac(body, at, HOOK_SECRET)})  # fmt: skip
    assert answer.status_code == 400, answer.text
    assert f"no community {typed!r}" in answer.json()["detail"]
    assert f"did you mean {SLUG!r}?" in answer.json()["detail"]
    assert orders(c) == []


def test_an_event_for_a_community_that_does_not_exist_names_those_that_do(c: Console) -> None:
    """The refusal listed slugs only ("there are: yan-academy-skincare"), where every other
    refusal names communities as `slug (name)`; a typo gets the nearest slug."""
    [community] = c.store.list_communities()
    event = {"event_id": "shop-9", "kind": "paid", "reference": code_of(c, "mei"),
             "plan": "half-year"}  # fmt: skip
    body = json.dumps(event).encode()
    at = int(c.clock.now().timestamp())
    answer = c.client.post("/billing/yan-academy-skincar/webhook", content=body, headers={
        "X-Hearth-Timestamp": str(at), "X-Hearth-Signature": sign_hmac(body, at, HOOK_SECRET)})  # fmt: skip
    assert answer.status_code == 400, answer.text
    assert answer.json()["detail"] == (
        "Cannot record this event: no community 'yan-academy-skincar' (there are: "
        f"{SLUG} ({community.name})); did you mean {SLUG!r}? Nothing was recorded."
    )
    assert orders(c) == []


def test_a_refund_arriving_before_the_payment_it_names_refunds_nothing_until_it_is_in(
    c: Console,
) -> None:
    """Webhooks come in any order: a refund of the renewal `pay-2`, sent before `pay-2`
    itself, gave back `pay-1` instead (the one payment not refunded yet), ending the
    membership the member had paid for. It is refused (the sender sends it again), and
    once `pay-2` is in, it gives back `pay-2` alone."""
    paid = {"event_id": "pay-1", "kind": "paid", "reference": code_of(c, "mei"),
            "plan": "half-year"}  # fmt: skip
    assert hook(c, json.dumps(paid).encode()).json()["recorded"] is True
    refund = {**paid, "event_id": "refund-2", "kind": "refunded", "refunds": "pay-2"}
    early = hook(c, json.dumps(refund).encode())
    assert early.status_code == 400, early.text
    said = early.json()["detail"]
    assert "no recorded payment matches 'pay-2'" in said and "Nothing was recorded" in said
    assert [k for k, _, _ in orders(c)] == [OrderKind.PURCHASE]
    assert hook(c, json.dumps({**paid, "event_id": "pay-2"}).encode()).json()["recorded"]
    again = hook(c, json.dumps(refund).encode())
    assert again.json()["recorded"] is True, again.text
    given_back = SqlBilling.on(c.store).order_by_id(again.json()["order"])
    assert given_back is not None and given_back.refund_of == 2  # pay-2, not pay-1
    assert [k for k, _, _ in orders(c)] == [OrderKind.PURCHASE, OrderKind.RENEWAL,
                                           OrderKind.REFUND]  # fmt: skip
