"""What the sign-up repository gives back: lists with their items, members' entries, what a
cancellation did; and what a new list is made of."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SignUpItem:
    """Something on a sign-up list with limited stock (a group-buy item)."""

    id: int
    list_id: int
    number: int  # 1-based, as shown
    label: str
    price: str | None  # a decimal as text, exact
    stock: int | None  # None: unlimited
    taken: int

    @property
    def left(self) -> int | None:
        """How many are still free (None: unlimited)."""
        return None if self.stock is None else max(self.stock - self.taken, 0)


@dataclass(frozen=True)
class SignUpList:
    """A sign-up list or group-buy (接龙) with its items."""

    id: int
    community_id: int
    group_id: int
    title: str
    deadline: datetime | None
    created_by: int | None
    status: str  # open | closed
    created_at: datetime
    closed_at: datetime | None
    items: tuple[SignUpItem, ...] = ()


@dataclass(frozen=True)
class SignUpEntry:
    """One member's line on a list: confirmed, waitlisted or cancelled."""

    id: int
    list_id: int
    item_id: int | None
    member_id: int
    display_name: str  # the member's name (their carrier id when they gave none)
    user_id: str | None  # the member's id on the group's carrier, for @-mentions
    quantity: int
    status: str  # confirmed | waitlisted | cancelled
    note: str
    at: datetime
    changed_at: datetime


@dataclass(frozen=True)
class SignUpCancellation:
    """What cancelling did: the entries cancelled and the waitlisted entries promoted."""

    cancelled: tuple[SignUpEntry, ...]
    promoted: tuple[SignUpEntry, ...]


@dataclass(frozen=True)
class NewSignUpItem:
    """An item to put on a new list: its label, price (decimal text) and stock (None: unlimited)."""

    label: str
    price: str | None = None
    stock: int | None = None
