"""Keyword sets matched with Aho-Corasick over the compact form of a message."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick  # type: ignore[import-not-found]

from hearthkeeper.text.findings import Finding
from hearthkeeper.text.normalise import MessageText, compact, normalise


@dataclass(frozen=True, slots=True)
class KeywordMatch:
    """A keyword found in a message: the keyword as configured and the text it matched
    (`normalised[start:end]` of the message, Chinese numerals as written)."""

    keyword: str
    label: str
    matched: str
    start: int = 0
    end: int = 0


_DIGIT = re.compile("[0-9]")
# an @-mention as the text shows it, up to the next space
_MENTION = re.compile(r"@\S+")
# a whole-message word said over again at most this many times (`滚滚滚`)
_LONGEST_WHOLE = 8


def _ascii_letter(char: str) -> bool:
    return char.isascii() and char.isalpha()


def _ascii_word(char: str) -> bool:
    return char.isascii() and char.isalnum()


@dataclass(frozen=True, slots=True)
class _Entry:
    keyword: str
    label: str
    length: int
    check_start: bool
    check_end: bool


@lru_cache(maxsize=1 << 14)
def _key(keyword: str) -> str:
    """`keyword` normalised and compacted as messages are: the same for every set and engine
    that lists it (normalising is most of building a set, and each playbook applied, each
    engine started, builds its sets again)."""
    return compact(normalise(keyword))


class KeywordSet:
    """Many keywords, each with a label (e.g. the violation kind), found in one pass.

    Keywords are normalised and compacted like messages, so `加微信` in the playbook also
    finds `加 微 信`, `加**微**信` and `加薇信` written in traditional characters. A keyword that
    starts or ends with an ASCII letter only matches at a word edge there: 'sb' is not found
    in 'lisbon' nor 'vx' in 'vx600', but they are in 's.b', '你sb' and 'vx:'.
    """

    def __init__(self, keywords: Iterable[tuple[str, str]]) -> None:
        self._automaton = ahocorasick.Automaton()
        self._size = 0
        for keyword, label in keywords:
            key = _key(keyword)
            if not key:
                continue
            entry = _Entry(keyword, label, len(key), _ascii_letter(key[0]), _ascii_letter(key[-1]))
            existing: list[_Entry] = self._automaton.get(key) if self._automaton.exists(key) else []
            self._automaton.add_word(key, [*existing, entry])
            self._size += 1
        if self._size:
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return self._size

    def find(self, message: MessageText, *, nested: bool = False) -> list[KeywordMatch]:
        """The keywords in a message; a keyword inside a longer match (进群 in 拉你进群) is
        dropped unless `nested` (for sets whose words play different parts)."""
        if not self._size or not message.compact:
            return []
        normalised = message.normalised
        positions: list[int] = []
        spans: list[tuple[int, int, _Entry]] = []
        entries: list[_Entry]
        for end, entries in self._automaton.iter(message.compact):
            if not positions:
                positions = [i for i, char in enumerate(normalised) if char.isalnum()]
            for entry in entries:
                low, high = positions[end - entry.length + 1], positions[end] + 1
                if entry.check_start and low > 0 and _ascii_word(normalised[low - 1]):
                    continue
                if entry.check_end and high < len(normalised) and _ascii_word(normalised[high]):
                    continue
                spans.append((low, high, entry))
        kept = sorted(spans, key=lambda span: span[:2]) if nested else _outermost(spans)
        return [
            KeywordMatch(entry.keyword, entry.label, _as_written(message, low, high), low, high)
            for low, high, entry in kept
        ]


def _as_written(message: MessageText, low: int, high: int) -> str:
    """`normalised[low:high]`, with its Chinese numerals as written (`一站式服务`, not
    `1站式服务`): what staff read in the explanation."""
    matched = message.normalised[low:high]
    if not _DIGIT.search(matched):
        return matched
    words = message.words
    # the two forms differ only by numerals, character for character (else keep the digits)
    return words[low:high] if len(words) == len(message.normalised) else matched


def _outermost(spans: list[tuple[int, int, _Entry]]) -> list[tuple[int, int, _Entry]]:
    """The spans not inside a longer one, in reading order (one sweep, however many)."""
    spans.sort(key=lambda span: (span[0], -span[1]))
    kept: list[tuple[int, int, _Entry]] = []
    widest = (-1, -1)
    for low, high, entry in spans:
        if high <= widest[1] and (low, high) != widest:
            continue
        kept.append((low, high, entry))
        if high > widest[1]:
            widest = (low, high)
    return kept


def keyword_finding(kind: str, match: KeywordMatch, what: str = "keyword") -> Finding:
    """A keyword's finding for staff: the keyword named only where the text matched is not
    the keyword as written (`'薇 ❤ 信'`, keyword `薇信`); the match itself the explanation's
    `matched` already shows, and the rule its kind."""
    named = "" if match.matched == match.keyword else f" '{match.keyword}'"
    return Finding(kind, match.matched, f"{what}{named}")


class KeywordDetector:
    """A violation kind detected by keywords alone (advertising, insults); `whole`: words
    that count only as the whole message (`滚`, not the `滚` of `滚动`)."""

    def __init__(self, kind: str, keywords: Iterable[str], whole: Iterable[str] = ()) -> None:
        self.kind = kind
        self.keywords = KeywordSet((keyword, kind) for keyword in keywords)
        self.whole = {key: word for word in whole if (key := _key(word))}

    def __call__(self, message: MessageText) -> list[Finding]:
        """A finding per keyword found, or one for a message that is a `whole` word."""
        found = [keyword_finding(self.kind, match) for match in self.keywords.find(message)]
        if self.whole and not found and message.compact:
            word = self._whole_word(message)
            if word is not None:
                said = message.normalised.strip()
                found.append(Finding(self.kind, said, f"keyword '{word}' as the whole message"))
        return found

    def _whole_word(self, message: MessageText) -> str | None:
        """The `whole` word the message is, said once or over again (`滚滚滚`), with the
        members it @-mentions aside (`@bob 滚`)."""
        said = message.compact
        if "@" in message.normalised:
            said = compact(_MENTION.sub(" ", message.normalised))
        if not said or len(said) > _LONGEST_WHOLE * max(map(len, self.whole)):
            return None
        for key, word in self.whole.items():
            times, left = divmod(len(said), len(key))
            if not left and said == key * times:
                return word
        return None
