"""The FAQ matcher answers what the plain TF-IDF cosine says, to the last digit: its faster
reading (vectors.py: no feature vector built, no walk for a message sharing no character with
the entries) gives every member the same entry, score and keywords as the computation written
out here the straightforward way, for the templates' FAQs and any message."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from hearthkeeper.bench.synthetic import stream
from hearthkeeper.capabilities.faq.match import (
    ANSWER_AT,
    KEYWORD_BONUS,
    STATEMENT_AT,
    FaqIndex,
    looks_like_question,
)
from hearthkeeper.capabilities.faq.words import Keyword, Words, features
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.mechanisms import FaqEntry
from hearthkeeper.playbook.templates import TEMPLATES, template_text
from hearthkeeper.text.normalise import prepare

DATA = Path(__file__).resolve().parents[2] / "data"

Scored = tuple[int, float, tuple[str, ...]]  # entry, score, keywords found


class Reference:
    """The matcher's definition, computed the plain way: every feature of the message weighed
    by its IDF (an unseen one by log(1 + entries)), its norm summed over all of them, its dot
    product with each entry over the features they share, each keyword tried on its own."""

    def __init__(self, entries: list[FaqEntry]) -> None:
        docs = []
        for entry in entries:
            doc = features(prepare(entry.question).normalised)
            for keyword in entry.keywords:
                for name, weight in features(prepare(keyword).normalised).items():
                    doc[name] = max(doc.get(name, 0.0), weight)
            docs.append(doc)
        df: dict[str, int] = {}
        for doc in docs:
            for name in doc:
                df[name] = df.get(name, 0) + 1
        self.idf = {name: math.log(1 + len(docs) / count) for name, count in df.items()}
        self.unseen = math.log(1 + len(docs))
        self.vectors = [{n: w * self.idf[n] for n, w in doc.items()} for doc in docs]
        self.norms = [math.sqrt(sum(v * v for v in vector.values())) or 1.0
                      for vector in self.vectors]  # fmt: skip
        self.keywords = [[Keyword.of(k) for k in entry.keywords] for entry in entries]

    def ranked(self, text: str) -> list[Scored]:
        prepared = prepare(text)
        if not self.vectors or not prepared.compact:
            return []
        message = {n: w * self.idf.get(n, self.unseen)
                   for n, w in features(prepared.normalised).items()}  # fmt: skip
        norm = math.sqrt(sum(v * v for v in message.values())) or 1.0
        words = Words.of(prepared)
        scored = []
        for index, vector in enumerate(self.vectors):
            dot = 0.0
            for name, weight in message.items():
                if name in vector:
                    dot += weight * vector[name]
            found = tuple(k.text for k in self.keywords[index] if k.found_in(words))
            score = dot / (norm * self.norms[index]) + KEYWORD_BONUS * min(len(found), 2)
            scored.append((index, round(score, 4), found))
        return sorted(scored, key=lambda s: (-s[1], s[0]))

    def answer(self, text: str, *, addressed: bool) -> Scored | None:
        ranked = self.ranked(text)
        if not ranked:
            return None
        asks = addressed or looks_like_question(prepare(text))
        return ranked[0] if ranked[0][1] >= (ANSWER_AT if asks else STATEMENT_AT) else None


@cache
def faqs() -> dict[str, tuple[FaqIndex, Reference, list[FaqEntry]]]:
    found = {}
    for name in TEMPLATES:
        entries = parse_playbook(template_text(name)).playbook.mechanisms.faq.entries
        found[name] = (FaqIndex(entries), Reference(entries), entries)
    return found


def assert_same(text: str) -> None:
    prepared = prepare(text)
    assert looks_like_question(prepared, Words.of(prepared)) == looks_like_question(prepared)
    for name, (index, reference, _) in faqs().items():
        expected = reference.ranked(text)
        got = [(m.entry, m.score, m.keywords) for m in index.ranked(prepared)]
        assert got == expected, (name, text)
        best = index.best(prepared)
        assert (best and (best.entry, best.score, best.keywords)) == (
            expected[0] if expected else None
        ), (name, text)
        for addressed in (False, True):
            match = index.answer(prepared, addressed=addressed)
            assert (match and (match.entry, match.score, match.keywords)) == reference.answer(
                text, addressed=addressed
            ), (name, text, addressed)


def known_texts() -> list[str]:
    """The paraphrase sets, the synthetic chat stream, and the entries' own words."""
    texts = [m.text for m in stream(3000, start=datetime(2026, 6, 1, tzinfo=UTC))]
    for path in sorted(DATA.glob("faq_paraphrases*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text("utf-8").splitlines()
                  if line.strip()]  # fmt: skip
    for _, _, entries in faqs().values():
        for entry in entries:
            texts += [entry.question, *entry.keywords, f"{entry.question} {entry.keywords}"]
    return list(dict.fromkeys(texts))


def test_every_known_message_gets_the_same_entry_score_and_keywords() -> None:
    texts = known_texts()
    assert len(texts) > 250
    for text in texts:
        assert_same(text)


def test_a_message_sharing_no_character_with_the_entries_is_told_so() -> None:
    # the reading that skips the walk still says what the keywords found
    index, reference, _ = faqs()["skincare"]
    for text in ("good morning everyone", "哈哈哈哈笑死我了", "😀 👍 2026"):
        best = index.best(prepare(text))
        assert best is not None and best.score == 0.0 and best.entry == 0
        assert reference.ranked(text)[0] == (0, 0.0, ())


def _pieces() -> st.SearchStrategy[str]:
    words: list[str] = []
    for _, _, entries in faqs().values():
        for entry in entries:
            words += [entry.question, *entry.keywords]
    words += [m.text for m in stream(200, start=datetime(2026, 6, 1, tzinfo=UTC))]
    # the entries' characters, look-alikes and sound-alikes, traditional and full-width
    # forms, and characters at the edges of what is read as a word
    alphabet = ("续费到期会员退款回放素材敏感肌孕期积分兑换下单怎么吗呢能用的了是"
                "續費會員過敏废卷序ａｂｃ？?！，,. '-_÷×䷀🙂"
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")  # fmt: skip
    return st.one_of(
        st.sampled_from(words),
        st.sampled_from(words).map(lambda w: w[::-1]),
        st.text(alphabet=alphabet, max_size=12),
        st.sampled_from(["parties", "cancelled", "booking", "guests", "can't", "I'd"]),
        st.text(max_size=6),
    )


@settings(max_examples=400, deadline=None)
@given(st.lists(_pieces(), max_size=5).map(" ".join))
def test_any_message_gets_the_same_entry_score_and_keywords(text: str) -> None:
    assert_same(text)
