"""A count with its noun, singular for one: "1 message", "3 messages" (the console and the
report say counts that can be 1)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from hearthkeeper.text.folding import name_order

NAMES_SHOWN = 5  # groups named in a line about several; the rest are counted


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and `noun`, in the plural (`plural`, else the noun with an s) unless `n` is 1."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def percent(share: float, places: int = 0) -> str:
    """A share (0..1) as a percentage rounded half up, as by hand and as the health score,
    the Billing page and the report say them: 0.125 → "13%", not "12%" as `round` and
    `format` (to even) say; with `places` decimals, 0.1225 → "12.3%" (places=1), not "12.2%".
    The share as Python writes it (`repr`) is what is rounded, so 0.285 (written so, held as
    0.28499…) reads "29%"."""
    exact = Decimal(repr(float(share))) * 100
    return f"{exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}%"


def whole_shares(counts: Sequence[int]) -> list[int]:
    """Each count's share of their sum in whole percent, adding up to 100 (largest
    remainder): each share's whole part, then the points left over to the largest
    remainders — a tie to the larger count, then the earlier one. 1/3 each reads 34, 33, 33
    (half up read 33 three times: 99%); 1 and 7 of 8 read 12 and 88 (half up: 13 and 88,
    101%). All zero: every share 0."""
    total = sum(counts)
    if total <= 0:
        return [0 for _ in counts]
    shares = [count * 100 // total for count in counts]
    left = 100 - sum(shares)
    order = sorted(range(len(counts)),
                   key=lambda i: (-(counts[i] * 100 % total), -counts[i], i))  # fmt: skip
    for i in order[:left]:
        shares[i] += 1
    return shares


def half_up_share(count: int, total: int) -> int:
    """`count` of `total` in whole percent, half up, in integers (1 of 8: 13)."""
    return (count * 200 + total) // (total * 2) if total > 0 else 0


def weekly(average: float) -> str:
    """A weekly average as people say it: whole from 10 up ("208", not "207.75"), else to one
    decimal ("2.5", "3"); halves up, as by hand ("7.3" for 29 ÷ 4 = 7.25, "19" for 18.5), not
    to even as `round` does."""
    exact = Decimal(repr(average))
    if average >= 10:
        return str(int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    return f"{float(exact.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)):g}"


def groups_named(names: Sequence[str], shown: int = NAMES_SHOWN) -> str:
    """The group's name, or how many groups with the first few names ("40 groups (1群, 2群,
    3群, 4群, 5群 and 35 more)"), in the order names are listed (`name_order`: 2群 before
    10群): a matrix of 100 groups reads as one line, not a hundred."""
    if len(names) == 1:
        return names[0]
    names = sorted(names, key=name_order)
    more = len(names) - shown
    listed = ", ".join(names[:shown])
    return f"{len(names)} groups ({listed}{f' and {more} more' if more > 0 else ''})"
