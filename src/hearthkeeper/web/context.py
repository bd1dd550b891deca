"""What every web route needs, handed in explicitly when the application is built."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from hearthkeeper.capabilities.billing.settings import BillingSecrets
from hearthkeeper.clock import Clock
from hearthkeeper.playbook import LoadedPlaybook
from hearthkeeper.store import Group, PlaybookVersion, Store

if TYPE_CHECKING:
    from hearthkeeper.carriers.plugin import HostedGroups, ServedCarrier

MiB = 1024 * 1024


@dataclass(frozen=True, kw_only=True)
class WebSettings:
    """How the web side behaves. `public_url` is where browsers reach this server (invite
    links and the console URL are built from it); `secure_cookies` marks cookies Secure
    (set it when the server is behind HTTPS)."""

    data_dir: Path
    public_url: str = "http://127.0.0.1:8470"
    secure_cookies: bool = False
    max_upload_bytes: int = 5 * MiB
    session_hours: int = 12
    # X-Forwarded-For is read only from these peers (`[server] trusted_proxies`); none: never
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()
    # client networks the join pages' one free trial per network does not count
    # (`[server] trial_limit_exempt`: a machine the operator tests on); none: every network
    trial_limit_exempt: tuple[IPv4Network | IPv6Network, ...] = ()
    billing: BillingSecrets = field(default_factory=BillingSecrets)  # webhook secrets ([billing])


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
    """The parts the routes use: the store, the clock, settings, the carriers the server runs
    (by name, each with what it adds to the web side) and the playbooks being run."""

    store: Store
    clock: Clock
    settings: WebSettings
    carriers: Mapping[str, ServedCarrier]
    playbooks: PlaybookHost

    def invite_url(self, group: Group) -> str | None:
        """The link members open to join `group`, when this server hosts its carrier's groups
        (None for the others)."""
        served = self.carriers.get(group.carrier)
        if served is None or served.hosted is None:
            return None
        return self.settings.public_url.rstrip("/") + served.hosted.invite_path(group.id)

    def invite_urls(self, groups: Sequence[Group]) -> dict[int, str]:
        """`invite_url` of each group this server hosts (the others left out), read once per
        carrier however many groups there are."""
        found: dict[int, str] = {}
        site = self.settings.public_url.rstrip("/")
        for carrier in sorted({g.carrier for g in groups}):
            served = self.carriers.get(carrier)
            if served is None or served.hosted is None:
                continue
            ids = [g.id for g in groups if g.carrier == carrier]
            found.update({g: site + path for g, path in served.hosted.invite_paths(ids).items()})
        return found

    def hosting(self) -> HostedGroups | None:
        """The first carrier (in the installed order) whose groups this server hosts: where the
        console opens a new group. None: no carrier hosts groups here."""
        return next((s.hosted for s in self.carriers.values() if s.hosted is not None), None)
