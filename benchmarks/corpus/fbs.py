"""An external check: real Chinese spam SMS from fake base stations (FBS), as evaluation JSONL.

The FBS SMS dataset (Zhang et al., "Lies in the Air: Characterizing Fake-base-station Spam
Ecosystem in China", CCS 2020; github.com/Cypher-Z/FBS_SMS_Dataset, commit 49173b1) holds
about 14,000 spam messages in 14 category files (`AD:Loan`, `IL:Gambling`, ...), one message a
line, pre-processed: words separated by spaces, punctuation removed, contacts anonymised into
placeholders (URL, CELLPHONE, PHONE, HOTLINE, WECHAT, QQ, BANK, NAME, PLACE, DIGIT).

It has no licence (its README asks users to cite the paper), so it is not shipped, nor is
anything made from its text: this script reads a copy the user points it at and writes the
evaluation corpus to `benchmarks/.cache/` (never committed). Nothing is trained on it.

Each message becomes one row per variant, in its own file:

- `fbs-dropped.jsonl` (A): every placeholder dropped — the ad's content alone, no contact;
- `fbs-filled.jsonl` (B): every placeholder replaced by a plausible real form of its kind (a
  mobile number, a URL, a WeChat id ...), chosen deterministically from a hash of the message.

Tokens are joined back without spaces, except between two Latin words or numbers. Rows are
`{"text", "label": "spam", "family": "fbs:<category>", "variant", "source", "split"}`; the
split (30% held out) is a hash of the variant-A text, so a message that differs from another
only in its placeholders lands on the same side in both variants. Exact duplicate lines are
kept once. The ham rows of the moderation corpus (`benchmarks/corpus/moderation.py`, built
first if missing) are appended with their own split, for the false-positive rates beside.

    .venv/bin/python benchmarks/corpus/fbs.py PATH   # a directory of the category files,
                                                     # or a git directory holding them at HEAD
    .venv/bin/python benchmarks/fbs_check.py PATH    # every template, both variants, tables
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "benchmarks" / ".cache"
MODERATION = CACHE / "moderation.jsonl"
CATEGORIES = (
    "AD:Loan", "AD:Network_service", "AD:Other", "AD:Real_estate", "AD:Retail",
    "FR:Financial", "FR:Other", "FR:Phishing(Bank)", "FR:Phishing(Other)",
    "IL:Escort_service", "IL:Fake_ID_and_invoice", "IL:Gambling", "IL:Political_propaganda",
    "Other",
)  # fmt: skip
VARIANTS = {"dropped": "fbs-dropped.jsonl", "filled": "fbs-filled.jsonl"}
HELD_OUT_PERCENT = 30
Row = dict[str, str]

# Contact placeholders swallow the Latin residue glued after them (`URLdfge`: the anonymiser
# left part of the address); the others stand alone. CELLPHON is a truncated CELLPHONE.
_CONTACT = ("CELLPHONE", "CELLPHON", "HOTLINE", "PHONE", "WECHAT", "URL", "QQ", "BANK")
_PLAIN = ("DIGIT", "NAME", "PLACE")
_PLACEHOLDER = re.compile(
    "(?P<contact>" + "|".join(_CONTACT) + ")(?P<residue>[a-z0-9]*)"
    "|(?P<plain>" + "|".join(_PLAIN) + ")"
)
_LATIN = re.compile(r"[A-Za-z0-9]")


def split_of(text: str) -> str:
    """`held-out` or `tune`, from a hash of the text (as benchmarks/corpus/moderation.py)."""
    bucket = int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) % 100
    return "held-out" if bucket < HELD_OUT_PERCENT else "tune"


class Filler:
    """Plausible real forms for placeholders, drawn from a hash of the message and a counter."""

    _SURNAMES = "王李张刘陈杨黄赵吴周"
    _TITLES = ("先生", "女士", "经理", "")
    _PLACES = ("朝阳区", "天河区", "浦东新区", "南山区", "江北区", "西湖区", "武侯区", "鼓楼区")
    _BANKS = ("工商银行", "建设银行", "农业银行", "中国银行")
    _AREAS = ("010", "020", "021", "0755", "0571", "028", "023", "025")
    _DOMAINS = (".com", ".cn", ".net", ".cc", ".com.cn")
    _LETTERS = "abcdefghijklmnopqrstuvwxyz"

    def __init__(self, seed: str) -> None:
        self._seed = seed
        self._count = 0

    def _number(self) -> int:
        self._count += 1
        digest = hashlib.sha256(f"{self._seed}:{self._count}".encode()).hexdigest()
        return int(digest[:15], 16)

    def _digits(self, count: int) -> str:
        return str(self._number() % 10**count).zfill(count)

    def _letters(self, count: int) -> str:
        n = self._number()
        return "".join(self._LETTERS[(n >> (5 * i)) % 26] for i in range(count))

    def _pick(self, choices: tuple[str, ...] | str) -> str:
        return choices[self._number() % len(choices)]

    def form(self, kind: str, residue: str) -> str:
        """A real-looking value of one placeholder kind (residue: letters the anonymiser left)."""
        if kind in ("CELLPHONE", "CELLPHON"):
            return "1" + self._pick("3456789") + self._digits(9)
        if kind == "PHONE":
            return f"{self._pick(self._AREAS)}-{self._pick('2345678')}{self._digits(7)}"
        if kind == "HOTLINE":
            return f"400-{self._digits(3)}-{self._digits(4)}"
        if kind == "URL":
            path = f"/{residue}" if residue else ""
            return f"http://{self._letters(5)}{self._pick(self._DOMAINS)}{path}"
        if kind == "WECHAT":
            return f"{self._letters(4)}{self._digits(4)}"
        if kind == "QQ":
            return f"QQ{self._pick('123456789')}{self._digits(8)}"
        if kind == "BANK":
            return f"6222{self._digits(4)}{self._digits(4)}{self._digits(4)}"
        if kind == "DIGIT":
            return str(1 + self._number() % 98)
        if kind == "NAME":
            return self._pick(self._SURNAMES) + self._pick(self._TITLES)
        if kind == "PLACE":
            return self._pick(self._PLACES)
        raise ValueError(f"unknown placeholder {kind}")


def _join(tokens: list[str]) -> str:
    """Tokens joined without spaces, except between two Latin words or numbers."""
    text = ""
    for token in tokens:
        if not token:
            continue
        if text and _LATIN.match(text[-1]) and _LATIN.match(token[0]):
            text += " "
        text += token
    return text


def render(line: str, filler: Filler | None) -> str:
    """One FBS line as a message: placeholders dropped (no filler) or filled in."""
    tokens: list[str] = []
    for word in line.split():
        at = 0
        for found in _PLACEHOLDER.finditer(word):
            tokens.append(word[at : found.start()])
            if filler is not None:
                kind = found.group("contact") or found.group("plain")
                tokens.append(filler.form(kind, found.group("residue") or ""))
            at = found.end()
        tokens.append(word[at:])
    return _join(tokens)


def _read(source: Path, category: str) -> str:
    """A category file from a directory, or from HEAD of a (bare) git directory."""
    if (source / category).is_file():
        return (source / category).read_text("utf-8")
    command = ["git", "-C", str(source), "show", f"HEAD:{category}"]
    try:
        done = subprocess.run(command, check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise SystemExit(
            f"{source}: no file {category!r} there nor at HEAD of a git directory ({exc})"
        ) from exc
    return done.stdout.decode("utf-8")


def fbs_rows(source: Path) -> Iterator[tuple[str, Row]]:
    """(variant, row) for every distinct message of every category, both variants."""
    seen: set[str] = set()
    for category in CATEGORIES:
        for line in _read(source, category).splitlines():
            line = " ".join(line.split())
            if not line or line in seen:
                continue
            seen.add(line)
            dropped = render(line, None)
            if not dropped:
                continue
            split = split_of(dropped)
            filled = render(line, Filler(line))
            for variant, text in (("dropped", dropped), ("filled", filled)):
                yield variant, {"text": text, "label": "spam", "family": f"fbs:{category}",
                                "variant": variant, "source": "fbs-sms", "split": split}  # fmt: skip


def ham_rows() -> list[Row]:
    """The moderation corpus's ordinary messages (built first if missing)."""
    if not MODERATION.exists():
        subprocess.run([sys.executable, str(ROOT / "benchmarks/corpus/moderation.py")], check=True)
    rows = [json.loads(line) for line in MODERATION.read_text("utf-8").splitlines()]
    return [row for row in rows if row["label"] == "ham"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the category files' directory, or a git dir")
    parser.add_argument("--out", type=Path, default=CACHE, help="where the two files go")
    args = parser.parse_args()
    by_variant: dict[str, list[Row]] = {variant: [] for variant in VARIANTS}
    for variant, row in fbs_rows(args.source):
        by_variant[variant].append(row)
    ham = ham_rows()
    args.out.mkdir(parents=True, exist_ok=True)
    for variant, rows in by_variant.items():
        path = args.out / VARIANTS[variant]
        with path.open("w", encoding="utf-8") as out:
            for row in [*rows, *ham]:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        held = sum(row["split"] == "held-out" for row in rows)
        print(f"{path}: {len(rows)} spam ({held} held out) + {len(ham)} ham")


if __name__ == "__main__":
    main()
