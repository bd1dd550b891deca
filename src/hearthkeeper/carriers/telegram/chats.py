"""Which Telegram groups (chat ids) are groups of which community. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ChatMap:
    """Chat id ("-100…") → the community (its slug) the group belongs to. The bot hands the
    engine events only from mapped groups; `hearth telegram check` lists the others."""

    chats: Mapping[str, str] = field(default_factory=dict)

    def community_of(self, chat_id: str) -> str | None:
        return self.chats.get(chat_id)

    def accepts(self, chat_id: str) -> bool:
        return chat_id in self.chats
