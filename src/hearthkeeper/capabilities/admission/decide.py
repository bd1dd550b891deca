"""Pure decisions of the admission capability: what a code, a set of answers or a level
means for someone asking to join. No store, no carrier."""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from hearthkeeper.capabilities.admission.records import InviteCode
from hearthkeeper.text.controls import without_controls

MAX_ANSWER = 2000  # characters kept of one answer
MAX_CODE = 64
# Codes Hearthkeeper makes: no 0/O, 1/I/L, so a code read off a poster is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


class CodeOutcome(StrEnum):
    """What an invite code someone typed does for them."""

    ADMIT = "admit"
    MISSING = "missing"  # none given
    UNKNOWN = "unknown"  # no such code in the community (a typo, another community's)
    REVOKED = "revoked"
    EXPIRED = "expired"
    USED_UP = "used_up"


def normalise_code(text: str | None) -> str:
    """A code as typed, the way codes are kept: no surrounding spaces, upper case. Text
    longer than a code may be keeps one character more than `MAX_CODE`, so it matches no
    code (and is refused when staff spell it) rather than being cut to one."""
    # NFKC: a Chinese keyboard's full-width ＳＰＲＩＮＧ－２６ is SPRING-26 (ASCII is unchanged)
    # Without invisible characters: a code copied from a chat may carry a zero-width space,
    # and one refused is echoed to the person typing it (never a right-to-left override).
    typed = without_controls(unicodedata.normalize("NFKC", text or ""))
    return typed.strip().upper()[: MAX_CODE + 1]


def new_code() -> str:
    """A fresh random code, easy to read aloud and type."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def judge_code(
    code: InviteCode | None, given: str, used_before: bool, now: datetime
) -> CodeOutcome:
    """Whether `given` lets its bearer in. Someone the code let in before is let in again
    (asking twice counts once), unless staff revoked it since."""
    if not given:
        return CodeOutcome.MISSING
    if code is None:
        return CodeOutcome.UNKNOWN
    if code.revoked_at is not None:
        return CodeOutcome.REVOKED
    if used_before:
        return CodeOutcome.ADMIT
    if code.expires_at is not None and code.expires_at <= now:
        return CodeOutcome.EXPIRED
    if code.max_uses is not None and code.uses >= code.max_uses:
        return CodeOutcome.USED_UP
    return CodeOutcome.ADMIT


class Answered(StrEnum):
    """How far an applicant's answers go."""

    NONE = "none"  # nothing answered yet: show the questions
    PARTLY = "partly"  # some questions left blank
    FULLY = "fully"


def answers_of(questions: Sequence[str], answers: Sequence[str]) -> tuple[str, ...]:
    """The answers as kept: trimmed, each at most `MAX_ANSWER` characters, no more of them
    than questions (one answer may stand for all: a Matrix knock has one reason field)."""
    kept = tuple(a.strip()[:MAX_ANSWER] for a in answers[: max(1, len(questions))])
    return kept if any(kept) else ()


def judge_answers(questions: Sequence[str], answers: Sequence[str], *,
                  per_question: bool = False) -> Answered:  # fmt: skip
    """Whether the application can go to staff: every question answered, or one answer given
    for all of them (carriers with one free-text field; not where the form had a field for
    each question, `per_question`). No questions: nothing to answer."""
    if not questions:
        return Answered.FULLY
    kept = answers_of(questions, answers)
    if not kept:
        return Answered.NONE
    if len(kept) == 1 and len(questions) > 1 and len(answers) == 1 and not per_question:
        return Answered.FULLY
    if len(kept) < len(questions) or not all(kept):
        return Answered.PARTLY
    return Answered.FULLY


def level_reached(levels: Sequence[str], needed: str, current: str | None) -> bool:
    """Whether `current` (a `structure.levels` id; None: never placed, the bottom level) is
    at or above `needed` on the pyramid `levels` (bottom first)."""
    if needed not in levels:
        return False
    place = levels.index(current) if current in levels else 0
    return place >= levels.index(needed)
