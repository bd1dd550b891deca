"""Whether a message is a check-in (打卡): the keyword first, maybe a short note after it."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import cache

NOTE_LIMIT = 50  # a check-in may carry a short note ("打卡 第3天 跑了5公里"), not an essay
_OPENERS = "【[(（「#＃"
_CLOSERS = "】])）」"
_PARTICLES = "了啦咯喽哦呀"
_SEPARATORS = set(" :：,，.。!！~～-—|/、")
_QUESTION = ("?", "？")


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def check_in_note(text: str, keywords: Sequence[str]) -> str | None:
    """The note of a check-in message ("" for the bare keyword); None when the message is not
    a check-in (it only mentions the word, asks a question, or runs long)."""
    body = _fold(text).lstrip(_OPENERS).lstrip()
    if not body or body.endswith(_QUESTION):
        return None
    spellings = _spellings(keywords if isinstance(keywords, tuple) else tuple(keywords))
    if not spellings or not body.startswith(spellings):
        return None  # starts with none of them (one test for all: most messages are chat)
    for keyword in spellings:
        if not body.startswith(keyword):
            continue
        rest = body[len(keyword) :].lstrip(_CLOSERS)
        if rest[:1] and rest[0] in _PARTICLES:
            rest = rest[1:]
        if rest and rest[0] not in _SEPARATORS and not _note_may_follow(keyword, rest):
            continue
        note = rest.strip("".join(_SEPARATORS)).strip()
        return note if len(note) <= NOTE_LIMIT else None
    return None


@cache
def _spellings(keywords: tuple[str, ...]) -> tuple[str, ...]:
    """The keywords folded, longest first; "check in" is also written "check-in"."""
    folded = {_fold(k) for k in keywords if k.strip()}
    folded |= {k.replace(" ", "-") for k in folded}
    return tuple(sorted(folded, key=len, reverse=True))


def _note_may_follow(keyword: str, rest: str) -> bool:
    """`打卡第3天`, `打卡3`, `签到day5`: a day count may follow a Chinese keyword directly."""
    wide = not keyword[-1].isascii()
    return wide and (rest[0].isdigit() or rest.startswith(("第", "day")))
