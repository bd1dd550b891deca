"""Measuring moderation on a labelled corpus: recall and false alarms per family.

A corpus is JSON lines `{"text", "label": "spam"|"ham", "family", "variant", "split"}`
(`benchmarks/corpus/moderation.py` builds one; only `text` and `label` are required). A
message counts as caught when the scanner reports advertising, links, contact or invites —
what the moderation handler acts on, before the ladder decides the sanction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from hearthkeeper.text.controls import quoted

# The summary lines the targets are stated for: (name, which rows, what is measured).
PLAIN, EVASIVE, CHAT, SMS = "plain ads", "evasive variants", "ordinary chat", "SMS collection"
SPLITS = ("tune", "held-out")
"""A row's `split`, when it has one: the scorer is trained on the tune part alone."""


@dataclass(frozen=True, slots=True)
class Labelled:
    """One row of a corpus."""

    text: str
    spam: bool
    family: str
    variant: str
    split: str


@dataclass(slots=True)
class Tally:
    """Counts for one family or summary line."""

    spam: int = 0
    ham: int = 0
    caught: int = 0  # spam flagged
    false_alarms: int = 0  # ham flagged

    def add(self, spam: bool, flagged: bool) -> None:
        if spam:
            self.spam += 1
            self.caught += flagged
        else:
            self.ham += 1
            self.false_alarms += flagged

    @property
    def recall(self) -> float | None:
        return self.caught / self.spam if self.spam else None

    @property
    def false_positive_rate(self) -> float | None:
        return self.false_alarms / self.ham if self.ham else None

    @property
    def precision(self) -> float | None:
        flagged = self.caught + self.false_alarms
        return self.caught / flagged if flagged and self.spam else None

    def to_json(self) -> dict[str, object]:
        return {"spam": self.spam, "ham": self.ham, "caught": self.caught,
                "false_alarms": self.false_alarms, "recall": _round(self.recall),
                "false_positive_rate": _round(self.false_positive_rate),
                "precision": _round(self.precision)}  # fmt: skip


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass(slots=True)
class Evaluation:
    """Tallies per family and per summary line, and a few misses and false alarms to read."""

    families: dict[str, Tally] = field(default_factory=dict)
    summary: dict[str, Tally] = field(default_factory=dict)
    total: Tally = field(default_factory=Tally)
    examples: list[tuple[str, str, str]] = field(default_factory=list)  # (MISS|FALSE, family, text)

    def to_json(self) -> dict[str, object]:
        return {
            "total": self.total.to_json(),
            "summary": {name: tally.to_json() for name, tally in self.summary.items()},
            "families": {name: tally.to_json() for name, tally in sorted(self.families.items())},
        }


def read_corpus(lines: Iterable[str | bytes], source: str = "<corpus>") -> list[Labelled]:
    """The rows of a corpus (its lines as read, UTF-8 bytes or text); ValueError naming the
    line for one that is not a labelled message, or names a split other than `SPLITS`."""
    rows: list[Labelled] = []
    for number, raw in enumerate(lines, 1):
        where = f"{source}:{number}"
        line = _decoded(raw, where)
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"{where}: expected a JSON object with 'text' and 'label' ({exc})"
                             ) from exc  # fmt: skip
        except RecursionError as exc:  # [[[[… thousands deep
            raise ValueError(f"{where}: expected a JSON object with 'text' and 'label' "
                             "(this line nests lists or objects too deep to read)") from exc  # fmt: skip
        if not isinstance(item, dict):
            raise ValueError(f"{where}: expected a JSON object with 'text' and 'label', "
                             f"not {_json_kind(item)}")  # fmt: skip
        missing = [key for key in ("text", "label") if key not in item]
        if missing:
            raise ValueError(f"{where}: expected a JSON object with 'text' and 'label'; "
                             f"{' and '.join(repr(key) for key in missing)} missing")  # fmt: skip
        text, label = item["text"], item["label"]
        if label not in ("spam", "ham"):
            said = quoted(label) if isinstance(label, str) else _json_kind(label)
            raise ValueError(f"{where}: 'label' must be spam or ham, not {said}")
        if not isinstance(text, str):
            raise ValueError(f"{where}: 'text' must be a string, not {_json_kind(text)}")
        split = item.get("split") or ""
        if split not in ("", *SPLITS):  # `--split held-out` would leave a typo's row out unsaid
            said = quoted(split) if isinstance(split, str) else _json_kind(split)
            raise ValueError(f"{where}: 'split' must be {' or '.join(SPLITS)} (or left out), "
                             f"not {said}")  # fmt: skip
        rows.append(Labelled(text, label == "spam", str(item.get("family") or label),
                             str(item.get("variant") or ""), split))  # fmt: skip
    return rows


def _decoded(raw: str | bytes, where: str) -> str:
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{where}: not UTF-8 text (byte {raw[exc.start]:#04x} at column "
                         f"{exc.start + 1}); a corpus is JSON lines in UTF-8") from exc  # fmt: skip


def _json_kind(value: object) -> str:
    """What a JSON value is, as an error names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    kinds = {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number"}
    return f"{kinds.get(type(value), type(value).__name__)} ({quoted(value)})"


def _summaries(row: Labelled) -> list[str]:
    names = []
    if row.spam and row.variant == "plain":
        names.append(PLAIN)
    if row.spam and row.variant == "evasive":
        names.append(EVASIVE)
    if not row.spam and row.family.startswith("chat"):
        names.append(CHAT)
    if row.family.startswith("sms-"):
        names.append(SMS)
    return names


def evaluate(
    rows: Iterable[Labelled], flagged: Callable[[str], bool], keep_examples: int = 0
) -> Evaluation:
    """Run `flagged` (does moderation act on this text?) over the rows and tally the results."""
    result = Evaluation()
    for row in rows:
        hit = flagged(row.text)
        result.total.add(row.spam, hit)
        result.families.setdefault(row.family, Tally()).add(row.spam, hit)
        for name in _summaries(row):
            result.summary.setdefault(name, Tally()).add(row.spam, hit)
        if hit != row.spam and len(result.examples) < keep_examples:
            result.examples.append(("MISS" if row.spam else "FALSE", row.family, row.text))
    return result


# Cross-validation: the same folds as `benchmarks/scorer_cv.py` and `scorer_options.py`.
FOLDS = 5


def fold_of(text: str) -> int:
    """Which of the `FOLDS` folds a text falls in (a hash of the text: stable across runs)."""
    return int(hashlib.sha256(b"cv" + text.encode("utf-8")).hexdigest()[:8], 16) % FOLDS


def out_of_sample(
    training: Iterable[tuple[str, bool]],
    judge: Callable[[list[tuple[str, bool]]], Callable[[str], bool]],
    shipped: Callable[[str], bool],
) -> tuple[Callable[[str], bool], frozenset[str]]:
    """A verdict for every text from a scorer that was never trained on it, and the texts
    the training holds.

    `training` is what the shipped scorer was trained on; `judge(examples)` builds the
    verdict of a scanner whose scorer is trained on `examples` alone. A text the training
    holds is read by the scanner trained on the other folds' examples (k-fold
    cross-validation); any other text by `shipped`, which never saw it either.
    """
    examples = list(training)
    trained = frozenset(text for text, _ in examples)
    folds: dict[int, Callable[[str], bool]] = {}  # trained when first needed

    def flagged(text: str) -> bool:
        if text not in trained:
            return shipped(text)
        k = fold_of(text)
        if k not in folds:
            folds[k] = judge([e for e in examples if fold_of(e[0]) != k])
        return folds[k](text)

    return flagged, trained
