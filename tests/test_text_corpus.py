"""The evasion corpus: well formed, and the default playbook keeps catching what it caught.

The figures are measured by `benchmarks/quality.py`; this test only guards the floor, so a
change that lets a whole evasion technique through fails here first.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from hearthkeeper.playbook import Playbook
from hearthkeeper.text import Scanner, is_advertising

CORPUS = Path(__file__).parent / "data" / "evasion.jsonl"
ROWS = [json.loads(line) for line in CORPUS.read_text("utf-8").splitlines() if line.strip()]
# Spam written in words no default list holds: measured, not expected to be caught.
UNLISTED = "unlisted-phrase"
# Ham the default playbook flags by design: links to sites it does not allow, and playbook
# keywords (进群, 加群, 入群, 加好友) that ordinary chat uses too.
FLAGGED_BY_DESIGN = {"legit-link", "keyword-collision"}


def test_the_corpus_is_well_formed() -> None:
    assert all(set(row) == {"text", "label", "technique"} for row in ROWS)
    assert all(row["label"] in ("spam", "ham") for row in ROWS)
    texts = [row["text"] for row in ROWS]
    assert len(texts) == len(set(texts))
    assert sum(row["label"] == "spam" for row in ROWS) >= 150
    assert sum(row["label"] == "ham" for row in ROWS) >= 150


def test_the_corpus_covers_every_evasion_technique() -> None:
    techniques = {row["technique"] for row in ROWS if row["label"] == "spam"}
    assert {
        "zero-width",
        "bidi-controls",
        "homoglyph",
        "full-width",
        "math-letters",
        "traditional",
        "spaced",
        "separators",
        "emoji-separators",
        "url-encoding",
        "markdown",
        "digits-in-words",
        "messaging-id",
        "link-disguise",
        "invite-link",
        "combined",
    } <= techniques


@pytest.fixture(scope="module")
def flagged() -> dict[str, list[bool]]:
    minimal = {
        "community": {
            "slug": "c",
            "name": "C",
            "purpose": "p",
            "interest": {"kind": "product", "description": "d"},
        }
    }
    # the rules alone: the learned scorer beside them is measured in test_text_scorer.py
    scanner = Scanner.from_rules(Playbook.model_validate(minimal).rules, scorer=None)
    by_technique: dict[str, list[bool]] = defaultdict(list)
    for row in ROWS:
        key = f"{row['label']}:{row['technique']}"
        by_technique[key].append(is_advertising(scanner.scan(row["text"])))
    return by_technique


def test_each_evasion_technique_is_mostly_caught(flagged: dict[str, list[bool]]) -> None:
    for key, results in flagged.items():
        if key.startswith("spam:") and key != f"spam:{UNLISTED}":
            assert sum(results) / len(results) >= 0.8, key


def test_ordinary_chat_in_the_corpus_is_not_flagged(flagged: dict[str, list[bool]]) -> None:
    for key, results in flagged.items():
        technique = key.removeprefix("ham:")
        if key.startswith("ham:") and technique not in FLAGGED_BY_DESIGN:
            assert not any(results), key
