"""One member's WebSocket to a group: hello, then frames in (validated, rate-limited) and
frames out (through the hub), until either side closes.

Per member, at most `hub.MOST_PER_MEMBER` sockets open on this server (a newer one closes
the oldest, with 4409: its page does not reconnect by itself); across all of them, at most
`messages_per_10s` messages (8 by default) every 10 seconds — more are dropped with an error frame "slow down" (`limits.py`). Every
refused frame (too large, not JSON, unknown type, over the rate) is a warning; three
warnings within a minute close the connection with 1008. A frame the server fails on is
answered with an error frame and logged; the connection and the group go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from starlette.websockets import WebSocket, WebSocketDisconnect

from hearthkeeper.carriers.webchat.base import WebChatRefused
from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
from hearthkeeper.carriers.webchat.hub import Close, Connection
from hearthkeeper.carriers.webchat.limits import ChatLimits
from hearthkeeper.carriers.webchat.protocol import (
    CLOSE_NOT_IN_GROUP,
    CLOSE_NOT_SIGNED_IN,
    CLOSE_POLICY,
    FrameError,
    SayFrame,
    close_reason,
    encode,
    error_frame,
    parse_frame,
)
from hearthkeeper.carriers.webchat.texts import say
from hearthkeeper.clock import Clock
from hearthkeeper.engine.outage import Outage
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store.errors import unavailable

log = logging.getLogger(__name__)

MEMBER_COOKIE = "hearth_member"
CLOSE_SERVER_ERROR = 1011
CLOSE_TRY_AGAIN = 1013  # the store is away for a moment: the page reconnects later
CLOSE_OPEN_ELSEWHERE = 4409  # the member opened the chat in too many other places: no reconnect
# Members' messages the store could not take: one warning per outage, however many.
STORE = Outage("web chat")
WARNINGS, WARNINGS_WITHIN = 3, timedelta(minutes=1)
CLOSING_GRACE = 5.0  # seconds a closing connection has to take its last frames


class Guard:
    """A connection's patience with bad frames."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._warnings: deque[datetime] = deque()

    def warn(self) -> bool:
        """Count a refused frame; True when that makes too many, and the connection ends."""
        return not _within(self._warnings, self._clock.now(), WARNINGS_WITHIN, WARNINGS - 1)


def _within(times: deque[datetime], now: datetime, window: timedelta, most: int) -> bool:
    while times and times[0] <= now - window:
        times.popleft()
    if len(times) >= most:
        return False
    times.append(now)
    return True


def same_origin(websocket: WebSocket, public_url: str) -> bool:
    """Whether the page that opened the socket is ours: its Origin (when the browser sends
    one) names this host, or the public URL's. Another site cannot talk as our member."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    allowed = {websocket.headers.get("host", ""), urlsplit(public_url).netloc}
    return urlsplit(origin).netloc in allowed - {""}


async def serve_socket(chat: WebChatCarrier, websocket: WebSocket, code: str, limits: ChatLimits,
                       *, public_url: str = "") -> None:  # fmt: skip
    """Serve one member's chat connection to the group `code` opens."""
    await websocket.accept()
    try:
        await _open(chat, websocket, code, limits, public_url)
    except Exception as error:
        if not unavailable(error):
            raise
        # The store is away (a restart, a lock): the page is told, and reconnects later.
        STORE.failed(error)
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await websocket.close(CLOSE_TRY_AGAIN, close_reason(say("unavailable", Language.EN)))


async def _open(chat: WebChatCarrier, websocket: WebSocket, code: str, limits: ChatLimits,
                public_url: str) -> None:  # fmt: skip
    room = chat.room(code)
    language = Language.EN if room is None else chat.language(room.group)
    if not same_origin(websocket, public_url):
        await websocket.close(CLOSE_NOT_IN_GROUP, close_reason(say("foreign_page", language)))
        return
    user = chat.user_for_token(websocket.cookies.get(MEMBER_COOKIE, ""))
    if user is None:
        await websocket.close(CLOSE_NOT_SIGNED_IN, close_reason(say("not_signed_in", language)))
        return
    seat = None if room is None else chat.seat(room.group.id, user.user_id)
    if room is None or seat is None or not seat.seated:
        await websocket.close(CLOSE_NOT_IN_GROUP, close_reason(say("not_in_this_group", language)))
        return
    connection = Connection(room.group.id, user.user_id)
    # The hello and joining the hub happen with no await between them: no frame is missed
    # and none arrives before the hello.
    connection.deliver(encode(chat.hello(room, user)))
    for oldest in chat.hub.add(connection):  # open in too many places: the newest is kept
        oldest.end(CLOSE_OPEN_ELSEWHERE, say("open_elsewhere", language))
    writer = asyncio.create_task(connection.pump(websocket.send_text, _closer(websocket)))
    reader = asyncio.create_task(_read(chat, websocket, connection, limits, language))
    try:
        await asyncio.wait((writer, reader), return_when=asyncio.FIRST_COMPLETED)
        failed = reader.exception() if reader.done() and not reader.cancelled() else None
        if failed is not None:
            log.error("web chat connection of %s failed", user.user_id, exc_info=failed)
            connection.end(CLOSE_SERVER_ERROR, say("server_error", language))
        if connection.closing and not writer.done():
            # We are closing it: the writer sends what is queued, then the close frame.
            await asyncio.wait((writer,), timeout=CLOSING_GRACE)
    finally:
        chat.hub.discard(connection)
        for task in (writer, reader):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def _read(chat: WebChatCarrier, websocket: WebSocket, connection: Connection,
                limits: ChatLimits, language: Language) -> None:  # fmt: skip
    guard = Guard(chat.clock)
    group_id = connection.group_id
    while not connection.closing:
        try:
            message = await websocket.receive()
        except (WebSocketDisconnect, RuntimeError):
            return
        if message["type"] == "websocket.disconnect":
            return
        raw = message.get("text")
        if raw is None:
            raw = message.get("bytes") or b""
        try:
            frame = parse_frame(raw, language)
        except FrameError as refused:
            _refuse(connection, guard, refused.message, language, close=refused.close,
                    abuse=refused.abuse)  # fmt: skip
            continue
        if not isinstance(frame, SayFrame):
            continue  # a ping: nothing to answer
        over = limits.message(connection.user_id, language)
        if over is not None:
            _refuse(connection, guard, over.message, language)
            continue
        try:
            await chat.say(group_id, connection.user_id, frame.text, picture=frame.picture,
                           reply_to=frame.reply_to)  # fmt: skip
        except WebChatRefused as refused:
            connection.deliver(encode(error_frame(refused.message)))
            if refused.frame is not None:
                connection.deliver(encode(refused.frame))
        except Exception as error:  # a bug or a failing store: this message, not the socket
            if unavailable(error):  # logged once per outage, not once per message
                STORE.failed(error)
            else:
                log.exception("web chat message of %s in group %s failed", connection.user_id,
                              group_id)  # fmt: skip
            connection.deliver(encode(error_frame(say("not_sent", language))))
        else:
            STORE.recovered()


def _refuse(connection: Connection, guard: Guard, message: str, language: Language, *,
            close: int | None = None, abuse: bool = True) -> None:  # fmt: skip
    connection.deliver(encode(error_frame(message)))
    if close is not None:
        connection.end(close, message)
    elif abuse and guard.warn():
        connection.end(CLOSE_POLICY, say("too_many_refused", language))


def _closer(websocket: WebSocket) -> Close:
    async def close(code: int, reason: str) -> None:
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await websocket.close(code, close_reason(reason))

    return close
