"""The built-in web chat: a real `Carrier` that members use in a browser (invite link,
nickname, live chat over WebSocket, pictures), served by `routes.webchat_router`."""

from hearthkeeper.carriers.webchat.base import WebChatRefused
from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
from hearthkeeper.carriers.webchat.names import BadNickname

__all__ = ["BadNickname", "WebChatCarrier", "WebChatRefused"]
