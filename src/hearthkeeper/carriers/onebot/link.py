"""The reverse WebSocket end (`communication/ws-reverse.md`): Hearthkeeper listens, the OneBot
implementation (NapCat, Lagrange) connects, bringing `Authorization: Bearer <access token>`
(`communication/authorization.md`), its QQ number in `X-Self-ID` and its role in
`X-Client-Role` (`Universal`: events and API calls on one connection; or an `Event` and an
`API` connection). Events go to `on_event`; API calls go out as `{"action", "params", "echo"}`
frames on the newest connection that takes calls, their answers matched by `echo`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import itertools
import json
import logging
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from hearthkeeper.engine.carrier import CarrierError

log = logging.getLogger(__name__)

RECONNECT_AFTER = 3.0  # seconds: v11's default reconnect interval (`ws_reverse.reconnect_interval`)
MAX_FRAME = 4 * 1024 * 1024  # a member list of a 3,000-member group is well under this
ROLES = ("Universal", "API", "Event")


class Unanswered(CarrierError):
    """The call went out but its answer never came (the connection dropped, or it timed out):
    whether the implementation performed it is unknown."""


class Link:
    """The listening end and the connections the OneBot implementation opened to it."""

    def __init__(self, *, host: str, port: int, path: str, token: str, self_id: int | None,
                 on_event: Callable[[dict[str, Any]], None],
                 on_connect: Callable[[str | None], None] | None = None) -> None:  # fmt: skip
        self.host, self.port, self.path = host, port, path
        self._token = token
        self._expected = None if self_id is None else str(self_id)
        self._on_event = on_event
        self._on_connect = on_connect
        self.self_id: str | None = self._expected  # learnt from X-Self-ID when not configured
        self.connected = asyncio.Event()  # a connection that takes API calls is open
        self._server: Server | None = None
        self._api: ServerConnection | None = None
        self._open: set[ServerConnection] = set()
        self._echoes = itertools.count(1)
        self._pending: dict[str, tuple[asyncio.Future[dict[str, Any]], ServerConnection]] = {}

    async def start(self) -> None:
        """Listen (port 0: a free port, then known as `port`)."""
        try:
            self._server = await serve(self._serve, self.host, self.port, max_size=MAX_FRAME,
                                       process_request=self._admit, server_header=None,
                                       compression=None)  # fmt: skip
        except OSError as exc:
            raise CarrierError(f"qq: cannot listen on {self.host}:{self.port} for OneBot "
                               f"({exc.strerror or exc}); change port in [carriers.onebot]",
                               retry=False) from exc  # fmt: skip
        self.port = int(next(iter(self._server.sockets)).getsockname()[1])

    async def stop(self) -> None:
        """Close every connection and stop listening."""
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None
        self._api = None
        self.connected.clear()

    def _admit(self, connection: ServerConnection, request: Request) -> Response | None:
        """The handshake's checks: the path, the access token, the account."""
        path = request.path.partition("?")[0]
        if path.rstrip("/") != self.path.rstrip("/"):
            return connection.respond(HTTPStatus.NOT_FOUND, "No OneBot endpoint here.\n")
        given = request.headers.get("Authorization", "")
        scheme, _, token = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(),
                                                                 self._token.encode()):  # fmt: skip
            log.warning("qq: refused a OneBot connection from %s: wrong or missing access "
                        "token", connection.remote_address)  # fmt: skip
            return connection.respond(HTTPStatus.UNAUTHORIZED, "Wrong or missing access token.\n")
        account = request.headers.get("X-Self-ID", "").strip()
        if self._expected is not None and account and account != self._expected:
            log.warning("qq: refused a OneBot connection for account %s (expected %s)",
                        account, self._expected)  # fmt: skip
            return connection.respond(HTTPStatus.FORBIDDEN, "Not the configured account.\n")
        return None

    async def _serve(self, connection: ServerConnection) -> None:
        headers = connection.request.headers if connection.request is not None else {}
        role = headers.get("X-Client-Role", "Universal")
        role = role if role in ROLES else "Universal"
        account = headers.get("X-Self-ID", "").strip()
        if account.isdigit():
            self.self_id = account
        self._open.add(connection)
        if role != "Event":
            self._api = connection
            self.connected.set()
        log.info("qq: OneBot connected (%s, account %s)", role, self.self_id or "unknown")
        if self._on_connect is not None and role != "Event":
            self._on_connect(self.self_id)
        try:
            async for frame in connection:
                self._read(frame)
        except ConnectionClosed:
            pass
        finally:
            self._open.discard(connection)
            if self._api is connection:
                self._api = next((c for c in self._open if c is not connection
                                  and _role(c) != "Event"), None)  # fmt: skip
                if self._api is None:
                    self.connected.clear()
            for echo, (future, on) in list(self._pending.items()):
                if on is connection and not future.done():
                    future.set_exception(ConnectionError("the OneBot connection closed"))
                    future.exception()  # retrieved: a caller gone meanwhile leaves no warning
                    self._pending.pop(echo, None)
            log.warning("qq: the OneBot connection closed (%s)", role)

    def _read(self, frame: str | bytes) -> None:
        try:
            data = json.loads(frame)
        except ValueError:
            log.warning("qq: a frame that is not JSON was ignored")
            return
        except RecursionError:  # nested deeper than Python's parser goes: not an event
            log.warning("qq: a frame nested too deeply to read was ignored")
            return
        if not isinstance(data, dict):
            return
        if "post_type" in data:
            self._on_event(data)
            return
        echo = data.get("echo")
        waiting = self._pending.pop(str(echo), None) if echo is not None else None
        if waiting is not None and not waiting[0].done():
            waiting[0].set_result(data)

    async def call(self, action: str, params: Mapping[str, Any], timeout: float) -> dict[str, Any]:
        """Call `action` and wait for its answer (any status; `calls.failure` reads it).
        `CarrierError` (retry) when nothing is connected or the frame could not be written;
        `Unanswered` when it was written and no answer came."""
        connection = self._api
        if connection is None:
            raise CarrierError("qq: no OneBot implementation is connected (start NapCat or "
                               "Lagrange, or check its reverse WebSocket URL and token)",
                               retry=True, after=RECONNECT_AFTER)  # fmt: skip
        echo = f"hk{next(self._echoes)}"
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[echo] = (future, connection)
        frame = json.dumps({"action": action, "params": dict(params), "echo": echo},
                           ensure_ascii=False, separators=(",", ":"))  # fmt: skip
        try:
            try:
                await connection.send(frame)
            except ConnectionClosed as exc:
                raise CarrierError(f"qq: {action}: the OneBot connection closed",
                                   retry=True, after=RECONNECT_AFTER) from exc  # fmt: skip
            try:
                async with asyncio.timeout(timeout):
                    return await future
            except (TimeoutError, ConnectionError) as exc:
                why = "no answer in time" if isinstance(exc, TimeoutError) else str(exc)
                raise Unanswered(f"qq: {action}: {why}", retry=True,
                                 after=RECONNECT_AFTER) from exc  # fmt: skip
        finally:
            self._pending.pop(echo, None)


def _role(connection: ServerConnection) -> str:
    request = connection.request
    return request.headers.get("X-Client-Role", "Universal") if request is not None else ""
