"""Comparing what people type with a name: width, letter case and the edges ignored."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Protocol, TypeVar


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


class Named(Protocol):
    """Anything listed by its name, with an id that tells apart the ones named alike."""

    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...


N = TypeVar("N", bound=Named)


def in_name_order(items: Iterable[N]) -> list[N]:
    """`items` by name (`name_order`: `group 2` before `group 10`), those named alike by id:
    the one order every list of groups shows (the console, the report, the REST API), the
    same on every read."""
    return sorted(items, key=lambda item: (name_order(item.name), item.id))
