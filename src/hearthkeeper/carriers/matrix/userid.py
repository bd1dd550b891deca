"""A Matrix user ID as someone types it on the join page, checked against the grammar of the
Matrix specification (Appendices, "User Identifiers"; pure):

    @localpart:server_name          at most 255 bytes in all
    localpart    a-z 0-9 . _ = - / +  (historical IDs: any printable ASCII but ":")
    server_name  hostname [":" port]; hostname = IPv4 | "[" IPv6 "]" | 1*255(A-Z a-z 0-9 - .)

Historical localparts (capitals, say) still exist and servers must accept them, so they are
accepted here too. Each problem says what is wrong in the reader's language."""

from __future__ import annotations

import ipaddress
import re

from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.playbook.positioning import Language

EN, ZH = Language.EN, Language.ZH_CN
MAX_BYTES = 255
EXAMPLE = "@alice:matrix.org"
_LOCAL_CHAR = re.compile(r"[\x21-\x39\x3b-\x7e]")  # printable ASCII but ":"
_DNS_NAME = re.compile(r"[A-Za-z0-9.-]{1,255}")
_PORT = re.compile(r"[0-9]{1,5}")

BOOK = Phrasebook({
    "empty": {EN: "Type your Matrix ID, such as {example}.",
              ZH: "请填写你的 Matrix ID，例如 {example}。"},
    "no_at": {EN: "A Matrix ID starts with @, such as {example}; you typed {typed}.",
              ZH: "Matrix ID 以 @ 开头，例如 {example}；你填的是 {typed}。"},
    "no_server": {EN: "A Matrix ID ends with a colon and your server, such as {example}; "
                      "{typed} names no server.",
                  ZH: "Matrix ID 以冒号加你的服务器结尾，例如 {example}；{typed} 没有写服务器。"},
    "no_name": {EN: "A Matrix ID has your name between @ and the colon, such as {example}.",
                ZH: "Matrix ID 的 @ 和冒号之间是你的用户名，例如 {example}。"},
    "bad_char": {EN: "{char} cannot be part of the name in a Matrix ID (before the colon): "
                     "use letters, digits and . _ = - / +.",
                 ZH: "Matrix ID 的用户名部分（冒号之前）不能含 {char}：请用字母、数字和 . _ = - / +。"},
    "bad_server": {EN: "{server} is not a server name: a Matrix ID ends with a domain such as "
                       "matrix.org, with :port after it if your server needs one.",
                   ZH: "{server} 不是服务器名：Matrix ID 以域名结尾（如 matrix.org），需要端口时"
                       "在后面加 :端口。"},
    "too_long": {EN: "A Matrix ID is at most {most} characters; this one has {count}.",
                 ZH: "Matrix ID 最多 {most} 个字符，这个有 {count} 个。"},
})  # fmt: skip


def user_id_problem(typed: str, language: Language = EN) -> str | None:
    """What is wrong with `typed` as a Matrix user ID (None: it is one)."""

    def say(key: str, **values: object) -> str:
        return BOOK.say(key, language, example=EXAMPLE, **values)

    if not typed:
        return say("empty")
    size = len(typed.encode())
    if size > MAX_BYTES:
        return say("too_long", most=MAX_BYTES, count=size)
    if not typed.startswith("@"):
        return say("no_at", typed=_shown(typed))
    local, colon, server = typed[1:].partition(":")
    if not colon or not server:
        return say("no_server", typed=_shown(typed))
    if not local:
        return say("no_name")
    bad = next((c for c in local if not _LOCAL_CHAR.fullmatch(c)), None)
    if bad is not None:
        return say("bad_char", char=_shown(bad))
    if not _server_name(server):
        return say("bad_server", server=_shown(server))
    return None


def _server_name(text: str) -> bool:
    """Whether `text` is a server name: a hostname with an optional port."""
    host, port = text, ""
    if text.startswith("["):
        host, bracket, rest = text.partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return False
        port = rest[1:] if rest else ""
        try:
            ipaddress.IPv6Address(host[1:])
        except ValueError:
            return False
        return not rest or _PORT.fullmatch(port) is not None
    host, colon, port = text.partition(":")
    if colon and _PORT.fullmatch(port) is None:
        return False
    return _DNS_NAME.fullmatch(host) is not None


def _shown(text: str) -> str:
    """`text` quoted for a message, a space or other invisible character made visible."""
    return repr(text) if not text.isprintable() or text.strip() != text else f"“{text}”"
