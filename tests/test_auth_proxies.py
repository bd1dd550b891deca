"""The sign-in lock-out counts per client address, and a client cannot choose its address:
X-Forwarded-For is believed only from the reverse proxies the operator named."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from starlette.requests import Request

from hearthkeeper.clock import FrozenClock
from hearthkeeper.config import ConfigError, load_settings
from hearthkeeper.serve import Host, serve
from hearthkeeper.store import sqlite_url
from hearthkeeper.web.clientaddr import (
    client_address,
    client_network,
    parse_proxies,
    trial_network,
)
from tests.migrated import migrate
from tests.serve_setup import project, settings_for

_TOKEN = re.compile(r'name="signin_token" value="([^"]+)"')


def attempts(tmp_path: Path, clock: FrozenClock, trusted: tuple[str, ...],
             forwarded: str = "203.0.113.{}") -> list[int]:  # fmt: skip
    """Seven failed sign-ins through a real server, each under another username and claiming
    another X-Forwarded-For address (`forwarded` with 1 … 7): the status codes."""
    playbook = project(tmp_path / "site")
    url = sqlite_url(tmp_path / "site" / "data")
    migrate(url)
    settings, web_settings = settings_for(playbook, url)
    web_settings = replace(web_settings, trusted_proxies=parse_proxies(trusted))
    host = Host.build(settings, web_settings, clock=clock)
    codes: list[int] = []

    async def scenario() -> None:
        stop = asyncio.Event()
        ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        server = asyncio.create_task(serve(host, port=0, stop=stop, on_ready=ready.set_result))
        try:
            port = await asyncio.wait_for(ready, 30)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                page = await client.get("/console/sign-in")
                for n in range(7):
                    token = _TOKEN.search(page.text)  # every form answered comes with a new one
                    assert token is not None
                    page = await client.post(
                        "/console/sign-in",
                        data={"username": f"guess{n}", "password": "wrong",
                              "signin_token": token[1]},
                        headers={"X-Forwarded-For": forwarded.format(n + 1)},
                    )  # fmt: skip
                    codes.append(page.status_code)
        finally:
            stop.set()
            await asyncio.wait_for(server, 30)

    try:
        asyncio.run(scenario())
    finally:
        host.close()
    return codes


def test_a_forged_x_forwarded_for_does_not_escape_the_lock_out(
    tmp_path: Path, store_clock: FrozenClock
) -> None:
    codes = attempts(tmp_path, store_clock, trusted=())
    assert codes == [401] * 5 + [429] * 2, "the sixth attempt from this address is refused"


def test_behind_a_trusted_proxy_each_forwarded_client_counts_on_its_own(
    tmp_path: Path, store_clock: FrozenClock
) -> None:
    codes = attempts(tmp_path, store_clock, trusted=("127.0.0.1",))
    assert codes == [401] * 7


def test_behind_a_trusted_proxy_one_ipv6_subscriber_is_one_client(
    tmp_path: Path, store_clock: FrozenClock
) -> None:
    """A new address from the same /64 (one home, one phone) does not escape the lock-out."""
    codes = attempts(tmp_path, store_clock, ("127.0.0.1",), forwarded="2001:db8:7:7::{}")
    assert codes == [401] * 5 + [429] * 2


def request(peer: str, *forwarded: str) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return Request({"type": "http", "client": (peer, 5555), "headers": headers})


def test_the_forwarded_address_is_read_from_the_right_past_trusted_proxies_only() -> None:
    proxies = parse_proxies(["10.0.0.0/8", "::1"])
    assert client_address(request("198.51.100.7", "1.2.3.4"), ()) == "198.51.100.7"
    assert client_address(request("198.51.100.7", "1.2.3.4"), proxies) == "198.51.100.7"
    assert client_address(request("10.0.0.2", "1.2.3.4"), proxies) == "1.2.3.4"
    # The client wrote "6.6.6.6" itself; the proxy appended who it really heard from.
    assert client_address(request("10.0.0.2", "6.6.6.6, 1.2.3.4, 10.0.0.9"), proxies) == "1.2.3.4"
    assert client_address(request("::1", "6.6.6.6", "1.2.3.4"), proxies) == "1.2.3.4"
    assert client_address(request("10.0.0.2", "junk, 10.0.0.3"), proxies) == "junk"
    assert client_address(request("10.0.0.2"), proxies) == "10.0.0.2"


def test_trusted_proxies_are_read_from_the_configuration_and_checked(tmp_path: Path) -> None:
    config = tmp_path / "hearth.toml"
    config.write_text('[server]\ntrusted_proxies = ["127.0.0.1", "10.0.0.0/8"]\n')
    settings = load_settings(config, {}, tmp_path)
    assert settings.server.trusted_proxies == ("127.0.0.1", "10.0.0.0/8")
    assert load_settings(None, {}, tmp_path / "elsewhere").server.trusted_proxies == ()
    config.write_text('[server]\ntrusted_proxies = ["my-proxy"]\n')
    with pytest.raises(ConfigError, match="'my-proxy' is not an IP address or network"):
        load_settings(config, {}, tmp_path)


def test_networks_exempt_from_the_trial_limit_are_read_and_checked(tmp_path: Path) -> None:
    config = tmp_path / "hearth.toml"
    config.write_text('[server]\ntrial_limit_exempt = ["127.0.0.1", "::1"]\n')
    settings = load_settings(config, {}, tmp_path)
    assert settings.server.trial_limit_exempt == ("127.0.0.1", "::1")
    exempt = parse_proxies(settings.server.trial_limit_exempt)
    assert trial_network("127.0.0.1", exempt) is None
    assert trial_network(client_network("::1"), exempt) is None  # its /64, as counted
    assert trial_network("198.51.100.7", exempt) == "198.51.100.7"
    assert trial_network("testclient", exempt) == "testclient"
    config.write_text('[server]\ntrial_limit_exempt = ["localhost"]\n')
    with pytest.raises(ConfigError, match="'localhost' is not an IP address or network"):
        load_settings(config, {}, tmp_path)


def test_a_client_is_an_ipv4_address_or_an_ipv6_addresss_64() -> None:
    assert client_network("203.0.113.9") == "203.0.113.9"
    assert client_network("::ffff:203.0.113.9") == "203.0.113.9"  # IPv4 over an IPv6 socket
    assert client_network("2001:db8:7:9::1") == client_network("2001:db8:7:9:ab::ff")
    assert client_network("2001:db8:7:9::1") == "2001:db8:7:9::/64"
    assert client_network("2001:db8:7:a::1") != client_network("2001:db8:7:9::1")
    assert client_network("testclient") == "testclient"


def test_a_bad_entry_in_a_long_list_of_networks_is_named_by_its_place(tmp_path: Path) -> None:
    """One mistyped network among hundreds said "server.trial_limit_exempt: Value error,
    '10.0.0.300' is not an IP address or network": pydantic's words, and no place."""
    config = tmp_path / "hearth.toml"
    entries = [f'"10.0.{n // 256}.{n % 256}"' for n in range(500)]
    entries[341] = '"10.0.1.300"'
    config.write_text(f"[server]\ntrial_limit_exempt = [{', '.join(entries)}]\n")
    with pytest.raises(ConfigError) as info:
        load_settings(config, {}, tmp_path)
    assert str(info.value) == (
        f"{config}: server.trial_limit_exempt: entry 342 of 500, '10.0.1.300' is not an IP "
        "address or network (e.g. 127.0.0.1, 10.0.0.0/8)"
    )
