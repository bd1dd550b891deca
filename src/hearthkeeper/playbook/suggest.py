"""Did-you-mean hints for misspelt keys and values."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches


def did_you_mean(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str:
    """Return `"; did you mean 'x'?"` for the closest candidate (at least `cutoff` alike),
    or an empty string."""
    pool = list(candidates)
    lowered = {c.lower(): c for c in pool}
    if word.lower() in lowered and lowered[word.lower()] != word:
        return f"; did you mean {lowered[word.lower()]!r}?"
    match = get_close_matches(word, pool, n=1, cutoff=cutoff)
    return f"; did you mean {match[0]!r}?" if match else ""
