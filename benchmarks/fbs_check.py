"""An external check: recall on real Chinese spam SMS (FBS), per category and per template.

Builds the two FBS variants with `benchmarks/corpus/fbs.py` from a local copy of the dataset
(not shipped: it has no licence), then runs `hearth moderate --evaluate ... --json` for the
built-in defaults and every template, on the tune and the held-out part, and prints markdown
tables: recall per category (A: placeholders dropped / B: filled in) and, beside it, the
false-positive rate on the moderation corpus's ordinary-message families.

Run: .venv/bin/python benchmarks/fbs_check.py PATH   (PATH: the category files, or the git dir)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for benchmarks.quality

from benchmarks.quality import evaluate

from hearthkeeper.playbook.templates import TEMPLATES

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
VARIANTS = {"dropped": "fbs-dropped.jsonl", "filled": "fbs-filled.jsonl"}
HAM = ("chat-zh", "chat-zh-tricky", "reviews-zh", "chat-en", "sms-ham")
GROUPS = ("AD", "FR", "IL")


def _recall(families: dict[str, Any], prefix: str) -> tuple[int, int]:
    """(caught, spam) over the FBS families whose category starts with `prefix`."""
    caught = spam = 0
    for name, tally in families.items():
        if name.startswith(f"fbs:{prefix}") and name != "fbs:Other":
            caught, spam = caught + tally["caught"], spam + tally["spam"]
    return caught, spam


def _cell(caught: int, spam: int) -> str:
    return f"{caught / spam:.3f}" if spam else "-"


def tables(results: dict[tuple[str, str, str], dict[str, Any]], playbooks: list[str]) -> None:
    """Per template, then per category, each split apart (held-out first)."""
    for split in ("held-out", "tune"):
        print(f"\n#### {split} part: per template (recall A / B; ham: false-positive rate)\n")
        print("| playbook | all but Other | " + " | ".join(GROUPS) + " | " + " | ".join(HAM) + " |")
        print("|---|---|" + "---|" * (len(GROUPS) + len(HAM)))
        for p in playbooks:
            a, b = results[(p, split, "dropped")], results[(p, split, "filled")]
            cells = []
            for prefix in ("", *GROUPS):
                ra, rb = _recall(a["families"], prefix), _recall(b["families"], prefix)
                cells.append(f"{_cell(*ra)} / {_cell(*rb)}")
            for family in HAM:
                tally = a["families"].get(family)
                cells.append("-" if tally is None else f"{tally['false_positive_rate']:.4f}")
            print(f"| {p} | " + " | ".join(cells) + " |")
        print(f"\n#### {split} part: per category (recall A: placeholders dropped / B: filled)\n")
        print("| category | messages | " + " | ".join(playbooks) + " |")
        print("|---|---|" + "---|" * len(playbooks))
        families = results[(playbooks[0], split, "dropped")]["families"]
        for family, tally in families.items():
            if not family.startswith("fbs:"):
                continue
            cells = []
            for p in playbooks:
                ta = results[(p, split, "dropped")]["families"][family]
                tb = results[(p, split, "filled")]["families"][family]
                cells.append(
                    f"{_cell(ta['caught'], ta['spam'])} / {_cell(tb['caught'], tb['spam'])}"
                )
            print(f"| {family[4:]} | {tally['spam']} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path, help="the FBS category files, or its git directory")
    parser.add_argument("--json", type=Path, help="also write every evaluation to this file")
    args = parser.parse_args()
    build = [sys.executable, str(HERE / "corpus" / "fbs.py"), str(args.source), "--out", str(CACHE)]
    subprocess.run(build, check=True, stdout=subprocess.DEVNULL)
    playbooks = ["default", *TEMPLATES]
    results = {
        (p, split, variant): evaluate(p, split, CACHE / name)
        for p in playbooks
        for split in ("tune", "held-out")
        for variant, name in VARIANTS.items()
    }
    if args.json is not None:
        document = {"|".join(key): value for key, value in results.items()}
        args.json.write_text(json.dumps(document, ensure_ascii=False, indent=1), "utf-8")
    tables(results, playbooks)


if __name__ == "__main__":
    main()
