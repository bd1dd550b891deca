"""Nicknames members choose, and who an "@nickname" in a message means."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

MAX_NICKNAME = 32
MENTION_SIGNS = "@＠"  # full-width ＠ is what Chinese keyboards type
# Zero-width (non-)joiners build emoji and some scripts; other format characters (bidi
# overrides, zero-width spaces) only serve to disguise a name.
_ALLOWED_FORMAT = frozenset({"\u200c", "\u200d"})
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Zl", "Zp"})


class BadNickname(ValueError):
    """A nickname that cannot be used; the message says why."""


def clean_nickname(raw: str, *, bot_name: str) -> str:
    """The nickname as kept: NFC, trimmed, 1–32 characters, no control characters, not the
    bot's name. BadNickname with a readable message otherwise."""
    nickname = unicodedata.normalize("NFC", raw).strip()
    if not nickname:
        raise BadNickname("Choose a nickname (1 to 32 characters).")
    if len(nickname) > MAX_NICKNAME:
        raise BadNickname(
            f"That nickname has {len(nickname)} characters; use at most {MAX_NICKNAME}."
        )
    for char in nickname:
        category = unicodedata.category(char)
        if category in _REFUSED_CATEGORIES or (category == "Cf" and char not in _ALLOWED_FORMAT):
            raise BadNickname(
                f"Nicknames cannot contain control or invisible characters (U+{ord(char):04X})."
            )
    if any(sign in nickname for sign in MENTION_SIGNS):
        raise BadNickname("Nicknames cannot contain @ (it starts a mention).")
    if nickname.casefold() == bot_name.casefold():
        raise BadNickname(f"{bot_name} is the bot's name; choose another nickname.")
    return nickname


def has_mention(text: str) -> bool:
    """Whether `text` has an @ that could start a mention (cheap, before any lookup)."""
    return any(sign in text for sign in MENTION_SIGNS)


def find_mentions(text: str, people: Iterable[tuple[str, str]]) -> list[str]:
    """The ids of the people (id, nickname) that "@nickname" in `text` names, in order of
    appearance. The longest nickname wins, so "@Anna" never also means "Ann"."""
    if not has_mention(text):
        return []
    longest_first = sorted(people, key=lambda person: len(person[1]), reverse=True)
    reach = len(longest_first[0][1]) + 8 if longest_first else 0  # casefold may lengthen
    found: list[str] = []
    for index, char in enumerate(text):
        if char not in MENTION_SIGNS:
            continue
        rest = text[index + 1 : index + 1 + reach].casefold()
        for person_id, nickname in longest_first:
            if nickname and rest.startswith(nickname.casefold()):
                if person_id not in found:
                    found.append(person_id)
                break
    return found
