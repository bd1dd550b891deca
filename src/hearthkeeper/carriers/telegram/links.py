"""Which link a Telegram newcomer came by: one invite link per group and link token (a live
code's `code:<slug>`, a member's referral `ref:<token>`), each named after its token, so the
`chat_join_request` and `chat_member` updates that carry the link (`invite_link.name`) say
where the newcomer came from.

Telegram allows a link name of at most 32 characters. A token that fits is the name itself
(staff see `code:poster` among the group's links, and may make such a link by hand); a longer
one is named `hk:` and a digest of it, and the token is found again through the audit entry
written when the link was made (`telegram.link.create`, target `telegram link <name>`). The
same entry lets a restarted server hand out the link it made before instead of a new one."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hearthkeeper.store import Store

SOURCES = ("code:", "ref:")  # the link tokens attribution reads (`Join.source`)
MAX_NAME = 32  # Telegram: createChatInviteLink `name`, 0-32 characters
DIGEST = "hk:"
ACTOR = "telegram"
MADE = "telegram.link.create"


def link_name(source: str) -> str:
    """The invite link's name for the token `source`."""
    if len(source) <= MAX_NAME:
        return source
    return DIGEST + hashlib.sha256(source.encode()).hexdigest()[:24]


def source_in_name(name: str | None) -> str | None:
    """The token a link's name is, when it is one (not a digest: that needs the store)."""
    if name is None or not name.startswith(SOURCES):
        return None
    return name


def _target(name: str) -> str:
    return f"telegram link {name}"


@dataclass(frozen=True)
class MadeLink:
    """An invite link the bot made for a token in a chat."""

    chat_id: str
    source: str
    link: str


def record_link(store: Store, community_id: int, made: MadeLink) -> None:
    """Write down the link the bot made (the audit log of the chat's community)."""
    store.audit(ACTOR, MADE, community_id, target=_target(link_name(made.source)),
                detail={"chat": made.chat_id, "source": made.source, "link": made.link})  # fmt: skip


def recorded_links(store: Store, community_id: int, name: str) -> list[MadeLink]:
    """The links the bot made under the name `name` in the community's chats, newest first."""
    found: list[MadeLink] = []
    for entry in store.audit_entries(community_id, target=_target(name), limit=100):
        detail = entry.detail
        chat, source, link = detail.get("chat"), detail.get("source"), detail.get("link")
        if entry.action == MADE and isinstance(chat, str) and isinstance(source, str) \
                and isinstance(link, str):  # fmt: skip
            found.append(MadeLink(chat, source, link))
    return found
