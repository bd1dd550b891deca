"""Reading the command that starts a sign-up list or group-buy (接龙), in Chinese and English.

Pure: `/接龙 周六夜跑 限20人 截止 20:00` or
`/团购 有机蔬菜 | 西兰花 ¥12 限20份 | 胡萝卜 ¥8 限10份 | 截止 明天 10:00` → a `ListSpec`,
or a `Problem` that says what could not be read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.lists_common.deadline import read_deadline, split_deadline
from hearthkeeper.capabilities.lists_common.reading import Problem, compact, normal
from hearthkeeper.capabilities.signups.parse import EN_UNITS, SEGMENTS, TRIM, UNITS
from hearthkeeper.capabilities.signups.records import NewSignUpItem

MAX_ITEMS = 30
MAX_COUNT = 99_999  # places or stock: more is a slip of the keyboard
MAX_PRICE_DIGITS = 8  # before the point: ¥99,999,999.99 (the store keeps a price as text)
# An item's own number, as people write it before the item: `1.` `1、` `【1】` `[1]` `(1)`.
_NUMBERING = re.compile(
    r"^\s*(?:(\d{1,3})\s*(?:[.、。)]|号)|【(\d{1,3})】|\[(\d{1,3})\]|[(（](\d{1,3})[)）])\s*"
)
# A number's digits are read from its first (`(?<!\d)`) and a `:` between spaces once
# (`\s*(?:[:=]\s*)?`): tried from every digit and every split of the spaces, a line of
# 3,000 digits took seconds.
_PRICE = re.compile(
    r"[¥$€£]\s*(\d+(?:\.\d{1,2})?)|(?<!\d)(\d+(?:\.\d{1,2})?)\s*(?:元|块钱|块|rmb\b|yuan\b)|"
    r"(?:price|单价|价格)\s*(?:[:=]\s*)?(\d+(?:\.\d{1,2})?)",
    re.IGNORECASE,
)
_STOCK = re.compile(
    rf"(?:限量|限购|限|库存|仅剩|仅|只有|共|\b(?:stock|limit|max|only)\b)\s*(?:[:=]\s*)?(\d+)\s*"
    rf"(?:{UNITS}|(?:{EN_UNITS})\b)?|(?<!\d)(\d+)\s*(?:{UNITS}|(?:{EN_UNITS}|left|available)\b)",
    re.IGNORECASE,
)
_UNLIMITED = re.compile(r"不限量?|无限|\bunlimited\b|\bno limit\b", re.IGNORECASE)
_CAP = re.compile(
    r"(?:限|最多|名额|\b(?:limit|max|up to)\b)\s*(?:[:=]\s*)?(\d+)\s*"
    r"(?:人|位|名|个名额|个|\b(?:people|persons|spots|places|seats)\b)?",
    re.IGNORECASE,
)


# An item of a new list as written is the item the repository puts on the list.
ItemSpec = NewSignUpItem


@dataclass(frozen=True)
class ListSpec:
    """A new list, as written."""

    title: str
    items: tuple[ItemSpec, ...]
    deadline: datetime


def read_list(rest: str, now: datetime, zone: ZoneInfo, default: timedelta) -> ListSpec | Problem:
    """Read a start command's arguments; a `Problem` says what could not be read."""
    segments = [s for s in SEGMENTS.split(normal(rest)) if s.strip()]
    if not segments:
        return Problem("no_title")
    title, cap = _cap(segments[0])  # `周六夜跑 截止 20:00 限20人`: the cap first
    title, when = split_deadline(title, now, zone, first=True)
    if cap is not None and cap > MAX_COUNT:
        return Problem("count_too_large", str(cap)[:20])
    items: list[ItemSpec] = []
    for segment in segments[1:]:
        body, said = split_deadline(segment, now, zone, first=False)
        when = said if said is not None else when
        rest, limit = _cap(body)
        if limit is not None and limit > MAX_COUNT:
            return Problem("count_too_large", str(limit)[:20])
        if limit is not None and not rest.strip(TRIM):
            cap = limit  # `| max 20` on its own: the list's places
        elif body:
            item = read_item(body)
            if isinstance(item, Problem):
                return item
            items.append(item)
    title = title.strip(TRIM)
    if not title:
        return Problem("no_title")
    if cap is not None and items:
        return Problem("cap_with_items", str(cap))
    if cap is not None:
        items = [ItemSpec(title, None, cap)]
    labels = [compact(i.label) for i in items]
    if len(set(labels)) < len(labels):
        return Problem(
            "duplicate_item", next(i.label for i in items if labels.count(compact(i.label)) > 1)
        )
    if len(items) > MAX_ITEMS:
        return Problem("too_many_items", str(MAX_ITEMS))
    deadline = read_deadline(when, now, zone, default)
    if isinstance(deadline, Problem):
        return deadline
    return ListSpec(title[:200], tuple(items), deadline)


def read_item(segment: str) -> ItemSpec | Problem:
    """`西兰花 ¥12 限20份` → ItemSpec("西兰花", "12", 20)."""
    text = _NUMBERING.sub("", segment, count=1)
    price: str | None = None
    found = _PRICE.search(text)
    if found is not None:
        written = next(g for g in found.groups() if g)
        if len(written.partition(".")[0]) > MAX_PRICE_DIGITS:
            return Problem("bad_price", written[:20])
        price = _decimal(written)
        text = text[: found.start()] + " " + text[found.end() :]
    stock: int | None = None
    found = _STOCK.search(text)
    if found is not None:
        stock = int(next(g for g in found.groups() if g))
        if stock > MAX_COUNT:
            return Problem("count_too_large", str(stock)[:20])
        text = text[: found.start()] + " " + text[found.end() :]
    text = _UNLIMITED.sub(" ", text)
    label = " ".join(text.split()).strip(TRIM)
    if not label:
        return Problem("bad_item", segment)
    return ItemSpec(label[:100], price, stock)


def _cap(title: str) -> tuple[str, int | None]:
    found = _CAP.search(title)
    if found is None:
        return title, None
    return (title[: found.start()] + " " + title[found.end() :]).strip(), int(found.group(1))


def _decimal(text: str) -> str:
    try:
        Decimal(text)
    except InvalidOperation:
        return "0"
    return text
