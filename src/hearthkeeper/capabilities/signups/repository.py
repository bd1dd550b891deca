"""Sign-up lists and group-buys (接龙) in the database: lists, items with limited stock,
entries, the waitlist.

Stock is taken with one conditional UPDATE (`taken = taken + n WHERE taken + n <= stock`),
so two members taking the last item at the same moment cannot both get it: the database
settles it, and the one whose update finds no room is waitlisted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, func, insert, or_, select, update
from sqlalchemy.orm import Session

from hearthkeeper.capabilities.lists_common.queries import (
    OneOpenPerGroup,
    OnePerGroup,
    carrier_user_id,
    shown_name,
)
from hearthkeeper.capabilities.signups.records import (
    NewSignUpItem,
    SignUpCancellation,
    SignUpEntry,
    SignUpItem,
    SignUpList,
)
from hearthkeeper.store.columns import utc
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.inserts import table_of
from hearthkeeper.store.models import (
    GroupRow,
    MemberRow,
    SignUpEntryRow,
    SignUpItemRow,
    SignUpListRow,
)

_LISTS = table_of(SignUpListRow)
_ITEMS = table_of(SignUpItemRow)
_ENTRIES = table_of(SignUpEntryRow)
ACTIVE = ("confirmed", "waitlisted")


class SignUpRepository(OneOpenPerGroup[SignUpList], Protocol):
    """What the sign-up capability reads and writes (besides `get`, `current`, `latest`
    and `close` of a list)."""

    def open_list(self, community_id: int, group_id: int, title: str,
                  items: Sequence[NewSignUpItem] = (), *, deadline: datetime | None,
                  created_by: int | None, at: datetime) -> SignUpList: ...  # fmt: skip
    def lists(self, community_id: int | None = None, *,
              open_only: bool = False) -> list[SignUpList]: ...  # fmt: skip
    def take(self, list_id: int, member_id: int, quantity: int, *, item_id: int | None = None,
             note: str = "", at: datetime) -> SignUpEntry: ...  # fmt: skip
    def cancel(self, list_id: int, member_id: int, *, item_id: int | None = None,
               at: datetime) -> SignUpCancellation: ...  # fmt: skip
    def entries(self, list_id: int, *, include_cancelled: bool = False) -> list[SignUpEntry]: ...


class SqlSignUps(OnePerGroup[SignUpList]):
    """The sign-up repository on SQLAlchemy; `SqlSignUps.on(tx)` works in the caller's
    transaction. `get`, `current`, `latest` and `close` are the lists' (see `OnePerGroup`)."""

    table = _LISTS

    def _read(self, session: Session, query: Select[Any]) -> SignUpList | None:
        return _list(session, query)

    def open_list(
        self,
        community_id: int,
        group_id: int,
        title: str,
        items: Sequence[NewSignUpItem] = (),
        *,
        deadline: datetime | None,
        created_by: int | None,
        at: datetime,
    ) -> SignUpList:
        """Start a list in a group, with its items numbered from 1 in the order given."""
        values = {
            "community_id": community_id, "group_id": group_id, "title": title,
            "deadline": utc(deadline, "deadline") if deadline else None,
            "created_by": created_by, "status": "open", "created_at": utc(at, "start time"),
            "closed_at": None,
        }  # fmt: skip
        with self._unit(write=True) as session:
            list_id = session.scalar(insert(_LISTS).values(values).returning(_LISTS.c.id))
            assert list_id is not None
            self._opened(group_id)
            if items:
                session.execute(insert(_ITEMS), [
                    {"list_id": list_id, "number": number, "label": item.label,
                     "price": item.price, "stock": item.stock, "taken": 0}
                    for number, item in enumerate(items, start=1)
                ])  # fmt: skip
            found = _list(session, select(_LISTS).where(_LISTS.c.id == list_id))
            assert found is not None
            return found

    def lists(
        self, community_id: int | None = None, *, open_only: bool = False
    ) -> list[SignUpList]:
        """Lists, oldest first: of one community or all; only the open ones if asked."""
        query = select(_LISTS).order_by(_LISTS.c.id)
        if community_id is not None:
            query = query.where(_LISTS.c.community_id == community_id)
        if open_only:
            query = query.where(_LISTS.c.status == "open")
        with self._unit(write=False) as session:
            rows = session.execute(query).all()
            items = _items(session, [row.id for row in rows])
            return [_record(row, items.get(row.id, ())) for row in rows]

    def take(
        self,
        list_id: int,
        member_id: int,
        quantity: int,
        *,
        item_id: int | None = None,
        note: str = "",
        at: datetime,
    ) -> SignUpEntry:
        """Put the member on the list: confirmed when the item has room for `quantity`
        (taken atomically), else waitlisted."""
        if quantity < 1:
            raise StoreError(f"a sign-up needs a quantity of at least 1, not {quantity}")
        at = utc(at, "sign-up time")
        with self._unit(write=True) as session:
            confirmed = True
            if item_id is not None:
                on_list = session.scalar(select(_ITEMS.c.id).where(
                    _ITEMS.c.id == item_id, _ITEMS.c.list_id == list_id))  # fmt: skip
                if on_list is None:
                    raise StoreError(f"item {item_id} is not on sign-up list {list_id}")
                confirmed = _take(session, item_id, quantity)
            placed = _placed_after(session, list_id, at) if confirmed else at
            entry_id = session.scalar(insert(_ENTRIES).values(
                list_id=list_id, item_id=item_id, member_id=member_id, quantity=quantity,
                status="confirmed" if confirmed else "waitlisted", note=note, at=at,
                changed_at=placed,
            ).returning(_ENTRIES.c.id))  # fmt: skip
            assert entry_id is not None
            [entry] = _entries(session, _ENTRIES.c.id == entry_id)
            return entry

    def cancel(
        self, list_id: int, member_id: int, *, item_id: int | None = None, at: datetime
    ) -> SignUpCancellation:
        """Take the member off the list (one item, or everything they signed up for); the
        stock they held goes to the waitlist, in order, while it fits."""
        at = utc(at, "cancel time")
        query = select(_ENTRIES.c.id, _ENTRIES.c.status, _ENTRIES.c.item_id, _ENTRIES.c.quantity)
        query = query.where(_ENTRIES.c.list_id == list_id, _ENTRIES.c.member_id == member_id,
                            _ENTRIES.c.status.in_(ACTIVE)).order_by(_ENTRIES.c.id)  # fmt: skip
        if item_id is not None:
            query = query.where(_ENTRIES.c.item_id == item_id)
        with self._unit(write=True) as session:
            cancelled: list[int] = []
            freed: set[int] = set()
            for row in session.execute(query).all():
                gone = session.execute(
                    update(_ENTRIES)
                    .where(_ENTRIES.c.id == row.id, _ENTRIES.c.status == row.status)
                    .values(status="cancelled", changed_at=at)
                )
                if not gone.rowcount:  # type: ignore[attr-defined]
                    continue  # cancelled at the same moment elsewhere
                cancelled.append(row.id)
                if row.status == "confirmed" and row.item_id is not None:
                    session.execute(update(_ITEMS).where(_ITEMS.c.id == row.item_id)
                                    .values(taken=_ITEMS.c.taken - row.quantity))  # fmt: skip
                    freed.add(row.item_id)
            promoted = [p for item in sorted(freed) for p in _promote(session, item, at)]
            return SignUpCancellation(
                tuple(_entries(session, _ENTRIES.c.id.in_(cancelled))) if cancelled else (),
                tuple(_entries(session, _ENTRIES.c.id.in_(promoted))) if promoted else (),
            )

    def entries(self, list_id: int, *, include_cancelled: bool = False) -> list[SignUpEntry]:
        """The list's entries in the order shown: confirmed (numbered in the order they got
        their place), then the waitlist (in the order they asked), then cancelled ones."""
        where = _ENTRIES.c.list_id == list_id
        if not include_cancelled:
            where = where & _ENTRIES.c.status.in_(ACTIVE)
        with self._unit(write=False) as session:
            return _entries(session, where)


def _placed_after(session: Session, list_id: int, at: datetime) -> datetime:
    """When an entry confirmed now got its place: its message's time, or the newest place
    on the list if that is later. Messages can reach the engine out of their times' order
    (two connections, milliseconds apart); the list is ordered by when places were given,
    so the place a member is told stays their place on the list."""
    newest = session.scalar(select(func.max(_ENTRIES.c.changed_at)).where(
        _ENTRIES.c.list_id == list_id, _ENTRIES.c.status == "confirmed"))  # fmt: skip
    return max(at, utc(newest, "a place's time")) if newest is not None else at


def _take(session: Session, item_id: int, quantity: int) -> bool:
    """Take `quantity` of an item if it has room: one conditional UPDATE, atomic."""
    result = session.execute(
        update(_ITEMS)
        .where(_ITEMS.c.id == item_id,
               or_(_ITEMS.c.stock.is_(None), _ITEMS.c.taken + quantity <= _ITEMS.c.stock))
        .values(taken=_ITEMS.c.taken + quantity)
    )  # fmt: skip
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _promote(session: Session, item_id: int, at: datetime) -> list[int]:
    """Move waitlisted entries of an item to confirmed, oldest first, while they fit; each
    placed as a new entry is (`_placed_after`): never above a place given before."""
    waiting = session.execute(
        select(_ENTRIES.c.id, _ENTRIES.c.list_id, _ENTRIES.c.quantity)
        .where(_ENTRIES.c.item_id == item_id, _ENTRIES.c.status == "waitlisted")
        .order_by(_ENTRIES.c.at, _ENTRIES.c.id)
    ).all()
    promoted: list[int] = []
    for entry_id, list_id, quantity in waiting:
        if not _take(session, item_id, quantity):
            break  # strictly in order: nobody jumps the queue with a smaller quantity
        moved = session.execute(
            update(_ENTRIES)
            .where(_ENTRIES.c.id == entry_id, _ENTRIES.c.status == "waitlisted")
            .values(status="confirmed", changed_at=_placed_after(session, list_id, at))
        )
        if moved.rowcount:  # type: ignore[attr-defined]
            promoted.append(entry_id)
        else:  # it left the waitlist meanwhile: give the stock back
            session.execute(update(_ITEMS).where(_ITEMS.c.id == item_id)
                            .values(taken=_ITEMS.c.taken - quantity))  # fmt: skip
    return promoted


def _list(session: Session, query: Select[Any]) -> SignUpList | None:
    row = session.execute(query).first()
    if row is None:
        return None
    return _record(row, _items(session, [row.id]).get(row.id, ()))


def _items(session: Session, list_ids: list[int]) -> dict[int, tuple[SignUpItem, ...]]:
    found: dict[int, list[SignUpItem]] = {}
    if not list_ids:
        return {}
    query = select(_ITEMS).where(_ITEMS.c.list_id.in_(list_ids)).order_by(_ITEMS.c.number)
    for row in session.execute(query):
        found.setdefault(row.list_id, []).append(SignUpItem(
            id=row.id, list_id=row.list_id, number=row.number, label=row.label,
            price=row.price, stock=row.stock, taken=row.taken,
        ))  # fmt: skip
    return {list_id: tuple(items) for list_id, items in found.items()}


def _record(row: Any, items: tuple[SignUpItem, ...]) -> SignUpList:
    return SignUpList(
        id=row.id, community_id=row.community_id, group_id=row.group_id, title=row.title,
        deadline=row.deadline, created_by=row.created_by, status=row.status,
        created_at=row.created_at, closed_at=row.closed_at, items=items,
    )  # fmt: skip


_ORDER = {"confirmed": 0, "waitlisted": 1, "cancelled": 2}


def _entries(session: Session, where: ColumnElement[bool]) -> list[SignUpEntry]:
    user_id = carrier_user_id(_ENTRIES.c.member_id)
    query = (
        select(_ENTRIES, MemberRow.display_name, user_id.label("user_id"))
        .join(MemberRow, MemberRow.id == _ENTRIES.c.member_id)
        .join(_LISTS, _LISTS.c.id == _ENTRIES.c.list_id)
        .join(GroupRow, GroupRow.id == _LISTS.c.group_id)
        .where(where)
    )
    return sorted((_entry(row) for row in session.execute(query)), key=_shown_order)


def _entry(row: Any) -> SignUpEntry:
    return SignUpEntry(
        id=row.id, list_id=row.list_id, item_id=row.item_id, member_id=row.member_id,
        display_name=shown_name(row), user_id=row.user_id,
        quantity=row.quantity,
        status=row.status, note=row.note, at=row.at, changed_at=row.changed_at,
    )  # fmt: skip


def _shown_order(entry: SignUpEntry) -> tuple[int, datetime, int]:
    """Confirmed by when they got their place; the waitlist by when they asked."""
    when = entry.changed_at if entry.status == "confirmed" else entry.at
    return _ORDER.get(entry.status, 3), when, entry.id
