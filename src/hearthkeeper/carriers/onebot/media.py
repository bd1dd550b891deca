"""A picture's bytes from the address an image segment gives (`url`: QQ's image server),
over HTTP, within a byte limit."""

from __future__ import annotations

from urllib.parse import urlsplit

import aiohttp

from hearthkeeper.carriers.pictures import CHUNK, PictureUnread, read_within

MAX_REDIRECTS = 3


async def download(session: aiohttp.ClientSession, url: str | None, limit: int,
                   timeout: float) -> bytes:  # fmt: skip
    """The bytes at `url` (http or https only); PictureUnread when it is not such an address
    or the server does not give them."""
    if url is None or urlsplit(url).scheme not in ("http", "https"):
        raise PictureUnread(f"{(url or 'no address')[:200]!r} is not an http(s) address")
    async with session.get(url, timeout=aiohttp.ClientTimeout(total=timeout),
                           max_redirects=MAX_REDIRECTS) as response:  # fmt: skip
        if response.status != 200:
            raise PictureUnread(f"the image server answered {response.status}")
        return await read_within(response.content.iter_chunked(CHUNK), limit,
                                 response.content_length)  # fmt: skip
