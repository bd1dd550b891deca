"""Which FAQ entry a member's message asks, if any, and whether it is a question at all (pure).

An entry is scored by the similarity of the message to its question and keywords (TF-IDF
cosine over words and character n-grams, the IDF taken across the playbook's entries, so words
every entry shares count for little), plus a bonus for each of its keywords the message
contains. Both sides are normalised first (traditional → simplified, full width → half width),
and n-grams forgive small typos. The thresholds were measured on paraphrased questions:
see `benchmarks/faq_accuracy.py` and docs/drafts/faq.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from hearthkeeper.capabilities.faq.vectors import KnownFeatures
from hearthkeeper.capabilities.faq.words import (
    Keyword,
    KeywordSet,
    Words,
    features,
    latin_words,
    word_set,
)
from hearthkeeper.playbook.mechanisms import FaqEntry
from hearthkeeper.text.normalise import MessageText, prepare

ANSWER_AT = 0.35  # a question (or a message addressed to the bot) scoring this is answered
STATEMENT_AT = 0.8  # a message that does not look like a question needs this much
KEYWORD_BONUS = 0.3  # per keyword found, for at most two keywords

QUESTION_MARKERS = (
    "吗", "呢", "怎", "如何", "为什么", "为啥", "请问", "有没有", "哪", "谁", "多少", "多久",
    "什么", "啥", "咋", "几点", "几天", "几号", "几个", "能不能", "可不可以", "是不是", "会不会",
    "求助", "求推荐", "想问",
)  # fmt: skip
_QUESTION_WORDS = word_set(
    "how what whats when where why who which whom whose can could may is "
    "are do does did should would will has have any anyone anybody"
)
_QUESTION_PHRASES = re.compile(
    r"\b(?:anyone know|does anyone|do you know|how do i|how can i|how to|is there|are there|"
    r"any idea|wondering|not sure how)\b"
    r"|[,;:] ?(?:how|what|when|where|why|who|which|can i|could i|do i|should i)\b"
)

_MARKERS = re.compile("|".join(map(re.escape, QUESTION_MARKERS)))  # any of them, in one scan
# Markers that ask wherever they stand: the particle 吗, requests, A-not-A questions.
_ASKING = re.compile("吗|请问|想问|求助|求推荐|有没有|能不能|可不可以|是不是|会不会")
# Question words, which also say "any, whatever, not very" in statements.
_WH = "什么|啥|怎|咋|如何|为什么|为啥|哪|谁|多少|多久|几点|几天|几号|几个"
_WH_WORD = r"(?:什么|啥|怎么?样?|咋|哪[里儿个种样些]?|谁|多少|几[个天点号])"
_ASKS_WH = re.compile(_WH)
# After a negation: not 怎么办, 咋办, 怎么回事, 为什么 (连不上怎么办 asks about the negation)
_WH_NEGATED = r"(?:(?<!为)什么|(?<!为)啥|怎(?!么?办|么回事)|咋(?!办)|哪|谁|多少|几[个天点号])"
# Where a question word asks nothing: 什么都/谁也/比什么精华都 (any), 没什么/不怎么/没有发现什么
# (negated; not 不知道怎么… or 没人知道哪…, embedded questions, nor 发不出去咋办), 不管哪/无论如何
# (whatever), 苹果什么的 (etc.), 这几天/用了几个 (a few), 或多或少/多少有点 (somewhat), 哪怕
# (even if), 天哪. Measured on reviews and chat: docs/benchmarks.md, "Questions told from statements".
_NOT_ASKING = re.compile(
    rf"{_WH_WORD}[^我你他她它,]{{0,2}}?[都也]"
    rf"|(?:没|不(?!知|清楚|明白|懂|确定|晓得))[^,知懂了]{{0,4}}?{_WH_NEGATED}"
    rf"|(?:比|无论|不论|不管|随便){_WH_WORD}"
    r"|什么的|或多或少|多少[有还也会都]|哪怕|天哪|无论如何|不管如何"
    r"|[这那前过好没头了才就十几]几[个天点号]"
)
_CLAUSE = re.compile(r"([^,.!;:。、\s]+)([,.!;:。、\s]?)")
_SOFTENERS = "啊呀啦哈嘛哦"  # after the particle: 你呢啊, 在哪呀


def _clause_asks(clause: str, closed_by: str) -> bool:
    """Whether one clause reads as a question: an asking marker anywhere, a question word where
    it asks, or a closing 呢 (not 还…呢 or 着呢, and not closed by ! or 。)."""
    if _ASKING.search(clause):
        return True
    if _ASKS_WH.search(clause) and _ASKS_WH.search(_NOT_ASKING.sub(" ", clause)):
        return True
    ending = clause.rstrip(_SOFTENERS)
    return (ending.endswith("呢") and closed_by not in ("!", "。") and not ending.endswith("着呢")
            and "还" not in ending and "才" not in ending)  # fmt: skip


def looks_like_question(text: MessageText, words: Words | None = None) -> bool:
    """Question marks, Chinese question words where they ask (not 比什么都, 没什么, 不怎么),
    English wh-words and 'anyone know …' (`words`: `Words.of(text)`, when the caller has it)."""
    if "?" in text.normalised or "¿" in text.normalised:
        return True
    if _MARKERS.search(text.compact) and any(
        _clause_asks(clause, closed_by) for clause, closed_by in _CLAUSE.findall(text.normalised)
    ):
        return True
    latin = words.latin if words is not None else latin_words(text.normalised)
    if latin and text.normalised.startswith(latin[0]) and latin[0] in _QUESTION_WORDS:
        return True
    return bool(_QUESTION_PHRASES.search(text.normalised))


@dataclass(frozen=True)
class Match:
    """The entry a message asks, how sure we are, and the keywords that pointed to it."""

    entry: int  # its position in `mechanisms.faq.entries`
    question: str
    answer: str
    score: float
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Entry:
    question: str
    answer: str
    keywords: tuple[Keyword, ...]
    vector: dict[str, float]
    norm: float


class FaqIndex:
    """The playbook's FAQ, prepared once for matching."""

    def __init__(self, entries: Sequence[FaqEntry]) -> None:
        docs: list[dict[str, float]] = []
        for entry in entries:
            doc = features(prepare(entry.question).normalised)
            for keyword in entry.keywords:
                for name, weight in features(prepare(keyword).normalised).items():
                    doc[name] = max(doc.get(name, 0.0), weight)
            docs.append(doc)
        count = len(docs)
        frequency: dict[str, int] = {}
        for doc in docs:
            for name in doc:
                frequency[name] = frequency.get(name, 0) + 1
        self._idf = {name: math.log(1 + count / df) for name, df in frequency.items()}
        self._unknown = math.log(1 + count) if count else 1.0
        self._entries: list[_Entry] = []
        for entry, doc in zip(entries, docs, strict=True):
            vector = {name: weight * self._idf[name] for name, weight in doc.items()}
            self._entries.append(_Entry(
                entry.question, entry.answer, tuple(Keyword.of(k) for k in entry.keywords),
                vector, math.sqrt(sum(v * v for v in vector.values())) or 1.0,
            ))  # fmt: skip

        keywords = [(index, k) for index, e in enumerate(self._entries) for k in e.keywords]
        self._keywords = KeywordSet(k for _, k in keywords)
        self._keyword_entry = [index for index, _ in keywords]
        # feature → (entry, weight): a message is scored in one pass over its own features
        postings: dict[str, list[tuple[int, float]]] = {}
        for index, indexed in enumerate(self._entries):
            for name, weight in indexed.vector.items():
                postings.setdefault(name, []).append((index, weight))
        self._known = KnownFeatures(self._idf, self._unknown, postings, len(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def ranked(self, text: MessageText) -> list[Match]:
        """Every entry with its score for this message, best first."""
        scores = self._scores(text)
        scored = [self._match(index, score, found) for index, (score, found) in enumerate(scores)]
        return sorted(scored, key=lambda m: (-m.score, m.entry))

    def _match(self, index: int, score: float, found: tuple[str, ...]) -> Match:
        entry = self._entries[index]
        return Match(index, entry.question, entry.answer, score, found)

    def _scores(self, text: MessageText) -> list[tuple[float, tuple[str, ...]]]:
        """Each entry's score (rounded as `Match.score`) and the keywords found, in entry order."""
        read = self._read(text)
        if read is None:
            return []
        dots, norm, found_by = self._filled(*read)
        return [self._score(index, dots[index], norm, found_by) for index in range(len(dots))]

    def _read(self, text: MessageText, words: Words | None = None,
              ) -> tuple[list[float] | None, float, dict[int, list[str]]] | None:  # fmt: skip
        """What the scores are made of: the dot product of the message with each entry (None:
        the message shares no feature with any, every one is 0.0), the message's norm, and the
        keywords found per entry (None: nothing to score). The message's TF-IDF vector over
        `features(text.normalised)` is read by `KnownFeatures` without being built (see
        vectors.py)."""
        if not self._entries or not text.compact:
            return None
        if words is None:
            words = Words.of(text)
        read = self._known.read(words)
        dots, norm = read if read is not None else (None, 1.0)
        return dots, norm, self._found_by(words)

    def _filled(self, dots: list[float] | None, norm: float, found_by: dict[int, list[str]],
                ) -> tuple[list[float], float, dict[int, list[str]]]:  # fmt: skip
        # 0.0 over any norm is 0.0
        return ([0.0] * len(self._entries) if dots is None else dots), norm, found_by

    def _found_by(self, words: Words) -> dict[int, list[str]]:
        """The keywords the message contains, per entry."""
        found_by: dict[int, list[str]] = {}
        for position in self._keywords.found(words):
            keyword = self._keywords.keywords[position]
            found_by.setdefault(self._keyword_entry[position], []).append(keyword.text)
        return found_by

    def _score(self, index: int, dot: float, norm: float,
               found_by: dict[int, list[str]]) -> tuple[float, tuple[str, ...]]:  # fmt: skip
        found = tuple(found_by.get(index, ()))
        score = dot / (norm * self._entries[index].norm) + KEYWORD_BONUS * min(len(found), 2)
        return round(score, 4), found

    def best(self, text: MessageText, words: Words | None = None) -> Match | None:
        """The best-scoring entry, however low its score (the first of `ranked`, without
        ranking the others: the highest score, the earliest entry among equals); `words`:
        `Words.of(text)`, when the caller has it already."""
        read = self._read(text, words)
        if read is None:
            return None
        return self._match(*self._best(*self._filled(*read)))

    def _best(self, dots: list[float], norm: float,
              found_by: dict[int, list[str]]) -> tuple[int, float, tuple[str, ...]]:  # fmt: skip
        """The best entry's position, score and keywords found.

        Only the entries the message shares a feature or a keyword with are scored: every
        other one scores 0.0, so it can only be best when all do, and then the first is."""
        touched = sorted({i for i, dot in enumerate(dots) if dot} | found_by.keys())
        best, best_score = 0, 0.0
        best_found: tuple[str, ...] = ()
        for index in touched:
            score, found = self._score(index, dots[index], norm, found_by)
            if score > best_score:
                best, best_score, best_found = index, score, found
        if best_score == 0.0:  # every entry scores 0.0: the first, as `ranked` puts it
            best = 0
            best_score, best_found = self._score(0, dots[0], norm, found_by)
        return best, best_score, best_found

    def answer(self, text: MessageText, *, addressed: bool = False, asks: bool | None = None,
               words: Words | None = None) -> Match | None:  # fmt: skip
        """The entry to answer with, or None when no entry is close enough; `asks`: whether
        the message looks like a question, `words`: `Words.of(text)`, when the caller knows
        already."""
        read = self._read(text, words)
        if read is None or (read[0] is None and not read[2]):
            return None  # nothing to score, or every entry scores 0.0
        best, score, found = self._best(*self._filled(*read))
        if asks is None:
            asks = looks_like_question(text)
        needed = ANSWER_AT if addressed or asks else STATEMENT_AT
        return self._match(best, score, found) if score >= needed else None
