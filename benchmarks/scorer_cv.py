"""Choosing the learned scorer's smoothing and threshold without touching the held-out part.

5-fold cross-validation inside the tuning part of the moderation corpus: the scorer is
trained on four folds (as `train.py` does: rare n-grams pruned) and judged on the fifth, beside
the rules of the default playbook and of the club template, for each smoothing value and
threshold, both as the scanner applies it (text mostly in Latin script needs
1 - (1 - threshold) / 2, `ScoreResult.counts_at`) and as one threshold for every script. Rows
on the tuning part scored by the shipped model are its own training data and flatter it;
these figures do not.

Run: .venv/bin/python benchmarks/scorer_cv.py [--alphas 0.1,0.25,0.5,1] (after
benchmarks/corpus/moderation.py)
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
from pathlib import Path

from quality import MODERATION, rule_sets

from hearthkeeper.text import Scanner, is_advertising, scorer
from hearthkeeper.text.evaluation import Labelled, evaluate, read_corpus
from hearthkeeper.text.train import prune

FOLDS = 5
THRESHOLDS = (0.9, 0.95, 0.98, 0.99)


def _fold(text: str) -> int:
    return int(hashlib.sha256(b"cv" + text.encode("utf-8")).hexdigest()[:8], 16) % FOLDS


def _verdicts(rows: list[Labelled]) -> dict[str, scorer.ScoreResult]:
    """Each row's verdict from a scorer that never saw its fold."""
    found: dict[str, scorer.ScoreResult] = {}
    for k in range(FOLDS):
        train = [(row.text, row.spam) for row in rows if _fold(row.text) != k]
        model = prune(scorer.SpamScorer.trained(train))
        for row in rows:
            if _fold(row.text) == k:
                found[row.text] = model.score(row.text)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alphas", default="0.1,0.25,0.5,1")
    parser.add_argument("--corpus", type=Path, default=MODERATION)
    args = parser.parse_args()
    with args.corpus.open(encoding="utf-8") as handle:
        rows = [row for row in read_corpus(handle) if row.split == "tune"]
    playbooks = rule_sets()
    ruled = {
        name: {row.text: is_advertising(Scanner.from_rules(playbooks[name], None).scan(row.text))
               for row in rows}
        for name in ("default", "club")
    }  # fmt: skip
    print("| smoothing | threshold | Latin text | playbook | plain ads | evasive | chat FP rate "
          "| SMS recall | SMS precision |\n|---|---|---|---|---|---|---|---|---|")  # fmt: skip
    for alpha in (float(a) for a in args.alphas.split(",")):
        scorer._ALPHA = alpha  # the one knob under study; the module's value is the chosen one
        verdicts = _verdicts(rows)
        for threshold, by_script in itertools.product(THRESHOLDS, (True, False)):
            latin = 1 - (1 - threshold) / 2 if by_script else threshold
            said = {
                text: v.counts_at(threshold) if by_script else v.probability >= threshold
                for text, v in verdicts.items()
            }
            for name, by_rule in ruled.items():
                result = evaluate(rows, lambda t, r=by_rule, d=said: r[t] or d[t])
                s = result.summary
                print(f"| {alpha} | {threshold} | {latin:g} | {name} | {s['plain ads'].recall:.3f} "
                      f"| {s['evasive variants'].recall:.3f} "
                      f"| {s['ordinary chat'].false_positive_rate:.4f} "
                      f"| {s['SMS collection'].recall:.3f} | {s['SMS collection'].precision:.3f} |")  # fmt: skip


if __name__ == "__main__":
    main()
