"""Comparing what people type with a name: width, letter case and the edges ignored."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """`text` as compared with what members type (`＠ＸｉａｏＬｕ ` and `@xiaolu` fold alike):
    NFKC (full-width letters and digits as plain ones), edges stripped, case folded."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


_NUMBERS = re.compile(r"(\d+)")


def name_order(name: str) -> tuple[str | int, ...]:
    """A name's place when names are listed: folded, its runs of digits read as numbers
    (`Orange 2` before `Orange 10`, `2群` before `10群`), so a matrix imported or opened in
    any order reads 1, 2, …, 10, 11, not 1, 10, 11, 2 as text sorts them."""
    parts = _NUMBERS.split(fold(name))
    # split() puts the digits at the odd places: each place compares like with like
    return tuple(int(part) if i % 2 else part for i, part in enumerate(parts))
