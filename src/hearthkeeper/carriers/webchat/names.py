"""Nicknames members choose, and who an "@nickname" in a message means."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

from hearthkeeper.carriers.webchat.texts import say
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.text.normalise import compact, normalise
from hearthkeeper.text.posing import AUTHORITY, posing_as, title_worn, word_key

if TYPE_CHECKING:
    from hearthkeeper.text.scan import Scanner

MAX_NICKNAME = 32
MENTION_SIGNS = "@＠"  # full-width ＠ is what Chinese keyboards type
# Zero-width (non-)joiners build emoji and some scripts; other format characters (bidi
# overrides, zero-width spaces) only serve to disguise a name.
_ALLOWED_FORMAT = frozenset({"\u200c", "\u200d"})
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Zl", "Zp"})


class BadNickname(ValueError):
    """A nickname that cannot be used; the message says why."""


def nickname_key(nickname: str) -> str:
    """What a nickname looks like to a reader: look-alike letters (Cyrillic "Н", full-width
    "Ｈ"), invisible characters, case, spaces and punctuation folded away. Two nicknames with
    the same key cannot be told apart in the chat."""
    folded = normalise(nickname)
    return compact(folded) or folded  # a name of symbols only is compared as it is


def nickname_clash(nickname: str, others: Iterable[tuple[str, str]], user_id: str) -> str | None:
    """The nickname of someone else among `others` (id, nickname) that `nickname` looks the
    same as, if any."""
    key = nickname_key(nickname)
    for other_id, other in others:
        if other_id != user_id and nickname_key(other) == key:
            return other
    return None


def others_titles(titles: Iterable[str], held: Iterable[str]) -> tuple[str, ...]:
    """The staff `titles` but those `held` (a staff member wears their own title)."""
    mine = {word_key(title) for title in held}
    return tuple(title for title in titles if word_key(title) not in mine)


def taken_message(other: str, language: Language = Language.EN) -> str:
    """Why a nickname that copies another member's is refused."""
    return say("nick_taken", language, other=other)


def clean_nickname(raw: str, *, bot_name: str | tuple[str, ...],
                   language: Language = Language.EN,
                   rules: Scanner | None = None, titles: Iterable[str] = (),
                   staff: bool = False, held: Iterable[str] = ()) -> str:  # fmt: skip
    """The nickname as kept: NFC, trimmed, 1–32 characters, no control characters, not the
    bot's name (any of them: each community's, `community.bot_name`) nor one that looks like
    it, not wearing one of the community's staff role
    `titles` (院长, 群秘书, 【院长】小王: the names members know staff by) but the titles the
    member `held`, not wearing an `AUTHORITY` word (管理员, 【官方】, [admin], admin1:
    `text.posing`) unless they are `staff`, nothing the community's moderation `rules` call
    advertising (a contact id, a phone number, a link, an invite, an ad keyword).
    BadNickname with a readable message otherwise."""
    nickname = unicodedata.normalize("NFC", raw).strip()
    if not nickname:
        raise BadNickname(say("nick_empty", language, most=MAX_NICKNAME))
    if len(nickname) > MAX_NICKNAME:
        raise BadNickname(say("nick_long", language, length=len(nickname), most=MAX_NICKNAME))
    for char in nickname:
        category = unicodedata.category(char)
        if category in _REFUSED_CATEGORIES or (category == "Cf" and char not in _ALLOWED_FORMAT):
            raise BadNickname(say("nick_invisible", language, code=f"U+{ord(char):04X}"))
    if any(sign in nickname for sign in MENTION_SIGNS):
        raise BadNickname(say("nick_at", language))
    bot = bot_like(nickname, (bot_name,) if isinstance(bot_name, str) else bot_name)
    if bot is not None:
        raise BadNickname(say("nick_bot", language, nickname=nickname, bot=bot))
    title = title_worn(nickname, others_titles(titles, held))
    if title is not None:
        raise BadNickname(say("nick_title", language, nickname=nickname, title=title))
    authority = None if staff else posing_as(nickname, AUTHORITY)
    if authority is not None:
        raise BadNickname(say("nick_authority", language, nickname=nickname, word=authority))
    advert = None if rules is None else advert_in(nickname, rules)
    if advert is not None:
        raise BadNickname(say("nick_advert", language, nickname=nickname, found=advert))
    return nickname


def bot_like(nickname: str, bots: Iterable[str]) -> str | None:
    """The bot's name of `bots` that `nickname` looks the same as, if any."""
    key = nickname_key(nickname)
    return next((bot for bot in bots if nickname_key(bot) == key), None)


def advert_in(nickname: str, rules: Scanner) -> str | None:
    """What of `nickname` the moderation rules call advertising, if anything
    (`hearthkeeper.text.scan.name_advert`: the rules alone, not the learned scorer)."""
    from hearthkeeper.text.scan import name_advert

    return name_advert(nickname, rules)


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
