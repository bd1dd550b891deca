"""Moderation's decisions on what was found in one message. Pure: plain inputs, no store."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from hearthkeeper.engine.events import Attachment
from hearthkeeper.playbook.joining import Probation
from hearthkeeper.playbook.rules import Response, Standing, ViolationKind, Violations
from hearthkeeper.text.controls import without_controls
from hearthkeeper.text.findings import Finding
from hearthkeeper.text.links import find_links
from hearthkeeper.text.normalise import MessageText, compact


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


@dataclass(frozen=True, slots=True)
class MemberStanding:
    """What the store knows of a member's standing in a community."""

    first_seen: datetime | None  # their earliest join to its groups, else their first message
    messages: int  # their messages recorded there, not deleted (counted up to what is asked)
    strikes: int  # their live strikes there
    # advertising alerts about them staff have not handled yet (1: one or more): a member
    # spared once is not spared again until staff judge it
    waiting: int = 0


def scorer_only(ladder: Sequence[Finding]) -> Finding | None:
    """The learned scorer's finding when it is all that would send the message up the ladder
    (no rule found anything the ladder acts on: keywords, contact, links, flooding …)."""
    if len(ladder) == 1 and ladder[0].score is not None:
        return ladder[0]
    return None


def in_good_standing(standing: MemberStanding, setting: Standing, now: datetime) -> bool:
    """Whether the member has been in the community long enough, said enough there, has no
    live strike and no advertising alert about them waiting for staff: the scorer's verdict
    alone then goes to staff, not up the ladder. One waiting, the next verdict strikes them
    as anyone: an advertiser who built up standing gets one ad past, not one a message."""
    return (
        setting.enabled
        and standing.strikes == 0
        and standing.waiting == 0
        and standing.messages >= setting.messages
        and standing.first_seen is not None
        and now - standing.first_seen >= timedelta(days=setting.days)
    )


def days_in(standing: MemberStanding, now: datetime) -> int:
    """Whole days since the member was first seen in the community."""
    return 0 if standing.first_seen is None else max(0, (now - standing.first_seen).days)


def spared_why(standing: MemberStanding, now: datetime) -> str:
    """Why a member was not punished on the scorer's verdict, as staff read it beside the
    findings (the alert's reason)."""
    return (f"not punished: the member is in good standing (first seen in the community "
            f"{days_in(standing, now)} days ago, at least {standing.messages} messages, "
            "no live strike)")  # fmt: skip


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


# Rules that read what the member wrote: their findings are shown in the message's words.
_WORDING = frozenset(
    kind.value
    for kind in (ViolationKind.ADVERTISING, ViolationKind.CONTACT, ViolationKind.INVITES,
                 ViolationKind.LINKS, ViolationKind.INSULTS)
)  # fmt: skip
_LONGEST = 80  # characters of matched words shown (a QR code's text, a long link)
_AROUND = 30  # characters of context on each side of the words
_CONTEXT = 120  # characters of context at most


def explain(findings: Iterable[Finding], text: MessageText | None = None) -> str:
    """The findings as staff read them, each said once: the rule, the words (as the member
    wrote them, when `text`, the message, is given), why they count, and the message around
    them when it says more than the words (`advertising: 'DM me for' (keyword) — in "Hi all,
    DM me for prices"`). Findings of one rule are said together; the same words found twice
    under one rule are said once with both reasons."""
    by_kind: dict[str, dict[str, list[str]]] = {}
    spans: list[tuple[int, int]] = []
    worded = False
    for finding in findings:
        shown = finding.matched
        if text is not None and finding.kind in _WORDING and _in_text(text, shown):
            worded = True
            shown, span = _written(text, shown)
            if span is not None:
                spans.append(span)
        reasons = by_kind.setdefault(finding.kind, {}).setdefault(shown, [])
        if finding.explanation not in reasons:
            reasons.append(finding.explanation)
    said = "; ".join(
        f"{kind}: " + ", ".join(_item(shown, reasons) for shown, reasons in _merged(items))
        for kind, items in by_kind.items()
    )
    context = _context(text.original, spans) if text is not None and worded else None
    return f'{said} — in "{context}"' if context else said


def quoted(findings: Iterable[Finding], text: MessageText, limit: int) -> str:
    """The message as a staff notice quotes it in at most `limit` characters: its start, or,
    when the first words a rule found lie past that, the part around them (an insult at the
    end of a long message is what staff need to see)."""
    flat = " ".join(without_controls(text.original).split())
    spans = [span for f in findings if f.kind in _WORDING and f.matched
             for span in [_written(text, f.matched)[1]] if span is not None]  # fmt: skip
    if len(flat) <= limit or not spans:
        return flat if len(flat) <= limit else flat[: limit - 1] + "…"
    low, high = min(spans)
    head = " ".join(without_controls(text.original[:high]).split())
    if len(head) < limit:  # the words are in the start already
        return flat[: limit - 1] + "…"
    start = _word_edge(text.original, max(0, low - limit // 3), 1, low)
    piece = " ".join(without_controls(text.original[start:]).split())
    piece = ("…" if start > 0 else "") + piece
    return piece if len(piece) <= limit else piece[: limit - 1] + "…"


def _merged(items: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """The words found, those inside longer words found by the same rule (`薇 ❤` in
    `薇 ❤ 信`) said as the longer ones, with both reasons."""
    merged: dict[str, list[str]] = {}
    for shown, reasons in items.items():
        into = max((other for other in items if shown and shown in other), key=len, default=shown)
        kept = merged.setdefault(into, [])
        kept += [reason for reason in reasons if reason not in kept]
    return list(merged.items())


def _item(shown: str, reasons: list[str]) -> str:
    """The words and why they count: the reason alone when it quotes the words itself."""
    if not shown:
        return "; ".join(reasons)
    if len(shown) > _LONGEST:
        shown = shown[: _LONGEST - 1] + "…"
    named = f"'{shown}'".casefold()
    if len(reasons) == 1 and (named in reasons[0].casefold() or reasons[0].startswith(shown)):
        return reasons[0]
    return f"'{shown}' ({'; '.join(reasons)})"


def _in_text(text: MessageText, matched: str) -> bool:
    """Whether a finding's words were read from the message's text (not a picture's QR code)."""
    key = compact(matched)
    return bool(key) and (matched in text.normalised or key in text.compact)


def _written(text: MessageText, matched: str) -> tuple[str, tuple[int, int] | None]:
    """The matched words as the member wrote them, and where they are in the message: the
    same letters in its original case (`DM me for`), else the matched words with their
    Chinese numerals as written (a disguise, `加 微 信` for `加**微**信`, is shown as read)."""
    words = text.as_written(matched)
    original = text.original
    folded, key = original.casefold(), words.casefold()
    if len(folded) == len(original) and len(key) == len(words):  # (ß folds to ss)
        at = folded.find(key)
        if at >= 0:
            return original[at : at + len(words)], (at, at + len(words))
    return words, None


def _context(original: str, spans: list[tuple[int, int]]) -> str | None:
    """The message around the words found in it (all of it when short), or None when it
    says nothing more than the words: one line, without the control and text-direction
    characters that would make the console show it reordered or hidden."""
    flat = " ".join(without_controls(original).split())
    if any(original[a:b] == original.strip() for a, b in spans):
        return None  # the message is the words
    if not spans or len(flat) <= _CONTEXT:
        # short, or the words are not in it as written (a disguise): its opening shows how
        return flat if len(flat) <= _CONTEXT else flat[: _CONTEXT - 1] + "…"
    low = min(start for start, _ in spans)
    high = max(end for _, end in spans)
    start = max(0, low - _AROUND)
    end = min(len(original), max(high + _AROUND, start + _CONTEXT // 2))
    end = min(end, start + _CONTEXT)
    start, end = _word_edge(original, start, 1, low), _word_edge(original, end, -1, high)
    piece = " ".join(without_controls(original[start:end]).split())
    return ("…" if start > 0 else "") + piece + ("…" if end < len(original) else "")


def _word_edge(original: str, at: int, step: int, limit: int) -> int:
    """`at` moved (forward for a start, back for an end) to the nearest space short of
    `limit` when it cuts a word in two; unmoved in text without spaces (Chinese)."""
    if at <= 0 or at >= len(original) or original[at - 1].isspace() or original[at].isspace():
        return at
    moved = at
    while moved != limit and not original[moved].isspace():
        moved += step
    return moved if moved != limit else at
