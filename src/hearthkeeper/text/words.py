"""Chinese cut into words as jieba cuts it (`segment.py`), for whatever reads Chinese by its
words: the FAQ's matcher, crisis watch's sentiment, the learned scorer's verdicts explained to
staff (`ngram_words.py`). jieba's dictionary is loaded once per process, on the first cut."""

from __future__ import annotations

import logging
import re
from functools import cache, lru_cache

from hearthkeeper.text.segment import Segmenter, Tokenizer

# a run of Chinese characters: the unified ideographs, extension A, compatibility forms and
# the supplementary planes' ideographs
CJK_RUN = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")


@cache
def _segmenter() -> Segmenter:
    """jieba's cut, its dictionary loaded once per process, on first use, quietly."""
    import jieba  # type: ignore[import-untyped]

    # jieba logs every dictionary load at DEBUG to stderr through its own handler
    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer: Tokenizer = jieba.Tokenizer()
    return Segmenter(tokenizer)


@lru_cache(maxsize=4096)  # chat repeats itself (打卡, 谢谢, 早上好): cut each phrase once
def chinese_words(run: str) -> tuple[str, ...]:
    """A run of Chinese characters cut into words as jieba cuts it (`segment.py`)."""
    return _segmenter().cut(run)
