"""Signing in to the console and out again.

The sign-in form is itself protected against cross-site posting (a site signing a visitor
in as its own account): GET sets a random `hearth_signin` cookie and puts the same value in
a hidden field; POST must carry both, equal. Failed attempts are throttled per username and
per client address (in this process's memory: a restart forgets them, and several server
processes each count their own). The address is the connection's peer; X-Forwarded-For only
counts behind a proxy named in `[server] trusted_proxies` (`clientaddr.py`).
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from typing import Annotated, Final
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hearthkeeper.clock import Clock
from hearthkeeper.store import Operator
from hearthkeeper.web.auth import (
    SESSION_COOKIE,
    SIGN_IN_PATH,
    current_session,
    hash_password,
    needs_rehash,
    new_token,
    require_csrf,
    same_token,
    token_hash,
    verify_password,
)
from hearthkeeper.web.clientaddr import requester_network
from hearthkeeper.web.context import Web
from hearthkeeper.web.templates import render

SIGNIN_COOKIE: Final = "hearth_signin"
SIGNIN_FIELD: Final = "signin_token"
HOME: Final = "/console"
FAILURES: Final = 5  # failed attempts allowed per window …
WINDOW: Final = timedelta(minutes=5)  # … per username and per client address
WRONG: Final = "Wrong username or password."
_FORM_LIFETIME: Final = 3600  # seconds a sign-in form stays usable
_MAX_KEYS: Final = 10_000  # throttle entries kept before stale ones are swept


class Throttle:
    """Failed sign-ins per key (a username, a client address) in a sliding window: after
    `limit` failures within `window`, further attempts are refused for the rest of it."""

    def __init__(self, clock: Clock, limit: int = FAILURES, window: timedelta = WINDOW) -> None:
        self.clock = clock
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[datetime]] = {}

    def refused_until(self, *keys: str) -> datetime | None:
        """When attempts for these keys are allowed again (None: now)."""
        now = self.clock.now()
        until: datetime | None = None
        for key in keys:
            failures = self._recent(key, now)
            if len(failures) >= self.limit:
                end = failures[-self.limit] + self.window
                until = end if until is None else max(until, end)
        return until

    def failed(self, *keys: str) -> None:
        """Count a failed attempt against each key."""
        now = self.clock.now()
        if len(self._failures) > _MAX_KEYS:
            for key in list(self._failures):
                self._recent(key, now)
        for key in keys:
            self._failures.setdefault(key, deque(maxlen=self.limit)).append(now)

    def forget(self, key: str) -> None:
        """Clear a key's failures (a successful sign-in)."""
        self._failures.pop(key, None)

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
        return failures


def safe_next(target: str | None) -> str:
    """Where to go after signing in: `target` if it is a console page of this site, else the
    console's home (never another site: no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return HOME
    if any(c in target for c in "\\\r\n\t") or any(ord(c) < 32 for c in target):
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return HOME
    if parts.path != HOME and not parts.path.startswith(HOME + "/"):
        return HOME
    if ".." in parts.path.split("/") or "%2e" in parts.path.lower():
        return HOME
    return target


def signin_router(web: Web) -> APIRouter:
    """`/` (to the console), the sign-in form and sign-out."""
    router = APIRouter(include_in_schema=False)
    throttle = Throttle(web.clock)
    decoy: list[str] = []  # a hash to check unknown usernames against, so they take as long

    def form(request: Request, next_url: str, *, error: str | None = None,
             username: str = "", status: int = 200) -> HTMLResponse:  # fmt: skip
        token = new_token()
        response = render(request, "signin.html", status_code=status, signin_token=token,
                          next=next_url, error=error, username=username,
                          signin_field=SIGNIN_FIELD)  # fmt: skip
        response.set_cookie(SIGNIN_COOKIE, token, max_age=_FORM_LIFETIME, path=SIGN_IN_PATH,
                            httponly=True, samesite="strict",
                            secure=web.settings.secure_cookies)  # fmt: skip
        return response

    @router.get("/")
    async def home() -> RedirectResponse:
        return RedirectResponse(HOME, status_code=303)

    @router.get(SIGN_IN_PATH, response_class=HTMLResponse)
    def sign_in_form(request: Request, next: str | None = None) -> Response:
        target = safe_next(next)
        if current_session(request) is not None:
            return RedirectResponse(target, status_code=303)
        return form(request, target)

    @router.post(SIGN_IN_PATH, response_class=HTMLResponse)
    def sign_in(
        request: Request,
        username: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "",
        signin_token: Annotated[str, Form()] = "",
    ) -> Response:
        target = safe_next(next)
        username = username.strip()
        if not same_token(signin_token, request.cookies.get(SIGNIN_COOKIE, "")):
            return form(request, target, username=username, status=403,
                        error="This sign-in form expired or came from another site; "
                        "please sign in again.")  # fmt: skip
        address = f"address:{requester_network(request, web.settings.trusted_proxies)}"
        user_key = f"user:{username}"
        until = throttle.refused_until(user_key, address)
        if until is not None:
            minutes = max(1, -(-int((until - web.clock.now()).total_seconds()) // 60))
            return form(request, target, username=username, status=429,
                        error=f"Too many failed sign-ins; try again in {minutes} minute"
                        f"{'s' if minutes > 1 else ''}.")  # fmt: skip
        operator = _check(web, username, password, decoy)
        if operator is None:
            throttle.failed(user_key, address)
            return form(request, target, username=username, status=401, error=WRONG)
        if operator.disabled:
            return form(request, target, username=username, status=403,
                        error="This operator is disabled; ask whoever runs the server to "
                        f"enable it (hearth operator enable {username}).")  # fmt: skip
        throttle.forget(user_key)
        return _start_session(web, request, operator, target)

    @router.post("/console/sign-out")
    async def sign_out(request: Request) -> RedirectResponse:
        response = RedirectResponse(SIGN_IN_PATH, status_code=303)
        if current_session(request) is not None:
            await require_csrf(request)
            web.store.delete_session(token_hash(request.cookies[SESSION_COOKIE]))
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                               secure=web.settings.secure_cookies)  # fmt: skip
        return response

    return router


def _check(web: Web, username: str, password: str, decoy: list[str]) -> Operator | None:
    """The operator if `password` is theirs; a hash is verified either way."""
    stored = web.store.operator_password_hash(username) if username else None
    if stored is None:
        if not decoy:
            decoy.append(hash_password(new_token()))
        verify_password(decoy[0], password)
        return None
    if not verify_password(stored, password):
        return None
    if needs_rehash(stored):
        web.store.set_operator_password(username, hash_password(password), end_sessions=False)
    return web.store.operator_by_name(username)


def _start_session(web: Web, request: Request, operator: Operator, target: str) -> Response:
    now = web.clock.now()
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        web.store.delete_session(token_hash(old))
    web.store.delete_expired_sessions(now)
    token = new_token()
    hours = web.settings.session_hours
    web.store.create_session(operator.id, token_hash(token), new_token(),
                             now + timedelta(hours=hours))  # fmt: skip
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, token, max_age=hours * 3600, path="/", httponly=True,
                        samesite="lax", secure=web.settings.secure_cookies)  # fmt: skip
    response.delete_cookie(SIGNIN_COOKIE, path=SIGN_IN_PATH, httponly=True, samesite="strict",
                           secure=web.settings.secure_cookies)  # fmt: skip
    return response
