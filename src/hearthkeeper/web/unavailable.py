"""The database away for a moment (a restart, a failover, a lost connection, a SQLite file
locked past its busy timeout): a console page or an API call is answered 503 with a line
saying so and when to try again (`Retry-After`), instead of a 500 and a traceback. Nothing
was changed: the transaction that was open rolled back. A warning is logged at most once a minute.
A deadlock or serialization failure (PostgreSQL) is no outage: the page says the change
collided with another made at the same moment, try again now (`Retry-After: 1`).

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

from hearthkeeper.store.errors import conflict, unavailable

log = logging.getLogger(__name__)

RETRY_AFTER = 5  # seconds
MESSAGE = ("The database is unavailable for a moment (restarting, or busy); nothing was "
           "changed. Try again in a few seconds.")  # fmt: skip
MESSAGE_ZH = "数据库暂时不可用（正在重启或繁忙），没有任何改动。请几秒后再试。"
# A deadlock or serialization failure (PostgreSQL): the database is there, another change made
# at the same moment won. Said as such, and worth trying again at once.
COLLIDED = ("This change collided with another made at the same moment ({what}); nothing was "
            "changed. Try again.")  # fmt: skip
COLLIDED_ZH = "这次改动与同一时刻的另一次改动冲突（{what}），没有任何改动。请重试。"
_WHAT_ZH = {"a deadlock": "死锁", "a serialization failure": "串行化冲突"}
_EN = f"<section lang=en><h1>Try again in a moment</h1><p>{MESSAGE}</p></section>"
_ZH = f"<section lang=zh-CN><h1>请稍后再试</h1><p>{MESSAGE_ZH}</p></section>"
_HEAD = (
    "<!doctype html><html lang={lang}><meta charset=utf-8><title>Unavailable · 暂时不可用</title>"
)


def page(accept_language: str, collided: str | None = None) -> str:
    """The 503 page, in the language the browser prefers first (Chinese or English), then
    the other; `collided` names the collision when that is what happened."""
    en, zh = _EN, _ZH
    if collided is not None:
        en = (f"<section lang=en><h1>Try again</h1>"
              f"<p>{COLLIDED.format(what=collided)}</p></section>")  # fmt: skip
        zh = (f"<section lang=zh-CN><h1>请重试</h1>"
              f"<p>{COLLIDED_ZH.format(what=_WHAT_ZH.get(collided, collided))}</p></section>")  # fmt: skip
    first = accept_language.split(",")[0].strip().lower()
    if first.startswith("zh"):
        return _HEAD.format(lang="zh-CN") + zh + en + "</html>"
    return _HEAD.format(lang="en") + en + zh + "</html>"


WARN_EVERY = 60.0  # seconds between two warnings while requests keep finding it away
_WARNED = [-WARN_EVERY]


async def _answer(request: Request, exc: Exception) -> Response:
    if not unavailable(exc):
        raise exc  # a bug: the server's 500, logged with its traceback, as before
    collided = conflict(exc)
    first_line = str(exc).strip().splitlines()[0][:200] if str(exc) else type(exc).__name__
    now = time.monotonic()
    if collided is not None:  # not an outage: one request lost a race, said once
        log.warning("web: %s %s rolled back %s; answered 503, to be tried again",
                    request.method, request.url.path, collided)  # fmt: skip
    elif now - _WARNED[0] >= WARN_EVERY:  # not a line per request while the store is away
        _WARNED[0] = now
        log.warning("web: the database is unavailable (%s); answering 503 meanwhile", first_line)
    headers = {"Retry-After": str(1 if collided is not None else RETRY_AFTER)}
    if request.url.path.startswith("/api") or "text/html" not in request.headers.get("accept", ""):
        detail = MESSAGE if collided is None else COLLIDED.format(what=collided)
        return JSONResponse({"detail": detail}, status_code=503, headers=headers)
    return HTMLResponse(page(request.headers.get("accept-language", ""), collided),
                        status_code=503, headers=headers)  # fmt: skip


def install_unavailable(app: FastAPI) -> None:
    """Answer the store's being away, out of any route of `app`, with a 503 saying so."""
    app.add_exception_handler(DBAPIError, _answer)
    app.add_exception_handler(PoolTimeout, _answer)
