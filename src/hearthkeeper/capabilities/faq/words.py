"""The words of a message as the FAQ matcher reads them: jieba for Chinese (`text/words.py`), word tokens for the
rest, character n-grams for typos, keywords matched on word boundaries (pure)."""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from hearthkeeper.text.normalise import MessageText, prepare
from hearthkeeper.text.words import CJK_RUN as CJK_RUN
from hearthkeeper.text.words import chinese_words as chinese_words

_LATIN_WORD = re.compile(r"[a-z0-9\u00e0-\u024f]+(?:'[a-z]+)*")


def word_set(text: str) -> frozenset[str]:
    """The words of a space-separated list."""
    return frozenset(text.split())


# Particles, pronouns and filler: they say nothing about which question was asked.
CJK_STOP = word_set(
    "的 了 吗 呢 吧 啊 呀 嘛 哦 哈 么 嗯 是 我 你 您 他 她 它 我们 你们 "
    "他们 大家 这 那 这个 那个 个 一下 一个 在 和 与 及 就 都 也 还 要 会 "
    "想 请问 请 问 可以 能 能不能 可不可以 怎么 怎么样 怎样 如何 什么 为什么 "
    "为啥 啥 咋 哪 哪里 哪儿 谁 多少 几 得 地 着 过 给 把 被 让 比较 "
    "有没有 没有 不 没 有 好 呗 该 "
)
LATIN_STOP = word_set(
    "a an the i im i'm me my mine we us our you your he him his she her it its they them "
    "their is am are was were be been being do does did doing have has had can could would "
    "should will shall may might must to of in on at for with about from by as and or but if "
    "so than then there here this that these those what whats which who whom whose when "
    "where why how any anyone anybody someone somebody something please hi hello hey thanks "
    "thank know get got ok okay just also too very really still need want like would've i'd "
    "id ill i'll "
)
LATIN_SUFFIXES = ("s", "es", "ed", "d", "ing")


@cache
def _readings() -> dict[int, str]:
    """pypinyin's readings of each character (code point -> "zhòng,chóng"), read from its
    data file: importing pypinyin first loads its phrase dictionary (0.3 s on the first
    sound-alike check of a process), which is never used here."""
    spec = importlib.util.find_spec("pypinyin")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("FAQ keywords need the pypinyin package: pip install pypinyin")
    path = Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.json"
    readings = json.loads(path.read_text(encoding="utf-8"))
    return {int(code): reading for code, reading in readings.items()}


# What pinyin input methods forgive (模糊音): zh/z, ch/c, sh/s, n/l, and -ng/-n
_FUZZY = ((r"^zh", "z"), (r"^ch", "c"), (r"^sh", "s"), (r"^l", "n"), (r"ng$", "n"))


@cache
def sounds(char: str) -> frozenset[str]:
    """How a Chinese character can be read, toneless and with fuzzy sounds merged."""
    found: set[str] = set()
    for reading in (_readings().get(ord(char)) or "").split(","):
        bare = "".join(
            c for c in unicodedata.normalize("NFD", reading) if not unicodedata.combining(c)
        )
        for pattern, replacement in _FUZZY:
            bare = re.sub(pattern, replacement, bare)
        if bare:
            found.add(bare)
    return frozenset(found)


def heard_in(keyword: str, text: str) -> bool:
    """Whether `text` holds `keyword` with one character typed as another that sounds alike
    (续废 for 续费, 优惠卷 for 优惠券): the usual pinyin input slip."""
    size = len(keyword)
    if size < 2 or len(text) < size:
        return False
    # each window: how many of the keyword's characters it holds in place (at most one per
    # offset); a slip leaves exactly one out of place
    in_place: dict[int, int] = {}
    last = len(text) - size
    for offset, char in enumerate(keyword):
        at = text.find(char)
        while at >= 0:
            if 0 <= at - offset <= last:
                in_place[at - offset] = in_place.get(at - offset, 0) + 1
            at = text.find(char, at + 1)
    for start, held in in_place.items():
        if held != size - 1:
            continue
        window = text[start : start + size]
        miss = next(i for i in range(size) if keyword[i] != window[i])
        if sounds(keyword[miss]) & sounds(window[miss]):
            return True
    return False


def latin_words(normalised: str) -> list[str]:
    """Word tokens of the non-Chinese text, apostrophes dropped (`can't` → `cant`)."""
    return [w.replace("'", "") for w in _LATIN_WORD.findall(normalised)]


def stem(word: str) -> str:
    """A light English stem: plurals, -ing and -ed dropped, so `guests` meets `guest`."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    for suffix, keep in (("ing", 4), ("ed", 3), ("es", 3), ("s", 3)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def features(normalised: str) -> dict[str, float]:
    """Weighted features: words 1.0, character bigrams and trigrams 0.5, single Chinese
    characters 0.3; stop words left out. (`vectors.KnownFeatures.read` walks the same features
    in the same order without building this dict: change both together.)"""
    found: dict[str, float] = {}
    for run in CJK_RUN.findall(normalised):
        for word in chinese_words(run):
            if word not in CJK_STOP:
                found["w:" + word] = 1.0
        for i in range(len(run) - 1):
            found.setdefault("b:" + run[i : i + 2], 0.5)
        for char in run:
            if char not in CJK_STOP:
                found.setdefault("c:" + char, 0.3)
    for word in latin_words(normalised):
        if word in LATIN_STOP:
            continue
        stemmed = stem(word)
        found["w:" + stemmed] = 1.0
        if len(stemmed) >= 4:
            padded = f"#{stemmed}#"
            for i in range(len(padded) - 2):
                found.setdefault("t:" + padded[i : i + 3], 0.5)
    return found


def near(a: str, b: str, limit: int = 1) -> bool:
    """Whether two words are within `limit` edits (insert, delete, replace, swap)."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return False
        previous2, previous = previous, current
    return previous[-1] <= limit


class Words:
    """What keyword matching reads from one message (read-only): `compact` (normalised,
    without separators), `chars` (its characters), `latin` (word tokens), the tokens run
    together (`joined`) and where each starts and ends in it, each worked out on first use:
    a message holding none of the keywords' characters is never taken apart."""

    __slots__ = ("_bounds", "_chars", "_latin", "compact", "normalised")

    def __init__(self, text: MessageText) -> None:
        self.compact = text.compact
        self.normalised = text.normalised
        self._chars: frozenset[str] | None = None
        self._latin: tuple[str, ...] | None = None
        self._bounds: tuple[str, frozenset[int], frozenset[int]] | None = None

    @classmethod
    def of(cls, text: MessageText) -> Words:
        """Read a prepared message."""
        return cls(text)

    @property
    def chars(self) -> frozenset[str]:
        """The characters of `compact`."""
        if self._chars is None:
            self._chars = frozenset(self.compact)
        return self._chars

    @property
    def latin(self) -> tuple[str, ...]:
        """The word tokens (`latin_words`)."""
        if self._latin is None:
            self._latin = tuple(latin_words(self.normalised))
        return self._latin

    def _read_bounds(self) -> tuple[str, frozenset[int], frozenset[int]]:
        if self._bounds is None:
            starts, ends, position = set(), set(), 0
            for word in self.latin:
                starts.add(position)
                position += len(word)
                ends.add(position)
            self._bounds = ("".join(self.latin), frozenset(starts), frozenset(ends))
        return self._bounds

    @property
    def joined(self) -> str:
        """The word tokens run together."""
        return self._read_bounds()[0]

    @property
    def starts(self) -> frozenset[int]:
        """Where each word token starts in `joined`."""
        return self._read_bounds()[1]

    @property
    def ends(self) -> frozenset[int]:
        """Where each word token ends in `joined`."""
        return self._read_bounds()[2]


@dataclass(frozen=True)
class Keyword:
    """An operator's keyword: Chinese ones match anywhere, Latin ones on word boundaries
    (plurals and -ed/-ing allowed; one typo allowed in a single word of five letters or more)."""

    text: str
    compact: str
    latin: bool
    single: bool

    @classmethod
    def of(cls, keyword: str) -> Keyword:
        """A keyword in its matching forms."""
        prepared = prepare(keyword)
        latin = prepared.compact.isascii()
        return cls(keyword, prepared.compact, latin, latin and " " not in prepared.normalised)

    def found_in(self, words: Words) -> bool:
        """Whether the message contains this keyword."""
        if not self.compact:
            return False
        if not self.latin:
            if self.compact in words.compact:
                return True
            # a slip changes one character: all the others must be in the message
            missing = set(self.compact) - words.chars
            return len(missing) <= 1 and heard_in(self.compact, words.compact)
        start = words.joined.find(self.compact)
        while start >= 0:
            end = start + len(self.compact)
            if start in words.starts and self._ends_word(words, end):
                return True
            start = words.joined.find(self.compact, start + 1)
        if self.single and len(self.compact) >= 5:
            return any(near(stem(w), stem(self.compact)) for w in words.latin if len(w) >= 4)
        return False

    def _ends_word(self, words: Words, end: int) -> bool:
        if end in words.ends:
            return True
        return any(
            words.joined.startswith(suffix, end) and end + len(suffix) in words.ends
            for suffix in LATIN_SUFFIXES
            if suffix != "d" or (self.compact.endswith("e") and len(self.compact) >= 5)
        )


class KeywordSet:
    """Many keywords read against one message at once: a Chinese keyword is only looked at
    when the message holds all of its characters but one."""

    def __init__(self, keywords: Iterable[Keyword]) -> None:
        self.keywords = list(keywords)
        self._latin = [i for i, k in enumerate(self.keywords) if k.latin]
        # How many of its distinct characters a message must hold for a keyword to be read.
        self._needed = [len(set(k.compact)) - 1 for k in self.keywords]
        self._by_char: dict[str, list[int]] = {}
        for index, keyword in enumerate(self.keywords):
            if not keyword.latin:
                for char in set(keyword.compact):
                    self._by_char.setdefault(char, []).append(index)
        self._key_chars = frozenset(self._by_char)

    def found(self, words: Words) -> list[int]:
        """The positions of the keywords the message contains, in order."""
        if not self._latin and self._key_chars.isdisjoint(words.compact):
            return []  # a Chinese keyword is only found with one of its characters
        present: dict[int, int] = {}
        for char in words.chars & self._key_chars:  # a set operation: no Python loop over the rest
            for index in self._by_char[char]:
                present[index] = present.get(index, 0) + 1
        hits = [
            index
            for index, count in present.items()
            if count >= self._needed[index] and self.keywords[index].found_in(words)
        ]
        hits += [index for index in self._latin if self.keywords[index].found_in(words)]
        return sorted(hits)
