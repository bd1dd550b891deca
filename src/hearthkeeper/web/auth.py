"""Who is asking: passwords, console sessions, CSRF tokens and API tokens.

A console session is a random token in the `hearth_session` cookie; the store keeps only its
SHA-256, with the session's CSRF token. API tokens work the same way. Every state-changing
console request must carry that CSRF token (a form field or the `X-CSRF-Token` header); the
cookie alone, which another site can make a browser send, is never enough.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Final
from urllib.parse import quote

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import HTTPException, Request

from hearthkeeper.store import ConsoleSession, Operator
from hearthkeeper.web.context import Web

SESSION_COOKIE: Final = "hearth_session"
CSRF_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "X-CSRF-Token"
SIGN_IN_PATH: Final = "/console/sign-in"
# Requests that change nothing, so need no CSRF token.
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
_FORMS: Final = ("application/x-www-form-urlencoded", "multipart/form-data")
# An API token's last use is written down at most this often.
TOUCH_EVERY: Final = timedelta(minutes=1)

_hasher = PasswordHasher()


# --- passwords and tokens ------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """An argon2id hash of `password` (with its own salt and parameters), to store."""
    return _hasher.hash(password)


def verify_password(hash: str, password: str) -> bool:
    """Whether `password` matches `hash`; False too when the hash is not one we can read."""
    try:
        return _hasher.verify(hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(hash: str) -> bool:
    """Whether `hash` was made with weaker parameters than today's (then store a new one)."""
    try:
        return _hasher.check_needs_rehash(hash)
    except InvalidHashError:
        return False


def new_token() -> str:
    """A fresh random token: 32 bytes, URL-safe text."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the store keeps of a token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_token(sent: str | None, expected: str) -> bool:
    """Constant-time comparison of a token someone sent with the one expected."""
    if not sent or not expected:
        return False
    return hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8"))


# --- the request's session -----------------------------------------------------------------------


def web_of(request: Request) -> Web:
    """The `Web` the application was built with."""
    web = request.app.state.web
    assert isinstance(web, Web)
    return web


def current_session(request: Request) -> ConsoleSession | None:
    """The console session of this request's cookie, if it is valid (looked up once)."""
    if hasattr(request.state, "hearth_session"):
        cached: ConsoleSession | None = request.state.hearth_session
        return cached
    token = request.cookies.get(SESSION_COOKIE)
    session = None
    if token:
        web = web_of(request)
        session = web.store.session_for(token_hash(token), web.clock.now())
    request.state.hearth_session = session
    return session


def signed_in(request: Request) -> Operator | None:
    """The operator signed in with this request's cookie, or None (for templates)."""
    session = current_session(request)
    return None if session is None else session.operator


def csrf_token(request: Request) -> str:
    """The current session's CSRF token, for forms and htmx headers ("" when signed out)."""
    session = current_session(request)
    return "" if session is None else session.csrf_token


def sign_in_url(request: Request) -> str:
    """The sign-in page, asking to come back to this request's page afterwards."""
    here = request.url.path
    if request.url.query:
        here += "?" + request.url.query
    return f"{SIGN_IN_PATH}?next={quote(here, safe='')}"


async def require_operator(request: Request) -> Operator:
    """Dependency of console pages: the signed-in operator, else a 303 to the sign-in page."""
    operator = signed_in(request)
    if operator is None:
        raise HTTPException(
            303, detail="Sign in first.", headers={"Location": sign_in_url(request)}
        )
    return operator


async def sent_csrf_token(request: Request) -> str | None:
    """The CSRF token a request carries: the `X-CSRF-Token` header, else the form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(_FORMS):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def require_csrf(request: Request) -> None:
    """Dependency of every state-changing console route: the request must carry the
    session's CSRF token, else 403 saying what to do."""
    session = current_session(request)
    if session is None:
        raise HTTPException(
            403, detail="You are not signed in (or your session ended): sign in again and retry."
        )
    if not same_token(await sent_csrf_token(request), session.csrf_token):
        raise HTTPException(
            403,
            detail="This form is out of date or came from another site (its CSRF token does "
            "not match your session): reload the page and try again.",
        )


# --- the REST API --------------------------------------------------------------------------------


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


async def require_api(request: Request) -> Operator:
    """Dependency of the REST API: `Authorization: Bearer <token>`, or a console session
    (whose writes must then carry `X-CSRF-Token`); 401 otherwise."""
    if hasattr(request.state, "hearth_operator"):
        cached: Operator = request.state.hearth_operator
        return cached
    header = request.headers.get("authorization")
    if header is not None:
        operator = _bearer(request, header)
    else:
        session = current_session(request)
        if session is None:
            raise _unauthorised(
                "Not signed in: send 'Authorization: Bearer <token>' (create a token with "
                "`hearth token create`) or sign in to the console."
            )
        if request.method not in SAFE_METHODS and not same_token(
            request.headers.get(CSRF_HEADER), session.csrf_token
        ):
            raise HTTPException(
                403,
                detail="A console session changing something must send its CSRF token in the "
                "X-CSRF-Token header; reload the console and try again.",
            )
        operator = session.operator
    request.state.hearth_operator = operator
    return operator


def _bearer(request: Request, header: str) -> Operator:
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthorised("The Authorization header must read 'Bearer <token>'.")
    web = web_of(request)
    found = web.store.api_token_for(token_hash(token))
    if found is None:
        raise _unauthorised(
            "This API token is unknown or was revoked (see `hearth token list`); "
            "create a new one with `hearth token create`."
        )
    now = web.clock.now()
    if found.last_used_at is None or now - found.last_used_at >= TOUCH_EVERY:
        web.store.touch_api_token(found.id, now)
    return found.operator
