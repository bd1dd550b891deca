"""Reading what people type, for sign-ups and polls alike: a problem found, and text folded
for comparing."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from hearthkeeper.text.controls import without_controls


@dataclass(frozen=True)
class Problem:
    """Why a command could not be read: a text key and what was wrong."""

    key: str
    detail: str = ""


def normal(text: str) -> str:
    """Full-width forms folded (`＋１` → `+1`, `｜` → `|`), without control, text-direction or
    invisible characters (what is read here is stored, listed and echoed to the group: a
    right-to-left override would reverse the rest of a line), stripped."""
    return without_controls(unicodedata.normalize("NFKC", text)).strip()


def compact(text: str) -> str:
    """For comparing lines: folded, lower-case, without spaces."""
    return "".join(normal(text).lower().split())
