"""Conversion: sign-up lists and group-buys (measured per period); purchases are measured
community-wide by paid membership (the report's `money` section), not per period."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hearthkeeper.store import SignUpReach

ORDERS_NOT_MEASURED = (
    "not measured per period or group: paid membership's purchase and repurchase rates are "
    "the community's to date, in the report's money section (docs/membership.md)"
)


@dataclass(frozen=True)
class Conversion:
    """Lists started, members who saw them, members who joined them (pooled over lists)."""

    lists: int
    saw: int
    joined: int

    @property
    def rate(self) -> float | None:
        """joined ÷ saw; None when nobody saw a list."""
        return self.joined / self.saw if self.saw else None


def conversion(reach: Iterable[SignUpReach], *, group_buy: bool) -> Conversion:
    """Pooled conversion of the group-buys (`group_buy=True`) or the plain sign-up lists."""
    chosen = [r for r in reach if r.group_buy is group_buy]
    return Conversion(len(chosen), sum(len(r.saw) for r in chosen),
                      sum(len(r.joined) for r in chosen))  # fmt: skip
