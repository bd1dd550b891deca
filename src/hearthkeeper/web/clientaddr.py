"""Who is on the other end of a connection, for limits kept per client address.

The address is the TCP peer's. `X-Forwarded-For` is anyone's to write, so it is read only
when the peer is one of the reverse proxies the operator named (`[server] trusted_proxies`),
and then from the right: each trusted proxy appends the address it received from, so the
first address from the right that is not a trusted proxy is the client.

`client_network` is what a limit on one client counts by: an IPv4 address, or the /64 an
IPv6 address is in (one subscriber's network: a home or a phone is handed a whole /64, so
counting single IPv6 addresses would let one person be as many clients as they like).
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

from starlette.requests import HTTPConnection

Network = IPv4Network | IPv6Network
UNKNOWN = "?"
IPV6_SUBSCRIBER = 64  # the prefix length one subscriber is handed (RFC 6177)


def parse_proxies(entries: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or networks (`10.0.0.5`, `10.0.0.0/8`, `::1`); ValueError names a bad one."""
    networks = []
    for entry in entries:
        try:
            networks.append(ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"{entry!r} is not an IP address or network (write e.g. 127.0.0.1 or 10.0.0.0/8)"
            ) from None
    return tuple(networks)


def client_address(connection: HTTPConnection, trusted: tuple[Network, ...]) -> str:
    """The client's address: the peer's, or the forwarded one behind a trusted proxy."""
    peer = connection.client.host if connection.client else UNKNOWN
    if not trusted or not _trusted(peer, trusted):
        return peer
    forwarded = [
        hop.strip()
        for header in connection.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
        if hop.strip()
    ]
    for hop in reversed(forwarded):
        if not _trusted(hop, trusted):
            return hop  # not a proxy of ours (or not an address at all): the client
    return forwarded[0] if forwarded else peer


def _trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_network(address: str) -> str:
    """What limits per client count by: an IPv4 address as it is (an IPv4-mapped IPv6 one
    as IPv4), an IPv6 address as its /64 (`2001:db8:1:2::/64`), anything else as given."""
    try:
        ip = ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if isinstance(ip, IPv6Address):
        return str(ip_network(f"{ip}/{IPV6_SUBSCRIBER}", strict=False))
    return str(ip)


def requester_network(connection: HTTPConnection, trusted: tuple[Network, ...]) -> str:
    """The client network of whoever sent `connection` (`client_network` of its
    `client_address`): what join pages, live codes and the sign-in lock-out count by."""
    return client_network(client_address(connection, trusted))


def trial_network(network: str, exempt: tuple[Network, ...]) -> str | None:
    """`network` (a `client_network`) as the one free trial per network counts it: None
    where the operator exempted it (`[server] trial_limit_exempt`; an IPv6 entry exempts the
    /64 it is in, as the limit counts by), so each newcomer from there may have a trial."""
    try:
        counted = ip_network(network, strict=False)
    except ValueError:
        return network
    free = any(counted.version == entry.version and counted.overlaps(entry) for entry in exempt)
    return None if free else network
