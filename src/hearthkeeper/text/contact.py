"""Contact sharing: phone numbers, WeChat/QQ/Telegram ids and their disguises, e-mail addresses."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from hearthkeeper.playbook.rules import ViolationKind
from hearthkeeper.text.findings import Finding
from hearthkeeper.text.keywords import KeywordSet, keyword_finding
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


# Contact offers without an id, the families that slip past the cue+id pattern above. Read on
# the compact form (separators gone: `w.e.i.x.i.n`, `w h a t s a p p`) or the normalised one
# (where the symbols between words still show: `+V`, `v❤️`).
_APPS = (
    "weixin|wechat|whatsapp|telegram|weixing|whysin|微信|威信|薇信|维信|徽信|卫星|v信|vx|wx|"
    "企鹅|扣扣|qq|tg"
)
_OFFER_COMPACT = re.compile(
    rf"(?:加|添加|找|联系|私|戳|滴|jia|add|message|msg|contact|dm|pm|ping)(?:我|wo|me)?(?:on|的|个)?"
    rf"(?P<app>{_APPS})(?:(?<=[a-z]{{4}})|(?![a-z]))"  # short names only at a word's end
)
# "+V", "➕薇", "＋威", "v❤️": the plus or the heart stands for 加 or for 信
_PLUS = "[+➕✚十]"
_HEARTS = "[❤♥💕💗💖💜💙💚🧡💛]"
_WECHAT_SOUNDS = "v|vx|wx|薇|威|微|围|胃|卫|徽|维|q|扣"
_SYMBOL_OFFER = re.compile(
    rf"(?:(?<![0-9a-z]){_PLUS}\s*(?P<app>{_WECHAT_SOUNDS}|v信|微信)(?![a-z0-9])"
    rf"|(?<![a-z])(?P<heart>v|vx|薇|威)\s*{_HEARTS}"
    rf"|(?:加|添加)我?(?P<sound>威|薇|围|胃|徽|卫星|v|vx|wx)(?![a-z0-9信])"
    rf"|(?<![a-z])v我(?:领|拿|看|要|了解|咨询|免费|[一1]下|$))"
)
# "VX搜索 …", "某音搜 …", "企鹅搜 8654321": a search instruction on a platform
_PLATFORMS = f"{_APPS}|v|威|薇|绿色软件|某音|抖音|dy|某书|小红书|小红薯|某宝|淘宝|公众号|快手|b站|视频号|search"
_SEARCH = re.compile(rf"(?P<app>{_PLATFORMS})(?:里|上|内)?(?:搜索|搜一下|搜一搜|搜|search|🔍)")
_SEARCH_MARK = re.compile(r"🔍\s*(?:v|vx|wx|微信|威|薇)")
# What every match of a pattern holds, looked for first: most messages hold none of it, and
# looking costs a fraction of the pattern (every message is read by every pattern otherwise).
# `_SYMBOL_OFFER`: a plus, a heart, 加 (its third way) or 我 (its fourth, "v我").
_SYMBOL_HINT = re.compile(f"[{_PLUS[1:-1]}{_HEARTS[1:-1]}加我]")
_SEARCH_HINTS = ("搜", "search", "🔍")  # `_SEARCH`'s verbs
# An account on a video or chat platform offered by its handle: "抖音号：meizhuang520",
# "telegram @cheap_followers"
# (read on the compact form, so "抖 音 号：meizhuang 520" is one handle)
_HANDLE = re.compile(
    r"(?P<app>抖音|快手|k手|小红书|小红薯|视频号|b站|微博|douyin|kuaishou)号?"
    r"(?P<id>[a-z][a-z0-9_]{3,}[0-9_][a-z0-9_]*|[0-9]{6,})(?![a-z0-9_])"
)
_AT_HANDLE = re.compile(r"(?P<app>telegram|tele|tg|t\.g)\s?[:：]?\s?@(?P<id>[a-z0-9_]{4,})")
# "私我" (DM me), read on the compact form (`私 我下单`): not the end of 自私, 隐私, 公私, 无私 or
# 走私 before a 我 (`他太自私我不想理他`, `隐私我不想说`), which a plain keyword took for it
_DM_ME = re.compile("(?<![自隐公无走])私我")
# An app's name spelled letter by letter with an id after it (`w e i x i n : abc123456`,
# `t-e-l-e-g-r-a-m @deals`), read on the compact form: the separators hide the name from
# anything that reads words, which is their only purpose.
_SPELLED_ID = re.compile(r"(?P<app>weixin|wechat|whatsapp|telegram)(?P<id>[0-9]{5,}|[a-z0-9_]{4,})")
_LETTER_BY_LETTER = re.compile(r"(?:[a-z][^a-z0-9]+){3,}[a-z]")


# App names that are themselves a disguise (nobody honest writes "v信" for WeChat).
DISGUISED_NAMES = frozenset(
    {"v信", "vx", "wx", "威信", "薇信", "维信", "徽信", "卫星", "卫星号", "企鹅", "扣扣", "抠抠",
     "weixing", "whysin", "加v", "加q", "q号"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ContactOffer:
    """Contact offered without an id: what it is, the text, and whether it hides (a disguise)."""

    what: str
    matched: str
    disguised: bool


def find_contact_offers(message: MessageText) -> list[ContactOffer]:
    """Contact offered by name, sound, symbol, search instruction or platform handle."""
    found: list[ContactOffer] = []
    for match in _OFFER_COMPACT.finditer(message.compact):
        app = match.group("app")
        # spelled with separators (w.e.i.x.i.n) or by a stand-in name (vx): hiding on purpose
        written = message.shown(match.start("app"), match.end("app"))
        disguised = app in DISGUISED_NAMES or not written.isalnum()
        found.append(ContactOffer(f"private contact on '{app}' offered", match.group(), disguised))
    if _SYMBOL_HINT.search(message.normalised):
        for match in _SYMBOL_OFFER.finditer(message.normalised):
            found.append(
                ContactOffer("WeChat offered by sound or symbol", match.group().strip(), True)
            )
    if any(hint in message.compact for hint in _SEARCH_HINTS):
        for match in _SEARCH.finditer(message.compact):
            what = f"search-me instruction on '{match.group('app')}'"
            found.append(ContactOffer(what, match.group(), True))
    if "🔍" in message.normalised:
        for match in _SEARCH_MARK.finditer(message.normalised):
            found.append(ContactOffer("search-me instruction", match.group(), True))
    for match in _HANDLE.finditer(message.compact):
        found.append(ContactOffer(f"'{match.group('app')}' account offered", match.group("id"),
                                  False))  # fmt: skip
    if "@" in message.normalised:
        for match in _AT_HANDLE.finditer(message.normalised):
            found.append(ContactOffer(f"'{match.group('app')}' account offered",
                                      match.group("id"), False))  # fmt: skip
    if "私" in message.compact:
        for match in _DM_ME.finditer(message.compact):
            found.append(ContactOffer("private messages invited", match.group(), False))
    found += spelled_ids(message)
    return found


def spelled_ids(message: MessageText) -> list[ContactOffer]:
    """An app's name spelled letter by letter with an id after it: one word, or digits
    (`w.h.a.t.s.a.p.p for the price list` holds no id: the words after it are words)."""
    found: list[ContactOffer] = []
    for match in _SPELLED_ID.finditer(message.compact):
        written = message.shown(match.start("app"), match.end("app"))
        handle = message.shown(match.start("id"), match.end("id")).strip(" :：@")
        if _LETTER_BY_LETTER.fullmatch(written) and (
            match.group("id").isdigit() or not any(char.isspace() for char in handle)
        ):
            what = f"'{match.group('app')}' id offered, the name spelled letter by letter"
            found.append(ContactOffer(what, f"{written} {handle}", True))
    return found


def find_phone_numbers(normalised: str) -> list[str]:
    """Phone numbers in a normalised message, as written (separators kept)."""
    if sum(map(str.isdigit, normalised)) < 9:  # (counted in C: every message asks)
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
    if "wxid_" not in normalised:
        return found
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
                Finding(_CONTACT, number, "phone number") for number in find_phone_numbers(text)
            ]
        if self.messaging_ids:
            findings += [
                Finding(_CONTACT, handle, f"private-contact id offered after '{cue}'")
                for cue, handle in find_messaging_ids(text)
            ]
        if self.emails:
            findings += [
                Finding(_CONTACT, address, "e-mail address") for address in find_emails(text)
            ]
        if self.messaging_ids:
            ids = {finding.matched for finding in findings}
            findings += [
                Finding(_CONTACT, offer.matched, offer.what)
                for offer in find_contact_offers(message)
                if offer.matched not in ids
            ]
        findings += [keyword_finding(_CONTACT, match) for match in self.keywords.find(message)]
        return findings
