"""The learned scorer reads the features its definition says, in the order it says.

`scorer.features` takes shortcuts for short messages (no count of the 400 to keep, a gram
shown as itself); a message's score adds its features' weights in their order, so the
features and their order must be exactly those of the plain reading written out here."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearthkeeper.text import scorer as scorer_module
from hearthkeeper.text.links import find_links
from hearthkeeper.text.normalise import prepare
from hearthkeeper.text.scorer import SpamScorer, _gram_text, features

DATA = Path(__file__).parent / "data"


def plain_features(text: str) -> dict[str, str]:
    """The scorer's features read one step at a time, as its module docstring defines them."""
    normalised = prepare(text).normalised
    for link in find_links(normalised):
        normalised = normalised.replace(link.matched, " ")
    shown = _gram_text(normalised)
    found: dict[str, str] = {}
    for run in re.findall(r"[0-9]+", shown):
        found.setdefault(f"d:{min(len(run), 12)}", run)
    pieces = re.findall(r"[0-9]+|.", shown, re.DOTALL)  # a number is one piece
    chars = ["0" if piece[0].isdigit() and piece.isascii() else piece for piece in pieces]
    for n in (1, 2, 3):
        for start in range(len(chars) - n + 1):
            if len(found) >= 400:
                break
            gram = "".join(chars[start : start + n])
            if "0" in gram or gram in found:
                continue
            if (n == 1 and gram.isascii()) or (n == 3 and gram[1] == " "):
                continue
            found[gram] = "".join(pieces[start : start + n]).strip()
    for word in re.findall(r"[a-z][a-z']+", normalised):
        found.setdefault(f"w:{word}", word)
    return found


def corpus() -> list[str]:
    texts = []
    for path in sorted(DATA.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            texts += [v for v in json.loads(line).values() if isinstance(v, str)]
    return texts


# Chinese, Latin words, digits, separators and a link: every branch of the reading.
pieces = st.sampled_from(["加", "微", "信", "好", "的", " ", "  ", "vx", "abc", "free", "x",
                          "0", "12", "138 0013 8000", "5", ".", "，", "！", "+", "😀", "\u3000",
                          "ｖｘ", "w.e.i.x.i.n", "ab_c", "t.me/joinchat/ab", "'s"])  # fmt: skip
texts = st.lists(pieces, max_size=200).map("".join)
# Long enough for the 400 features to be reached (a pasted essay): many distinct grams.
essays = st.lists(st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), pieces),
                  min_size=120, max_size=400).map("".join)  # fmt: skip


# 200 texts, besides the test corpora below: a mismatch shows within the first hundred.
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(texts, essays, st.text(max_size=300)))
def test_the_features_are_those_of_the_plain_reading_in_its_order(text: str) -> None:
    assert list(features(prepare(text)).items()) == list(plain_features(text).items())


def test_the_test_corpora_read_the_features_of_the_plain_reading() -> None:
    for text in corpus():
        assert list(features(prepare(text)).items()) == list(plain_features(text).items()), text


def test_flags_is_the_verdict_when_it_counts_and_none_when_it_does_not() -> None:
    scorer = SpamScorer.trained([("加微信领红包", True), ("今天的分享很有用", False),
                                 ("call now to claim your prize", True), ("see you at 10", False)])  # fmt: skip
    flagged = 0
    for text in corpus():
        for threshold in (0.5, 0.98):
            verdict = scorer.score(text)
            expected = verdict if verdict.counts_at(threshold) else None
            assert scorer.flags(prepare(text), None, threshold) == expected, text
            flagged += expected is not None
    assert flagged > 100  # both answers are compared, many times


def plain_score(scorer: SpamScorer, text: str) -> tuple[float, bool, bool, list[tuple[float, str]]]:
    """A verdict read one feature at a time (probability, mostly Latin, holds a number, the
    spam-leaning features): each feature's group and weight, the weights added in order."""
    log_odds, latin, other = 0.0, 0, 0
    telling: list[tuple[float, str]] = []
    norms = scorer._norms
    for feature, shown in plain_features(text).items():
        group = "n" if feature.startswith("d:") else "a" if feature.isascii() else "c"
        latin += group == "a"
        other += group == "c"
        counts = scorer._count(feature)
        if counts is None or group not in norms:
            continue
        spam, ham = norms[group]
        weight = math.log(counts[0] + 0.1) - spam - math.log(counts[1] + 0.1) + ham
        log_odds += weight
        if weight > 0:
            telling.append((weight, shown))
    probability = 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, log_odds / 3.0))))
    numbered = any(feature.startswith("d:") for feature in plain_features(text))
    return probability, latin > other, numbered, telling


def verdict(scorer: SpamScorer, text: str) -> tuple[float, bool, bool, list[tuple[float, str]]]:
    """What the scorer reads (probability, mostly Latin, holds a number) and the features it
    would explain a verdict with, as `plain_score` gives them."""
    probability, latin, numbered, found = scorer._read(prepare(text), None)
    return probability, latin, numbered, scorer._telling(found)


LEARNT = SpamScorer.trained([("加微信领红包 138 0013 8000", True), ("今天的分享很有用", False),
                             ("call now to claim your prize", True), ("see you at 10", False),
                             ("vx abc123 free", True), ("早上好 good morning", False)])  # fmt: skip


# Each example is up to three texts, each read four times (two scorers, twice): 100 examples
# read about as many texts as the test above, besides the test corpora below.
@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(texts, essays, st.text(max_size=300)), min_size=1, max_size=3))
def test_the_verdict_is_that_of_the_plain_reading_however_often_a_text_is_read(
    batch: list[str],
) -> None:
    scorers = [LEARNT, LEARNT.learn([("today vx 加微信", True)])]  # with weights learnt later
    for text in [*batch, *batch]:  # a text read again finds its weights remembered
        for scorer in scorers:
            assert verdict(scorer, text) == plain_score(scorer, text), text


def test_the_test_corpora_score_as_the_plain_reading() -> None:
    for text in corpus():
        assert verdict(LEARNT, text) == plain_score(LEARNT, text), text


def test_word_pairs_study_flag_reads_adjacent_words_and_is_off_as_shipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Session 35's study (docs/benchmarks.md, "English word pairs, measured"): the pairs are
    features only when switched on, never across punctuation, a number read as 0."""
    text = "Bike for sale, $5 each. Call 0412 345 678"
    assert not [key for key in features(prepare(text)) if key.startswith("w2:")]
    monkeypatch.setattr(scorer_module, "WORD_PAIRS", True)
    pairs = {k: v for k, v in features(prepare(text)).items() if k.startswith("w2:")}
    assert pairs == {
        "w2:bike_for": "bike for",
        "w2:for_sale": "for sale",
        "w2:0_each": "5 each",
        "w2:call_0": "call 0412",
    }
    monkeypatch.setattr(scorer_module, "SPACE_GRAMS", False)
    read = features(prepare(text))
    assert "w2:for_sale" in read and "sal" in read
    assert not [key for key in read if " " in key]


def test_pair_weight_study_knob_scales_only_the_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scorer_module, "WORD_PAIRS", True)
    examples = [("bike for sale cheap", True), ("my bike is for my kid", False)]
    monkeypatch.setattr(scorer_module, "PAIR_WEIGHT", 0.5)
    halved = SpamScorer.trained(examples)
    weights = halved._all_weights()
    monkeypatch.setattr(scorer_module, "PAIR_WEIGHT", 1.0)
    plain = SpamScorer.trained(examples)._all_weights()
    assert weights["w2:for_sale"] == plain["w2:for_sale"] / 2
    assert weights["w:sale"] == plain["w:sale"] and weights["sal"] == plain["sal"]
