"""Security headers on every response, added by one small ASGI middleware.

Every response: no framing (X-Frame-Options DENY), no content-type sniffing, the referrer
only to this site. HTML responses also get a Content-Security-Policy that lets pages load
scripts, styles, images and connections (including the chat's WebSocket) from this server
only, and runs no inline script — so text a member managed to slip into a page still could
not run. Console and API responses are not cached by browsers or proxies.

The API's Swagger page (/api/docs, `api_docs.py`) loads Swagger UI from this server and runs
no inline script; Swagger UI sets inline styles and data: images, which its policy alone
allows. It shows no member data.
"""

from __future__ import annotations

import re
from typing import Final

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALWAYS: Final = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'; connect-src 'self'{sockets}"
)
DOCS_PATH: Final = "/api/docs"
DOCS_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'; connect-src 'self'"
)
_PRIVATE: Final = ("/console", "/api/")
# What a Host header may hold to be named in the policy (anything else is left out).
_HOST: Final = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


def content_policy(host: str | None) -> str:
    """The Content-Security-Policy of HTML pages served as `host`. WebSockets to the same
    host are named explicitly: older browsers do not count ws(s):// as 'self'."""
    sockets = f" ws://{host} wss://{host}" if host and _HOST.fullmatch(host) else ""
    return _POLICY.format(sockets=sockets)


class SecurityHeaders:
    """ASGI middleware adding the headers above to HTTP responses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    headers.setdefault(name, value)
                if headers.get("content-type", "").startswith("text/html"):
                    policy = DOCS_POLICY if path == DOCS_PATH else content_policy(_host(scope))
                    headers.setdefault("Content-Security-Policy", policy)
                if path.startswith(_PRIVATE):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _host(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"host":
            return bytes(value).decode("latin-1")
    return None


def install_security(app: FastAPI) -> None:
    """Add the security headers to every response of `app`."""
    app.add_middleware(SecurityHeaders)
