"""The database away for a moment (a restart, a failover, a lost connection, a SQLite file
locked past its busy timeout): a console page or an API call is answered 503 with a line
saying so and when to try again (`Retry-After`), instead of a 500 and a traceback. Nothing
was changed: the transaction that was open rolled back. A warning is logged at most once a minute.

The page cannot read which community it serves (nor its language) while the store is away,
and members land on it too (a live code's `/go/…`, a referral link, the join page): it says
it in Chinese and English, the browser's preferred one first."""

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
MESSAGE_ZH = "数据库暂时不可用（正在重启或繁忙），没有任何改动。请几秒后再试。"
_EN = f"<section lang=en><h1>Try again in a moment</h1><p>{MESSAGE}</p></section>"
_ZH = f"<section lang=zh-CN><h1>请稍后再试</h1><p>{MESSAGE_ZH}</p></section>"
_HEAD = (
    "<!doctype html><html lang={lang}><meta charset=utf-8><title>Unavailable · 暂时不可用</title>"
)


def page(accept_language: str) -> str:
    """The 503 page, in the language the browser prefers first (Chinese or English), then
    the other."""
    first = accept_language.split(",")[0].strip().lower()
    if first.startswith("zh"):
        return _HEAD.format(lang="zh-CN") + _ZH + _EN + "</html>"
    return _HEAD.format(lang="en") + _EN + _ZH + "</html>"


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
    return HTMLResponse(page(request.headers.get("accept-language", "")), status_code=503,
                        headers=headers)  # fmt: skip


def install_unavailable(app: FastAPI) -> None:
    """Answer the store's being away, out of any route of `app`, with a 503 saying so."""
    app.add_exception_handler(DBAPIError, _answer)
    app.add_exception_handler(PoolTimeout, _answer)
