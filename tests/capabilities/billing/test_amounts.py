"""An amount as staff type it, read one way for the console, the CLI and the API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearthkeeper.capabilities.billing.amounts import MAX_AMOUNT, amount_of
from hearthkeeper.capabilities.billing.ledger import BillingError


@pytest.mark.parametrize(
    ("typed", "currency", "read"),
    [
        ("299", "CNY", "299"),
        ("299.00", "CNY", "299.00"),
        ("￥299", "CNY", "299"),  # the full-width sign a Chinese input method types
        ("¥299", "CNY", "299"),
        ("¥ 299", "JPY", "299"),
        ("299元", "CNY", "299"),
        ("299.00 元", "CNY", "299.00"),
        ("299元整", "CNY", "299"),
        ("人民币299元", "CNY", "299"),
        ("RMB 299", "CNY", "299"),
        ("rmb299", "CNY", "299"),
        ("CNY 299", "CNY", "299"),
        ("$29", "USD", "29"),
        ("US$29.90", "USD", "29.90"),
        ("HK$ 29", "HKD", "29"),
        ("29 USD", "USD", "29"),
        ("29usd", "USD", "29"),
        ("€12,50".replace(",", "."), "EUR", "12.50"),
        ("1,299", "CNY", "1299"),
        ("1,299.00", "CNY", "1299.00"),
        ("¥1,234,567.8", "CNY", "1234567.8"),
        ("２９９", "CNY", "299"),  # full-width digits
        ("１，２９９．００元", "CNY", "1299.00"),
        ("  299  ", "CNY", "299"),
        (".5", "CNY", "0.5"),
        ("-¥5", "CNY", "-5"),  # read; what a negative payment means is the ledger's to refuse
        ("9999999999.99", "CNY", "9999999999.99"),
    ],
)
def test_an_amount_is_read_as_staff_type_it(typed: str, currency: str, read: str) -> None:
    assert amount_of(typed, currency) == Decimal(read)


@pytest.mark.parametrize(
    ("typed", "currency", "said"),
    [
        ("$29", "CNY", "'$29' is an amount in USD, HKD, TWD, SGD, AUD, CAD or NZD, but"),
        ("29 USD", "CNY", "'29 USD' is an amount in USD, but this payment is in CNY"),
        ("¥299", "USD", "is an amount in CNY or JPY, but this payment is in USD"),
        ("299元", "JPY", "is an amount in CNY, HKD, TWD or MOP, but"),
        ("¥299 USD", "CNY", "is an amount in USD"),
        ("1.299,00", "CNY", "could be read two ways"),  # 1299 written the European way
        ("29,90", "CNY", "could be read two ways"),  # a decimal comma, or 2990?
        ("1,2999", "CNY", "could be read two ways"),
        ("1.299", "CNY", "at most 2 decimals; a thousand and more is written 1299 or 1,299"),
        ("1.2.3", "CNY", "one decimal point at most"),
        ("299.001", "CNY", "at most 2 decimals"),
        ("two hundred", "CNY", "is not an amount"),
        ("1e5", "CNY", "is not an amount"),
        ("NaN", "CNY", "is not an amount"),
        ("¥", "CNY", "is not an amount"),
        ("", "CNY", "is not an amount"),
        ("-¥-5", "CNY", "is not an amount"),
        ("٢٩٩", "CNY", "is not an amount"),  # Arabic-Indic digits: Decimal would take them
        ("12345678901", "CNY", "larger than the ledger keeps"),
    ],
)
def test_what_is_no_amount_ambiguous_or_another_currency_is_refused_saying_so(
    typed: str, currency: str, said: str
) -> None:
    with pytest.raises(BillingError) as refused:
        amount_of(typed, currency)
    assert said in str(refused.value)


def test_the_plan_s_currency_is_named_as_the_caller_says_it() -> None:
    with pytest.raises(BillingError, match=r"but plan 'vip' is priced in CNY"):
        amount_of("$29", "CNY", "plan 'vip' is priced in CNY")


@given(st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2))
def test_any_amount_written_with_separators_and_a_sign_reads_back(value: Decimal) -> None:
    for written in (f"{value:f}", f"{value:,f}", f"￥{value:,f}", f"{value:,f} 元"):
        assert amount_of(written, "CNY") == value, written
