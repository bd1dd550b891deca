"""A community's name holding `/` (`Tea/Coffee`) in a console or API address, written
`Tea%2FCoffee` as it must be: the server decodes an address before routing, which would cut
the name in two (no page, or another community's page when its first part names one: `Tea
Friends%2Faudit` as `Tea Friends`'s audit log). `SlashedNames` keeps such a segment whole,
its `/` written `%2F` (and its `%` `%25`) in the path routed; `named` gives the lookups the
name back. Console pages then move to the community's slug, as for any name."""

from __future__ import annotations

from typing import Final
from urllib.parse import unquote, unquote_to_bytes

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

PREFIXES: Final = ("/console/c/", "/api/v1/communities/")
"""The addresses whose next segment names a community (its slug or its name)."""


def named(segment: str) -> str:
    """The slug or name a routed community segment stands for: its `/` and `%` restored
    where `SlashedNames` kept them encoded."""
    return unquote(segment) if "%2F" in segment or "%25" in segment else segment


def kept_whole(scope: Scope) -> Scope:
    """`scope` with its community segment kept as one segment when the address wrote a `/` in
    it as `%2F` or a `%` as `%25` (the name `Tea%2FCoffee` as written, `Tea%252FCoffee`, was
    read as `Tea/Coffee`); else `scope` unchanged."""
    raw: bytes = scope.get("raw_path") or b""
    path: str = scope["path"]
    for prefix in PREFIXES:
        start = prefix.encode()
        if not raw.startswith(start) or not path.startswith(prefix):
            continue
        segment = raw[len(start) :].partition(b"/")[0]
        if b"%2f" not in segment.lower() and b"%25" not in segment:
            return scope  # (a `%` written `%25` is kept so: `Tea%252FCoffee` is not Tea/Coffee)
        name = unquote_to_bytes(segment).decode("utf-8", "replace")
        if not path.startswith(prefix + name):  # decoded otherwise than we read it: leave it
            return scope
        whole = name.replace("%", "%25").replace("/", "%2F")
        return {**scope, "path": prefix + whole + path[len(prefix + name) :]}
    return scope


class SlashedNames:
    """ASGI middleware: `kept_whole` on every HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = kept_whole(scope)
        await self.app(scope, receive, send)


def install_slashed_names(app: FastAPI) -> None:
    """Keep a community's name holding `/` whole in `app`'s console and API addresses."""
    app.add_middleware(SlashedNames)
