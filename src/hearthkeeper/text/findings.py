"""What a detector reports: the violation kind, the text it matched, and why."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Finding:
    """One detected violation.

    `kind` is a `hearthkeeper.playbook.rules.ViolationKind` value (advertising, links, ...);
    `matched` is the text that matched, after normalisation; `explanation` says why, in words
    an operator reads in the audit log.
    """

    kind: str
    matched: str
    explanation: str
