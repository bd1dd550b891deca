"""An amount of money as staff type it — `299`, `￥299`, `299元`, `299.00 元`, `RMB 299`,
`$29`, `29 USD`, `1,299` — read the same way by the console, the CLI (`hearth billing pay`,
`hearth events pay|create`) and the REST API, against the currency it is recorded in.

Full-width characters (`２９９`, `￥`, `１，２９９．００`, what a Chinese input method types)
read as their ASCII forms. A currency sign or code, before or after the number, must be one
the currency can be written with (`¥` is CNY's or JPY's, `$` any dollar's): `$29` for a CNY
plan is refused naming both, never recorded as 29 CNY. What could be read two ways is
refused: a comma is a thousands separator only between groups of three digits (`1,299`),
never a decimal comma (`29,90`, `1.299,00`), and a point followed by three digits (`1.299`)
is not taken for a thousands separator.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from hearthkeeper.capabilities.billing.ledger import BillingError
from hearthkeeper.text.controls import quoted

MAX_AMOUNT = Decimal("9999999999.99")  # the ledger's NUMERIC(12, 2)

_DOLLARS = ("USD", "HKD", "TWD", "SGD", "AUD", "CAD", "NZD")
_YUAN = ("CNY", "HKD", "TWD", "MOP")  # 元 (块 colloquially) is the unit's name in each

# A sign or word written beside a number → the currencies it can stand for (after NFKC, and
# upper-cased: `rmb`, `us$`); any other three letters are read as an ISO 4217 code.
_MARKS: dict[str, tuple[str, ...]] = {
    "¥": ("CNY", "JPY"),
    "CN¥": ("CNY",),
    "RMB": ("CNY",),
    "人民币": ("CNY",),
    "元": _YUAN,
    "块": _YUAN,
    "块钱": _YUAN,
    "$": _DOLLARS,
    "US$": ("USD",),
    "美元": ("USD",),
    "美金": ("USD",),
    "HK$": ("HKD",),
    "港元": ("HKD",),
    "港币": ("HKD",),
    "NT$": ("TWD",),
    "新台币": ("TWD",),
    "台币": ("TWD",),
    "S$": ("SGD",),
    "A$": ("AUD",),
    "C$": ("CAD",),
    "€": ("EUR",),
    "欧元": ("EUR",),
    "£": ("GBP",),
    "英镑": ("GBP",),
    "円": ("JPY",),
    "日元": ("JPY",),
    "₩": ("KRW",),
    "韩元": ("KRW",),
}
_MARK = "|".join(re.escape(m) for m in sorted(_MARKS, key=len, reverse=True)) + "|[A-Z]{3}"
# The number is taken loosely here (digits, commas, points) so that what is wrong with it can
# be said precisely below; a sign may stand before the currency mark or the number, and 整
# after the mark (`299元整`, as a receipt writes it).
_TYPED = re.compile(
    rf"(?P<sign>[-+]?)\s*(?:(?P<before>{_MARK})\s*)?(?P<sign2>[-+]?)\s*"
    rf"(?P<number>(?=[.,]*[0-9])[0-9.,]+)\s*(?:(?P<after>{_MARK})整?)?"
)
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")


def currencies_of(mark: str) -> tuple[str, ...]:
    """The currencies a sign or code written beside an amount stands for (`¥`: CNY, JPY)."""
    upper = mark.upper()
    return _MARKS.get(upper, (upper,))


def amount_of(text: str, currency: str, priced: str = "") -> Decimal:
    """The amount `text` says, in `currency` (ISO 4217), if the ledger can keep it;
    `BillingError` saying what is wrong otherwise (`typed_amount`, `checked_amount`)."""
    return checked_amount(typed_amount(text, currency, priced), text)


def typed_amount(text: str, currency: str, priced: str = "") -> Decimal:
    """The amount `text` says, in `currency` (ISO 4217); `BillingError` saying what is
    wrong when it is no amount, is ambiguous, or names another currency (`priced` says whose
    currency `currency` is, e.g. "plan 'vip' is priced in CNY")."""
    typed = unicodedata.normalize("NFKC", text).strip()
    found = _TYPED.fullmatch(typed.upper())
    if found is None or (found["sign"] and found["sign2"]):
        raise BillingError(f"{quoted(text)} is not an amount; write e.g. 299, 299.00, ¥299, "
                           "299元 or 1,299")  # fmt: skip
    expected = currency.strip().upper()
    for mark in (found["before"], found["after"]):
        if mark is not None and expected not in currencies_of(mark):
            named = currencies_of(mark)
            shown = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} or {named[-1]}"
            raise BillingError(f"{quoted(text)} is an amount in {shown}, but "
                               f"{priced or f'this payment is in {expected}'}; nothing was "
                               "recorded")  # fmt: skip
    number = found["number"]
    if "," in number and not _GROUPED.fullmatch(number):
        raise BillingError(f"{quoted(text)} could be read two ways: a comma only separates "
                           "thousands (1,299), and decimals follow a point (29.90 or "
                           "1,299.00)")  # fmt: skip
    if not _PLAIN.fullmatch(number.replace(",", "")):
        raise BillingError(f"{quoted(text)} is not an amount: one decimal point at most "
                           "(29.90; a thousand and more is written 1299 or 1,299)")  # fmt: skip
    if re.fullmatch(r"[1-9][0-9]{0,2}\.[0-9]{3}", number):  # a thousands point? (1.299)
        raise BillingError(f"{quoted(text)} is not an amount with at most 2 decimals; a "
                           "thousand and more is written 1299 or 1,299")  # fmt: skip
    try:
        return Decimal(found["sign"] + found["sign2"] + number.replace(",", ""))
    except InvalidOperation:  # the patterns above let none through; kept as a last word
        raise BillingError(f"{quoted(text)} is not an amount; write e.g. 299 or 299.00") from None


def checked_amount(value: Decimal, shown: object) -> Decimal:
    """`value` if the ledger can keep it (finite, at most 2 decimals, at most `MAX_AMOUNT`
    either way); `BillingError` naming `shown` (what was sent) otherwise."""
    if not value.is_finite() or value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise BillingError(f"{quoted(shown)} is not an amount with at most 2 decimals")
    # by its digits first: abs() of a number like 1e999999999 overflows the decimal context
    if value.adjusted() > MAX_AMOUNT.adjusted() or abs(value) > MAX_AMOUNT:
        raise BillingError(
            f"the amount {quoted(shown)} is larger than the ledger keeps ({MAX_AMOUNT:f})"
        )
    return value
