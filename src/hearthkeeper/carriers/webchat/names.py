"""Nicknames members choose, and who an "@nickname" in a message means."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

from hearthkeeper.carriers.webchat.texts import say
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.text.normalise import compact, normalise

if TYPE_CHECKING:
    from hearthkeeper.text.scan import Scanner

MAX_NICKNAME = 32
MENTION_SIGNS = "@＠"  # full-width ＠ is what Chinese keyboards type
# Zero-width (non-)joiners build emoji and some scripts; other format characters (bidi
# overrides, zero-width spaces) only serve to disguise a name.
_ALLOWED_FORMAT = frozenset({"\u200c", "\u200d"})
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Zl", "Zp"})


# Words that make a name read as the community's staff or the system speaking, whatever the
# playbook calls its roles: refused to members as a whole name or a label (`【官方】`,
# `[admin]`, `管理员-`), folded as look-alikes are; staff may take them.
AUTHORITY = (
    "管理员", "管理", "群主", "群管", "版主", "超管", "站长", "客服", "官方", "官方客服", "系统",
    "系统通知", "系统消息", "通知", "公告", "群公告", "工作人员", "审核",
    "admin", "administrator", "moderator", "mod", "system", "official", "staff", "support",
    "notice", "announcement",
)  # fmt: skip
_BRACKETS = ("[【［(（〔〖「『<《{〈", "]】］)）〕〗」』>》}〉")
_LABEL = re.compile(r"^\s*[" + re.escape(_BRACKETS[0]) + r"]([^" + re.escape(_BRACKETS[1])
                    + r"]{1,16})[" + re.escape(_BRACKETS[1]) + r"]")  # fmt: skip
_SEPARATORS = r"\s:：\-–—|｜·•_/\\,，"
_LEADING = re.compile(rf"^\s*([^{_SEPARATORS}]+)\s*[{_SEPARATORS}]")


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


@cache
def _authority_keys() -> frozenset[str]:
    return frozenset(nickname_key(word) for word in AUTHORITY)


def authority_in(nickname: str) -> str | None:
    """The authority word `nickname` is, or opens with as a label (`【官方】客服`, `[admin]
    bob`, `管理员-小王`), if any: a member so named reads as staff or the system speaking."""
    keys = _authority_keys()
    text = unicodedata.normalize("NFKC", nickname)
    for pattern in (_LABEL, _LEADING):
        label = pattern.match(text)
        if label is not None and nickname_key(label.group(1)) in keys:
            return label.group(1).strip()
    return nickname if nickname_key(nickname) in keys else None


def taken_message(other: str, language: Language = Language.EN) -> str:
    """Why a nickname that copies another member's is refused."""
    return say("nick_taken", language, other=other)


def clean_nickname(raw: str, *, bot_name: str, language: Language = Language.EN,
                   rules: Scanner | None = None, titles: Iterable[str] = (),
                   staff: bool = False) -> str:  # fmt: skip
    """The nickname as kept: NFC, trimmed, 1–32 characters, no control characters, not the
    bot's name nor one that looks like it, not one of the community's staff role `titles`
    (院长, 群秘书: the names members know staff by), unless `staff` not an `AUTHORITY` word
    (管理员, 【官方】, [admin]: `authority_in`), nothing the community's moderation
    `rules` call advertising (a contact id, a phone number, a link, an invite, an ad
    keyword). BadNickname with a readable message otherwise."""
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
    if nickname_key(nickname) == nickname_key(bot_name):
        raise BadNickname(say("nick_bot", language, nickname=nickname, bot=bot_name))
    if nickname_key(nickname) in {nickname_key(t) for t in titles}:
        raise BadNickname(say("nick_title", language, nickname=nickname))
    authority = None if staff else authority_in(nickname)
    if authority is not None:
        raise BadNickname(say("nick_authority", language, nickname=nickname, word=authority))
    advert = None if rules is None else advert_in(nickname, rules)
    if advert is not None:
        raise BadNickname(say("nick_advert", language, nickname=nickname, found=advert))
    return nickname


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
