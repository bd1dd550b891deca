"""A Telegram group closed (`hearth groups close`): its members can no longer post, its
administrators and the bot still can (the Bot API's `setChatPermissions` holds members only).

Closing takes every sending permission from the group's members and keeps the others (adding
members, pinning …) as they were; what the group allowed before is written down (the audit
log of its community, `telegram.chat.close`), so reopening gives exactly that back, after a
restart too. Reopened with nothing written down (closed before this server kept it), members
get every sending permission back.

Telegram has no way to close a group's invite links wholesale: the links the bot made make
join requests, which the door refuses for a closed group (`engine/admission.py`); links
staff made in the app that let people straight in, and a public group's @username, still
do (Telegram offers no call to list them), and a newcomer who comes that way cannot post."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aiogram.exceptions import TelegramAPIError
from aiogram.types import ChatPermissions

from hearthkeeper.carriers.telegram.outgoing import SEND_RIGHTS, UNMUTED, carrier_error
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.playbook.positioning import Language

if TYPE_CHECKING:
    from hearthkeeper.store import Store

ACTOR = "telegram"
CLOSED = "telegram.chat.close"
# What Telegram answers `setChatPermissions` when the bot may not change them: not an
# administrator, or one without "Ban users" (`can_restrict_members`)
NO_RIGHTS = ("not enough rights", "chat_admin_required", "need administrator rights")
# what staff read (`engine/not_closed.py`): the right as Telegram's app names it
LACKS = {
    Language.EN: "the bot is not an administrator with 'Ban users' rights",
    Language.ZH_CN: "机器人不是拥有「封禁用户」权限的管理员",
}


def _target(chat_id: str) -> str:
    return f"telegram chat {chat_id}"


def can_send(permissions: ChatPermissions | None) -> bool:
    """Whether members of a group with these default permissions may send anything."""
    if permissions is None:
        return True  # Telegram said nothing: a group lets members post unless told otherwise
    return any(bool(getattr(permissions, name, False)) for name in SEND_RIGHTS)


def without_sending(permissions: ChatPermissions | None) -> ChatPermissions:
    """`permissions` with every sending right taken away, the others kept."""
    kept = {} if permissions is None else permissions.model_dump(exclude_none=True)
    return ChatPermissions(**{**kept, **dict.fromkeys(SEND_RIGHTS, False)})


def record_open(store: Store, community_id: int, chat_id: str,
                permissions: ChatPermissions | None) -> None:  # fmt: skip
    """Write down what the group allowed its members before it was closed."""
    detail: dict[str, Any] = {"chat": chat_id, "permissions": None if permissions is None
                              else permissions.model_dump(exclude_none=True)}  # fmt: skip
    store.audit(ACTOR, CLOSED, community_id, target=_target(chat_id), detail=detail)


def recorded_open(store: Store, community_id: int, chat_id: str) -> ChatPermissions:
    """What the group allowed its members before it was last closed (all: nothing known)."""
    for entry in store.audit_entries(community_id, target=_target(chat_id), limit=1):
        kept = entry.detail.get("permissions")
        if entry.action == CLOSED and isinstance(kept, Mapping):
            return ChatPermissions(**{k: bool(v) for k, v in kept.items()})
    return UNMUTED


def refused(exc: TelegramAPIError, doing: str) -> CarrierError:
    """Telegram's refusal to change a group's permissions, as the outbox takes it: one for
    want of the bot's rights names them, for staff (never retried: it cannot help)."""
    error = carrier_error(exc, doing)
    if any(said in exc.message.casefold() for said in NO_RIGHTS):
        return CarrierError(str(error), retry=False, lacks=LACKS)
    return error
