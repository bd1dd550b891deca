"""Moderation's decisions on what was found in one message. Pure: plain inputs, no store."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hearthkeeper.engine.events import Attachment
from hearthkeeper.playbook.joining import Probation
from hearthkeeper.playbook.rules import Response, ViolationKind, Violations
from hearthkeeper.text.findings import Finding
from hearthkeeper.text.links import find_links


@dataclass(frozen=True)
class Triage:
    """Where a message's findings go: to staff only, or up the ladder."""

    alerts: tuple[Finding, ...]
    ladder: tuple[Finding, ...]


def triage(findings: Iterable[Finding], violations: Violations, role: str | None) -> Triage:
    """Sort findings by who sends them (`role`: a staff role, or None for a member).

    A staff member whose role a detector exempts is not reported at all; any other staff
    finding, and every finding of an alert-only kind, goes to staff: staff are never
    punished automatically."""
    alerts: list[Finding] = []
    ladder: list[Finding] = []
    for finding in findings:
        detector = violations.detector(ViolationKind(finding.kind))
        if role is not None and (detector.exempt_roles is None or role in detector.exempt_roles):
            continue
        if detector.response is Response.ALERT or role is not None:
            alerts.append(finding)
        else:
            ladder.append(finding)
    return Triage(tuple(alerts), tuple(ladder))


def heaviest(ladder: Sequence[Finding], violations: Violations) -> tuple[Finding, int]:
    """The finding worth the most strikes (the first of equals), and how many it is worth."""
    worst = max(ladder, key=lambda f: violations.detector(ViolationKind(f.kind)).strikes)
    return worst, violations.detector(ViolationKind(worst.kind)).strikes


def probation_breach(
    probation: Probation, attachments: Sequence[Attachment], mentions: bool, normalised: str
) -> str | None:
    """What a newcomer posted that probation forbids ("links", "files", "pictures",
    "mentions"), or None; `normalised` is the message's normalised text."""
    kinds = {a.kind for a in attachments}
    # A picture we cannot read may carry a QR code: for newcomers it counts as a link, be it
    # sent as a picture, as a file or as a sticker (a file of another type is a file).
    unreadable = any(a.is_picture and not a.data for a in attachments)
    if probation.no_links and ("link" in kinds or unreadable or find_links(normalised)):
        return "links"
    if probation.no_files and "file" in kinds:
        return "files"
    if probation.no_pictures and "picture" in kinds:
        return "pictures"
    if probation.no_mentions and mentions:
        return "mentions"
    return None


def explain(findings: Iterable[Finding]) -> str:
    """The findings in words, each once (a keyword can match the text in two forms)."""
    return "; ".join(
        dict.fromkeys(
            f"{f.kind}: matched {f.matched!r} ({f.explanation})"
            if f.matched
            else f"{f.kind}: {f.explanation}"
            for f in findings
        )
    )
