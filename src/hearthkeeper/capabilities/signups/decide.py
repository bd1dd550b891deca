"""What the sign-up effects decide, from what they loaded: pure (records and text in, a decision
out), so every rule is tested without a database. The effects load, call these, then write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.format import echoed
from hearthkeeper.capabilities.lists_common.actions import Say
from hearthkeeper.capabilities.lists_common.reading import Problem, compact
from hearthkeeper.capabilities.signups import render as r
from hearthkeeper.capabilities.signups.parse import (
    Cancel,
    Join,
    added_line,
    names_item,
    settle_cancel,
    settle_join,
    without_name,
)
from hearthkeeper.capabilities.signups.records import (
    NewSignUpItem,
    SignUpCancellation,
    SignUpEntry,
    SignUpItem,
    SignUpList,
)
from hearthkeeper.capabilities.signups.requests import SignUpCancel, SignUpPaste, SignUpStart
from hearthkeeper.playbook.positioning import Language


@dataclass(frozen=True)
class Open:
    """Open this list (and schedule its closing at the deadline)."""

    title: str
    items: tuple[NewSignUpItem, ...]
    deadline: datetime


@dataclass(frozen=True)
class Take:
    """Put the member on the list for `quantity` of `item` (None: the list itself)."""

    item: SignUpItem | None
    quantity: int
    note: str
    label: str  # how replies name what was taken: the item, or the list's title


@dataclass(frozen=True)
class Withdraw:
    """Take the member off the list: one item, or (None) everything."""

    item_id: int | None


@dataclass(frozen=True)
class Cancelled:
    """What to say after cancelling: the reply (None: nothing) and each promoted member's
    @-mention (their carrier id, the name the text calls them, the text)."""

    reply: str | None
    promoted: tuple[tuple[str | None, str, str], ...] = ()


def decide_start(current: SignUpList | None, request: SignUpStart, lang: Language) -> Say | Open:
    """One open list per group: a new one only when none is open."""
    if current is not None:
        return Say(r.TEXTS.say("still_open", lang, title=current.title))
    items = tuple(NewSignUpItem(label, price, stock)
                  for label, price, stock in zip(request.labels, request.prices, request.stocks,
                                                 strict=True))  # fmt: skip
    return Open(request.title, items, request.deadline)


def started(lst: SignUpList, lang: Language, zone: ZoneInfo) -> str:
    """The new list as posted: the list itself and how to join it."""
    return r.render(lst, [], zone, lang) + "\n" + r.how_to_join(lst, lang)


def decide_take(lst: SignUpList, entries: Sequence[SignUpEntry], member_id: int, name: str,
                wanted: Join, lang: Language) -> Say | Take:  # fmt: skip
    """Which item and how many a join asks for; refused when it names no item clearly, the
    member is on the list for it already, or it asks for more than the whole stock."""
    settled = settle_join(lst.items, wanted)
    if isinstance(settled, Problem):
        return Say(problem_text(lst, settled, name, lang))
    item, quantity = settled.item, settled.quantity
    mine = next((e for e in entries if e.member_id == member_id
                 and e.item_id == (item.id if item else None)), None)  # fmt: skip
    if mine is not None:
        where = _where(entries, mine, lang)
        return Say(r.TEXTS.say("already", lang, name=name, where=where,
                               what=r.what(lst, item, mine.quantity, lang)))  # fmt: skip
    label = item.label if item is not None and not r.plain(lst) else lst.title
    if item is not None and item.stock is not None and quantity > item.stock:
        return Say(r.TEXTS.say("too_many", lang, name=name, item=label, stock=item.stock,
                               quantity=quantity))  # fmt: skip
    return Take(item, quantity, settled.note, label)


def taken(fresh: SignUpList, entries: Sequence[SignUpEntry], entry: SignUpEntry, take: Take,
          name: str, lang: Language, zone: ZoneInfo) -> str:  # fmt: skip
    """The reply once the entry is written: its place (or its place on the waitlist), what is
    left, and the whole list while it is short (and at every tenth entry)."""
    item = take.item
    now_item = next((i for i in fresh.items if item is not None and i.id == item.id), None)
    if entry.status == "waitlisted":
        left = now_item.left if now_item is not None else 0
        places = "only_left_places" if r.plain(fresh) else "only_left"
        short = r.TEXTS.say(places, lang, left=left) if left else r.TEXTS.say("full", lang)
        position = [
            e.id for e in entries if e.status == "waitlisted" and e.item_id == entry.item_id
        ]
        return r.TEXTS.say("waitlisted", lang, name=name, item=take.label, short=short,
                           position=position.index(entry.id) + 1)  # fmt: skip
    confirmed = [e for e in entries if e.status == "confirmed"]
    number = [e.id for e in confirmed].index(entry.id) + 1
    parts = [r.TEXTS.say("joined", lang, name=name, number=number,
                         what=r.what(fresh, now_item, take.quantity, lang))]  # fmt: skip
    if now_item is not None and now_item.left is not None:
        key = ("left_places" if r.plain(fresh) else "left") if now_item.left else "sold_out_now"
        parts.append(r.TEXTS.say(key, lang, item=take.label, left=now_item.left))
    glue = "" if lang is Language.ZH_CN else " "
    if len(confirmed) <= r.SHORT_LIST or number % r.FULL_EVERY == 0:
        return glue.join(parts) + "\n" + r.render(fresh, entries, zone, lang)
    parts.append(r.TEXTS.say("more", lang, count=len(confirmed)))
    return glue.join(parts)


def decide_paste(lst: SignUpList, entries: Sequence[SignUpEntry], member_id: int, me: str,
                 request: SignUpPaste) -> Join | None:  # fmt: skip
    """The join a pasted list means: the line the member added, when the paste is this list
    (or one line naming the member or an item); None for any other numbered text.
    `entries` include cancelled ones (their lines may still be in what was copied)."""
    lines = list(request.lines)
    shown = [r.line(lst, e) for e in entries]
    others = {e.display_name for e in entries if e.member_id != member_id}
    added = added_line(lines, shown, others, me)
    if added is None:
        return None
    if len(lines) > 1:
        pasted = compact(request.text)
        known = {compact(s) for s in shown}
        if compact(lst.title) not in pasted and not any(compact(x) in known for x in lines):
            return None  # some other numbered text, not this list
    elif not (compact(me) and compact(me) in compact(added)) and not names_item(lst.items, added):
        return None  # one numbered line that names neither the member nor an item
    return Join(None, without_name(added, me))


def decide_cancel(lst: SignUpList, request: SignUpCancel, name: str,
                  lang: Language) -> Say | Withdraw:  # fmt: skip
    """What a cancel takes off the list; asks which when the words name no item clearly."""
    target = settle_cancel(lst.items, Cancel(request.text))
    if isinstance(target, Problem):
        key = "which_cancel" if target.key == "which_item" else target.key
        return Say(problem_text(lst, Problem(key, target.detail), name, lang))
    return Withdraw(target.id if target else None)


def cancelled(lst: SignUpList, done: SignUpCancellation, entries: Sequence[SignUpEntry],
              name: str, explicit: bool, lang: Language) -> Cancelled:  # fmt: skip
    """What to say once cancelled: what was given up, and to each member promoted from the
    waitlist, their new place. Not on the list: a word only if they asked in words."""
    if not done.cancelled:
        return Cancelled(
            r.TEXTS.say("not_on_list", lang, name=name, title=lst.title) if explicit else None
        )
    gone = r.what_of(lst, [(r.item_of(lst, e), e.quantity) for e in done.cancelled], lang)
    confirmed = [e.id for e in entries if e.status == "confirmed"]
    promoted = tuple(
        (entry.user_id, entry.display_name,
         r.TEXTS.say("promoted", lang, name=entry.display_name,
                     number=confirmed.index(entry.id) + 1,
                     what=r.what(lst, r.item_of(lst, entry), entry.quantity, lang)))
        for entry in done.promoted
    )  # fmt: skip
    return Cancelled(r.TEXTS.say("cancelled", lang, name=name, what=gone), promoted)


def no_list(explicit: bool, lang: Language) -> Say:
    """No open list: said only to who asked in words; `+1` and `-1` stay ordinary chat."""
    return Say(r.TEXTS.say("no_list", lang) if explicit else None)


def problem_text(lst: SignUpList, problem: Problem, name: str, lang: Language) -> str:
    """A reply that could not be settled against the list, with its items as examples."""
    example = lst.items[0].label if lst.items else lst.title
    return r.TEXTS.say(problem.key, lang, name=name, detail=echoed(problem.detail), example=example,
                       items=r.items_text(lst, lang))  # fmt: skip


def _where(entries: Sequence[SignUpEntry], mine: SignUpEntry, lang: Language) -> str:
    same = [e.id for e in entries if e.status == mine.status
            and (mine.status == "confirmed" or e.item_id == mine.item_id)]  # fmt: skip
    key = "where_confirmed" if mine.status == "confirmed" else "where_waiting"
    return r.TEXTS.say(key, lang, number=same.index(mine.id) + 1)
