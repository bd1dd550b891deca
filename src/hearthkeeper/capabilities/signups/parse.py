"""Reading the replies people already use in WeChat solitaire (接龙).

Pure: text in, a reading out. `read_reply` reads `+1`, `接龙 2份`, `+1 西兰花 x2`,
`2号 西兰花 2份`, `-1`, or a pasted numbered list; `settle_join` matches it to the list's items.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from hearthkeeper.capabilities.format import echoed
from hearthkeeper.capabilities.lists_common.reading import Problem, compact, normal
from hearthkeeper.capabilities.signups.records import SignUpItem

MAX_QUANTITY = 999
UNITS = "份|个|件|盒|斤|袋|瓶|箱|张|位|名|人|只|支|套|组|包|罐|桶|杯|本|双|对|串|注"
EN_UNITS = (
    r"pcs?|pieces?|portions?|units?|box(?:es)?|bags?|bottles?|packs?|spots?|places?|seats?|tickets?"
)
# `\s*[|\n]\s*` split the same, but tried every space of a run as its start (quadratic): a
# run of spaces is taken whole from its first, or not at all.
SEGMENTS = re.compile(r"(?:(?<!\s)\s+)?[|\n]\s*")
# A line of a pasted list, as the bot numbers entries (`3. mei`) or people do (`3、` `3号`);
# not the `【1】` of an item line.
_ENTRY = re.compile(r"^\s*(\d{1,3})\s*(?:[.、。)）]|号)\s*")
# How many, whatever the number's size (`x1000`, `1500份` ask for 1000 and 1500, which the
# list refuses naming the range, not for 1 with the number as a note, nor for 500).
_QUANTITY = re.compile(
    rf"(?<![a-z])[x×*]\s*(\d+)|(?<!\d)(\d+)\s*(?:{UNITS})|(?<!\d)(\d+)\s*(?:{EN_UNITS})\b|"
    r"(?:qty|数量)\s*(?:[:=]\s*)?(\d+)",
    re.IGNORECASE,
)
_ITEM_NUMBER = re.compile(
    r"#\s*(\d{1,2})|【(\d{1,2})】|\[(\d{1,2})\]|第\s*(\d{1,2})\s*(?:项|个|种|款)|(\d{1,2})\s*号|"
    r"\bitem\s*(\d{1,2})\b",
    re.IGNORECASE,
)
_PLUS = re.compile(r"^\+\s*(\d{1,3})?(?!\d)")
_MINUS = re.compile(r"^-\s*1(?!\d)")
_LONG_NUMBER = re.compile(r"\d{5,}")
_QUESTION = re.compile(r"[?？]|吗|怎么|如何|为什么|哪里|什么|\b(?:how|what|why|where|when)\b", re.I)
TRIM = " \t,，;；:：-—–·。.、/"
# what a join or cancel says besides an item's label: how many, which item by number
FORMS = (_QUANTITY, _ITEM_NUMBER)
SHOW_WORDS = frozenset({"接龙列表", "查看接龙", "接龙名单", "看接龙"})


@dataclass(frozen=True)
class Join:
    """`+1 西兰花 x2`: the count in `+N` (None: `接龙`) and the words after it."""

    counted: int | None
    text: str


@dataclass(frozen=True)
class Cancel:
    """`-1`, `取消接龙 西兰花`: the words after it (an item, or nothing: everything)."""

    text: str


@dataclass(frozen=True)
class Entry:
    """A join settled against the list: which item, how many, and the note left over."""

    item: SignUpItem | None
    quantity: int
    note: str


@dataclass(frozen=True)
class Pasted:
    """A pasted numbered list (or one numbered line): its numbered lines and the whole text."""

    lines: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Show:
    """`接龙列表` typed without a slash."""


Reply = Join | Cancel | Pasted | Show


def read_reply(
    text: str, join_words: Collection[str], cancel_words: Collection[str]
) -> Reply | None:
    """What a member's message means for an open list, if anything (None: ordinary chat)."""
    said = normal(text)
    if not said or len(said) > 4000:
        return None
    if "\n" in said or _ENTRY.match(said):
        lines = tuple(line for line in (_numbered(raw) for raw in said.splitlines()) if line)
        if lines:
            return Pasted(lines, said)
        said = " ".join(said.split())
    squeezed = compact(said)
    if squeezed in SHOW_WORDS:
        return Show()
    if len(said) > 60 or _QUESTION.search(said) or _only_a_number(squeezed):
        return None  # a question, a phone or order number: ordinary chat
    rest = _after(said, _MINUS, cancel_words)
    if rest is not None:
        return Cancel(rest)
    plus = _PLUS.match(said)
    if plus is not None:
        counted = int(plus.group(1)) if plus.group(1) else 1
        return Join(counted, said[plus.end() :].strip()) if counted else None
    rest = _after(said, None, join_words)
    return None if rest is None else Join(None, rest)


def settle_join(items: Sequence[SignUpItem], join: Join) -> Entry | Problem:
    """Which item a join names (by label first, then by number), how many, and the note."""
    item, text = _named(items, normal(join.text))
    quantity = join.counted or 1
    found = _QUANTITY.search(text)
    if found is not None:
        digits = next(g for g in found.groups() if g)
        if len(digits) > len(str(MAX_QUANTITY)):  # never int() of what may be 5,000 digits
            return Problem("bad_quantity", echoed(digits))
        quantity = int(digits)
        text = text[: found.start()] + " " + text[found.end() :]
    if not 1 <= quantity <= MAX_QUANTITY:
        return Problem("bad_quantity", str(quantity))
    if item is None and items:
        number, text = _item_number(text)
        picked = _pick(items, number, text)
        if isinstance(picked, Problem):
            return picked
        item, text = picked
    return Entry(item, quantity, " ".join(text.split()).strip(TRIM)[:60])


def settle_cancel(items: Sequence[SignUpItem], cancel: Cancel) -> SignUpItem | Problem | None:
    """The item a cancel names; None: everything the member signed up for."""
    item, text = _named(items, normal(cancel.text))
    if item is not None or not items:
        return item
    number, text = _item_number(text)
    if number is None and not text:
        return None
    picked = _pick(items, number, text)
    return picked if isinstance(picked, Problem) else picked[0]


def _named(items: Sequence[SignUpItem], text: str) -> tuple[SignUpItem | None, str]:
    said = compact(text)
    named = sorted((i for i in items if compact(i.label) and compact(i.label) in said),
                   key=lambda i: -len(compact(i.label)))  # fmt: skip
    return (named[0], _without(text, named[0].label)) if named else (None, text)


def _pick(items: Sequence[SignUpItem], number: int | None, text: str
          ) -> tuple[SignUpItem, str] | Problem:  # fmt: skip
    if number is not None:
        found = next((i for i in items if i.number == number), None)
        return (found, text) if found else Problem("no_such_item", str(number))
    said = compact(text)
    partial = [i for i in items if said and said in compact(i.label)]
    if len(partial) == 1:
        return partial[0], ""
    if len(items) == 1:
        return items[0], text
    return Problem("which_item", text)


def names_item(items: Sequence[SignUpItem], text: str) -> bool:
    """Whether `text` names one of the items by its label."""
    said = compact(text)
    return any(compact(i.label) and compact(i.label) in said for i in items)


def added_line(lines: Sequence[str], shown: Collection[str], others: Collection[str],
               sender: str) -> str | None:  # fmt: skip
    """The line a member added to a pasted list: not a line the list shows, not another
    member's; the one with the sender's name if there are several, else the last."""
    known = {compact(s) for s in shown}
    names = {n for n in map(compact, others) if n}
    sizes = sorted({len(n) for n in names})  # each line is folded once and looked up by the
    # lengths of names, not compared with every name (a long paste on a long list)
    folded = [(line, compact(line)) for line in lines]
    fresh = [(line, c) for line, c in folded
             if c not in known and not any(c[:k] in names for k in sizes if k <= len(c))]  # fmt: skip
    me = compact(sender)
    mine = [line for line, c in fresh if me and me in c]
    return mine[0] if mine else (fresh[-1][0] if fresh else None)


def without_name(line: str, name: str) -> str:
    """A pasted line without the member's own name (`张三 西兰花 2份` → `西兰花 2份`)."""
    return _without(line, name) if name.strip() else line


def _only_a_number(squeezed: str) -> bool:
    """Whether a reply carries a number of 5 digits or more that says no quantity: a phone
    or order number (`+1 x99999` asks for a quantity, out of range: answered, not chat)."""
    return _LONG_NUMBER.search(squeezed) is not None and (
        _LONG_NUMBER.search(_QUANTITY.sub(" ", squeezed)) is not None
    )


def _numbered(line: str) -> str | None:
    found = _ENTRY.match(line)
    if found is None:
        return None
    content = line[found.end() :].strip()
    return content or None


def _after(said: str, pattern: re.Pattern[str] | None, words: Collection[str]) -> str | None:
    """The words after a leading keyword, if the message starts with one as a whole word."""
    if pattern is not None and (found := pattern.match(said)):
        return said[found.end() :].strip()
    lowered = said.lower()
    ordered = _longest_first(words if isinstance(words, tuple) else tuple(words))
    if not ordered or not lowered.startswith(ordered):
        return None  # starts with none of them (one test for all: most messages are chat)
    for word in ordered:
        if lowered.startswith(word):
            rest = said[len(word) :]
            if not rest or not (rest[0].isalpha() or rest[0] in "?？"):
                return rest.strip()
    return None


@functools.cache
def _longest_first(words: tuple[str, ...]) -> tuple[str, ...]:
    """Keywords folded and lower-cased, longest first, the empty ones left out (a handler's
    keywords are the same for every message: sorted once)."""
    folded = sorted((normal(w).lower() for w in words), key=len, reverse=True)
    return tuple(word for word in folded if word)


def _item_number(rest: str) -> tuple[int | None, str]:
    found = _ITEM_NUMBER.search(rest)
    if found is None:
        return None, " ".join(rest.split()).strip(TRIM)
    number = int(next(g for g in found.groups() if g))
    rest = rest[: found.start()] + " " + rest[found.end() :]
    return number, " ".join(rest.split()).strip(TRIM)


def _without(text: str, label: str) -> str:
    pattern = r"\s*".join(re.escape(c) for c in compact(label))
    return " ".join(re.sub(pattern, " ", normal(text), count=1, flags=re.I).split()).strip(TRIM)
