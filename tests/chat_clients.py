"""What the tests that drive real `hearth serve` processes over HTTP and WebSockets share: a
free port, a member joining through the join page, a window of unacknowledged messages, and a
playbook that lets members send machine-made lines fast."""

from __future__ import annotations

import asyncio
import re
import socket

import httpx

from tests.playbook_samples import MINIMAL

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

# Test members send machine-made lines far faster than people do: the playbook's flooding,
# repeated-text and advertising rules would otherwise (rightly) stop them.
FAST_MEMBERS = """\
rules:
  violations:
    advertising:
      enabled: false
    flooding:
      enabled: false
    repeated_text:
      enabled: false
"""
FAST_PLAYBOOK = MINIMAL + FAST_MEMBERS


def free_port() -> int:
    """A port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def join_page(url: str, code: str, nickname: str) -> str:
    """Join the group `code` through its join page at `url`; the member's cookie token."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        form = await http.get(f"/join/{code}")
        found = CSRF.search(form.text)
        assert found is not None, form.text
        joined = await http.post(f"/join/{code}", data={"nickname": nickname,
                                                         "csrf_token": found[1]})  # fmt: skip
        assert joined.status_code == 303, joined.text
        return str(http.cookies["hearth_member"])


async def room_or_end(room: asyncio.Semaphore, reader: asyncio.Task[None]) -> None:
    """Wait for room in the window; raise if the connection ends first."""
    acquiring = asyncio.ensure_future(room.acquire())
    await asyncio.wait({acquiring, reader}, return_when=asyncio.FIRST_COMPLETED)
    if reader.done():
        acquiring.cancel()
        reader.result()
