"""The webhook route: Telegram's updates posted to `webhook_url`, taken only with the secret
the bot gave Telegram. Its own module so that FastAPI, which reads the handler's annotations
(`request: Request`) from the module's names, is imported only when a server serves the bot."""

from __future__ import annotations

import hmac
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from hearthkeeper.carriers.telegram.carrier import TelegramCarrier
from hearthkeeper.carriers.telegram.plugin import SECRET_HEADER
from hearthkeeper.web.context import Web


def webhook_routes(carrier: TelegramCarrier, path: str) -> Callable[[Web], APIRouter]:
    """`POST <path>`: Telegram's updates, accepted only with the secret it was given."""
    secret = carrier.settings.webhook_secret.encode()

    def routes(web: Web) -> APIRouter:
        router = APIRouter(include_in_schema=False)

        @router.post(path)
        async def update(request: Request) -> JSONResponse:
            given = request.headers.get(SECRET_HEADER, "").encode()
            if not secret or not hmac.compare_digest(given, secret):
                return JSONResponse({"ok": False, "description": "wrong secret token"}, 401)
            try:
                body = await request.json()
            except ValueError:
                return JSONResponse({"ok": False, "description": "not JSON"}, 400)
            if not isinstance(body, dict):
                return JSONResponse({"ok": False, "description": "not an update"}, 400)
            if await carrier.receive(body):
                return JSONResponse({"ok": True})
            # Not recorded in time: Telegram posts it again (a repeat is skipped).
            return JSONResponse({"ok": False, "description": "busy"}, 503)

        return router

    return routes
