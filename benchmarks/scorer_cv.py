"""Choosing the learned scorer's smoothing and threshold without touching the held-out part.

5-fold cross-validation inside the tuning part of the moderation corpus: the scorer is
trained on four folds (as `train.py` does: rare n-grams pruned) and judged on the fifth, beside
the rules of the default playbook and of the club template, for each smoothing value and
threshold, both as the scanner applies it (text mostly in Latin script needs
1 - (1 - threshold) / 7.5, `ScoreResult.counts_at`) and as one threshold for every script. Rows
on the tuning part scored by the shipped model are its own training data and flatter it;
these figures do not.

Run: .venv/bin/python benchmarks/scorer_cv.py [--alphas 0.1,0.25,0.5,1] (after
benchmarks/corpus/moderation.py)

`--unnumbered 0.998,0.999,...` instead: the Latin threshold as shipped, one line per threshold
for Latin-script text holding no number (`ScoreResult.numbered`), chosen the same way with a
margin (the lower bound reaching 0.96).

`--latin 0.99,0.995,...` instead: the playbook's threshold fixed (`--threshold`, 0.95), one line
per threshold for text mostly in Latin script, with the SMS precision's 95% Wilson lower bound:
the margin is chosen as the lowest Latin threshold whose lower bound reaches the target on both
playbooks, so that a fresh sample the size of the held-out part is likely to meet it too.
"""

from __future__ import annotations

import argparse
import itertools
import math
from pathlib import Path

from quality import MODERATION, rule_sets

from hearthkeeper.playbook.rules import LearnedScorer
from hearthkeeper.text import Scanner, is_advertising, scorer
from hearthkeeper.text.evaluation import FOLDS, Labelled, evaluate, fold_of, read_corpus
from hearthkeeper.text.train import prune, read_written

THRESHOLDS = (0.9, 0.95, 0.98, 0.99)


def _fold(text: str) -> int:
    return fold_of(text)  # the folds `hearth moderate --evaluate` cross-validates on


def _verdicts(rows: list[Labelled]) -> dict[str, scorer.ScoreResult]:
    """Each row's verdict from a scorer that never saw its fold (trained, as `train.py` trains
    the shipped one, with the lines written for training in every fold)."""
    found: dict[str, scorer.ScoreResult] = {}
    written = read_written()
    for k in range(FOLDS):
        train = [(row.text, row.spam) for row in rows if _fold(row.text) != k] + written
        model = prune(scorer.SpamScorer.trained(train))
        for row in rows:
            if _fold(row.text) == k:
                found[row.text] = model.score(row.text)
    return found


def wilson_lower(successes: int, trials: int, z: float = 1.96) -> float:
    """The lower end of the 95% Wilson score interval of a proportion."""
    if not trials:
        return 0.0
    p = successes / trials
    centre = p + z * z / (2 * trials)
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return (centre - spread) / (1 + z * z / trials)


def latin_grid(
    rows: list[Labelled],
    verdicts: dict[str, scorer.ScoreResult],
    ruled: dict[str, dict[str, bool]],
    threshold: float,
    latins: list[float],
    unnumbered: bool = False,
) -> None:
    """One line per threshold for Latin-script text (or, `unnumbered`, for Latin-script text
    holding no number), the playbook's threshold fixed."""
    shipped = 1 - (1 - threshold) / scorer.LATIN_DOUBT
    print("| threshold | Latin text | playbook | plain ads | evasive | chat FP rate | SMS recall "
          "| SMS precision | precision, 95% lower bound |\n|---|---|---|---|---|---|---|---|---|")  # fmt: skip
    for latin in latins:
        said = {
            text: v.probability >= _bar(v, threshold, latin, shipped if unnumbered else None)
            for text, v in verdicts.items()
        }
        for name, by_rule in ruled.items():
            s = evaluate(rows, lambda t, r=by_rule, d=said: r[t] or d[t]).summary
            sms = s["SMS collection"]
            low = wilson_lower(sms.caught, sms.caught + sms.false_alarms)
            print(f"| {threshold} | {latin:g} | {name} | {s['plain ads'].recall:.3f} "
                  f"| {s['evasive variants'].recall:.3f} "
                  f"| {s['ordinary chat'].false_positive_rate:.4f} | {sms.recall:.3f} "
                  f"| {sms.precision:.3f} ({sms.false_alarms} false) | {low:.4f} |")  # fmt: skip


def _bar(v: scorer.ScoreResult, threshold: float, latin: float, numbered: float | None) -> float:
    """The bar a verdict must reach: `latin` for Latin-script text, or with `numbered` given,
    `numbered` for Latin-script text with a number and `latin` for one without."""
    if not v.latin:
        return threshold
    if numbered is None:
        return latin
    return numbered if v.numbered else latin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alphas", default="0.1,0.25,0.5,1")
    parser.add_argument("--corpus", type=Path, default=MODERATION)
    parser.add_argument("--latin", default="", help="thresholds for Latin-script text")
    parser.add_argument("--unnumbered", default="", help="... for such text without a number")
    parser.add_argument("--threshold", type=float, default=LearnedScorer().threshold)
    args = parser.parse_args()
    with args.corpus.open(encoding="utf-8") as handle:
        rows = [row for row in read_corpus(handle) if row.split == "tune"]
    playbooks = rule_sets()
    scanners = {name: Scanner.from_rules(playbooks[name], None) for name in ("default", "club")}
    ruled = {
        name: {row.text: is_advertising(scanner.scan(row.text)) for row in rows}
        for name, scanner in scanners.items()
    }
    if args.latin or args.unnumbered:
        grid = args.unnumbered or args.latin
        latin_grid(rows, _verdicts(rows), ruled, args.threshold,
                   [float(x) for x in grid.split(",")], bool(args.unnumbered))  # fmt: skip
        return
    print("| smoothing | threshold | Latin text | playbook | plain ads | evasive | chat FP rate "
          "| SMS recall | SMS precision |\n|---|---|---|---|---|---|---|---|---|")  # fmt: skip
    for alpha in (float(a) for a in args.alphas.split(",")):
        scorer._ALPHA = alpha  # the one knob under study; the module's value is the chosen one
        verdicts = _verdicts(rows)
        for threshold, by_script in itertools.product(THRESHOLDS, (True, False)):
            latin = 1 - (1 - threshold) / scorer.LATIN_DOUBT if by_script else threshold
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
