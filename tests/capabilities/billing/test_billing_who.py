"""Who a payment is for, as staff type it (a payment reference, member:ID, CARRIER:USER_ID),
on SQLite and PostgreSQL: a value of the wrong shape is refused naming the shape expected,
and a huge one is not echoed back whole (through the REST API too)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hearthkeeper.capabilities.billing.ledger import BillingError
from hearthkeeper.capabilities.billing.payments import payer
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store
from tests.console_setup import SLUG, Console, build_console


@pytest.fixture
def c(store: Store, store_clock: FrozenClock, tmp_path: Path) -> Iterator[Console]:
    yield build_console(store, store_clock, tmp_path)


def _refusal(store: Store, who: str) -> str:
    with pytest.raises(BillingError) as refused:
        payer(store, who)
    return str(refused.value)


def test_member_with_no_number_asks_for_member_id(store: Store) -> None:
    for who in ("member:-1", "member:mei", "member:", "member:²"):
        said = _refusal(store, who)
        assert "member:ID" in said and "known as" not in said, who
    assert "there is no member 7" in _refusal(store, "member:7")
    assert "(5000 digits)" in _refusal(store, "member:" + "9" * 5000)  # not int()'s ValueError
    mei = store.member_for("webchat", "mei", "美美")
    assert payer(store, f"member:{mei.id}") == payer(store, "webchat:mei") == mei.id


def test_a_huge_who_is_cut_in_the_api_refusal(c: Console) -> None:
    operator = c.store.operator_by_name("ann")
    assert operator is not None
    auth = {"Authorization": f"Bearer {c.site.token(operator)}"}
    huge = "webchat:" + "x" * 100_000
    body = {"who": huge, "plan": "half-year", "receipt": "wx-1", "amount": "299"}
    refused = c.client.post(f"/api/v1/communities/{SLUG}/payments", json=body, headers=auth)
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert len(detail) < 400 and "100000 characters" in detail and "webchat" in detail
    assert len(refused.content) < 1000
