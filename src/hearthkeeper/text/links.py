"""Links: URLs and bare domains, however disguised, outside the operator's allowed domains."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from hearthkeeper.playbook.rules import ViolationKind
from hearthkeeper.text.findings import Finding
from hearthkeeper.text.normalise import MessageText, normalise


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Top-level domains a bare "name.tld" is always read as a link for. Left out on purpose: those
# that are common file extensions (py, sh, md, rs, pl, zip, mov, ps).
_TLDS = _words(
    """com net org info biz xyz top vip io ai co cc gg ly tv fm icu wang ren asia mobi
    cn hk tw mo jp kr sg th vn ph uk de fr es nl ch se dk fi ru ua ca au nz br mx ar tk ml
    ga cf gq su eu la ws"""
)
# Also top-level domains, but English words too, so "sambar.life" or "thanks.me" typed
# without a space after the full stop is no link. They count with a scheme, "www." or a path
# ("t.me/abc", "bit.ly/x"), after a disguised dot ("deals dot shop"), or after a name with a
# digit or a dash ("luck88.club").
_WORD_TLDS = _words(
    """club online site shop store app dev link live pro tech fun ink art name cloud work
    life world today news email page space website win bid loan click download stream team
    group chat me to it at be us my no so is in id am do go"""
)

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# a dot, or one of its disguises: 。 (ideographic), " . ", (dot), " dot ", 点
_DOT = r"(?:\.|。|\s\.\s|\s?\((?:dot|\.)\)\s?|\sdot\s|点)"
_SCHEME = r"(?:h\s?[tx]\s?[tx]\s?p\s?s?|ftp)\s?:\s?/\s?/\s?"
_PATH = r"(?::\d{1,5})?(?P<path>(?:\s?/\s?[a-z0-9._~!$&'*+,;=:@%#?=-]*)*)"
_URL = re.compile(
    rf"(?P<scheme>{_SCHEME})?(?<![a-z0-9@._-])(?P<host>{_LABEL}(?:{_DOT}{_LABEL})+)"
    rf"(?![a-z0-9-]){_PATH}"
)
_DOT_SPLIT = re.compile(_DOT)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Link:
    """A link found in a message: its host, the canonical URL and the text it was read from."""

    host: str
    url: str
    matched: str


def _host_length(labels: list[str], anchored: bool, explicit: bool) -> int:
    """How many leading labels form the host (0: no link).

    With a scheme or "www." every label is the host ("http://printer.local"). Otherwise the
    host ends at the last label that is a top-level domain: in "example.com.thanks" the
    next sentence began without a space.
    """
    if anchored:
        return len(labels)
    for end in range(len(labels), 1, -1):
        tld, name = labels[end - 1], labels[end - 2]
        if tld in _TLDS:
            return end
        if tld in _WORD_TLDS and (explicit or any(c.isdigit() or c == "-" for c in name)):
            return end
    return 0


def find_links(normalised: str) -> list[Link]:
    """Every link in a normalised message: with or without scheme, with disguised dots."""
    if not any(mark in normalised for mark in (".", "。", "dot", "点")):
        return []
    links: list[Link] = []
    for match in _URL.finditer(normalised):
        host_text = match.group("host")
        labels = _DOT_SPLIT.split(host_text)
        path = _SPACE.sub("", match.group("path"))
        has_scheme = match.group("scheme") is not None
        # a full stop with spaces round it is a disguise, but also how shorthand ends a
        # sentence ("that . so"): it alone does not make an English word a top-level domain
        disguised = any(sep.group().strip() != "." for sep in _DOT_SPLIT.finditer(host_text))
        explicit = has_scheme or labels[0] == "www" or len(path) > 1 or disguised
        kept = _host_length(labels, has_scheme or labels[0] == "www", explicit)
        if kept < 2:
            continue
        end = match.end()
        if kept < len(labels):  # the labels after the top-level domain began the next sentence
            separator = list(_DOT_SPLIT.finditer(host_text))[kept - 1]
            end = match.start("host") + separator.start()
            path = ""
        host = ".".join(labels[:kept])
        matched = normalised[match.start() : end].strip()
        links.append(Link(host=host, url=host + path, matched=matched))
    return links


def _domain(entry: str) -> str:
    """An allowed-domain entry as a bare host: scheme, 'www.' and path dropped."""
    found = find_links(normalise(entry))
    host = found[0].host if found else normalise(entry).strip("./ ")
    return host.removeprefix("www.")


class AllowedDomains:
    """Domains members may link to, with all their subdomains."""

    def __init__(self, domains: Iterable[str]) -> None:
        self._domains = frozenset(filter(None, (_domain(d) for d in domains)))

    def __contains__(self, host: object) -> bool:
        if not isinstance(host, str):
            return False
        return any(host == d or host.endswith("." + d) for d in self._domains)


class LinkDetector:
    """Links to anywhere but the allowed domains."""

    def __init__(self, allowed_domains: Iterable[str] = ()) -> None:
        self.allowed = AllowedDomains(allowed_domains)

    def __call__(self, message: MessageText, links: list[Link] | None = None) -> list[Finding]:
        """A finding per link outside the allowed domains (pass `links` if already found)."""
        if links is None:
            links = find_links(message.normalised)
        return [
            Finding(
                ViolationKind.LINKS.value,
                link.matched,
                "not an allowed domain"
                if link.host in link.matched
                else f"link to {link.host}, not an allowed domain",
            )
            for link in links
            if link.host not in self.allowed
        ]
