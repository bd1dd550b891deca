"""Which link a Telegram newcomer came by: one invite link per group and link token (a live
code's `code:<slug>`, a member's referral `ref:<token>`), each named after its token, so the
`chat_join_request` and `chat_member` updates that carry the link (`invite_link.name`) say
where the newcomer came from.

Telegram allows a link name of at most 32 characters. A token that fits is the name itself
(staff see `code:poster` among the group's links, and may make such a link by hand); a longer
one is named `hk:` and a digest of it, and the token is found again through the audit entry
written when the link was made (`telegram.link.create`, target `telegram link <name>`). The
same entry lets a restarted server hand out the link it made before instead of a new one.

A link can stop working behind the bot's back (revoked outside this server, or deleted), and
Telegram says nothing when it does: no update comes, newcomers just find a dead link. So before
handing out a link last confirmed more than `CONFIRM_EVERY` ago, the bot asks Telegram about it
(`editChatInviteLink` with the name and join requests it already has: the Bot API has no method
that only reads a link); a link Telegram answers is revoked (`is_revoked`) or gone
(`INVITE_HASH_EXPIRED` …) is replaced by a new one under the same name, written down here, and
noted in the audit log (`telegram.link.gone`). At most one call per link every `CONFIRM_EVERY`,
whatever the number of clicks; an answer that says nothing about the link (flood control, the
network, a lost right) keeps the link and waits as long before asking again."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hearthkeeper.store import Store

SOURCES = ("code:", "ref:")  # the link tokens attribution reads (`Join.source`)
MAX_NAME = 32  # Telegram: createChatInviteLink `name`, 0-32 characters
DIGEST = "hk:"
ACTOR = "telegram"
MADE = "telegram.link.create"
GONE = "telegram.link.gone"
CONFIRM_EVERY = timedelta(minutes=10)  # how long a link Telegram confirmed is handed out unasked
# The Bot API's refusals (MTProto's error types) for a link that no longer works.
_GONE = ("invite_hash_expired", "invite_hash_invalid", "invite_revoked_missing", "revoked")


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


def link_gone(refusal: str) -> bool:
    """Whether Telegram's refusal of a call about a link says the link no longer works."""
    lowered = refusal.casefold()
    return any(marker in lowered for marker in _GONE)


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


def recorded_link(
    store: Store,
    community_id: int,
    name: str,
    chat_id: str,
    *,
    source: str | None = None,
    link: str | None = None,
) -> MadeLink | None:
    """The newest link the bot made under the name `name` in the chat `chat_id` (for the
    token `source`, or the link itself `link`, when given), however many chats and links the
    name has: one read of that entry."""
    wanted = {"chat": chat_id}
    if source is not None:
        wanted["source"] = source
    if link is not None:
        wanted["link"] = link
    entry = store.last_audit(community_id, _target(name), {MADE}, detail=wanted)
    if entry is None:
        return None
    made_source, made_link = entry.detail.get("source"), entry.detail.get("link")
    if not (isinstance(made_source, str) and isinstance(made_link, str)):
        return None
    return MadeLink(chat_id, made_source, made_link)


def record_gone(store: Store, community_id: int, gone: MadeLink) -> None:
    """Write down that a link the bot made no longer works (it is replaced at once)."""
    store.audit(ACTOR, GONE, community_id, target=_target(link_name(gone.source)),
                detail={"chat": gone.chat_id, "source": gone.source, "link": gone.link})  # fmt: skip
