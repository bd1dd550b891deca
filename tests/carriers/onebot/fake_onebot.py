"""A fake OneBot v11 implementation, as NapCat or Lagrange behave on the reverse WebSocket: it
connects to Hearthkeeper's endpoint with `Authorization: Bearer <token>`, `X-Self-ID` and
`X-Client-Role`, pushes events in the exact JSON of the v11 spec (`event/`), and answers API
calls (`api/public.md`) with `{"status", "retcode", "data", "echo"}`. Behind it, a tiny QQ:
groups with members (roles, names, mutes), messages, the blocked list of `reject_add_request`,
join requests; what the bot does changes them and produces the notices QQ would send
(a kick → `group_decrease` kick, a mute → `group_ban`, a recall → `group_recall`, an approved
request → `group_increase` approve). Pictures members post are image segments whose `url` is
on QQ's image server: here an HTTP server of the fake on 127.0.0.1 (`ImageServer`).

What the bot sends is checked as an implementation reads it (`message/segment.md`, NapCat's and
Lagrange's handling): an array of `{"type", "data"}` segments of known types; an `image`,
`record` or `video` segment's `file` is `base64://…` (strictly decoded), `file:///…` (read from
this machine) or an http(s) URL (refused here: the fake fetches nothing); a `record` or `video`
goes alone. What QQ then keeps is recorded (`Said.files`, `QQGroup.files`), the bytes as they
arrived. Like NapCat, a voice message is converted to Silk by ffmpeg: bytes that are no audio
are refused. `upload_group_file` takes `base64://` as NapCat and LLOneBot do, or, with
`base64_group_files` off, only a local path as go-cqhttp and Lagrange.OneBot do; the upload is
announced by a `group_upload` notice."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web
from websockets.asyncio.client import ClientConnection, connect

from hearthkeeper.carriers.onebot.segments import segments_of, text_of

WAIT_S = 20.0
MAX_MESSAGE = 100 * 1024 * 1024  # what NapCat's WebSocket (Node's `ws`) takes in one message
MEDIA = ("image", "record", "video")
SENDABLE = frozenset({"text", "at", "reply", "face", *MEDIA})
# What ffmpeg reads as audio, by its first bytes: Ogg, MP3 (a tag or a frame), WAV, AMR, Silk,
# FLAC; M4A has `ftyp` at offset 4.
AUDIO = (b"OggS", b"ID3", b"\xff\xfb", b"\xff\xf3", b"RIFF", b"#!AMR", b"\x02#!SILK", b"#!SILK",
         b"fLaC")  # fmt: skip
PICTURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")
T = TypeVar("T")
Segments = list[dict[str, Any]]


class Refused(Exception):
    """QQ would not let the member do it (muted, not in the group, blocked)."""


class Failed(Exception):
    """An API call the implementation refuses, with its retcode and words."""

    def __init__(self, retcode: int, wording: str) -> None:
        super().__init__(wording)
        self.retcode, self.wording = retcode, wording


@dataclass(frozen=True)
class Stored:
    """A file QQ keeps: what the bot sent, as the implementation received it."""

    kind: str  # image | record | video | file
    data: bytes
    name: str = ""
    via: str = "base64"  # base64 | path: how the bot handed it over

    @property
    def md5(self) -> str:
        return hashlib.md5(self.data).hexdigest().upper()


@dataclass
class Person:
    user_id: int
    nickname: str
    card: str = ""
    role: str = "member"  # owner | admin | member
    muted_until: float = 0.0

    def info(self, group_id: int) -> dict[str, Any]:
        """`get_group_member_info`'s answer."""
        return {"group_id": group_id, "user_id": self.user_id, "nickname": self.nickname,
                "card": self.card, "sex": "unknown", "age": 0, "area": "", "join_time": 0,
                "last_sent_time": 0, "level": "1", "role": self.role, "unfriendly": False,
                "title": "", "title_expire_time": 0, "card_changeable": True}  # fmt: skip


@dataclass
class Said:
    message_id: int
    user_id: int
    segments: Segments
    at: float
    recalled: bool = False
    files: list[Stored] = field(default_factory=list)  # its picture, voice or video

    @property
    def text(self) -> str:
        return text_of(self.segments)

    def mentions(self) -> list[str]:
        return [str(s["data"]["qq"]) for s in self.segments if s["type"] == "at"]

    def quoted(self) -> str | None:
        found = [s["data"]["id"] for s in self.segments if s["type"] == "reply"]
        return str(found[0]) if found else None


@dataclass
class Asking:
    group_id: int
    user_id: int
    nickname: str
    comment: str
    answer: bool | None = None  # approved, refused, or not answered yet
    reason: str = ""


@dataclass
class QQGroup:
    group_id: int
    members: dict[int, Person] = field(default_factory=dict)
    messages: dict[int, Said] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)  # refused for good (reject_add_request)
    files: list[Stored] = field(default_factory=list)  # the group's files, uploaded
    whole_ban: bool = False  # the whole group muted (`set_group_whole_ban`): admins still speak


class ImageServer:
    """QQ's image server, as far as the bot sees it: pictures at `http://…/<md5>` (started on
    the first picture, on a free port of 127.0.0.1); `served` lists what was fetched."""

    def __init__(self) -> None:
        self.pictures: dict[str, bytes] = {}
        self.served: list[str] = []
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def put(self, data: bytes) -> str:
        """Keep `data`; the address it is served at."""
        if self._runner is None:
            app = web.Application()
            app.router.add_get("/gchatpic_new/{name}", self._serve)
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            await site.start()
            self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        name = hashlib.md5(data).hexdigest().upper()  # QQ names pictures by their MD5
        self.pictures[name] = data
        return f"{self.base_url}/gchatpic_new/{name}"

    async def _serve(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self.pictures:
            return web.Response(status=404)
        self.served.append(name)
        return web.Response(body=self.pictures[name], content_type="image/png")

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def _check_shapes(message: list[Any]) -> None:
    """Each segment `{"type": <a type this fake sends>, "data": {…}}`, its values as v11 types
    them (`Failed` otherwise)."""
    for segment in message:
        if not isinstance(segment, dict) or set(segment) != {"type", "data"}:
            raise Failed(1400, f"not a segment: {str(segment)[:80]}")
        kind, data = segment["type"], segment["data"]
        if kind not in SENDABLE or not isinstance(data, dict):
            raise Failed(1400, f"cannot send a {kind!r} segment")
        if kind == "text" and not isinstance(data.get("text"), str):
            raise Failed(1400, "text: data.text must be a string")


def _fetched(file: str, *, uri_only: bool) -> tuple[bytes, str]:
    """The bytes `file` names, and how: base64 (strictly decoded) or a path on this machine
    (`file://`, or a bare absolute path where `uri_only` is off)."""
    if file.startswith("base64://"):
        try:
            data = base64.b64decode(file.removeprefix("base64://"), validate=True)
        except (binascii.Error, ValueError):
            raise Failed(1400, "base64 decoding failed") from None
        via = "base64"
    else:
        if file.startswith("file://"):
            path = Path(file.removeprefix("file://"))
        elif not uri_only and Path(file).is_absolute():
            path = Path(file)
        else:
            raise Failed(1400, f"unsupported file address: {file[:40]}")
        try:
            data = path.read_bytes()
        except OSError:
            raise Failed(1200, f"file not found: {path}") from None
        via = "path"
    if not data:
        raise Failed(1200, "the file is empty")
    return data, via


def to_cq(segments: Segments) -> str:
    """The string form (`message/string.md`): text escaped, other segments as CQ codes."""

    def escape(text: str, param: bool = False) -> str:
        text = text.replace("&", "&amp;").replace("[", "&#91;").replace("]", "&#93;")
        return text.replace(",", "&#44;") if param else text

    out = []
    for s in segments:
        if s["type"] == "text":
            out.append(escape(s["data"]["text"]))
        else:
            args = "".join(f",{k}={escape(str(v), True)}" for k, v in s["data"].items())
            out.append(f"[CQ:{s['type']}{args}]")
    return "".join(out)


class FakeOneBot:
    """One QQ account (the bot) in some groups, speaking OneBot v11 to Hearthkeeper."""

    def __init__(self, self_id: int = 2_854_196_310, *, nickname: str = "护肤小助手",
                 message_format: str = "array") -> None:  # fmt: skip
        self.self_id = self_id
        self.nickname = nickname
        self.message_format = message_format  # array | string (`event.message_format`)
        self.groups: dict[int, QQGroup] = {}
        self.requests: dict[str, Asking] = {}
        self.calls: list[tuple[float, str, dict[str, Any]]] = []  # (when, action, params)
        self.pushed: list[dict[str, Any]] = []  # every event sent, in order
        self._ids = itertools.count(1_000_001)
        self._flags = itertools.count(1)
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self.answer_calls = True  # False: calls are taken and never answered (a hung client)
        # True: removals are answered and recorded but not applied (QQ slow to apply them:
        # the member keeps posting meanwhile)
        self.lag_kicks = False
        self._notices: list[dict[str, Any]] = []  # what the call being answered caused
        self.images = ImageServer()
        # upload_group_file takes base64:// (NapCat, LLOneBot); False: a local path only
        # (go-cqhttp, Lagrange.OneBot)
        self.base64_group_files = True
        # A call this returns a `Failed` for is refused so (QQ saying no for a moment); one
        # `silent` says True for is performed and never answered (the answer lost).
        self.refuse: Callable[[str, dict[str, Any]], Failed | None] | None = None
        self.silent: Callable[[str, dict[str, Any]], bool] | None = None
        # A call this returns an event for is performed and answered only once the event is
        # set (a slow upload), while the calls after it are answered as they come.
        self.hold: Callable[[str, dict[str, Any]], asyncio.Event | None] | None = None
        self.holding = 0  # calls held now
        # QQ's risk control: a bot message within `min_gap` seconds of its last one in the
        # group is refused (None: any pace is taken)
        self.min_gap: float | None = None
        self._held: set[asyncio.Task[None]] = set()

    # --- the connection -----------------------------------------------------------------------

    async def connect(self, url: str, token: str, *, role: str = "Universal") -> None:
        """Connect like NapCat's reverse WebSocket client; `InvalidStatus` when refused."""
        headers = {"Authorization": f"Bearer {token}", "X-Self-ID": str(self.self_id),
                   "X-Client-Role": role, "User-Agent": "OneBot/11"}  # fmt: skip
        self._ws = await connect(url, additional_headers=headers, open_timeout=WAIT_S,
                                 max_size=MAX_MESSAGE)  # fmt: skip
        self._reader = asyncio.create_task(self._read(self._ws))
        await self.push({"post_type": "meta_event", "meta_event_type": "lifecycle",
                         "sub_type": "connect"})  # fmt: skip

    async def disconnect(self) -> None:
        for task in list(self._held):
            task.cancel()
        if self._ws is not None:
            await self._ws.close()
            self._ws = None
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
            self._reader = None

    @property
    def connected(self) -> bool:
        return self._ws is not None

    async def push(self, event: dict[str, Any]) -> None:
        """Send one event (with `time` and `self_id`, as every v11 event has)."""
        full = {"time": int(time.time()), "self_id": self.self_id, **event}
        self.pushed.append(full)
        if self._ws is not None:
            await self._ws.send(json.dumps(full, ensure_ascii=False))

    async def _read(self, ws: ClientConnection) -> None:
        with contextlib.suppress(Exception):
            async for frame in ws:
                request = json.loads(frame)
                action, params = request["action"], request.get("params") or {}
                self.calls.append((time.monotonic(), action, params))
                gate = self.hold(action, params) if self.hold is not None else None
                if gate is None:
                    await self._answer(ws, request)
                    continue
                # performed and answered once the test opens the gate; the others go on, as
                # an implementation answers calls as each is done
                task = asyncio.create_task(self._answer_after(gate, ws, request))
                self._held.add(task)
                task.add_done_callback(self._held.discard)

    async def _answer_after(self, gate: asyncio.Event, ws: ClientConnection,
                            request: dict[str, Any]) -> None:  # fmt: skip
        self.holding += 1
        try:
            await gate.wait()
        finally:
            self.holding -= 1
        with contextlib.suppress(Exception):
            await self._answer(ws, request)

    async def _answer(self, ws: ClientConnection, request: dict[str, Any]) -> None:
        action, params = request["action"], request.get("params") or {}
        refused = self.refuse(action, params) if self.refuse is not None else None
        if refused is not None:
            status, retcode, data, wording = "failed", refused.retcode, None, str(refused)
        else:
            status, retcode, data, wording = self._perform(action, params)
        silent = self.silent is not None and self.silent(action, params)
        notices, self._notices = self._notices, []
        if self.answer_calls and not silent:
            await ws.send(json.dumps({"status": status, "retcode": retcode,
                                      "data": data, "message": wording,
                                      "wording": wording, "echo": request.get("echo")},
                                     ensure_ascii=False))  # fmt: skip
        for event in notices:
            await self.push(event)
        self._changed.set()

    # --- QQ as members use it -----------------------------------------------------------------

    def group(self, group_id: int) -> QQGroup:
        """A group the bot is an admin of."""
        group = self.groups.setdefault(group_id, QQGroup(group_id))
        group.members[self.self_id] = Person(self.self_id, self.nickname, role="admin")
        return group

    async def join(self, group_id: int, user_id: int, nickname: str,
                   sub_type: str = "approve") -> None:  # fmt: skip
        """`user_id` enters (an admin approved them in QQ): the `group_increase` notice."""
        group = self.groups[group_id]
        if user_id in group.blocked:
            raise Refused(f"{user_id} is blocked in {group_id}")
        group.members[user_id] = Person(user_id, nickname)
        await self.push({"post_type": "notice", "notice_type": "group_increase",
                         "sub_type": sub_type, "group_id": group_id, "operator_id": 10000,
                         "user_id": user_id})  # fmt: skip

    async def set_card(self, group_id: int, user_id: int, card: str) -> None:
        """`user_id` changes their group card (their name in this group): their messages'
        `sender` carries it from now on; QQ tells the bot with the `group_card` notice."""
        person = self.groups[group_id].members[user_id]
        old, person.card = person.card, card
        await self.push({"post_type": "notice", "notice_type": "group_card",
                         "group_id": group_id, "user_id": user_id, "card_new": card,
                         "card_old": old})  # fmt: skip

    async def ask_to_join(self, group_id: int, user_id: int, nickname: str, comment: str) -> str:
        """A join request (`request` / `group` / `add`); its flag."""
        if user_id in self.groups[group_id].blocked:
            raise Refused(f"{user_id} is blocked in {group_id}")
        flag = f"flag-{next(self._flags)}"
        self.requests[flag] = Asking(group_id, user_id, nickname, comment)
        await self.push({"post_type": "request", "request_type": "group", "sub_type": "add",
                         "group_id": group_id, "user_id": user_id, "comment": comment,
                         "flag": flag})  # fmt: skip
        return flag

    async def say(self, group_id: int, user_id: int, text: str, *, at: tuple[int, ...] = (),
                  reply_to: int | None = None, segments: Segments | None = None) -> int:  # fmt: skip
        """A member's message (`message` / `group` / `normal`); its message id."""
        group = self.groups[group_id]
        person = group.members.get(user_id)
        if person is None:
            raise Refused(f"{user_id} is not in {group_id}")
        if not self.can_speak(group_id, user_id):
            raise Refused(f"{user_id} is muted in {group_id}")
        message: Segments = []
        if reply_to is not None:
            message.append({"type": "reply", "data": {"id": str(reply_to)}})
        for qq in at:
            message += [
                {"type": "at", "data": {"qq": str(qq)}},
                {"type": "text", "data": {"text": " "}},
            ]
        message += segments or [{"type": "text", "data": {"text": text}}]
        message_id = next(self._ids)
        group.messages[message_id] = Said(message_id, user_id, message, time.time())
        await self.push({
            "post_type": "message", "message_type": "group", "sub_type": "normal",
            "message_id": message_id, "group_id": group_id, "user_id": user_id,
            "anonymous": None, "message": message if self.message_format == "array"
            else to_cq(message), "raw_message": to_cq(message), "font": 0,
            "sender": {"user_id": user_id, "nickname": person.nickname, "card": person.card,
                       "sex": "unknown", "age": 0, "area": "", "level": "1",
                       "role": person.role, "title": ""},
        })  # fmt: skip
        return message_id

    async def post_picture(self, group_id: int, user_id: int, picture: bytes, *,
                           url: str | None = None) -> int:  # fmt: skip
        """A member's picture: an image segment as NapCat gives it (`file`, `subType`, and
        `url` on the image server, or the `url` given); its message id."""
        address = url if url is not None else await self.images.put(picture)
        name = hashlib.md5(picture).hexdigest().upper()
        image = {"type": "image", "data": {"file": f"{name}.image", "subType": 0,
                                           "url": address}}  # fmt: skip
        return await self.say(group_id, user_id, "", segments=[image])

    async def close(self) -> None:
        """Disconnect, and stop the image server."""
        await self.disconnect()
        await self.images.stop()

    def can_speak(self, group_id: int, user_id: int) -> bool:
        group = self.groups[group_id]
        person = group.members.get(user_id)
        if person is None or (group.whole_ban and person.role == "member"):
            return False
        return person.muted_until <= time.time()

    def bot_said(self, group_id: int) -> list[Said]:
        """What the bot said in the group and did not recall, oldest first."""
        return [m for m in self.groups[group_id].messages.values()
                if m.user_id == self.self_id and not m.recalled]  # fmt: skip

    def shown(self, group_id: int, said: Said) -> str:
        """`said` as a member of the group reads it: its text, each `at` segment where it
        stands as QQ shows it, `@` and the name the person has in this group (their card,
        else nickname; a stranger's QQ number), `@全体成员` for `all`."""
        group = self.groups[group_id]
        out: list[str] = []
        for segment in said.segments:
            if segment["type"] == "text":
                out.append(str(segment["data"]["text"]))
            elif segment["type"] == "at":
                qq = str(segment["data"]["qq"])
                person = group.members.get(int(qq)) if qq.isdigit() else None
                name = (person.card or person.nickname) if person is not None else qq
                out.append("@全体成员" if qq == "all" else f"@{name}")
        return "".join(out)

    async def bot_message(self, group_id: int, containing: str, about: int | None = None,
                          timeout: float = WAIT_S) -> Said:  # fmt: skip
        """The bot's message containing `containing` (and @-ing `about`), once it arrives."""

        def found() -> Said | None:
            return next((m for m in self.bot_said(group_id) if containing in m.text
                         and (about is None or str(about) in m.mentions())), None)  # fmt: skip

        return await self.until(found, f"the bot to say {containing!r} in {group_id}", timeout)

    async def until(self, probe: Callable[[], T | None], what: str,
                       timeout: float = WAIT_S) -> T:  # fmt: skip
        """The first non-empty answer of `probe`, checked after every call the bot makes."""
        deadline = time.monotonic() + timeout
        while True:
            self._changed.clear()
            answer = probe()
            if answer:
                return answer
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"waited {timeout:.0f}s for {what}")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(left, 0.1)):
                    await self._changed.wait()

    def actions(self, name: str) -> list[dict[str, Any]]:
        return [params for _, action, params in self.calls if action == name]

    # --- the API (api/public.md) ----------------------------------------------------------------

    def _perform(self, action: str, params: dict[str, Any]) -> tuple[str, int, Any, str]:
        handler = getattr(self, f"_api_{action}", None)
        if handler is None:
            return "failed", 1404, None, ""  # an unknown API: HTTP 404 in the HTTP API
        try:
            return "ok", 0, handler(params), ""
        except Failed as exc:
            return "failed", exc.retcode, None, exc.wording
        except (KeyError, ValueError, TypeError):
            return "failed", 1400, None, ""  # missing or wrong parameters
        except LookupError:
            return "failed", 1404, None, ""

    def _member(self, params: dict[str, Any]) -> tuple[QQGroup, int]:
        group = self.groups[int(params["group_id"])]
        return group, int(params["user_id"])

    def _notice(self, **event: Any) -> None:
        self._notices = [*self._notices, {"post_type": "notice", **event}]

    def _api_get_login_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"user_id": self.self_id, "nickname": self.nickname}

    def _api_send_group_msg(self, params: dict[str, Any]) -> dict[str, Any]:
        group = self.groups[int(params["group_id"])]
        message = params["message"]
        if isinstance(message, list):
            _check_shapes(message)
        segments = segments_of(message)
        if not segments:
            raise ValueError("empty message")
        kinds = [s["type"] for s in segments]
        if len(kinds) > 1 and ("record" in kinds or "video" in kinds):
            raise Failed(1400, "a record or video segment is sent alone")
        if self.min_gap is not None:
            sent = [m.at for m in group.messages.values() if m.user_id == self.self_id]
            if sent and time.time() - max(sent) < self.min_gap:
                raise Failed(1200, "发送消息过快 (sending too fast)")
        files = [self._received(s) for s in segments if s["type"] in MEDIA]
        found = iter(files)  # kept as QQ names a file: its MD5 (the base64 is not kept)
        kept = [{"type": s["type"], "data": {"file": f"{next(found).md5}.{s['type']}"}}
                if s["type"] in MEDIA else s for s in segments]  # fmt: skip
        message_id = next(self._ids)
        group.messages[message_id] = Said(message_id, self.self_id, kept, time.time(), files=files)
        return {"message_id": message_id}

    def _received(self, segment: dict[str, Any]) -> Stored:
        """The file an image, record or video segment hands over, checked as QQ would."""
        kind, file = segment["type"], segment["data"].get("file")
        if not isinstance(file, str) or not file:
            raise Failed(1400, f"{kind}: data.file is required")
        data, via = _fetched(file, uri_only=True)
        if kind == "image" and not data.startswith(PICTURES) and data[8:12] != b"WEBP":
            raise Failed(1200, "image upload failed: not a picture")
        if kind == "record" and not (data.startswith(AUDIO) or data[4:8] == b"ftyp"):
            raise Failed(1200, "voice conversion failed: ffmpeg cannot read the file")
        return Stored(kind, data, via=via)

    def _api_upload_group_file(self, params: dict[str, Any]) -> None:
        group = self.groups[int(params["group_id"])]
        file, name = params["file"], params["name"]
        if not isinstance(file, str) or not isinstance(name, str) or not name:
            raise Failed(1400, "file and name are required")
        if file.startswith("base64://") and not self.base64_group_files:
            raise Failed(1200, f"file not found: {file[:40]}…")
        data, via = _fetched(file, uri_only=False)
        stored = Stored("file", data, name, via)
        group.files.append(stored)
        self._notice(notice_type="group_upload", group_id=group.group_id, user_id=self.self_id,
                     file={"id": f"/{stored.md5.lower()}", "name": name, "size": len(data),
                           "busid": 102})  # fmt: skip

    def _api_delete_msg(self, params: dict[str, Any]) -> None:
        message_id = int(params["message_id"])
        for group in self.groups.values():
            said = group.messages.get(message_id)
            if said is not None and not said.recalled:
                said.recalled = True
                self._notice(notice_type="group_recall", group_id=group.group_id,
                             user_id=said.user_id, operator_id=self.self_id,
                             message_id=message_id)  # fmt: skip
                return
        raise LookupError(message_id)

    def _api_set_group_kick(self, params: dict[str, Any]) -> None:
        group, user = self._member(params)
        if user not in group.members:
            raise LookupError(user)
        if self.lag_kicks:
            return
        del group.members[user]
        if params.get("reject_add_request", False):
            group.blocked.add(user)
        self._notice(notice_type="group_decrease", sub_type="kick", group_id=group.group_id,
                     operator_id=self.self_id, user_id=user)  # fmt: skip

    def _api_set_group_ban(self, params: dict[str, Any]) -> None:
        group, user = self._member(params)
        person = group.members[user]
        duration = int(params.get("duration", 30 * 60))
        person.muted_until = time.time() + duration if duration > 0 else 0.0
        self._notice(notice_type="group_ban", sub_type="ban" if duration > 0 else "lift_ban",
                     group_id=group.group_id, operator_id=self.self_id, user_id=user,
                     duration=duration)  # fmt: skip

    def _api_set_group_whole_ban(self, params: dict[str, Any]) -> None:
        group = self.groups[int(params["group_id"])]
        if group.members[self.self_id].role == "member":  # QQ: only the owner and admins may
            raise Failed(100, "权限不足")
        group.whole_ban = bool(params.get("enable", True))
        # QQ's notice of a whole-group mute names no member (user_id 0)
        self._notice(notice_type="group_ban", sub_type="ban" if group.whole_ban else "lift_ban",
                     group_id=group.group_id, operator_id=self.self_id, user_id=0,
                     duration=-1 if group.whole_ban else 0)  # fmt: skip

    def _api_set_group_add_request(self, params: dict[str, Any]) -> None:
        asking = self.requests.get(str(params["flag"]))
        if asking is None or asking.answer is not None:
            # NapCat finds no open request for the flag (answered already, or unknown)
            raise Failed(1200, "No such request")
        if (params.get("sub_type") or params.get("type")) != "add":
            raise LookupError(params["flag"])
        asking.answer = bool(params.get("approve", True))
        if asking.answer:
            group = self.groups[asking.group_id]
            group.members[asking.user_id] = Person(asking.user_id, asking.nickname)
            self._notice(notice_type="group_increase", sub_type="approve",
                         group_id=asking.group_id, operator_id=self.self_id,
                         user_id=asking.user_id)  # fmt: skip
        else:
            asking.reason = str(params.get("reason", ""))

    def _api_get_group_member_info(self, params: dict[str, Any]) -> dict[str, Any]:
        group, user = self._member(params)
        if user not in group.members:
            raise LookupError(user)
        return group.members[user].info(group.group_id)

    def _api_get_group_member_list(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        group = self.groups[int(params["group_id"])]
        return [p.info(group.group_id) for p in group.members.values()]
