"""What the ledger keeps of a payment's reference and currency, whoever sends it: a receipt
or event id longer than the ledger's column, an empty one, a currency that is not three
letters. Each is refused with a 4xx naming the field, on SQLite and PostgreSQL alike, and
nothing is recorded (found trying the REST API and the webhooks against `hearth serve`:
PostgreSQL answered such a payment with a 500, SQLite kept it, and an event with an empty
id made every later one with an empty id a "replay" that recorded nothing)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.billing.webhooks import sign_hmac
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store
from tests.capabilities.billing.billing_setup import HOOK_SECRET, with_webhook_secrets
from tests.capabilities.billing.test_billing_web import code_of
from tests.console_setup import SLUG, Console, build_console


@pytest.fixture
def c(store: Store, tmp_path: Path, store_clock: FrozenClock) -> Iterator[Console]:
    yield with_webhook_secrets(build_console(store, store_clock, tmp_path))


def recorded(c: Console) -> list[str]:
    return [o.provider_ref for o in SqlBilling.on(c.store).orders(c.community_id)]


def api_pay(c: Console, **body: object) -> tuple[int, str]:
    operator = c.store.operator_by_name("ann")
    assert operator is not None
    answer = c.client.post(f"/api/v1/communities/{SLUG}/payments",
                           headers={"Authorization": f"Bearer {c.site.token(operator)}"},
                           json={"who": "webchat:mei", "plan": "half-year", **body})  # fmt: skip
    return answer.status_code, answer.text


def hook(c: Console, event: dict[str, object]) -> tuple[int, str]:
    body = json.dumps(event).encode()
    at = int(c.clock.now().timestamp())
    answer = c.client.post(f"/billing/{SLUG}/webhook", content=body, headers={
        "X-Hearth-Timestamp": str(at), "X-Hearth-Signature": sign_hmac(body, at, HOOK_SECRET)})  # fmt: skip
    return answer.status_code, answer.text


def test_a_receipt_longer_than_the_ledger_keeps_is_refused_naming_it(c: Console) -> None:
    status, text = api_pay(c, receipt="R" * 300)
    assert status == 409 and "at most 255 characters" in text and "300" in text
    page = c.post("/billing/pay", {"who": "webchat:mei", "plan": "half-year", "receipt": "R" * 300})
    assert page.status_code == 409 and "at most 255 characters" in page.text
    assert recorded(c) == []
    assert api_pay(c, receipt="R" * 255)[0] == 200  # the longest the ledger keeps
    assert recorded(c) == ["R" * 255]


def test_a_currency_that_is_not_three_letters_is_refused_naming_it(c: Console) -> None:
    status, text = api_pay(c, receipt="wx-1", amount="299", currency="DOLLARS",
                           discount="agreed")  # fmt: skip
    assert status == 409 and "'DOLLARS' is not a currency" in text
    event = {"event_id": "shop-1", "kind": "paid", "reference": code_of(c, "mei"),
             "plan": "half-year", "amount": "1", "currency": "USDT"}  # fmt: skip
    status, text = hook(c, event)
    assert status == 400 and "'USDT' is not a currency" in text
    status, text = hook(c, {**event, "event_id": "shop-2", "currency": 123})
    assert status == 400 and "'123' is not a currency" in text
    assert recorded(c) == []
    # another real currency is still held for staff, as before
    assert "held" in hook(c, {**event, "event_id": "shop-3", "currency": "usd"})[1]
    assert recorded(c) == ["shop-3"]


def test_a_webhook_event_id_that_is_empty_or_too_long_records_nothing(c: Console) -> None:
    event = {"kind": "paid", "reference": code_of(c, "mei"), "plan": "half-year"}
    status, text = hook(c, {**event, "event_id": "  "})
    assert status == 400 and "empty" in text
    status, text = hook(c, {**event, "event_id": "e" * 400})
    assert status == 400 and "at most 255 characters" in text
    assert recorded(c) == []
    # a real event after them is recorded, not taken for a replay of an empty id
    assert json.loads(hook(c, {**event, "event_id": "shop-9"})[1])["recorded"] is True
    assert recorded(c) == ["shop-9"]
