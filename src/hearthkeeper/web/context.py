"""What every web route needs, handed in explicitly when the application is built."""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from hearthkeeper.clock import Clock
from hearthkeeper.config import WebChatLimits
from hearthkeeper.playbook import LoadedPlaybook
from hearthkeeper.store import PlaybookVersion, Store

if TYPE_CHECKING:
    from hearthkeeper.carriers.webchat.carrier import WebChatCarrier

MiB = 1024 * 1024


@dataclass(frozen=True, kw_only=True)
class WebSettings:
    """How the web side behaves. `public_url` is where browsers reach this server (invite
    links and the console URL are built from it); `secure_cookies` marks cookies Secure
    (set it when the server is behind HTTPS); `chat_limits` are the web chat's abuse limits."""

    data_dir: Path
    public_url: str = "http://127.0.0.1:8470"
    secure_cookies: bool = False
    max_upload_bytes: int = 5 * MiB
    session_hours: int = 12
    chat_limits: WebChatLimits = field(default_factory=WebChatLimits)
    # X-Forwarded-For is read only from these peers (`[server] trusted_proxies`); none: never
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()


class PlaybookHost(Protocol):
    """The running server's playbooks: the console shows them and applies new versions."""

    def base_dir(self, community_id: int) -> Path:
        """Where the community's playbook file and content libraries are."""
        ...

    def replace(self, community_id: int, loaded: LoadedPlaybook, by: str) -> PlaybookVersion:
        """Apply `loaded` as the community's next version and run it from now on."""
        ...


@dataclass
class Web:
    """The parts the routes use: the store, the clock, settings, the built-in web chat
    carrier and the playbooks being run."""

    store: Store
    clock: Clock
    settings: WebSettings
    webchat: WebChatCarrier
    playbooks: PlaybookHost
