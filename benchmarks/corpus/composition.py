"""How the moderation corpus's spam is split between tune and held-out, per family: counts only.

No row's text is printed, so the held-out part stays unread. For each family of spam (with its
source and variant) the rows on each side, the held-out share, and the two parts' share of
Chinese rows and median length; a family missing from one side is marked.

    .venv/bin/python benchmarks/corpus/moderation.py --out /tmp/m.jsonl --training /tmp/t.tsv.gz
    .venv/bin/python benchmarks/corpus/composition.py /tmp/m.jsonl [--variant plain]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from collections import Counter
from pathlib import Path

_HAN = re.compile("[\u4e00-\u9fff]")
_LATIN = re.compile("[A-Za-z]")


def _chinese(text: str) -> bool:
    return len(_HAN.findall(text)) >= len(_LATIN.findall(text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--variant", default="plain", help="plain, evasive, or '' for all spam")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.corpus.read_text("utf-8").splitlines() if line]
    wanted = {args.variant} if args.variant else {"plain", "evasive", ""}
    spam = [r for r in rows if r["label"] == "spam" and r["variant"] in wanted]
    counts = Counter((r["family"], r["source"], r["split"]) for r in spam)
    print("| family | source | tune | held-out | held-out share |")
    print("|---|---|---|---|---|")
    for family, source in sorted({(r["family"], r["source"]) for r in spam}):
        tune, held = counts[(family, source, "tune")], counts[(family, source, "held-out")]
        mark = " (one side only)" if not tune or not held else ""
        print(f"| {family} | {source} | {tune} | {held} | {held / (tune + held):.2f}{mark} |")
    for split in ("tune", "held-out"):
        part = [r["text"] for r in spam if r["split"] == split]
        if part:
            chinese = sum(map(_chinese, part)) / len(part)
            middle = statistics.median(map(len, part))
            print(f"{split}: {len(part)} rows, Chinese {chinese:.2f}, median length {middle}")


if __name__ == "__main__":
    main()
