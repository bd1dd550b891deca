"""A picture's bytes from the homeserver's content repository, within a byte limit.

Asked as the bot, on the authenticated media endpoint (Matrix 1.11; Synapse serves media
uploaded since it froze the old one only there); a homeserver older than that, which does not
know the endpoint, is asked on the unauthenticated one.
"""

from __future__ import annotations

import re
from typing import Any

from hearthkeeper.carriers.pictures import CHUNK, PictureUnread, read_within

# mxc://<server name>/<media id>: a server name (host, IPv4, [IPv6], optional port) and a
# media id of letters, digits, _ and - (the spec's grammar), so neither can leave the path.
MXC = re.compile(r"mxc://([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?/([A-Za-z0-9_\-]+)")

AUTHENTICATED = "/_matrix/client/v1/media/download"
LEGACY = "/_matrix/media/v3/download"


async def download(client: Any, mxc: str | None, limit: int, timeout: float) -> bytes:
    """The bytes `mxc` names, read through nio's HTTP session (`client.send`) as the bot;
    PictureUnread when the address is not one or the homeserver does not give them."""
    match = MXC.fullmatch(mxc or "")
    if match is None:
        raise PictureUnread(f"{(mxc or 'no address')[:200]!r} is not an mxc:// address")
    host, port, media = match.groups()
    where = f"{host}{port or ''}/{media}"
    headers = {"Authorization": f"Bearer {client.access_token}"}
    for path in (AUTHENTICATED, LEGACY):
        response = await client.send("GET", f"{path}/{where}", headers=headers, timeout=timeout)
        async with response:
            if response.status == 200:
                return await read_within(response.content.iter_chunked(CHUNK), limit,
                                         response.content_length)  # fmt: skip
            if path == AUTHENTICATED and await _unknown_endpoint(response):
                continue
            raise PictureUnread(f"the homeserver answered {response.status} for {mxc}")
    raise PictureUnread(f"the homeserver has no media endpoint for {mxc}")  # not reached


async def _unknown_endpoint(response: Any) -> bool:
    """Whether the homeserver does not know the authenticated media endpoint (404 or 405
    with M_UNRECOGNIZED, as the spec has a server answer an endpoint it does not have)."""
    if response.status not in (404, 405):
        return False
    try:
        body = await response.json(content_type=None)
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("errcode") == "M_UNRECOGNIZED"
