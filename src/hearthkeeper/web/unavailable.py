"""The database away for a moment (a restart, a failover, a lost connection, a SQLite file
locked past its busy timeout): a console page or an API call is answered 503 with a line
saying so and when to try again (`Retry-After`), instead of a 500 and a traceback. Nothing
was changed: the transaction that was open rolled back. A warning is logged at most once a minute."""

from __future__ import annotations

import logging
import time

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from hearthkeeper.store.errors import unavailable

log = logging.getLogger(__name__)

RETRY_AFTER = 5  # seconds
MESSAGE = ("The database is unavailable for a moment (restarting, or busy); nothing was "
           "changed. Try again in a few seconds.")  # fmt: skip
_PAGE = ("<!doctype html><html lang=en><meta charset=utf-8><title>Unavailable</title>"
         f"<h1>Try again in a moment</h1><p>{MESSAGE}</p></html>")  # fmt: skip
WARN_EVERY = 60.0  # seconds between two warnings while requests keep finding it away
_WARNED = [-WARN_EVERY]


async def _answer(request: Request, exc: Exception) -> Response:
    if not unavailable(exc):
        raise exc  # a bug: the server's 500, logged with its traceback, as before
    now = time.monotonic()
    if now - _WARNED[0] >= WARN_EVERY:  # not a line per request while the store is away
        _WARNED[0] = now
        log.warning(
            "web: the database is unavailable (%s); answering 503 meanwhile",
            str(exc).strip().splitlines()[0][:200] if str(exc) else type(exc).__name__,
        )
    headers = {"Retry-After": str(RETRY_AFTER)}
    if request.url.path.startswith("/api") or "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"detail": MESSAGE}, status_code=503, headers=headers)
    return HTMLResponse(_PAGE, status_code=503, headers=headers)


def install_unavailable(app: FastAPI) -> None:
    """Answer the store's being away, out of any route of `app`, with a 503 saying so."""
    app.add_exception_handler(DBAPIError, _answer)
    app.add_exception_handler(PoolTimeout, _answer)
