"""The matching forms of a message: `normalise` (read by every rule) and `compact` (keywords).

`normalise` undoes the disguises members use to slip past filters: URL-encoding, zero-width
and bidi characters, full-width and mathematical letters, look-alike Cyrillic and Greek
letters, accents, traditional characters, markdown splits and digits written in Chinese or
circled. `compact` then drops every separator so `加 微 信` and `w.e.i.x.i.n` read as one word.

Chinese numerals are digits in a phone number spelled out (`一三八…`, `幺三八`) and words
elsewhere (`二手`, `一口价`, `一起`, `一站式`): the normalised form reads them all as digits,
which is what contact detection, keywords and the learned scorer want; `MessageText.words`
is the same form with the numerals as written, for the rules that read a sentence's words
(`offers.py`: `二手空调拆装` names a product, `2手空调拆装` reads as a number).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache

import opencc

from hearthkeeper.text.tables import (
    COMBINING_MARKS,
    INVISIBLE,
    capitals_table,
    translation_table,
)

_CAPITALS = capitals_table()
_TRANSLATION = translation_table()
_WORDS_TRANSLATION = translation_table(chinese_digits=False)
_PERCENT_RUN = re.compile(r"(?:%[0-9a-fA-F]{2})+")
_PERCENT_LEFT = re.compile(r"%+(?=[0-9a-fA-F]{2})")
_LINK_SPLIT = re.compile(r"\]\s*\(")  # [text](url) keeps both: "text url"
_BRACKETED_DOT = re.compile(r"\[\s*(?:\.|dot|点)\s*\]")  # defanged links: example[.]com
_MARKUP = str.maketrans("", "", "*`~|[]<>")  # emphasis, code, strikethrough, spoilers, links
_MARKUP_CHARS = re.compile(r"[*`~|\[\]<>]")
_CAPITAL_CHARS = re.compile("[\u0391-\u03a9\u0405-\u0425]")
# an underscore run stays only inside an id or a URL (between ASCII letters or digits)
_LOOSE_UNDERSCORES = re.compile(r"(?<![0-9a-z_])_++|(?<!_)_++(?![0-9a-z])")
_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_SPACES = re.compile(r"\s+")
_DIGIT = re.compile("[0-9]")
_SEPARATORS = re.compile(r"[\W_]+")
_MAX_PASSES = 4


@cache
def _to_simplified() -> opencc.OpenCC:
    # Built once per process: loading the dictionaries costs milliseconds, converting microseconds.
    return opencc.OpenCC("t2s")


def _simplified(text: str) -> str:
    # OpenCC's table chains a few characters (薴 → 苧 → 苎): convert until stable
    convert = _to_simplified().convert
    for _ in range(_MAX_PASSES):
        converted = convert(text)
        if converted == text:
            break
        text = converted
    return text


def _decode_percent(text: str) -> str:
    def decode(match: re.Match[str]) -> str:
        return bytes.fromhex(match.group().replace("%", "")).decode("utf-8", "replace")

    return _PERCENT_RUN.sub(decode, text)


def _nfkc(text: str) -> str:
    # the quick check is far cheaper than normalising text that is already normal
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


def _one_pass(text: str, table: dict[int, str]) -> str:
    if "%" in text:
        text = _decode_percent(text)
    text = INVISIBLE.sub("", text)
    ascii_only = text.isascii()
    if ascii_only:
        text = text.lower()
    else:
        text = _nfkc(text)
        if _CAPITAL_CHARS.search(text):
            text = text.translate(_CAPITALS)
        text = text.casefold()
    if "[" in text:
        text = _LINK_SPLIT.sub(" ", _BRACKETED_DOT.sub(".", text))
    if _MARKUP_CHARS.search(text):
        text = text.translate(_MARKUP)
    if not ascii_only:
        text = COMBINING_MARKS.sub("", text)
        if _CJK.search(text):
            text = _simplified(text)
        text = text.translate(table)
    if "_" in text:
        text = _LOOSE_UNDERSCORES.sub("", text)
    if not ascii_only:
        # the deletions above can bring apart characters together (Hangul jamo): compose again
        text = _nfkc(text)
    return _SPACES.sub(" ", text).strip()


def normalise(text: str, *, chinese_digits: bool = True) -> str:
    """The matching form of a message: what every rule reads instead of the raw text.

    With `chinese_digits` false, Chinese numerals stay as written (`MessageText.words`)."""
    table = _TRANSLATION if chinese_digits else _WORDS_TRANSLATION
    result = _one_pass(text, table)
    passes = 1
    # Decoding can reveal another encoded layer ("%2541"), and deleting a character can
    # bring a '%' next to hex digits: repeat until nothing decodes (bounded).
    while "%" in result and _PERCENT_RUN.search(result):
        if passes == _MAX_PASSES:
            return _PERCENT_LEFT.sub("", result)
        result = _one_pass(result, table)
        passes += 1
    return result


def compact(normalised: str) -> str:
    """The normalised text without separators (spaces, punctuation, emoji): keywords match here."""
    return _SEPARATORS.sub("", normalised)


def compact_positions(normalised: str) -> list[int]:
    """For each character of `compact(normalised)`, its index in `normalised`."""
    return [index for index, char in enumerate(normalised) if char.isalnum()]


@dataclass(frozen=True, slots=True)
class MessageText:
    """A message's text in its three forms: as sent, normalised, and compact (and, read on
    demand, `words`)."""

    original: str
    normalised: str
    compact: str
    # where each compact character was read from, found on the first `span` asked: a rule
    # reading every hit of a long message asks once per hit
    _positions: list[int] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def words(self) -> str:
        """The normalised text with Chinese numerals as written (`二手空调`, `一口价`, `一三八`
        where `normalised` reads `2手空调`, `1口价`, `138`): for rules reading words, whose
        patterns spell a number either way (`[0-9一二三…]`)."""
        if not _DIGIT.search(self.normalised):
            # no numeral was read as a digit (short of one percent-encoded twice over,
            # "%25E4…", which then reads as here)
            return self.normalised
        return _words(self.original)

    def as_written(self, shown: str) -> str:
        """A piece of `normalised` (or of `compact`: `1 99` read as `199`) with its Chinese
        numerals as written (`一口价`, `一九九`), for staff to read; as it is when no numeral
        was read as a digit, or the piece is not found."""
        if not shown or not _DIGIT.search(shown):
            return shown
        words = self.words
        if len(words) != len(self.normalised):  # only numerals differ, character for character
            return shown
        at = self.normalised.find(shown)
        if at >= 0:
            return words[at : at + len(shown)]
        key = compact(shown)
        at = self.compact.find(key) if key else -1
        return compact(words)[at : at + len(key)] if at >= 0 else shown

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of `normalised` that the compact span [start, end) was read from."""
        positions = self._positions
        if positions is None:
            positions = compact_positions(self.normalised)
            object.__setattr__(self, "_positions", positions)  # frozen: the cache alone is set
        return positions[start], positions[end - 1] + 1

    def shown(self, start: int, end: int) -> str:
        """The normalised text behind a compact span, as it reads with its separators."""
        low, high = self.span(start, end)
        return self.normalised[low:high]


# Moderation, crisis watch and the FAQ each remember what the last texts they read say (chat
# repeats itself: "+1", "ok", "哈哈哈", a pasted advertisement; their readings are pure): this
# many texts each, a text of at most this many characters (a longer one is read every time, so
# what is remembered stays small).
TEXTS_REMEMBERED = 2048
LONGEST_REMEMBERED = 500


@lru_cache(maxsize=64)
def _words(text: str) -> str:
    # read on demand, by the rules of Chinese wording: most messages never ask
    return normalise(text, chinese_digits=False)


# Moderation, the FAQ and crisis watch each read the message being decided: the last few
# messages' forms are kept, so a message is normalised once however many mechanisms read it.
@lru_cache(maxsize=64)
def prepare(text: str) -> MessageText:
    """Normalise a message once, for all the detectors that read it (the result is immutable
    and the same for the same text, so the last few are remembered)."""
    normalised = normalise(text)
    return MessageText(original=text, normalised=normalised, compact=compact(normalised))
