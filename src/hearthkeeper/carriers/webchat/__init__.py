"""The built-in web chat: a real `Carrier` that members use in a browser (invite link,
nickname, live chat over WebSocket, pictures), served by `routes.webchat_router`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthkeeper.lazy import exports

if TYPE_CHECKING:
    from hearthkeeper.carriers.webchat.base import WebChatRefused
    from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
    from hearthkeeper.carriers.webchat.names import BadNickname


__all__ = ["BadNickname", "WebChatCarrier", "WebChatRefused"]

# Imported on first use: the plug-in is imported by every `hearth` command (hearthkeeper/lazy.py).
__getattr__ = exports(
    __name__,
    {
        "WebChatRefused": ".base",
        "WebChatCarrier": ".carrier",
        "BadNickname": ".names",
    },
)
