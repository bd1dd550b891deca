"""The message's side of the FAQ's TF-IDF cosine, read without building its feature vector
(pure).

`words.features` gives a message's features as a dict of prefixed names (`w:续费`, `b:续费`,
`c:续`, `t:#can`), and the matcher used to weigh each by its IDF, sum their squares for the
norm and look each up among the entries'. Most of a message's features are in no entry, and
the norm only needs their count per kind. `KnownFeatures` walks the message as `features`
does — the same features, in the same order, each kind's distinct ones once — and adds each
one's square to the norm and its products to the dot products as it meets it: the same
floating-point operations in the same order, so the same scores to the last bit. A message
with no character of any entry's feature skips the walk: every dot product is 0.0.

Change `words.features` and this walk together: `tests/capabilities/faq/test_faq_scoring.py`
compares them with the straightforward computation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from hearthkeeper.capabilities.faq.words import (
    CJK_RUN,
    CJK_STOP,
    LATIN_STOP,
    Words,
    chinese_words,
    stem,
)

# The weight `features` gives each kind, by its prefix.
WEIGHTS = {"w": 1.0, "b": 0.5, "c": 0.3, "t": 0.5}

# A feature some entry has: its square in the message's norm, and per entry (in entry order)
# its product with the entry's weight.
_Known = tuple[float, tuple[tuple[int, float], ...]]


class KnownFeatures:
    """The entries' features, by kind, ready to read messages against."""

    def __init__(self, idf: Mapping[str, float], unknown: float,
                 postings: Mapping[str, Sequence[tuple[int, float]]], size: int) -> None:  # fmt: skip
        self._size = size
        known: dict[str, dict[str, _Known]] = {kind: {} for kind in WEIGHTS}
        chars: set[str] = set()
        for name, entries in postings.items():
            kind, feature = name[0], name[2:]
            weight = WEIGHTS[kind] * idf[name]  # the message's weight, as the matcher makes it
            known[kind][feature] = (weight * weight,
                                    tuple((i, weight * own) for i, own in entries))  # fmt: skip
            chars.update(feature)
        self._words, self._pairs = known["w"], known["b"]
        self._chars, self._trigrams = known["c"], known["t"]
        # a feature the message has holds at least one of the message's own characters
        # (a stem's `y` for `ies` follows another; `#` pads trigrams)
        chars.discard("#")
        self._alphabet = frozenset(chars)
        self._unknown = {kind: (w * unknown) * (w * unknown) for kind, w in WEIGHTS.items()}

    def read(self, words: Words) -> tuple[list[float], float] | None:
        """The dot product of the message with each entry and the message's norm, as the
        matcher computes them from `features(words.normalised)`; None when the message shares
        no feature with any entry (every dot product is 0.0)."""
        normalised = words.normalised
        if self._alphabet.isdisjoint(normalised):
            return None
        dots = [0.0] * self._size
        squares: list[float] = []
        add = squares.append
        unknown = self._unknown
        stems, pairs, chars, trigrams = self._words, self._pairs, self._chars, self._trigrams
        unknown_word, unknown_pair = unknown["w"], unknown["b"]
        unknown_char, unknown_trigram = unknown["c"], unknown["t"]
        seen_words: set[str] = set()
        seen_pairs: set[str] = set()
        seen_chars: set[str] = set()
        seen_trigrams: set[str] = set()
        for run in CJK_RUN.findall(normalised):
            for word in chinese_words(run):
                if word in CJK_STOP or word in seen_words:
                    continue
                seen_words.add(word)
                known = stems.get(word)
                if known is None:
                    add(unknown_word)
                    continue
                add(known[0])
                for index, product in known[1]:
                    dots[index] += product
            for i in range(len(run) - 1):
                pair = run[i : i + 2]
                if pair in seen_pairs:
                    continue
                seen_pairs.add(pair)
                known = pairs.get(pair)
                if known is None:
                    add(unknown_pair)
                    continue
                add(known[0])
                for index, product in known[1]:
                    dots[index] += product
            for char in run:
                if char in CJK_STOP or char in seen_chars:
                    continue
                seen_chars.add(char)
                known = chars.get(char)
                if known is None:
                    add(unknown_char)
                    continue
                add(known[0])
                for index, product in known[1]:
                    dots[index] += product
        for word in words.latin:
            if word in LATIN_STOP:
                continue
            stemmed = stem(word)
            if stemmed in seen_words:  # the same stem again: its trigrams are in too
                continue
            seen_words.add(stemmed)
            known = stems.get(stemmed)
            if known is None:
                add(unknown_word)
            else:
                add(known[0])
                for index, product in known[1]:
                    dots[index] += product
            if len(stemmed) < 4:
                continue
            padded = f"#{stemmed}#"
            for i in range(len(padded) - 2):
                trigram = padded[i : i + 3]
                if trigram in seen_trigrams:
                    continue
                seen_trigrams.add(trigram)
                known = trigrams.get(trigram)
                if known is None:
                    add(unknown_trigram)
                    continue
                add(known[0])
                for index, product in known[1]:
                    dots[index] += product
        return dots, math.sqrt(sum(squares)) or 1.0
