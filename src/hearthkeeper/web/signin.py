"""Signing in to the console and out again.

The sign-in form is itself protected against cross-site posting (a site signing a visitor
in as its own account): GET sets a random `hearth_signin` cookie and puts the same value in
a hidden field; POST must carry both, equal. Failed attempts are throttled per username and
per client network (counted in the store: every server process on the database counts the
same failures, and a restart forgets none). The address is the connection's peer;
X-Forwarded-For only counts behind a proxy named in `[server] trusted_proxies`
(`clientaddr.py`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Final
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hearthkeeper.clock import Clock
from hearthkeeper.store import Operator
from hearthkeeper.store.misses import SqlMisses
from hearthkeeper.store.scope import StoreBase
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
SIGN_INS: Final = "signin"  # what the store counts failed sign-ins as


class Throttle:
    """Failed sign-ins per key (a username, a client address), counted in the store
    (`store/misses.py`) in a sliding window: after `limit` failures within `window`, further
    attempts are refused for the rest of it. Every process on the database counts the same
    failures, and a restart forgets none of them (the keys are kept as digests).

    An attempt is counted before its password is checked (`attempt`), and given back when it
    succeeds (`succeeded`): attempts sent together, to one process or several, cannot all
    pass the check before any failure is counted."""

    def __init__(self, store: StoreBase, clock: Clock, limit: int = FAILURES,
                 window: timedelta = WINDOW) -> None:  # fmt: skip
        self.counted = SqlMisses.on(store)
        self.clock = clock
        self.limit = limit
        self.window = window

    def attempt(self, user_key: str, address: str) -> tuple[datetime, timedelta | None]:
        """Count an attempt against both keys, if neither is locked: when it was counted, and
        None; else how long until attempts are allowed again (nothing counted)."""
        now = self.clock.now()
        return now, self.counted.take(SIGN_INS, [user_key, address], now, self.limit,
                                      self.window)  # fmt: skip

    def succeeded(self, user_key: str, address: str, at: datetime) -> None:
        """The attempt counted `at` signed in: the username's failures are forgotten, and the
        address is not counted this attempt."""
        self.counted.forget(SIGN_INS, user_key)
        self.counted.give_back(SIGN_INS, address, at)


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
    throttle = Throttle(web.store, web.clock)
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
        at, wait = throttle.attempt(user_key, address)
        if wait is not None:
            minutes = max(1, -(-int(wait.total_seconds()) // 60))
            return form(request, target, username=username, status=429,
                        error=f"Too many failed sign-ins; try again in {minutes} minute"
                        f"{'s' if minutes > 1 else ''}.")  # fmt: skip
        operator = _check(web, username, password, decoy)
        if operator is None:  # the attempt counted stays counted: a failure
            return form(request, target, username=username, status=401, error=WRONG)
        throttle.succeeded(user_key, address, at)
        if operator.disabled:
            return form(request, target, username=username, status=403,
                        error="This operator is disabled; ask whoever runs the server to "
                        f"enable it (hearth operator enable {username}).")  # fmt: skip
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
