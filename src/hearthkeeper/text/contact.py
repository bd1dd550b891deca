"""Contact sharing: phone numbers, WeChat/QQ/Telegram ids and their disguises, e-mail addresses."""

from __future__ import annotations

import re
from collections.abc import Iterable

from hearthkeeper.playbook.rules import ViolationKind
from hearthkeeper.text.findings import Finding
from hearthkeeper.text.keywords import KeywordSet
from hearthkeeper.text.normalise import MessageText

_CONTACT = ViolationKind.CONTACT.value
# Between two digits of a phone number: up to two separators (space, dash, dot, emoji ...),
# but not ':' (times) and not a letter or a CJK character (dates: 2024年1月3日).
_SEP = r"(?:[^\w:]|_){0,2}"
_PHONES = re.compile(
    "|".join(
        (
            # Chinese mobile: 1[3-9] and 9 more digits, optionally after +86 / 0086
            rf"(?<![0-9])(?:(?:\+|00)\s?86{_SEP})?1{_SEP}[3-9](?:{_SEP}[0-9]){{9}}(?![0-9])",
            # international: + country code, 9 to 15 digits in all
            rf"(?<![0-9])\+\s?[1-9](?:{_SEP}[0-9]){{8,14}}(?![0-9])",
            # national with trunk prefix 0, written with spaces or dashes: 010-1234 5678
            r"(?<![0-9+])0[1-9](?:[\s-]?[0-9]){8,10}(?![0-9])",
        )
    )
)
# Words that announce a private-contact id, in the disguises spammers use (V信, 薇信, 扣扣 ...).
_CUES = (
    "微信|威信|薇信|维信|徽信|卫星号|v信|vx|wx|weixin|wechat|企鹅|扣扣|抠抠|qq|q号|"
    "telegram|tg|whatsapp|加我|联系我|私聊|加v|加q"
)
_MARKER = r"(?:\s?(?P<marker>号码|号|id|是|is|:))?"
_ID = re.compile(
    rf"(?<![a-z])(?P<cue>{_CUES}){_MARKER}[\W_]{{0,3}}"
    r"@?(?P<id>[a-z][a-z0-9_-]{5,19}|[0-9]{5,12})(?![a-z0-9_-])"
)
_WECHAT_INTERNAL_ID = re.compile(r"(?<![a-z0-9])wxid_[a-z0-9]{6,}")
_EMAIL = re.compile(
    r"(?<![a-z0-9._%+-])[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})*\.[a-z]{2,24}"
    r"(?![a-z0-9-])"
)


def find_phone_numbers(normalised: str) -> list[str]:
    """Phone numbers in a normalised message, as written (separators kept)."""
    if sum(char.isdigit() for char in normalised) < 9:
        return []
    return [match.group().strip() for match in _PHONES.finditer(normalised)]


def find_messaging_ids(normalised: str) -> list[tuple[str, str]]:
    """(cue, id) pairs: an id offered after a word like 微信, V信, vx, QQ, 扣扣, 加我."""
    found: list[tuple[str, str]] = []
    for match in _ID.finditer(normalised):
        cue, marker, handle = match.group("cue", "marker", "id")
        # an all-letter handle is an id only after an explicit "号", "id", "是" or ':'
        # ("my wechat is zhangsan1" yes, "wechat account" no)
        if handle.isalpha() and marker is None:
            continue
        found.append((cue, handle))
    handles = {handle for _, handle in found}
    found += [
        ("wxid", match.group())
        for match in _WECHAT_INTERNAL_ID.finditer(normalised)
        if match.group() not in handles
    ]
    return found


def find_emails(normalised: str) -> list[str]:
    """E-mail addresses in a normalised message."""
    if "@" not in normalised:
        return []
    return [match.group() for match in _EMAIL.finditer(normalised)]


class ContactDetector:
    """Contact details offered in a group to pull members into private chats."""

    def __init__(
        self,
        *,
        phone_numbers: bool = True,
        messaging_ids: bool = True,
        emails: bool = False,
        keywords: Iterable[str] = (),
    ) -> None:
        self.phone_numbers = phone_numbers
        self.messaging_ids = messaging_ids
        self.emails = emails
        self.keywords = KeywordSet((keyword, _CONTACT) for keyword in keywords)

    def __call__(self, message: MessageText) -> list[Finding]:
        """A finding per phone number, id, e-mail address or contact keyword."""
        text = message.normalised
        findings: list[Finding] = []
        if self.phone_numbers:
            findings += [
                Finding(_CONTACT, number, f"phone number '{number}'")
                for number in find_phone_numbers(text)
            ]
        if self.messaging_ids:
            findings += [
                Finding(_CONTACT, handle, f"private-contact id '{handle}' offered after '{cue}'")
                for cue, handle in find_messaging_ids(text)
            ]
        if self.emails:
            findings += [
                Finding(_CONTACT, address, f"e-mail address '{address}'")
                for address in find_emails(text)
            ]
        findings += [
            Finding(
                _CONTACT, match.matched, f"contact keyword '{match.keyword}' in '{match.matched}'"
            )
            for match in self.keywords.find(message)
        ]
        return findings
