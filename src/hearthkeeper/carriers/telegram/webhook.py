"""The webhook route: Telegram's updates posted to `webhook_url`, taken only with the secret
the bot gave Telegram. Its own module so that FastAPI, which reads the handler's annotations
(`request: Request`) from the module's names, is imported only when a server serves the bot."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from hearthkeeper.carriers.telegram.carrier import TelegramCarrier
from hearthkeeper.carriers.telegram.plugin import SECRET_HEADER
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.web.context import Web

log = logging.getLogger(__name__)


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
            except (ValueError, RecursionError):  # RecursionError: nested too deeply to read
                return JSONResponse({"ok": False, "description": "not JSON"}, 400)
            if not isinstance(body, dict):
                return JSONResponse({"ok": False, "description": "not an update"}, 400)
            try:
                received = await carrier.receive(body)
            except CarrierError:
                # The bot runs in another process (a `hearth serve` beside others on one
                # PostgreSQL database, not the one holding the carriers): not taken here;
                # Telegram posts it again.
                log.error("telegram: a webhook update came to a process that does not run the "
                          "bot; point webhook_url at the one that does, or use mode = polling")  # fmt: skip
                return JSONResponse({"ok": False, "description": "the bot is not running here"},
                                    503)  # fmt: skip
            except ValidationError as exc:
                said = f"not an update: {_first_problem(exc)}"
                log.warning("telegram: refused a webhook post with the secret (%s)", said)
                return JSONResponse({"ok": False, "description": said}, 400)
            if received:
                return JSONResponse({"ok": True})
            # Not recorded in time: Telegram posts it again (a repeat is skipped).
            return JSONResponse({"ok": False, "description": "busy"}, 503)

        return router

    return routes


def _first_problem(exc: ValidationError) -> str:
    """Where and what, for the first field that is not as the Bot API sends it."""
    errors = exc.errors(include_url=False, include_input=False)
    first = errors[0] if errors else {"loc": (), "msg": str(exc)}
    where = ".".join(str(part) for part in first["loc"]) or "the update"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}"
