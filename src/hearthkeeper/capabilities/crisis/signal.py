"""How alarming one chat message reads (pure once its models are loaded): a sentiment score
and the panic markers it contains.

Chinese is scored with SnowNLP's naive Bayes sentiment model (trained by SnowNLP's author on
Chinese product reviews, shipped in the `snownlp` package) over jieba's words; English with
VADER (`vaderSentiment`). SnowNLP's own segmenter is not used: it costs about 2.9 ms a message
and 400 MB of memory, jieba (already loaded for the FAQ) 0.06 ms, for the same precision
(docs/benchmarks.md, "Crisis watch").
"""

from __future__ import annotations

import gzip
import importlib.util
import marshal
import math
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from hearthkeeper.text.normalise import LONGEST_REMEMBERED, TEXTS_REMEMBERED
from hearthkeeper.text.words import chinese_words

Language = Literal["zh", "en"]

# A message reads negative below these scores (0 = certainly negative, 1 = certainly positive):
# SnowNLP's probability of "positive"; VADER's compound rescaled from [-1, 1] to [0, 1].
NEGATIVE_BELOW: Mapping[Language, float] = {"zh": 0.1, "en": 0.25}

_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[a-z0-9][a-z0-9'\-]*")
_SHOUT = re.compile(r"[!?！？]{3,}")
_SUFFIXES = ("s", "es", "ed", "d", "ing")


@dataclass(frozen=True)
class Reading:
    """What one message says about the mood: its language, a score in [0, 1] (low is
    negative), the panic markers found, and whether it shouts (a run of 3+ ! or ?)."""

    language: Language
    score: float
    markers: tuple[str, ...] = ()
    shouting: bool = False

    @property
    def negative(self) -> bool:
        """The sentiment model reads it as clearly negative."""
        return self.score < NEGATIVE_BELOW[self.language]

    @property
    def alarming(self) -> bool:
        """It counts towards a crisis: a panic marker, or clearly negative."""
        return bool(self.markers) or self.negative


@dataclass(frozen=True)
class Markers:
    """Panic words by language: Chinese matched as substrings, English as whole words."""

    zh: tuple[str, ...]
    en_words: frozenset[str]
    en_phrases: tuple[str, ...]
    # the Chinese markers by their first character (positions in `zh`): only those whose
    # first character the text holds are looked for
    _by_first: Mapping[str, tuple[int, ...]] = field(init=False, repr=False, compare=False)
    _firsts: frozenset[str] = field(init=False, repr=False, compare=False)
    _always: tuple[int, ...] = field(init=False, repr=False, compare=False)  # "" is in any text
    # an English marker with an ending (`scams`): the marker, by the first ending that fits
    _inflected: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_first: dict[str, list[int]] = {}
        for position, word in enumerate(self.zh):
            if word:
                by_first.setdefault(word[0], []).append(position)
        object.__setattr__(self, "_by_first", {c: tuple(p) for c, p in by_first.items()})
        object.__setattr__(self, "_firsts", frozenset(by_first))
        object.__setattr__(self, "_always", tuple(p for p, word in enumerate(self.zh) if not word))
        inflected: dict[str, str] = {}
        for suffix in _SUFFIXES:
            for word in sorted(self.en_words):
                inflected.setdefault(word + suffix, word)
        object.__setattr__(self, "_inflected", inflected)

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Markers:
        """Markers from the YAML mapping `{zh: {family: [...]}, en: {family: [...]}}`."""
        zh = tuple(sorted({str(w) for words in data.get("zh", {}).values() for w in words}))
        en = {str(w).lower() for words in data.get("en", {}).values() for w in words}
        return cls(zh, frozenset(w for w in en if " " not in w),
                   tuple(sorted(w for w in en if " " in w)))  # fmt: skip

    def found(self, normalised: str) -> tuple[str, ...]:
        """The markers in a normalised text, in the order of the list."""
        by_first, zh = self._by_first, self.zh
        firsts = self._firsts.intersection(normalised)
        if firsts or self._always:
            starts = sorted(p for c in firsts for p in by_first[c]) + list(self._always)
            hits = [zh[p] for p in sorted(starts) if zh[p] in normalised]
        else:
            hits = []
        hits += [p for p in self.en_phrases if p in normalised]
        en_words, inflected = self.en_words, self._inflected
        for word in _LATIN.findall(normalised):
            if word in en_words:
                hits.append(word)
            elif word in inflected:
                hits.append(inflected[word])
        return tuple(dict.fromkeys(hits))


@dataclass(frozen=True)
class NaiveBayes:
    """SnowNLP's two-class sentiment model read as log-likelihood ratios: the score of a text
    is the logistic of the prior plus each known word's ratio (add-one smoothed)."""

    prior: float
    ratios: Mapping[str, float]
    unknown: float
    stop: frozenset[str]

    @classmethod
    def from_counts(cls, pos: Mapping[str, Any], neg: Mapping[str, Any],
                    stop: frozenset[str]) -> NaiveBayes:  # fmt: skip
        """The model from SnowNLP's counts: `{"d": {word: count}, "total": n}` per class."""
        lp, ln = math.log(float(pos["total"])), math.log(float(neg["total"]))
        pd, nd = pos["d"], neg["d"]
        ratios = {w: math.log(pd.get(w, 1)) - lp - math.log(nd.get(w, 1)) + ln
                  for w in {*pd, *nd}}  # fmt: skip
        return cls(lp - ln, ratios, ln - lp, stop)

    def score(self, text: str) -> float:
        """The probability that `text` (Chinese) is positive."""
        total = self.prior
        for run in _CJK.findall(text):
            for word in chinese_words(run):
                if word not in self.stop:
                    total += self.ratios.get(word, self.unknown)
        if total < -500:
            return 0.0
        return 1.0 / (1.0 + math.exp(-total))


class Signal:
    """Reads messages: Chinese through SnowNLP's model, English through VADER, both through
    the panic markers. Build it once (`Signal.shipped()`); reading is pure."""

    def __init__(self, chinese: NaiveBayes, english: Any, markers: Markers) -> None:
        self.chinese = chinese
        self.english = english  # a vaderSentiment SentimentIntensityAnalyzer
        self.markers = markers
        # VADER reads an emoji as its description, char by char
        self._emoji = frozenset(e for e in english.emojis if len(e) == 1)
        # the last texts' readings: chat repeats itself ("哈哈哈", "lol", "+1"), reading is pure
        self._remembered = lru_cache(maxsize=TEXTS_REMEMBERED)(self._read)

    @staticmethod
    @cache
    def shipped() -> Signal:
        """The signal from the installed packages and this package's markers.yaml (once per
        process)."""
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        data = yaml.safe_load((Path(__file__).parent / "markers.yaml").read_text("utf-8"))
        return Signal(snownlp_model(), SentimentIntensityAnalyzer(), Markers.parse(data))

    def read(self, normalised: str) -> Reading:
        """How alarming a message reads, from its normalised text (`text.normalise`)."""
        if len(normalised) > LONGEST_REMEMBERED:
            return self._read(normalised)
        return self._remembered(normalised)

    def _read(self, normalised: str) -> Reading:
        markers = self.markers.found(normalised)
        shouting = _SHOUT.search(normalised) is not None
        if _CJK.search(normalised):
            return Reading("zh", self.chinese.score(normalised), markers, shouting)
        return Reading("en", (self._compound(normalised) + 1.0) / 2.0, markers, shouting)

    def _compound(self, text: str) -> float:
        """VADER's compound score; 0.0 without asking it when no emoji of its list and no
        word of its lexicon is in the text (VADER gives a valence only to lexicon words, so
        their sum, and its normalised compound, are 0.0)."""
        vader = self.english
        if self._emoji.isdisjoint(text) and not any(
            _vader_token(token).lower() in vader.lexicon for token in text.split()
        ):
            return 0.0
        return float(vader.polarity_scores(text)["compound"])


def _vader_token(token: str) -> str:
    """A whitespace-split token as VADER reads it (`SentiText`): leading and trailing
    punctuation stripped, unless that leaves two characters or fewer (an emoticon)."""
    stripped = token.strip(string.punctuation)
    return token if len(stripped) <= 2 else stripped


def snownlp_files() -> Path:
    """Where the installed `snownlp` package keeps its data (its modules are not imported:
    importing snownlp loads its segmenter and tagger, 400 MB)."""
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("crisis watch needs the snownlp package: pip install snownlp")
    return Path(next(iter(spec.submodule_search_locations)))


def snownlp_model() -> NaiveBayes:
    """SnowNLP's shipped sentiment counts and stop words as a `NaiveBayes`."""
    root = snownlp_files()
    data = marshal.loads(gzip.decompress((root / "sentiment" / "sentiment.marshal.3").read_bytes()))
    stop = (root / "normal" / "stopwords.txt").read_text("utf-8").split()
    return NaiveBayes.from_counts(data["d"]["pos"], data["d"]["neg"], frozenset(stop))
