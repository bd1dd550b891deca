"""Invites to other groups: invite links, invite phrases, and QR codes in pictures."""

from __future__ import annotations

import re
from collections.abc import Iterable

from hearthkeeper.playbook.rules import ViolationKind
from hearthkeeper.text.findings import Finding
from hearthkeeper.text.keywords import KeywordSet, keyword_finding
from hearthkeeper.text.links import AllowedDomains, Link, find_links
from hearthkeeper.text.normalise import MessageText, normalise
from hearthkeeper.text.qr import read_qr_codes

_INVITES = ViolationKind.INVITES.value

# (host, path prefix, what it is): links that put a member into another group or chat.
INVITE_LINKS: tuple[tuple[str, str, str], ...] = (
    ("t.me", "/joinchat/", "Telegram group invite"),
    ("t.me", "/+", "Telegram group invite"),
    ("telegram.me", "/joinchat/", "Telegram group invite"),
    ("telegram.me", "/+", "Telegram group invite"),
    ("discord.gg", "/", "Discord server invite"),
    ("discord.com", "/invite/", "Discord server invite"),
    ("discordapp.com", "/invite/", "Discord server invite"),
    ("chat.whatsapp.com", "/", "WhatsApp group invite"),
    ("weixin.qq.com", "/g/", "WeChat group QR link"),
    ("work.weixin.qq.com", "/gm/", "WeCom group link"),
    ("u.wechat.com", "/", "WeChat QR link"),
    ("qm.qq.com", "/", "QQ QR link"),
    ("jq.qq.com", "/", "QQ group invite"),
    ("line.me", "/r/ti/g/", "LINE group invite"),
    ("open.kakao.com", "/o/", "KakaoTalk open chat"),
    ("signal.group", "/", "Signal group invite"),
    ("matrix.to", "/#/", "Matrix room link"),
)


# A member asking to join, or to bring someone into, this group ("我朋友也想进群，可以拉她进来吗？")
# is not an invite elsewhere: a bare join word after a wish and before a question is let through.
# "想进群的加我" (a wish turned into an offer, no question) still counts.
_JOIN_WORDS = frozenset({"进群", "加群", "入群"})
_ASKING_TO_JOIN = re.compile(
    r"(?:想|要|申请|能不能|能否|可以|可不可以|怎么|如何)(?:进|加|入)群[^的]{0,20}?[?？吗呢]"
)


# A group's number is an invite without a link: "QQ群号 765432198", "裙：7 6 5 4 3 2 1"
_GROUP_NUMBER = re.compile(
    r"(?:群|裙)\s?号?\s?(?:是|:|：)?\s?(?P<number>(?:[0-9][\s-]?){5,11}[0-9])"
)


def _invite_kind(link: Link) -> str | None:
    host = link.host.removeprefix("www.")
    path = link.url[len(link.host) :]
    for invite_host, prefix, label in INVITE_LINKS:
        if host == invite_host and path.startswith(prefix) and len(path) > len(prefix):
            return label
    return None


def _matrix_server(link: Link) -> str:
    """The homeserver of a matrix.to room link (#room:server or !id:server)."""
    room = link.url.split("/#/", 1)[-1]
    return room.split(":", 1)[1].split("/", 1)[0].split("?", 1)[0] if ":" in room else ""


def _pattern(keyword: str) -> str:
    text = normalise(keyword).replace(" ", "")
    for scheme in ("https://", "http://"):
        text = text.removeprefix(scheme)
    return text.removeprefix("www.")


class InviteDetector:
    """Other groups' invite links, invite phrases from the playbook, and QR codes in pictures.

    Keywords with a '.' or '/' (`t.me/joinchat`, `discord.gg`) are read as link patterns and
    looked for in the links of a message; the others (`进群`, `拉你进群`) as phrases.
    """

    def __init__(
        self,
        *,
        keywords: Iterable[str] = (),
        allowed_domains: Iterable[str] = (),
        qr_codes: bool = True,
    ) -> None:
        keywords = list(keywords)
        self.patterns = [_pattern(k) for k in keywords if "." in k or "/" in k]
        self.phrases = KeywordSet((k, _INVITES) for k in keywords if "." not in k and "/" not in k)
        self.allowed = AllowedDomains(allowed_domains)
        self.qr_codes = qr_codes

    def invite_links(self, links: Iterable[Link]) -> list[tuple[Link, str]]:
        """The links that invite to another group, with what they are."""
        found: list[tuple[Link, str]] = []
        for link in links:
            label = _invite_kind(link)
            if label is None:
                label = next(
                    (f"invite pattern '{p}'" for p in self.patterns if p in link.url), None
                )
            if label is None or link.host in self.allowed:
                continue
            if label.startswith("Matrix") and _matrix_server(link) in self.allowed:
                continue
            found.append((link, label))
        return found

    def __call__(self, message: MessageText, links: list[Link] | None = None) -> list[Finding]:
        """A finding per invite link and invite phrase (pass `links` if already found)."""
        if links is None:
            links = find_links(message.normalised)
        findings = [
            Finding(_INVITES, link.matched, label) for link, label in self.invite_links(links)
        ]
        findings += [
            Finding(_INVITES, match.group("number"), "group number")
            for match in _GROUP_NUMBER.finditer(message.normalised)
        ]
        phrases = self.phrases.find(message)
        # the question is looked for only when a bare join word matched (rarely)
        asking = (
            any(match.matched in _JOIN_WORDS for match in phrases)
            and _ASKING_TO_JOIN.search(message.normalised) is not None
        )
        findings += [
            keyword_finding(_INVITES, match, "invite phrase")
            for match in phrases
            if not (match.matched in _JOIN_WORDS and asking)
        ]
        return findings

    def picture(self, image: bytes) -> list[Finding]:
        """A finding if a picture carries a QR code (unless it links to an allowed domain)."""
        if not self.qr_codes:
            return []
        findings: list[Finding] = []
        for text in read_qr_codes(image):
            hosts = [link.host for link in find_links(normalise(text))]
            if hosts and all(host in self.allowed for host in hosts):
                continue
            findings.append(Finding(_INVITES, text, "QR code in a picture"))
        return findings
