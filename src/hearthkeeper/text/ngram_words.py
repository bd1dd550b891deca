"""The learned scorer's telling n-grams as staff read them: the words of the message that hold
them, as the member wrote them.

The scorer reads character n-grams (`features` in `scorer.py`), which can straddle two words:
`'价出'` in `低价出货` reads as a word of the message it is not. Each Chinese n-gram is widened
to the words, as jieba cuts the message (the FAQ's cut, `words.py`), that it
touches: `低价出货`; `'站式'` and `'式服'` are both said as `一站式服务`, once. Only a verdict's
explanation is cut, never what the scorer reads: jieba's dictionary is loaded on the first
verdict explained.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hearthkeeper.text.normalise import MessageText
from hearthkeeper.text.words import CJK_RUN


def in_words(message: MessageText, grams: Iterable[str]) -> list[str]:
    """Each Chinese n-gram widened to the words (as jieba cuts the message) it touches, as
    the member wrote them; n-grams falling in the same words said once. Staff read `'价出'`
    in `低价出货` as a word of the message it is not; `低价出货` is what was written. A gram
    of Latin letters or a number, or one not found in the text, is shown as it is."""
    written = message.words
    # the text the words are cut from: as written when only numerals differ, letter for letter
    text = written if len(written) == len(message.normalised) else message.normalised
    said: list[tuple[int, int] | str] = []  # a span of `text`, or a gram shown as it is
    for gram in grams:
        span = _word_span(message.normalised, text, gram)
        if span is None:
            parts = _across_a_break(message.normalised, text, gram)
            if parts:  # read across a comma (`品保` in `化妆品，保真`): the words on each side
                for part in parts:
                    _say(said, part)
            else:
                said.append(message.as_written(gram))
        else:
            _say(said, span)
    return [text[item[0] : item[1]] if isinstance(item, tuple) else item for item in said]


def _say(said: list[tuple[int, int] | str], span: tuple[int, int]) -> None:
    """Add the words at `span` to what is said, unless words already said hold them."""
    if any(_within(span, other) for other in said):
        return
    # wider words take the place of narrower ones said before (`一站式` in `一站式服务`)
    narrower = [i for i, other in enumerate(said) if _within(other, span)]
    at = narrower[0] if narrower else len(said)
    said[:] = [other for i, other in enumerate(said) if i not in narrower]
    said.insert(at, span)


def _across_a_break(normalised: str, text: str, gram: str) -> list[tuple[int, int]]:
    """The words on each side of a break the scorer read `gram` across (it drops
    separators: `品保` in `化妆品，保真`), or [] when it was not read so."""
    if not CJK_RUN.fullmatch(gram):
        return []
    for cut in range(1, len(gram)):
        left, right = gram[:cut], gram[cut:]
        found = re.search(f"{re.escape(left)}[^\\w]+{re.escape(right)}", normalised)
        if found is None:
            continue
        spans = [
            _word_span(normalised[: found.start() + cut], text, left),
            _word_span(normalised, text, right),
        ]
        return [span for span in spans if span is not None]
    return []


def _within(inner: tuple[int, int] | str, outer: tuple[int, int] | str) -> bool:
    """Whether the span `inner` lies inside the span `outer` (a gram shown as it is: never)."""
    if isinstance(inner, str) or isinstance(outer, str):
        return False
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def _word_span(normalised: str, text: str, gram: str) -> tuple[int, int] | None:
    """Where the words holding `gram`'s first occurrence start and end in `text` (the
    normalised text or, letter for letter, the same as written); None for a gram that is not
    all Chinese or not found."""
    if not CJK_RUN.fullmatch(gram):
        return None
    at = normalised.find(gram)
    if at < 0:
        return None
    run = next((r for r in CJK_RUN.finditer(text) if r.start() <= at < r.end()), None)
    if run is None or at + len(gram) > run.end():
        return None
    # jieba, its dictionary loaded on the first verdict explained (the FAQ's, when it runs)
    from hearthkeeper.text.words import chinese_words

    low, high, start = at, at + len(gram), run.start()
    for word in chinese_words(run.group()):
        end = start + len(word)
        if start < at + len(gram) and end > at:  # the word holds part of the gram
            low, high = min(low, start), max(high, end)
        start = end
    return low, high
