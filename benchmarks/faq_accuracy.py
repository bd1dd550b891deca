"""FAQ matching accuracy on paraphrased questions, per template and overall.

Each line of `tests/data/faq_paraphrases*.jsonl` is a member's message written against one
template's FAQ: {"template", "text", "expected": the entry's question or null, "variant"?}.
It is put through the same decision the FAQ handler makes (`FaqIndex.answer`; addressed to the
bot when the template answers only when mentioned):

- top-1 accuracy: lines with an expected entry answered with exactly that entry;
- wrong: answered with another entry; missed: not answered;
- false answers: lines that match no entry (null) but got an answer.

`faq_paraphrases.jsonl` is the development set the thresholds were tuned on;
`faq_paraphrases_holdout.jsonl` was written before the matcher and not tuned on.

Also the matcher's speed per message. Run: .venv/bin/python benchmarks/faq_accuracy.py [--show] [--sweep]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from hearthkeeper.capabilities.faq import match as faq_match
from hearthkeeper.capabilities.faq.match import FaqIndex
from hearthkeeper.playbook import Playbook, parse_playbook
from hearthkeeper.playbook.templates import TEMPLATES, template_text
from hearthkeeper.text.normalise import prepare
from hearthkeeper.text.words import chinese_words

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
SETS = {"development": DATA / "faq_paraphrases.jsonl",
        "holdout": DATA / "faq_paraphrases_holdout.jsonl"}  # fmt: skip


@dataclass
class Score:
    """Counts for one template (or all of them)."""

    right: int = 0
    wrong: int = 0
    missed: int = 0
    nulls: int = 0
    false_answers: int = 0

    @property
    def asked(self) -> int:
        return self.right + self.wrong + self.missed

    @property
    def accuracy(self) -> float:
        return self.right / self.asked if self.asked else 0.0

    @property
    def false_rate(self) -> float:
        return self.false_answers / self.nulls if self.nulls else 0.0

    def add(self, other: Score) -> None:
        for name in ("right", "wrong", "missed", "nulls", "false_answers"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def rows(path: Path) -> list[dict[str, str | None]]:
    """The lines of a paraphrase file."""
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def playbooks() -> dict[str, Playbook]:
    """The four templates, parsed."""
    return {name: parse_playbook(template_text(name)).playbook for name in TEMPLATES}


def evaluate(path: Path, *, show: bool = False,
             thresholds: tuple[float, float] | None = None) -> dict[str, Score]:  # fmt: skip
    """Scores per template and per variant (`variant:typo` …) and `overall`."""
    books = playbooks()
    indexes = {name: FaqIndex(pb.mechanisms.faq.entries) for name, pb in books.items()}
    scores: dict[str, Score] = defaultdict(Score)
    for row in rows(path):
        name, text, expected = str(row["template"]), str(row["text"]), row["expected"]
        addressed = books[name].mechanisms.faq.mention_only
        prepared = prepare(text)
        if thresholds is None:
            match = indexes[name].answer(prepared, addressed=addressed)
        else:
            best = indexes[name].best(prepared)
            asks = addressed or faq_match.looks_like_question(prepared)
            needed = thresholds[0] if asks else thresholds[1]
            match = best if best is not None and best.score >= needed else None
        got = match.question if match else None
        one = Score()
        if expected is None:
            one.nulls, one.false_answers = 1, int(got is not None)
        elif got == expected:
            one.right = 1
        elif got is None:
            one.missed = 1
        else:
            one.wrong = 1
        for key in (name, f"variant:{row.get('variant') or 'plain'}", "overall"):
            scores[key].add(one)
        if show and got != expected:
            best = indexes[name].best(prepared)
            print(f"  {name:10} {text!r}: expected {expected!r}, got {got!r} "
                  f"(best {best.question if best else None!r} {best.score if best else 0})")  # fmt: skip
    return dict(scores)


def report(title: str, scores: dict[str, Score]) -> None:
    """Print one set's table."""
    print(f"\n{title}")
    print(
        f"{'':18} {'asked':>5} {'top-1':>7} {'wrong':>5} {'missed':>6} {'no-match':>8} {'false':>6}"
    )
    keys = [*TEMPLATES, *sorted(k for k in scores if k.startswith("variant:")), "overall"]
    for key in keys:
        s = scores.get(key)
        if s is None:
            continue
        print(f"{key:18} {s.asked:5} {s.accuracy:7.1%} {s.wrong:5} {s.missed:6} {s.nulls:8} "
              f"{s.false_rate:6.1%}")  # fmt: skip


def speed(rounds: int = 20) -> float:
    """Microseconds per message for the matcher's whole decision, over every line of both sets."""
    books = playbooks()
    indexes = {name: FaqIndex(pb.mechanisms.faq.entries) for name, pb in books.items()}
    lines = [(str(r["template"]), str(r["text"])) for path in SETS.values() for r in rows(path)]
    for name, text in lines:  # load jieba and the readings first
        indexes[name].answer(prepare(text))
    started = time.perf_counter()
    for _ in range(rounds):
        chinese_words.cache_clear()  # every line read as if new
        for name, text in lines:
            prepared = prepare(text)
            indexes[name].answer(prepared)
    return (time.perf_counter() - started) / (rounds * len(lines)) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print every miss")
    parser.add_argument("--sweep", action="store_true", help="accuracy at other thresholds")
    args = parser.parse_args()
    print(f"thresholds: question {faq_match.ANSWER_AT}, statement {faq_match.STATEMENT_AT}, "
          f"keyword bonus {faq_match.KEYWORD_BONUS}")  # fmt: skip
    for title, path in SETS.items():
        report(f"{title} set ({path.name})", evaluate(path, show=args.show))
    print(f"\nmatching speed: {speed():.0f} µs per message (normalise, segment, score, keywords)")
    if args.sweep:
        print("\nsweep on the development set: question threshold → top-1 / false answers")
        for answer_at in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7):
            overall = evaluate(SETS["development"], thresholds=(answer_at, faq_match.STATEMENT_AT))
            s = overall["overall"]
            print(f"  {answer_at:.2f}: {s.accuracy:6.1%} / {s.false_rate:6.1%}")


if __name__ == "__main__":
    main()
