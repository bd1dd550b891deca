"""Did-you-mean hints for misspelt keys and values."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches

from hearthkeeper.text.folding import fold


def did_you_mean(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str:
    """Return `"; did you mean 'x'?"` for the candidate `word` is but for width, case or
    spaces ('Tea Friends １群' for 'Tea Friends 1群'), else the closest (at least `cutoff`
    alike), or an empty string. Width first: by likeness alone a full-width digit is as far
    from its own group as from any other ('４群' was as near to '5群' as to '4群')."""
    pool = list(candidates)
    folded = {_loose(c): c for c in reversed(pool)}  # the first of equals wins
    same = folded.get(_loose(word))
    if same is not None and same != word:
        return f"; did you mean {same!r}?"
    match = get_close_matches(word, pool, n=1, cutoff=cutoff)
    return f"; did you mean {match[0]!r}?" if match else ""


def _loose(text: str) -> str:
    return "".join(fold(text).split())
