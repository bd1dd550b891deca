"""Comparing what people type with a name: width, letter case and the edges ignored."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """`text` as compared with what members type (`＠ＸｉａｏＬｕ ` and `@xiaolu` fold alike):
    NFKC (full-width letters and digits as plain ones), edges stripped, case folded."""
    return unicodedata.normalize("NFKC", text).strip().casefold()
