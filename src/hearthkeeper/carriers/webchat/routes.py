"""The web chat's pages and endpoints: the invite link, the chat page, its WebSocket,
picture uploads and the pictures themselves.

Members are known by the `hearth_member` cookie (a random token; the store keeps its
SHA-256). Joining changes state, so its form carries a double-submit token: a random value
in the `hearth_join` cookie (SameSite=Strict) that the form must repeat.

Abuse limits (`limits.py`, the `[carriers.webchat]` settings) are counted per client address and per
member: new seats through invite links, nickname changes, pictures and their bytes per hour
(in the store: every process on the database counts them together, a restart keeps them),
messages across all of a member's sockets (in memory). A muted or banned member uploads nothing, nor does a member of a closed group (staff do). Pictures no message uses
are deleted by a sweep that runs with the uploads (they are what makes such files), at most
every `SWEEP_EVERY`.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import jinja2
from fastapi import APIRouter, Form, Query, Request, WebSocket
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from hearthkeeper.capabilities.appeals.bans import BanAppeal, Standing, file_ban_appeal, standing
from hearthkeeper.capabilities.livecodes.decide import slug_of
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.carriers.picture_check import PictureRefused, too_large
from hearthkeeper.carriers.webchat.base import WebChatRefused
from hearthkeeper.carriers.webchat.carrier import WebChatCarrier, banned_text, is_muted, muted_text
from hearthkeeper.carriers.webchat.door import (
    MAX_CODE,
    NOTHING_ASKED,
    Asked,
    asked_of,
    join_request,
    screen,
    status_of,
)
from hearthkeeper.carriers.webchat.limits import ChatLimits, Refusal
from hearthkeeper.carriers.webchat.names import MAX_NICKNAME, BadNickname
from hearthkeeper.carriers.webchat.protocol import MAX_TEXT, picture_url
from hearthkeeper.carriers.webchat.records import Newcomer, WebChatRoom, WebUser
from hearthkeeper.carriers.webchat.settings import WebChatLimits
from hearthkeeper.carriers.webchat.socket import MEMBER_COOKIE, serve_socket
from hearthkeeper.carriers.webchat.texts import members, say, script_texts
from hearthkeeper.carriers.webchat.uploads import (
    file_path,
    file_type,
    media_type,
    picture_path,
    sweep_unused,
)
from hearthkeeper.engine.admission import Entry, Verdict
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.web.assets import static_url
from hearthkeeper.web.clientaddr import requester_network, trial_network
from hearthkeeper.web.context import Web
from hearthkeeper.web.missing import missing_below

log = logging.getLogger(__name__)

JOIN_COOKIE = "hearth_join"
MAX_SOURCE = 200  # the longest link token (`?via=`) a join carries to the engine
MAX_TOKEN = 200  # longer than any double-submit token the join page hands out
MAX_TYPED = 1000  # of a nickname: what the page shows again (it explains any over 32)
MAX_WHY_TYPED = 4000  # of a banned member's appeal: what is read of it (1000 are kept)
MEMBER_COOKIE_DAYS = 365
MULTIPART_OVERHEAD = 16 * 1024  # boundaries and part headers around the picture
SWEEP_EVERY = timedelta(minutes=10)
# How a stored picture or file is served: named by its hash, so cached for good; never
# sniffed as another type, and run as nothing if opened on its own.
STORED = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "public, max-age=31536000, immutable",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}
_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
_TEMPLATES.globals["static"] = static_url  # versioned addresses: web/assets.py


def webchat_router(
    web: Web, chat: WebChatCarrier, settings: WebChatLimits | None = None
) -> APIRouter:
    """The routes members use: `/join/{code}`, `/chat/{code}` (+ `/ws`, `/upload`) and
    `/chat/media/{name}`, under the abuse limits of `settings` (default: the defaults)."""
    router = APIRouter(include_in_schema=False)
    chat_limits = settings or WebChatLimits()
    limits = ChatLimits(chat_limits, web.clock, web.store)
    swept: list[datetime] = []  # when unused pictures were last swept

    def member(request: Request) -> WebUser | None:
        return chat.user_for_token(request.cookies.get(MEMBER_COOKIE, ""))

    def network_of(request: Request) -> str:
        """The client network joins are counted by (and a paid community's free trial)."""
        return requester_network(request, web.settings.trusted_proxies)

    def trials(network: str) -> str | None:
        """`network` as the one free trial per network counts it (None: exempted there)."""
        return trial_network(network, web.settings.trial_limit_exempt)

    def remember(response: Response, token: str) -> None:
        response.set_cookie(MEMBER_COOKIE, token, max_age=MEMBER_COOKIE_DAYS * 86400,
                            httponly=True, samesite="lax",
                            secure=web.settings.secure_cookies)  # fmt: skip

    def join_page(request: Request, room: WebChatRoom, user: WebUser | None, *, status: int = 200,
                  error: str | None = None, elsewhere: str | None = None,
                  nickname: str | None = None, source: str = "", verdict: Verdict | None = None,
                  asked: Asked = NOTHING_ASKED, field: str | None = None,
                  probed: bool = False, why: str = "") -> HTMLResponse:  # fmt: skip
        """The join page: the group, a note (an error, a ban, a full group), what the
        community's threshold said (`verdict`: why not, the questions, a code field) and the
        form, keeping what was typed (`asked`); `field`: the field the error is about (it is
        shown beside it); `probed`: the verdict only says what the door asks (the form was
        refused before the door was asked), so it is a note, not an error; `why`: a banned
        member's appeal as typed."""
        language = chat.language(room.group)
        seat = None if user is None else chat.seat(room.group.id, user.user_id)
        seated = seat is not None and seat.seated
        banned = seat is not None and seat.banned_at is not None
        capacity = room.group.capacity
        closed = room.group.closed and not seated  # no form: nobody new takes a seat
        # its form leads to the group with room, or is only an application's: none seats here
        full = capacity is not None and room.taken >= capacity and not seated and not closed
        if error is None and seat is not None and banned:
            error = banned_text(room.group.name, seat.ban_reason, language)
        elif error is None and closed:  # said before anything is typed, with where to go
            error = say("closed", language, group=room.group.name)
            elsewhere = chat.closed_elsewhere(room.group)
        elif error is None and capacity is not None and room.taken >= capacity and not seated:
            # approved, and no group has room: they are told they are let in once one does
            error, elsewhere = chat.full_note(room.group, None if user is None else user.user_id,
                                              room.taken)  # fmt: skip
        if nickname is None:
            nickname = user.nickname if user else ""
        # a banned member's appeal (its form, or where it stands); a pardon's word above the form
        appeal = ban_standing(room, user) if seat is not None and not seated else None
        if (appeal is not None and appeal.state is BanAppeal.PARDONED and seat is not None
                and appeal.appeal is not None and appeal.appeal.decided_at is not None
                and seat.joined_at > appeal.appeal.decided_at):  # fmt: skip
            appeal = None  # back in since, and gone again: the pardon is old news
        token = request.cookies.get(JOIN_COOKIE) or secrets.token_urlsafe(24)
        response = _render("join.html", status, language, room=room, user=user, error=error,
                           seated=seated, banned=banned, full=full, nickname=nickname,
                           csrf=token,
                           source=source[:MAX_SOURCE], verdict=verdict, asked=asked,
                           attempted=request.method == "POST",
                           pending=verdict is not None and verdict.entry is Entry.PENDING,
                           closed=closed or (verdict is not None
                                             and verdict.entry is Entry.REFUSE
                                             and not verdict.questions
                                             and not verdict.asks_code
                                             and not verdict.keeps_form),
                           elsewhere=chat.room(elsewhere) if elsewhere else None,
                           max_nickname=MAX_NICKNAME, field=field, probed=probed,
                           appeal=appeal, why=why,
                           appeal_until=_until(appeal, chat.zone(room.group)))  # fmt: skip
        response.set_cookie(JOIN_COOKIE, token, httponly=True, samesite="strict",
                            secure=web.settings.secure_cookies, path="/join")  # fmt: skip
        return response

    def ban_standing(room: WebChatRoom, user: WebUser | None) -> Standing | None:
        """A member's ban from the room's group and their appeal against it, if they have a
        ban on record (or an appeal against one that was pardoned)."""
        member = None if user is None else chat.store.find_member(chat.name, user.user_id)
        if member is None:
            return None
        found = standing(chat.store, room.group, member.id, web.clock.now())
        return None if found.state is BanAppeal.NONE else found

    @router.post("/join/{code}/appeal", response_model=None)
    async def appeal(
        request: Request,
        code: str,
        why: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        """A banned member's appeal against the ban, from the banned page (one per ban)."""
        why, csrf_token = why[:MAX_WHY_TYPED], csrf_token[:MAX_TOKEN]
        room = chat.room(code)
        if room is None:
            return _missing()
        user = member(request)
        language = chat.language(room.group)
        expected = request.cookies.get(JOIN_COOKIE, "")
        if not expected or not secrets.compare_digest(expected.encode(), csrf_token.encode()):
            return join_page(request, room, user, status=403, error=say("form_expired", language),
                             why=why)  # fmt: skip
        seat = None if user is None else chat.seat(room.group.id, user.user_id)
        found = None if user is None else chat.store.find_member(chat.name, user.user_id)
        if user is None or seat is None or seat.banned_at is None or found is None:
            return RedirectResponse(f"/join/{code}", status_code=303)  # nothing to appeal
        try:
            await run_in_threadpool(file_ban_appeal, chat.store, room.group, found.id, why,
                                    web.clock.now())  # fmt: skip
        except ValueError:
            return join_page(request, room, user, status=400, why=why,
                             error=say("appeal_empty", language))  # fmt: skip
        return RedirectResponse(f"/join/{code}", status_code=303)

    @router.get("/join/{code}", response_class=HTMLResponse)
    async def join_form(request: Request, code: str, via: str = "",
                        invite: Annotated[str, Query(alias="code")] = "",
                        ) -> HTMLResponse:  # fmt: skip
        room = chat.room(code)
        if room is None:
            return _missing()
        user = member(request)
        seat = None if user is None else chat.seat(room.group.id, user.user_id)
        verdict = None
        note = None
        # what the door says before anything is typed (a closed group's page: no form)
        if (seat is None or not seat.seated) and not room.group.closed:
            verdict = await screen(chat, room.group.id, "" if user is None else user.user_id,
                                   "" if user is None else user.nickname, probe=True,
                                   network=trials(network_of(request)))  # fmt: skip
            capacity = room.group.capacity
            if (user is not None and verdict.admitted and (seat is None or seat.banned_at is None)
                    and (capacity is None or room.taken < capacity)):  # fmt: skip
                # a name to change before a seat (a full group's page says that first)
                note = chat.name_note(room.group.id, user, chat.language(room.group))
        return join_page(request, room, user, source=via, verdict=verdict, error=note,
                         field=None if note is None else "nickname",
                         asked=Asked(code=invite.strip()[: MAX_CODE + 1]))  # fmt: skip

    @router.post("/join/{code}", response_model=None)
    async def join(
        request: Request,
        code: str,
        nickname: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
        source: Annotated[str, Form()] = "",
    ) -> Response:
        # cut, not refused: an over-long nickname is explained on the page (BadNickname), a
        # token or a link's source that long matches none
        nickname, csrf_token = nickname[:MAX_TYPED], csrf_token[:MAX_TOKEN]
        source = source[:MAX_SOURCE]
        room = chat.room(code)
        if room is None:
            return _missing()
        expected = request.cookies.get(JOIN_COOKIE, "")
        user = member(request)
        language = chat.language(room.group)
        asked = asked_of(await request.form())  # kept on every page that does not seat
        address = network_of(request)

        async def again(status: int, error: str, **more: Any) -> HTMLResponse:
            """The form again, as typed, with what the door asks (its questions, a code
            field) or says to one it lets in (a paid community's free trial) and `error`."""
            looked = await screen(chat, room.group.id, "" if user is None else user.user_id,
                                  "" if user is None else user.nickname, probe=True,
                                  network=trials(address))  # fmt: skip
            return join_page(request, more.pop("room", room), user, status=status, error=error,
                             nickname=nickname, source=source, asked=asked,
                             verdict=looked, probed=True,
                             **more)  # fmt: skip

        if not expected or not secrets.compare_digest(expected.encode(), csrf_token.encode()):
            return await again(403, say("form_expired", language))
        seat = None if user is None else chat.seat(room.group.id, user.user_id)
        if seat is None or not seat.seated:  # a new seat: counted per client and member
            over = await run_in_threadpool(limits.join, address,
                                           None if user is None else user.user_id, language)  # fmt: skip
            if over is not None:
                return _retry_after(await again(429, over.message), over)
        token = None
        newcomer = None
        failed = False  # for good: not a name to change, a question to answer, a code to type
        try:
            # Store writes wait for SQLite's write lock (up to its busy timeout while the
            # engine or an import writes): in a worker thread, so the other pages and the
            # chat sockets on this loop keep answering meanwhile.
            if user is None:  # stored with their seat (or application), by `chat.join`
                newcomer, token = chat.newcomer(nickname, language, group=room.group)
                user = WebUser(id=0, user_id=newcomer.user_id, nickname=newcomer.nickname,
                               created_at=web.clock.now())  # fmt: skip
            elif nickname.strip() and nickname.strip() != user.nickname:
                over = await run_in_threadpool(limits.rename, user.user_id, language)
                if over is not None:  # each message under another name
                    return _retry_after(await again(429, over.message), over)
                user = await run_in_threadpool(chat.rename, user.user_id, nickname,
                                               group_id=room.group.id)  # fmt: skip
            door = None
            if seat is None or not seat.seated:  # a new seat: the community's threshold first
                door = join_request(chat, room.group.id, user.user_id, user.nickname, asked,
                                    source.strip() or None, network=trials(address),
                                    client=address)  # fmt: skip
            # asked in the seat's transaction: a seat refused (full) counts no code's use
            verdict = await chat.join(room.group.id, user.user_id,
                                      source=source.strip() or None, door=door,
                                      newcomer=newcomer)  # fmt: skip
            failed = verdict is not None and shut(verdict)
            if verdict is None:
                response: Response = RedirectResponse(f"/chat/{code}", status_code=303)
            else:
                response = join_page(request, room, user, status=status_of(verdict),
                                     nickname=nickname, source=source, verdict=verdict,
                                     asked=asked)  # fmt: skip
        except BadNickname as bad:
            user = await unstored(newcomer, user)
            response = await again(400, str(bad), field="nickname")
        except WebChatRefused as refused:  # full, banned: what was typed stays for elsewhere
            user = await unstored(newcomer, user)
            response = await again(403, refused.message, room=chat.room(code) or room,
                                   elsewhere=refused.elsewhere)  # fmt: skip
            failed = seat is None or not seat.seated
        slug = slug_of(source.strip() or None)
        if failed and slug is not None:  # the seat a live code held for them goes back
            await run_in_threadpool(SqlLiveCodes.on(web.store).release, slug, room.group.id,
                                    address, web.clock.now())  # fmt: skip
        # a newcomer's cookie only if their identity was stored (the door answered)
        if token is not None and user is not None:
            remember(response, token)
        return response

    async def unstored(newcomer: Newcomer | None, user: WebUser | None) -> WebUser | None:
        """`user`, or None when it is a `newcomer` the refused join did not store (a name
        like someone else's, a closed group: refused before the seat's transaction)."""
        if newcomer is None or user is None:
            return user
        stored = await run_in_threadpool(chat.platform.user, newcomer.user_id)
        return user if stored is not None else None

    @router.get("/chat/{code}", response_class=HTMLResponse, response_model=None)
    async def chat_page(request: Request, code: str) -> Response:
        room = chat.room(code)
        if room is None:
            return _missing()
        user = member(request)
        seat = None if user is None else chat.seat(room.group.id, user.user_id)
        if user is None or seat is None or not seat.seated:
            return RedirectResponse(f"/join/{code}", status_code=303)
        language = chat.language(room.group)
        return _render("chat.html", 200, language, room=room, user=user, code=code,
                       max_text=MAX_TEXT, script=script_texts(language),
                       zone=chat.zone(room.group).key)  # fmt: skip

    @router.websocket("/chat/{code}/ws")
    async def chat_socket(websocket: WebSocket, code: str) -> None:
        await serve_socket(chat, websocket, code, limits, public_url=web.settings.public_url)

    @router.post("/chat/{code}/upload", response_model=None)
    async def upload(request: Request, code: str) -> Response:
        room, user = chat.room(code), member(request)
        language = Language.EN if room is None else chat.language(room.group)
        seat = None if room is None or user is None else chat.seat(room.group.id, user.user_id)
        if room is None or user is None or seat is None or not seat.seated:
            if room is not None and seat is not None and seat.banned_at is not None:
                return _problem(403, banned_text(room.group.name, seat.ban_reason, language))
            return _problem(403, say("join_first", language))
        if is_muted(seat, web.clock.now()):
            return _problem(403, muted_text(seat, language, chat.zone(room.group)))
        closed = await run_in_threadpool(chat.closed_to, room.group.id, user.user_id, language)
        if closed is not None:  # refused before the file is read or kept, as a post would be
            return _problem(403, closed.text)
        over = await run_in_threadpool(limits.upload, user.user_id, language)
        if over is not None:
            return _retry_after(_problem(429, over.message), over)
        limit = min(web.settings.max_upload_bytes, chat.max_upload_bytes)
        try:
            data = await _read_picture(request, limit, language)
            over = await run_in_threadpool(limits.upload_bytes, user.user_id, len(data),
                                           language)  # fmt: skip
            if over is not None:
                return _retry_after(_problem(429, over.message), over)
            await sweep()
            picture = await run_in_threadpool(chat.keep_picture, data, limit, language)
        except PictureRefused as refused:
            return _problem(refused.status, refused.message)
        return JSONResponse({"picture": picture.name, "url": picture_url(picture.name)})

    async def sweep() -> None:
        """Delete the pictures no message used within `unused_upload_hours` of their upload;
        at most every `SWEEP_EVERY` (and at the first upload after a start)."""
        now = web.clock.now()
        if swept and now - swept[0] < SWEEP_EVERY:
            return
        swept[:] = [now]
        before = now - timedelta(hours=chat_limits.unused_upload_hours)
        try:
            deleted = await run_in_threadpool(sweep_unused, chat.uploads_dir,
                                              chat.platform.pictures_in_use, before)  # fmt: skip
        except Exception:  # a full disk or a busy database must not refuse the upload
            log.exception("sweeping unused web chat pictures failed")
            return
        if deleted:
            log.info("deleted %d web chat pictures no message used", len(deleted))

    @router.get("/chat/media/{name}", response_model=None)
    async def media(name: str) -> Response:
        path = picture_path(chat.uploads_dir, name)
        if path is None:
            return _problem(404, "There is no such picture. 没有这张图片。")
        return FileResponse(path, media_type=media_type(name), headers=STORED)

    @router.get("/chat/files/{name}", response_model=None)
    async def files(name: str) -> Response:
        """A scheduled post's video, voice or file: a download, never shown in the page."""
        path = file_path(chat.uploads_dir, name)
        if path is None:
            return _problem(404, "There is no such file. 没有这个文件。")
        return FileResponse(path, media_type=file_type(name),
                            headers={"Content-Disposition": "attachment", **STORED})  # fmt: skip

    missing_below(router, "/join", _missing)  # `/join/` cut short: the same page, not JSON
    missing_below(router, "/chat", _missing)  # `/chat/` or `/chat/x/y`: likewise
    return router


async def _read_picture(request: Request, limit: int, language: Language) -> bytes:
    """The `picture` file of a multipart upload, refused (413) as soon as the body is larger
    than the limit allows: by its Content-Length, or while reading when that was absent."""
    allowed = limit + MULTIPART_OVERHEAD
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > allowed:
        raise too_large(int(declared) - MULTIPART_OVERHEAD, limit, language)
    received = 0

    async def receive() -> Any:
        nonlocal received
        message = await request.receive()
        received += len(message.get("body", b""))
        if received > allowed:
            raise too_large(received - MULTIPART_OVERHEAD, limit, language)
        return message

    bounded = Request(request.scope, receive)
    try:
        form = await bounded.form(max_files=1, max_fields=4)
    except PictureRefused:
        raise
    except Exception:  # a malformed multipart body: Starlette's own errors vary by version
        raise PictureRefused(400, say("picture_upload", language)) from None
    try:
        file = form.get("picture")
        if file is None or isinstance(file, str):
            raise PictureRefused(400, say("picture_missing", language))
        data = await file.read(limit + 1)
    finally:
        await form.close()
    if len(data) > limit:
        raise too_large(len(data), limit, language)
    return data


def _until(found: Standing | None, zone: ZoneInfo) -> str:
    """The last moment a ban may be appealed, on the community's clock, its zone named."""
    if found is None or found.until is None:
        return ""
    return f"{found.until.astimezone(zone):%Y-%m-%d %H:%M} {zone.key}"


def shut(verdict: Verdict) -> bool:
    """Whether the door refused for good: no question to answer, no code to type, nothing that
    asking again could turn (a newcomer shown the questions is still on their way)."""
    return (verdict.entry is Entry.REFUSE and not verdict.questions and not verdict.asks_code
            and not verdict.keeps_form)  # fmt: skip


def _retry_after(response: Response, over: Refusal) -> Response:
    response.headers["Retry-After"] = str(over.seconds)
    return response


def _render(name: str, status: int, language: Language, **context: Any) -> HTMLResponse:
    """A page in `language`: its `<html lang>`, `t(key, ...)` for its words and `members(n)`."""

    def t(key: str, **values: Any) -> str:
        return say(key, language, **values)

    def count(n: int) -> str:
        return members(n, language)

    page = _TEMPLATES.get_template(name).render(lang=language.value, t=t, members=count, **context)
    return HTMLResponse(page, status_code=status)


def _missing() -> HTMLResponse:
    """No group, so no community whose language to speak: the page says it in English and
    in Chinese."""
    return _render("missing.html", 404, Language.EN)


def _problem(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)
