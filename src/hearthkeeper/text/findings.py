"""What a detector reports: the violation kind, the text it matched, and why."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Finding:
    """One detected violation.

    `kind` is a `hearthkeeper.playbook.rules.ViolationKind` value (advertising, links, ...);
    `matched` is the text that matched, after normalisation; `explanation` says why, in words
    an operator reads in the audit log; `score` is the learned scorer's spam probability when
    the finding is its verdict (None: a rule's finding).
    """

    kind: str
    matched: str
    explanation: str
    score: float | None = None
