"""A stateful fake of the Telegram Bot API (https://core.telegram.org/bots/api), for tests.

An HTTP server on 127.0.0.1 that the real client library (aiogram) talks to through its API
base URL (`{base}/bot{token}/{method}`). It keeps users, chats, their members with their
statuses and permissions, messages, invite links and join requests, and each bot's updates:
`getUpdates` long-polls and confirms what is below `offset`; `setWebhook` makes it POST each
update to the bot's URL with `X-Telegram-Bot-Api-Secret-Token` instead, again until answered
200. Members and owners act through the test-side methods (`say`, `join`, `request_join`,
`revoke_link` ...); what the
bots do changes the state as Telegram would, and a ban, a restriction or an approved request
produces the `chat_member` update Telegram sends to administrators that asked for it. A join
request is answered once: approving one declined (or never made) is refused with
`HIDE_REQUESTER_MISSING`, as Telegram refuses it; someone banned from a group sends it no
join request (`request_join` is refused, `USER_BANNED_IN_CHANNEL`). An invite link's
`member_limit` is kept: once that many joined by it, it is refused as expired
(`INVITE_HASH_EXPIRED`). `hold` keeps a call's answer (a slow upload) until the test lets it
go, answering the others meanwhile.

The JSON follows the documentation's field names exactly; requests are read as Telegram reads
them: a JSON body, a urlencoded form or multipart form data, where arrays and objects are
JSON-serialised strings. Errors are `{"ok": false, "error_code", "description"}` with, for
flood control, `parameters.retry_after`. `limits()` makes the fake refuse, like Telegram,
more than one message per second in a chat or twenty per minute in a group (by the clock the
test passes in); `throttle()` makes it answer the next calls of a method with a 429; `flood()`
refuses one chat's messages for a while, each with a 429 that asks to wait the rest.

Photos (`post_photo`) come as Telegram sends them: an array of `PhotoSize`s, the picture
re-encoded as JPEG at 90, 320 and 800 pixels a side (those smaller than it) and at its own
size up to 1280, each with its `file_id`, `file_unique_id`, `width`, `height` and
`file_size`. `getFile` answers a `File` (`file_id`, `file_unique_id`, `file_size`,
`file_path`), refusing a file over the 20 MB a bot may download, and the file is then served
at `/file/bot<token>/<file_path>` (`downloads` lists what was fetched there). Files
(`post_document`) come as a `Document` (`file_id`, `file_unique_id`, `file_name`,
`mime_type`, `file_size`), stickers (`post_sticker`) as a `Sticker` (`file_id`,
`file_unique_id`, `type`, `width`, `height`, `is_animated`, `is_video`, `emoji`,
`file_size`), each served by getFile the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import html
import io
import itertools
import json
import mimetypes
import re
from collections import defaultdict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp
from aiohttp import web
from PIL import Image

JSON = dict[str, Any]
INT_FIELDS = frozenset({"chat_id", "user_id", "message_id", "until_date", "offset", "limit",
                        "timeout", "member_limit", "expire_date", "max_connections"})  # fmt: skip
DEFAULT_UPDATES = ("message", "edited_message", "channel_post", "edited_channel_post",
                   "inline_query", "chosen_inline_result", "callback_query", "my_chat_member",
                   "chat_join_request")  # everything but chat_member and reactions  # fmt: skip
SEND_PERMISSIONS = ("can_send_messages", "can_send_audios", "can_send_documents",
                    "can_send_photos", "can_send_videos", "can_send_video_notes",
                    "can_send_voice_notes", "can_send_polls", "can_send_other_messages",
                    "can_add_web_page_previews", "can_react_to_messages", "can_edit_tag")  # fmt: skip
OTHER_PERMISSIONS = ("can_change_info", "can_invite_users", "can_pin_messages",
                     "can_manage_topics")  # fmt: skip
ADMIN_RIGHTS = ("can_manage_chat", "can_delete_messages", "can_manage_video_chats",
                "can_restrict_members", "can_promote_members", "can_change_info",
                "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories",
                "can_send_welcome_messages")  # fmt: skip
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # getFile: "bots can download files of up to 20MB in size"
PHOTO_SIDES = (90, 320, 800)  # the smaller sizes Telegram keeps of a photo, besides its own
PHOTO_SIDE = 1280  # a photo's own size, at most (Telegram's usual compression)


# What an answer refusing a call says before its description, by its status.
REFUSALS = {400: "Bad Request", 500: "Internal Server Error", 502: "Bad Gateway"}


class ApiError(Exception):
    """A refusal as Telegram answers it."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


@dataclass
class Bot:
    """A bot account: its user, its pending updates and how they are delivered."""

    token: str
    user: JSON
    updates: list[JSON] = field(default_factory=list)
    allowed: tuple[str, ...] = DEFAULT_UPDATES
    webhook: str = ""
    secret: str = ""
    woken: asyncio.Event = field(default_factory=asyncio.Event)
    delivering: asyncio.Task[None] | None = None


@dataclass
class StoredFile:
    """A file on Telegram's servers, as `getFile` describes it."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes

    def json(self) -> JSON:
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                "file_size": len(self.data), "file_path": self.file_path}  # fmt: skip


@dataclass
class Chat:
    """A supergroup, or the private chat of a user with a bot."""

    id: int
    type: str
    title: str = ""
    members: dict[int, JSON] = field(default_factory=dict)  # user id → ChatMember
    messages: dict[int, JSON] = field(default_factory=dict)
    deleted: set[int] = field(default_factory=set)
    links: dict[str, JSON] = field(default_factory=dict)  # invite link → ChatInviteLink
    requests: dict[int, JSON] = field(default_factory=dict)  # user id → ChatJoinRequest
    link_joins: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    next_message: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    # the default permissions of members (`setChatPermissions`); a new group lets them do all
    permissions: JSON = field(default_factory=lambda: dict.fromkeys(
        SEND_PERMISSIONS + OTHER_PERMISSIONS, True))  # fmt: skip

    def json(self) -> JSON:
        if self.type == "private":
            return {"id": self.id, "type": "private", "first_name": self.title}
        return {"id": self.id, "type": self.type, "title": self.title}


class FakeBotApi:
    """The fake server. `clock` gives the time messages are dated with and limits count by."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.users: dict[int, JSON] = {}
        self.bots: dict[str, Bot] = {}
        self.chats: dict[int, Chat] = {}
        self.calls: list[tuple[str, JSON]] = []  # every method called, with its parameters
        self.refused: list[tuple[str, int, str]] = []  # (method, error code, description)
        self._ids = itertools.count(1001)
        self._chat_ids = itertools.count(1)
        self._update_ids = itertools.count(500_000)
        self._throttled: dict[str, deque[int]] = defaultdict(deque)
        # (status, description), None: answered
        self._refused: dict[str, deque[tuple[int, str] | None]] = defaultdict(deque)
        self._limits = False
        self._floods: dict[int, tuple[float, int]] = {}  # chat → (flooded until, lengthened by)
        self._sent: dict[int, deque[float]] = defaultdict(deque)  # chat → times of messages
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self.files: dict[str, StoredFile] = {}  # file_id → the file
        self.downloads: list[str] = []  # the file paths bots downloaded, in order
        self.base_url = ""
        self.sent_files: dict[str, bytes] = {}  # file_id → what a bot uploaded (sendPhoto …)
        self.sent_kinds: dict[str, tuple[str, UploadedFile]] = {}  # file_id → its method's field
        self.uploads = 0  # files bots uploaded (not sent again by file_id)
        # A call's answer held back until the event given is set (a slow upload), the others
        # answered meanwhile; `holding`: how many answers are held now.
        self.hold: Callable[[str, JSON], asyncio.Event | None] | None = None
        self.holding = 0

    # --- the server -------------------------------------------------------------------------

    async def start(self) -> None:
        # bots upload files of up to 50 MB (aiohttp takes 1 MiB unless told)
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        self._http = aiohttp.ClientSession()

    async def stop(self) -> None:
        for bot in self.bots.values():
            if bot.delivering is not None:
                bot.delivering.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await bot.delivering
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        params = await _params(request)
        self.calls.append((method, params))
        bot = self.bots.get(token)
        try:
            if bot is None:
                raise ApiError(401, "Unauthorized")
            gate = self.hold(method, params) if self.hold is not None else None
            if gate is not None:
                self.holding += 1
                try:
                    await gate.wait()
                finally:
                    self.holding -= 1
            result = await self._call(bot, method, params)
        except ApiError as exc:
            self.refused.append((method, exc.code, exc.description))
            body: JSON = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
            return web.json_response(body, status=exc.code)
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.StreamResponse:
        """A file by the `file_path` getFile gave (Telegram answers 404 for anything else)."""
        token, path = request.match_info["token"], request.match_info["path"]
        found = next((f for f in self.files.values() if f.file_path == path), None)
        if token not in self.bots or found is None:
            body = {"ok": False, "error_code": 404, "description": "Not Found"}
            return web.json_response(body, status=404)
        self.downloads.append(path)
        return web.Response(body=found.data, content_type="application/octet-stream")

    async def _call(self, bot: Bot, method: str, p: JSON) -> Any:
        name = method.lower()
        throttled = self._throttled.get(name)
        if throttled:
            after = throttled.popleft()
            raise ApiError(429, f"Too Many Requests: retry after {after}", after)
        refused = self._refused.get(name)
        if refused and (refusal := refused.popleft()) is not None:
            code, description = refusal
            raise ApiError(code, f"{REFUSALS[code]}: {description}")
        handler = getattr(self, f"_m_{name}", None)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        if name == "getupdates":
            return await self._m_getupdates(bot, p)
        return handler(bot, p)

    # --- what a test arranges ---------------------------------------------------------------

    def user(self, first_name: str, *, username: str | None = None) -> JSON:
        """A Telegram user (a person)."""
        user: JSON = {"id": next(self._ids), "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        self.users[user["id"]] = user
        return user

    def rename(self, user: JSON, first_name: str, last_name: str | None = None) -> None:
        """`user` changes their name in Telegram's settings: everything Telegram says of them
        from now on (their messages' `from`, `getChatMember`) carries the new one."""
        user["first_name"] = first_name
        if last_name:
            user["last_name"] = last_name
        else:
            user.pop("last_name", None)

    def bot(self, first_name: str = "Hearth", username: str = "hearth_test_bot") -> str:
        """A bot account; its token."""
        user_id = next(self._ids)
        user = {"id": user_id, "is_bot": True, "first_name": first_name, "username": username}
        self.users[user_id] = user
        token = f"{user_id}:AAH{'x' * 32}"
        self.bots[token] = Bot(token, user)
        return token

    def bot_user(self, token: str) -> JSON:
        return self.bots[token].user

    def supergroup(self, title: str, owner: JSON) -> int:
        """A supergroup created by `owner`; its chat id (-100…)."""
        chat = Chat(id=-(1_000_000_000_000 + next(self._chat_ids)), type="supergroup", title=title)
        chat.members[owner["id"]] = {"status": "creator", "user": owner, "is_anonymous": False}
        self.chats[chat.id] = chat
        return chat.id

    def add_bot(self, chat_id: int, token: str, *, admin: bool = True,
                rights: tuple[str, ...] = ADMIN_RIGHTS) -> None:  # fmt: skip
        """The owner adds the bot to the group, as an administrator with `rights` (or not)."""
        chat, user = self.chats[chat_id], self.bots[token].user
        old = chat.members.get(user["id"], _left(user))
        if admin:
            new: JSON = {"status": "administrator", "user": user, "can_be_edited": False,
                         "is_anonymous": False, **{r: r in rights for r in ADMIN_RIGHTS}}  # fmt: skip
        else:
            new = {"status": "member", "user": user}
        chat.members[user["id"]] = new
        owner = self._owner(chat)
        self._emit(chat, "my_chat_member", _member_update(chat, owner, old, new),
                   only_bot=user["id"])  # fmt: skip

    def join(self, chat_id: int, user: JSON, *, link: str | None = None) -> None:
        """`user` joins the group (by its public username, or by invite `link`)."""
        chat = self.chats[chat_id]
        status = chat.members.get(user["id"], _left(user))
        if status["status"] == "kicked":
            raise ApiError(403, "Forbidden: user is banned from the chat")
        invite = chat.links.get(link) if link else None
        if invite is not None and invite["is_revoked"]:
            raise ApiError(400, "Bad Request: INVITE_HASH_EXPIRED")
        if invite is not None and invite["creates_join_request"]:
            raise ApiError(400, "Bad Request: this link needs a join request")
        if invite is not None and invite.get("member_limit") and \
                chat.link_joins[link or ""] >= invite["member_limit"]:  # fmt: skip
            # "the maximum number of users that can be members of the chat simultaneously
            # after joining the chat via this invite link": used up, the app says it expired
            raise ApiError(400, "Bad Request: INVITE_HASH_EXPIRED")
        if invite is not None and not _is_in(status):
            chat.link_joins[link or ""] += 1
        self._enter(chat, user, user, invite=invite)

    def request_join(self, chat_id: int, user: JSON, link: str, bio: str = "") -> None:
        """`user` asks to join through a link that creates join requests."""
        chat = self.chats[chat_id]
        invite = chat.links[link]
        if invite["is_revoked"]:  # the app tells them the link is invalid or expired
            raise ApiError(400, "Bad Request: INVITE_HASH_EXPIRED")
        assert invite["creates_join_request"], "this link admits directly"
        if self.status(chat_id, user["id"]) == "kicked":  # banned: the app sends no request
            raise ApiError(400, "Bad Request: USER_BANNED_IN_CHANNEL")
        request: JSON = {"chat": chat.json(), "from": user, "user_chat_id": user["id"],
                         "date": self._now(), "invite_link": invite}  # fmt: skip
        if bio:
            request["bio"] = bio
        chat.requests[user["id"]] = request
        self._emit(chat, "chat_join_request", request)

    def revoke_link(self, chat_id: int, link: str) -> None:
        """The invite `link` is revoked without the bot's server knowing: by the group's owner
        in Telegram's app, or by another program holding the bot's token
        (`revokeChatInviteLink`). Telegram sends no update about it; the link stays listed as
        revoked, people who open it are turned away, and calls about it are refused."""
        self.chats[chat_id].links[link]["is_revoked"] = True

    def approve_in_app(self, chat_id: int, user: JSON) -> None:
        """The group's owner approves `user`'s join request by hand in Telegram's app: the
        join that follows names no invite link."""
        chat = self.chats[chat_id]
        del chat.requests[user["id"]]
        self._enter(chat, user, self._owner(chat), invite=None, via_request=True)

    def leave(self, chat_id: int, user: JSON) -> None:
        chat = self.chats[chat_id]
        old = chat.members[user["id"]]
        new = _left(user)
        chat.members[user["id"]] = new
        self._emit(chat, "chat_member", _member_update(chat, user, old, new, self._now()))

    def say(self, chat_id: int, user: JSON, text: str, *, reply_to: int | None = None) -> int:
        """`user` posts `text` (ApiError 403 when they may not); the message id."""
        chat = self.chats[chat_id]
        if not self.can_post(chat_id, user["id"]):
            raise ApiError(403, "Forbidden: you are not allowed to send messages here")
        message = self._message(chat, user, text, reply_to=reply_to)
        self._emit(chat, "message", message)
        return int(message["message_id"])

    def post_photo(self, chat_id: int, user: JSON, picture: bytes, caption: str = "") -> int:
        """`user` sends `picture` as a photo (with `caption`); the message id."""
        chat = self.chats[chat_id]
        if not self.can_post(chat_id, user["id"]):
            raise ApiError(403, "Forbidden: you are not allowed to send messages here")
        message = self._message(chat, user, caption)
        del message["text"]
        if caption:
            message["caption"] = caption
        message["photo"] = self.photo_sizes(picture)
        self._emit(chat, "message", message)
        return int(message["message_id"])

    def post_document(self, chat_id: int, user: JSON, data: bytes, file_name: str,
                      mime_type: str, caption: str = "") -> int:  # fmt: skip
        """`user` sends `data` as a file (a photo sent uncompressed is one, its `mime_type` an
        image's); the message id."""
        stored = self.store_file(data, "documents", file_name.rpartition(".")[2] or "bin")
        document = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                    "file_name": file_name, "mime_type": mime_type,
                    "file_size": len(data)}  # fmt: skip
        return self._post_media(chat_id, user, "document", document, caption)

    def post_sticker(self, chat_id: int, user: JSON, data: bytes, *, animated: bool = False,
                     video: bool = False, emoji: str = "😀") -> int:  # fmt: skip
        """`user` sends a sticker: a still one is a WebP picture (`data`), an animated one a
        .tgs, a video one a .webm; the message id."""
        extension = "tgs" if animated else "webm" if video else "webp"
        stored = self.store_file(data, "stickers", extension)
        sticker = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                   "type": "regular", "width": 512, "height": 512, "is_animated": animated,
                   "is_video": video, "emoji": emoji, "file_size": len(data)}  # fmt: skip
        return self._post_media(chat_id, user, "sticker", sticker, "")

    def _post_media(self, chat_id: int, user: JSON, field: str, media: JSON,
                    caption: str) -> int:  # fmt: skip
        chat = self.chats[chat_id]
        if not self.can_post(chat_id, user["id"]):
            raise ApiError(403, "Forbidden: you are not allowed to send messages here")
        message = self._message(chat, user, caption)
        del message["text"]
        if caption:
            message["caption"] = caption
        message[field] = media
        self._emit(chat, "message", message)
        return int(message["message_id"])

    def photo_sizes(self, picture: bytes) -> list[JSON]:
        """The `PhotoSize`s Telegram makes of a picture, smallest first."""
        with Image.open(io.BytesIO(picture)) as opened:
            original = opened.convert("RGB")
        largest = max(original.size)
        sides = [s for s in PHOTO_SIDES if s < largest] + [min(largest, PHOTO_SIDE)]
        sizes: list[JSON] = []
        for side in sides:
            shrunk = original.copy()
            shrunk.thumbnail((side, side))
            out = io.BytesIO()
            shrunk.save(out, "JPEG", quality=87)
            stored = self.store_file(out.getvalue(), "photos", "jpg")
            sizes.append({"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                          "width": shrunk.width, "height": shrunk.height,
                          "file_size": len(stored.data)})  # fmt: skip
        return sizes

    def store_file(self, data: bytes, folder: str, extension: str) -> StoredFile:
        """A file kept on the server (a photo's size, say), as getFile will describe it."""
        n = len(self.files) + 1
        unique = hashlib.sha256(data).hexdigest()[:16]
        stored = StoredFile(file_id=f"AgAC{unique}{n:04d}", file_unique_id=f"AQAD{unique}",
                            file_path=f"{folder}/file_{n}.{extension}", data=data)  # fmt: skip
        self.files[stored.file_id] = stored
        return stored

    def edit(self, chat_id: int, message_id: int, text: str) -> None:
        chat = self.chats[chat_id]
        message = {**chat.messages[message_id], "text": text, "edit_date": self._now()}
        chat.messages[message_id] = message
        self._emit(chat, "edited_message", message)

    def throttle(self, method: str, retry_after: int, times: int = 1) -> None:
        """The next `times` calls of `method` are refused with flood control's 429."""
        self._throttled[method.lower()].extend([retry_after] * times)

    def refuse(self, method: str, description: str, times: int = 1, after: int = 0, *,
               code: int = 400) -> None:  # fmt: skip
        """The next `times` calls of `method` (once `after` more were answered) are refused
        with a 400 "Bad Request: …" `description` (what Telegram says of a file it cannot
        process, say), or with `code` (500: Telegram's own failure, "Internal Server Error")."""
        refusal = (code, description)
        self._refused[method.lower()].extend([None] * after + [refusal] * times)

    def limits(self, on: bool = True) -> None:
        """Refuse messages beyond Telegram's limits: 1/s per chat, 20/min per group."""
        self._limits = on

    def flood(self, chat_id: int, seconds: int, *, lengthened_by: int = 0) -> None:
        """Flood control in one chat: its messages are refused with a 429 for `seconds` (by
        the clock), each asked to wait the rest; each one refused meanwhile makes the wait
        `lengthened_by` seconds longer, as Telegram answers a bot that keeps sending."""
        self._floods[chat_id] = (self.clock().timestamp() + seconds, lengthened_by)

    # --- what a test reads ------------------------------------------------------------------

    def can_post(self, chat_id: int, user_id: int) -> bool:
        member = self.chats[chat_id].members.get(user_id)
        if member is None or member["status"] in ("left", "kicked"):
            return False
        if member["status"] in ("creator", "administrator"):
            return True
        chat_allows = bool(self.chats[chat_id].permissions["can_send_messages"])
        if member["status"] == "restricted":
            until = member["until_date"]
            if until and until <= self._now():
                return chat_allows
            return bool(member["can_send_messages"]) and chat_allows
        return chat_allows

    def status(self, chat_id: int, user_id: int) -> str:
        member = self.chats[chat_id].members.get(user_id)
        return "left" if member is None else str(member["status"])

    def member(self, chat_id: int, user_id: int) -> JSON:
        return self.chats[chat_id].members[user_id]

    def messages(self, chat_id: int, by: int | None = None) -> list[JSON]:
        """The messages still in the chat (deleted ones are gone), oldest first."""
        chat = self.chats[chat_id]
        return [m for i, m in sorted(chat.messages.items()) if i not in chat.deleted
                and (by is None or m.get("from", {}).get("id") == by)]  # fmt: skip

    def deleted(self, chat_id: int, message_id: int) -> bool:
        return message_id in self.chats[chat_id].deleted

    def private_messages(self, user_id: int, bot_token: str) -> list[JSON]:
        chat = self.chats.get(user_id)
        bot_id = self.bots[bot_token].user["id"]
        return [] if chat is None else self.messages(chat.id, by=bot_id)

    def start_private(self, user: JSON, token: str) -> None:
        """`user` pressed Start in the bot's private chat: the bot may write to them."""
        chat = self.chats.setdefault(user["id"], Chat(id=user["id"], type="private",
                                                      title=user["first_name"]))  # fmt: skip
        chat.members[user["id"]] = {"status": "member", "user": user}
        bot_user = self.bots[token].user
        chat.members[bot_user["id"]] = {"status": "member", "user": bot_user}

    # --- methods ----------------------------------------------------------------------------

    def _m_getme(self, bot: Bot, p: JSON) -> JSON:
        return {**bot.user, "can_join_groups": True, "can_read_all_group_messages": True,
                "supports_inline_queries": False, "can_connect_to_business": False,
                "has_main_web_app": False}  # fmt: skip

    async def _m_getupdates(self, bot: Bot, p: JSON) -> list[JSON]:
        if bot.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                           "use deleteWebhook to delete the webhook first")  # fmt: skip
        if "allowed_updates" in p:
            bot.allowed = tuple(p["allowed_updates"]) or DEFAULT_UPDATES
        offset = p.get("offset")
        if offset is not None:
            bot.updates = [u for u in bot.updates if u["update_id"] >= offset]
        limit = int(p.get("limit") or 100)
        timeout = float(p.get("timeout") or 0)
        if not bot.updates and timeout > 0:
            bot.woken.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await bot.woken.wait()
        return bot.updates[:limit]

    def _m_getfile(self, bot: Bot, p: JSON) -> JSON:
        stored = self.files.get(str(p.get("file_id", "")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(stored.data) > DOWNLOAD_LIMIT:
            raise ApiError(400, "Bad Request: file is too big")
        return stored.json()

    def _m_setwebhook(self, bot: Bot, p: JSON) -> bool:
        bot.webhook = str(p["url"])
        bot.secret = str(p.get("secret_token") or "")
        if "allowed_updates" in p:
            bot.allowed = tuple(p["allowed_updates"]) or DEFAULT_UPDATES
        if p.get("drop_pending_updates"):
            bot.updates.clear()
        self._deliver(bot)
        return True

    def _m_deletewebhook(self, bot: Bot, p: JSON) -> bool:
        bot.webhook = ""
        if p.get("drop_pending_updates"):
            bot.updates.clear()
        if bot.delivering is not None:
            bot.delivering.cancel()
            bot.delivering = None
        return True

    def _m_getwebhookinfo(self, bot: Bot, p: JSON) -> JSON:
        return {"url": bot.webhook, "has_custom_certificate": False,
                "pending_update_count": len(bot.updates)}  # fmt: skip

    def _m_getchat(self, bot: Bot, p: JSON) -> JSON:
        chat = self._chat_of(bot, p)
        shown = {} if chat.type == "private" else {"permissions": dict(chat.permissions)}
        return {**chat.json(), **shown, "accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False,
                                        "unique_gifts": False, "premium_subscription": False,
                                        "gifts_from_channels": False}}  # fmt: skip

    def _m_getchatmember(self, bot: Bot, p: JSON) -> JSON:
        chat = self._chat_of(bot, p)
        user_id = int(p["user_id"])
        user = self.users.get(user_id)
        if user is None:
            raise ApiError(400, "Bad Request: user not found")
        return chat.members.get(user_id, _left(user))

    def _m_getchatmembercount(self, bot: Bot, p: JSON) -> int:
        chat = self._chat_of(bot, p)
        return sum(1 for m in chat.members.values() if _is_in(m))

    def _m_sendmessage(self, bot: Bot, p: JSON) -> JSON:
        chat_id = int(p["chat_id"])
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat.type == "private" and bot.user["id"] not in chat.members:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        if chat.type != "private" and not _is_in(chat.members.get(bot.user["id"], {})):
            raise ApiError(403, "Forbidden: bot is not a member of the supergroup chat")
        self._check_limits(chat)
        text = str(p.get("text") or "")
        entities: list[JSON] = []
        if p.get("parse_mode") == "HTML":
            text, entities = _parse_html(text, self.users)
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        if _units(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        reply = p.get("reply_parameters")
        reply_to = None
        if isinstance(reply, dict):
            reply_to = int(reply["message_id"])
            if reply_to not in chat.messages or reply_to in chat.deleted:
                if not reply.get("allow_sending_without_reply"):
                    raise ApiError(400, "Bad Request: message to be replied not found")
                reply_to = None
        message = self._message(chat, bot.user, text, reply_to=reply_to)
        if entities:
            message["entities"] = entities
        return message

    # --- sending files: sendPhoto, sendVideo, sendVoice, sendDocument ----------------------
    # Kept apart from the rest (another helper adds getFile for members' files beside it).

    def _m_sendphoto(self, bot: Bot, p: JSON) -> JSON:
        return self._send_media(bot, p, "photo")

    def _m_sendvideo(self, bot: Bot, p: JSON) -> JSON:
        return self._send_media(bot, p, "video")

    def _m_sendvoice(self, bot: Bot, p: JSON) -> JSON:
        return self._send_media(bot, p, "voice")

    def _m_senddocument(self, bot: Bot, p: JSON) -> JSON:
        return self._send_media(bot, p, "document")

    def _send_media(self, bot: Bot, p: JSON, field_name: str) -> JSON:
        """A bot's message with a file uploaded as multipart form data (`photo`, `video`,
        `voice`, `document`), and its optional caption (0-1024 characters after entities
        parsing): the Message with a PhotoSize array, Video, Voice or Document."""
        chat = self._chat_to_post_in(bot, p)
        upload = p.get(field_name)
        if isinstance(upload, str) and upload.startswith("attach://"):  # a part named so
            upload = p.get(upload.removeprefix("attach://"))
        elif isinstance(upload, str):  # a file_id: a file already on Telegram's servers
            upload = self._sent_before(upload, field_name)
        if not isinstance(upload, UploadedFile):
            raise ApiError(400, f"Bad Request: there is no {field_name} in the request")
        limit = MEDIA_LIMITS[field_name]
        if len(upload.data) > limit:
            raise ApiError(413, "Request Entity Too Large")
        if not upload.data:
            raise ApiError(400, "Bad Request: file must be non-empty")
        caption = str(p.get("caption") or "")
        entities: list[JSON] = []
        if caption and p.get("parse_mode") == "HTML":
            caption, entities = _parse_html(caption, self.users)
        if _units(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        self._check_limits(chat)
        file_id = upload.file_id or f"file-{next(self._ids)}"
        if upload.file_id is None:
            self.sent_files[file_id] = upload.data
            self.sent_kinds[file_id] = (field_name, upload)
            self.uploads += 1
        described: JSON = {"file_id": file_id, "file_unique_id": f"u{file_id}",
                           "file_size": len(upload.data)}  # fmt: skip
        if field_name == "photo":
            width, height = _photo_size(upload.data)
            media: Any = [{**described, "width": width, "height": height}]
        else:
            # Telegram names the type from the file, not the part's header (aiogram sends
            # application/octet-stream): here from the file's name
            guessed = mimetypes.guess_type(upload.filename)[0]
            media = {**described, "mime_type": guessed or upload.content_type}
            if field_name == "document":
                media["file_name"] = upload.filename
            if field_name in ("video", "voice"):
                media["duration"] = 0
            if field_name == "video":
                media.update({"width": 0, "height": 0, "file_name": upload.filename})
        message = self._message(chat, bot.user, "")
        del message["text"]
        message[field_name] = media
        if caption:
            message["caption"] = caption
            if entities:
                message["caption_entities"] = entities
        return message

    def _sent_before(self, file_id: str, field_name: str) -> UploadedFile:
        """The file a bot uploaded before, sent again by its `file_id` by the same method
        (Telegram refuses an unknown id, and a document's id for a photo)."""
        known = self.sent_kinds.get(file_id)
        if known is None:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if known[0] != field_name:
            raise ApiError(400, f"Bad Request: can't use file of type {known[0].title()} as "
                                f"{field_name.title()}")  # fmt: skip
        first = known[1]
        return UploadedFile(first.filename, first.content_type, first.data, file_id=file_id)

    def _chat_to_post_in(self, bot: Bot, p: JSON) -> Chat:
        """The chat of `chat_id`, refused as sendMessage refuses it."""
        chat = self.chats.get(int(p["chat_id"]))
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat.type != "private" and not _is_in(chat.members.get(bot.user["id"], {})):
            raise ApiError(403, "Forbidden: bot is not a member of the supergroup chat")
        return chat

    def _m_deletemessage(self, bot: Bot, p: JSON) -> bool:
        chat = self._chat_of(bot, p)
        self._delete(bot, chat, [int(p["message_id"])])
        return True

    def _m_deletemessages(self, bot: Bot, p: JSON) -> bool:
        chat = self._chat_of(bot, p)
        ids = [int(i) for i in p["message_ids"]]
        if not 1 <= len(ids) <= 100:
            raise ApiError(400, "Bad Request: message_ids must hold 1-100 identifiers")
        self._delete(bot, chat, ids, strict=False)
        return True

    def _m_restrictchatmember(self, bot: Bot, p: JSON) -> bool:
        chat, user, old = self._restricting(bot, p)
        if old["status"] in ("creator", "administrator"):
            raise ApiError(400, "Bad Request: can't remove chat owner" if old["status"] == "creator"
                           else "Bad Request: user is an administrator of the chat")  # fmt: skip
        permissions = p["permissions"]
        allowed = {k: bool(permissions.get(k, False)) for k in SEND_PERMISSIONS + OTHER_PERMISSIONS}
        until = int(p.get("until_date") or 0)
        now = self._now()
        if until and (until - now < 30 or until - now > 366 * 86400):
            until = 0  # "considered to be restricted forever"
        if all(allowed.values()):
            new: JSON = {"status": "member", "user": user} if _is_in(old) else _left(user)
        else:
            new = {"status": "restricted", "user": user, "is_member": _is_in(old), **allowed,
                   "until_date": until}  # fmt: skip
        self._becomes(chat, bot, old, new, now)
        return True

    def _m_setchatpermissions(self, bot: Bot, p: JSON) -> bool:
        """The members' default permissions; administrators and the owner are not held by
        them. A permission left out is False, as the Bot API says of ChatPermissions."""
        chat = self._chat_of(bot, p)
        self._require(bot, chat, "can_restrict_members", "not enough rights to change chat "
                      "permissions")  # fmt: skip
        permissions = p["permissions"]
        new = {k: bool(permissions.get(k, False)) for k in SEND_PERMISSIONS + OTHER_PERMISSIONS}
        if new == chat.permissions:
            raise ApiError(400, "Bad Request: CHAT_NOT_MODIFIED")
        chat.permissions = new
        return True

    def _m_banchatmember(self, bot: Bot, p: JSON) -> bool:
        chat, user, old = self._restricting(bot, p)
        if old["status"] == "creator":
            raise ApiError(400, "Bad Request: can't remove chat owner")
        new = {"status": "kicked", "user": user, "until_date": int(p.get("until_date") or 0)}
        self._becomes(chat, bot, old, new, self._now(), tell=old["status"] != "kicked")
        return True

    def _m_unbanchatmember(self, bot: Bot, p: JSON) -> bool:
        chat, user, old = self._restricting(bot, p)
        # banned: free to join again; a member, unless `only_if_banned`: "the user will be
        # removed from the chat if they are a member"
        if old["status"] == "kicked" or (not p.get("only_if_banned") and _is_in(old)):
            self._becomes(chat, bot, old, _left(user), self._now())
        return True

    def _m_approvechatjoinrequest(self, bot: Bot, p: JSON) -> bool:
        chat = self._chat_of(bot, p)
        self._require(bot, chat, "can_invite_users", "not enough rights to manage join requests")
        user = self._user(p)
        request = chat.requests.pop(user["id"], None)
        if request is None:
            raise ApiError(400, "Bad Request: HIDE_REQUESTER_MISSING")
        self._enter(chat, user, bot.user, invite=request.get("invite_link"), via_request=True)
        return True

    def _m_declinechatjoinrequest(self, bot: Bot, p: JSON) -> bool:
        chat = self._chat_of(bot, p)
        self._require(bot, chat, "can_invite_users", "not enough rights to manage join requests")
        user = self._user(p)
        if chat.requests.pop(user["id"], None) is None:
            raise ApiError(400, "Bad Request: HIDE_REQUESTER_MISSING")
        return True

    def _m_createchatinvitelink(self, bot: Bot, p: JSON) -> JSON:
        chat = self._chat_of(bot, p)
        self._require(bot, chat, "can_invite_users", "not enough rights to manage chat invite link")
        joins = bool(p.get("creates_join_request"))
        if len(str(p.get("name") or "")) > 32:  # "name: Invite link name; 0-32 characters"
            raise ApiError(400, "Bad Request: invite link name is too long")
        if joins and p.get("member_limit"):
            raise ApiError(400, "Bad Request: can't combine member_limit with creates_join_request")
        link = f"https://t.me/+fake{abs(chat.id)}x{len(chat.links) + 1}"
        invite: JSON = {"invite_link": link, "creator": bot.user, "creates_join_request": joins,
                        "is_primary": False, "is_revoked": False}  # fmt: skip
        for key in ("name", "expire_date", "member_limit"):
            if p.get(key) not in (None, ""):
                invite[key] = p[key]
        chat.links[link] = invite
        return invite

    def _m_editchatinvitelink(self, bot: Bot, p: JSON) -> JSON:
        chat = self._chat_of(bot, p)
        self._require(bot, chat, "can_invite_users", "not enough rights to manage chat invite link")
        invite = self._invite_of(chat, p)
        if invite["is_revoked"]:  # MTProto's editExportedChatInvite: "The invite link has expired"
            raise ApiError(400, "Bad Request: INVITE_HASH_EXPIRED")
        if len(str(p.get("name") or "")) > 32:
            raise ApiError(400, "Bad Request: invite link name is too long")
        joins = bool(p.get("creates_join_request", invite["creates_join_request"]))
        if joins and (p.get("member_limit") or invite.get("member_limit")):
            raise ApiError(400, "Bad Request: can't combine member_limit with creates_join_request")
        invite["creates_join_request"] = joins
        for key in ("name", "expire_date", "member_limit"):
            if key in p:
                if p[key] in (None, ""):
                    invite.pop(key, None)
                else:
                    invite[key] = p[key]
        return invite

    def _m_revokechatinvitelink(self, bot: Bot, p: JSON) -> JSON:
        chat = self._chat_of(bot, p)
        self._require(bot, chat, "can_invite_users", "not enough rights to manage chat invite link")
        invite = self._invite_of(chat, p)
        if invite["is_revoked"]:
            raise ApiError(400, "Bad Request: INVITE_REVOKED_MISSING")
        invite["is_revoked"] = True
        return invite

    # --- inside -----------------------------------------------------------------------------

    def _invite_of(self, chat: Chat, p: JSON) -> JSON:
        invite = chat.links.get(str(p.get("invite_link") or ""))
        if invite is None:  # deleted, or never this chat's
            raise ApiError(400, "Bad Request: INVITE_HASH_EXPIRED")
        return invite

    def _now(self) -> int:
        return int(self.clock().timestamp())

    def _owner(self, chat: Chat) -> JSON:
        return next(m["user"] for m in chat.members.values() if m["status"] == "creator")

    def _chat_of(self, bot: Bot, p: JSON) -> Chat:
        chat = self.chats.get(int(p["chat_id"]))
        if chat is None or (chat.type != "private" and bot.user["id"] not in chat.members):
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _user(self, p: JSON) -> JSON:
        user = self.users.get(int(p["user_id"]))
        if user is None:
            raise ApiError(400, "Bad Request: PARTICIPANT_ID_INVALID")
        return user

    def _restricting(self, bot: Bot, p: JSON) -> tuple[Chat, JSON, JSON]:
        """For a call that restricts, bans or unbans (the bot needs the right to restrict
        members): the chat, the user named, and their membership before the call."""
        chat = self._chat_of(bot, p)
        self._require(
            bot,
            chat,
            "can_restrict_members",
            "not enough rights to restrict/unrestrict chat member",
        )
        user = self._user(p)
        return chat, user, chat.members.get(user["id"], _left(user))

    def _becomes(self, chat: Chat, bot: Bot, old: JSON, new: JSON, now: int, *,
                 tell: bool = True) -> None:  # fmt: skip
        """The bot made the member's status `new` (it was `old`) at `now`: kept, and with
        `tell` the `chat_member` update sent."""
        chat.members[new["user"]["id"]] = new
        if tell:
            self._emit(chat, "chat_member", _member_update(chat, bot.user, old, new, now))

    def _require(self, bot: Bot, chat: Chat, right: str, refusal: str) -> None:
        member = chat.members.get(bot.user["id"], {})
        if member.get("status") == "creator":
            return
        if member.get("status") != "administrator" or not member.get(right):
            raise ApiError(400, f"Bad Request: {refusal}")

    def _delete(self, bot: Bot, chat: Chat, ids: list[int], *, strict: bool = True) -> None:
        for message_id in ids:
            message = chat.messages.get(message_id)
            if message is None or message_id in chat.deleted:
                if strict:
                    raise ApiError(400, "Bad Request: message to delete not found")
                continue
            own = message.get("from", {}).get("id") == bot.user["id"]
            if not own:
                self._require(bot, chat, "can_delete_messages", "message can't be deleted")
            chat.deleted.add(message_id)

    def _check_limits(self, chat: Chat) -> None:
        now = self.clock().timestamp()
        until, lengthened_by = self._floods.get(chat.id, (0.0, 0))
        if now < until:
            self._floods[chat.id] = (until + lengthened_by, lengthened_by)
            after = max(1, int(until + lengthened_by - now + 0.999))
            raise ApiError(429, f"Too Many Requests: retry after {after}", after)
        if not self._limits or chat.type == "private":
            return
        sent = self._sent[chat.id]
        while sent and sent[0] <= now - 60:
            sent.popleft()
        if sent and now - sent[-1] < 1:
            raise ApiError(429, "Too Many Requests: retry after 1", 1)
        if len(sent) >= 20:
            after = max(1, int(sent[0] + 60 - now + 0.999))
            raise ApiError(429, f"Too Many Requests: retry after {after}", after)
        sent.append(now)

    def _message(self, chat: Chat, sender: JSON, text: str, *,
                 reply_to: int | None = None) -> JSON:  # fmt: skip
        message_id = next(chat.next_message)
        message: JSON = {"message_id": message_id, "from": sender, "date": self._now(),
                         "chat": chat.json(), "text": text}  # fmt: skip
        if reply_to is not None:
            original = dict(chat.messages[reply_to])
            original.pop("reply_to_message", None)  # Telegram nests one level only
            message["reply_to_message"] = original
        chat.messages[message_id] = message
        return message

    def _enter(self, chat: Chat, user: JSON, by: JSON, *, invite: JSON | None,
               via_request: bool = False) -> None:  # fmt: skip
        old = chat.members.get(user["id"], _left(user))
        if _is_in(old):
            return
        new: JSON = {"status": "member", "user": user}
        chat.members[user["id"]] = new
        now = self._now()
        update = _member_update(chat, by, old, new, now)
        if invite is not None:
            update["invite_link"] = invite
        if via_request:
            update["via_join_request"] = True
        # Telegram sends both: the service message and, to admins who asked, chat_member.
        service = {"message_id": next(chat.next_message), "from": by, "date": now,
                   "chat": chat.json(), "new_chat_members": [user]}  # fmt: skip
        chat.messages[service["message_id"]] = service
        self._emit(chat, "message", service)
        self._emit(chat, "chat_member", update)

    def _emit(self, chat: Chat, kind: str, payload: JSON, *, only_bot: int | None = None) -> None:
        """Queue the update for every bot that would receive it."""
        for bot in self.bots.values():
            bot_id = bot.user["id"]
            if only_bot is not None and bot_id != only_bot:
                continue
            member = chat.members.get(bot_id, {})
            if kind != "my_chat_member" and not _is_in(member):
                continue
            if kind in ("chat_member", "chat_join_request") and member.get("status") not in (
                "administrator",
                "creator",
            ):
                continue
            if kind not in bot.allowed:
                continue
            if kind == "message" and payload.get("from", {}).get("id") == bot_id:
                continue
            bot.updates.append({"update_id": next(self._update_ids), kind: payload})
            bot.woken.set()
            if bot.webhook:
                self._deliver(bot)

    def _deliver(self, bot: Bot) -> None:
        if bot.webhook and (bot.delivering is None or bot.delivering.done()):
            bot.delivering = asyncio.get_running_loop().create_task(self._push(bot))

    async def _push(self, bot: Bot) -> None:
        """POST pending updates to the webhook one by one, retrying until answered 200."""
        assert self._http is not None
        while bot.webhook and bot.updates:
            update = bot.updates[0]
            headers = {"X-Telegram-Bot-Api-Secret-Token": bot.secret} if bot.secret else {}
            try:
                async with self._http.post(bot.webhook, json=update, headers=headers,
                                           timeout=aiohttp.ClientTimeout(total=30)) as answer:  # fmt: skip
                    ok = answer.status == 200
            except (aiohttp.ClientError, TimeoutError):
                ok = False
            if ok:
                if bot.updates and bot.updates[0] is update:
                    bot.updates.pop(0)
            else:
                await asyncio.sleep(0.2)


_TAGS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
         "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
         "del": "strikethrough", "code": "code", "pre": "pre", "a": "text_link",
         "blockquote": "blockquote", "tg-spoiler": "spoiler"}  # fmt: skip
# A tag, an entity, or a `<`, `>` or `&` that is neither (which the documentation says must be
# written &lt;, &gt; and &amp;).
_PIECE = re.compile(r"<(/?)([a-z][a-z-]*)((?:\s+[a-z-]+(?:=\"[^\"<>]*\")?)*)\s*>"
                    r"|&(lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);|[<>&]")  # fmt: skip
_ATTRIBUTES = {"a": re.compile(r'\s+href="[^"]*"'), "code": re.compile(r'\s+class="language-[^"]*"'),
               "pre": re.compile(r""), "blockquote": re.compile(r"\s+expandable")}  # fmt: skip
_INLINE = frozenset({"bold", "italic", "underline", "strikethrough", "spoiler"})


def _refuse(marked: str, at: int, why: str) -> ApiError:
    byte = len(marked[:at].encode("utf-8"))
    return ApiError(400, f"Bad Request: can't parse entities: {why} at byte offset {byte}")


def _nesting(outer: str, inner: str) -> bool:
    """Whether an entity of type `inner` may be inside one of type `outer`, by the Bot API's
    rules ("bold, italic, underline, strikethrough, and spoiler entities can contain and can
    be part of any other entities, except pre and code"; "blockquote … can't be nested"; "all
    other entities can't contain each other"), read strictly: code only inside pre or a quote,
    pre only on its own. Telegram does not show such an entity as written; the fake refuses
    it so that a test sees it."""
    if outer in ("code", "pre"):
        return outer == "pre" and inner == "code"
    if inner in ("code", "pre", "blockquote"):
        return inner == "code" and outer == "blockquote"
    return inner in _INLINE if outer == "text_link" else True


def _mentioned_user(url: str, users: Mapping[int, JSON]) -> JSON | None:
    """The user a `tg://user?id=<user_id>` link mentions ("inline mention of a user", the Bot
    API's formatting options), as the `user` of the `text_mention` entity Telegram makes of
    it; None for another link, or a user unknown here (mentions are "only guaranteed to work"
    for users the bot has seen: the fake shows the words without an entity)."""
    found = re.fullmatch(r"tg://user\?id=([0-9]+)", url)
    return None if found is None else users.get(int(found.group(1)))


def _units(text: str) -> int:
    """How long the Bot API counts `text`: in UTF-16 code units (an emoji outside the Basic
    Multilingual Plane is two), after entities parsing."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _parse_html(marked: str, users: Mapping[int, JSON] | None = None) -> tuple[str, list[JSON]]:
    """Text and entities of a `parse_mode=HTML` message, as Telegram reads it (offsets in
    UTF-16 code units). Refused as Telegram refuses them: a tag it does not support (or with
    an attribute it does not take), an end tag that matches no start tag, a start tag never
    ended, a named entity other than &lt; &gt; &amp; &quot;, a bare `<`, `>` or `&`, and
    (see `_nesting`) an entity inside one that cannot hold it."""
    text, entities, at = "", [], 0
    open_tags: list[tuple[str, int, str, int]] = []
    for match in _PIECE.finditer(marked):
        text += marked[at : match.start()]
        at = match.end()
        piece = match.group(0)
        if piece in "<>&":
            raise _refuse(marked, match.start(), f'"{piece}" is not a tag or an entity; write '
                                                 f"it as {html.escape(piece)}")  # fmt: skip
        if match.group(4) is not None:
            text += html.unescape(piece)
            continue
        closing, tag, attributes = match.group(1) == "/", match.group(2), match.group(3)
        if tag not in _TAGS:
            raise _refuse(marked, match.start(), f'Unsupported start tag "{tag}"')
        if attributes and (closing or tag not in _ATTRIBUTES
                           or not _ATTRIBUTES[tag].fullmatch(attributes)):  # fmt: skip
            raise _refuse(marked, match.start(), f'Unsupported attributes of tag "{tag}"')
        offset = len(text.encode("utf-16-le")) // 2
        if not closing:
            for outer, *_ in open_tags:
                if not _nesting(_TAGS[outer], _TAGS[tag]):
                    raise _refuse(marked, match.start(), f'"{tag}" cannot be inside "{outer}"')
            open_tags.append((tag, offset, attributes, match.start()))
            continue
        if not open_tags or open_tags[-1][0] != tag:
            raise ApiError(400, f'Bad Request: can\'t parse entities: Unmatched end tag "{tag}"')
        _, start, attributes, _ = open_tags.pop()
        entity: JSON = {"type": _TAGS[tag], "offset": start, "length": offset - start}
        if tag == "a":
            href = re.search(r'href="([^"]*)"', attributes)
            entity["url"] = html.unescape(href.group(1)) if href else ""
            user = _mentioned_user(entity["url"], users or {})
            if user is not None:  # an inline mention: Telegram notifies the user
                entity = {"type": "text_mention", "offset": start, "length": offset - start,
                          "user": user}  # fmt: skip
            elif entity["url"].startswith("tg://user"):
                continue  # a user Telegram cannot mention: the words alone
        entities.append(entity)
    text += marked[at:]
    if open_tags:
        tag, _, _, where = open_tags[-1]
        raise _refuse(marked, where, f'Can\'t find end tag corresponding to start tag "{tag}"')
    return text, sorted(entities, key=lambda e: (e["offset"], -e["length"]))


# The most a bot may upload: "photos … at most 10 MB", "other files … up to 50 MB".
MEDIA_LIMITS = {"photo": 10 * 1000 * 1000, "video": 50 * 1000 * 1000,
                "voice": 50 * 1000 * 1000, "document": 50 * 1000 * 1000}  # fmt: skip


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request (or, with its `file_id`, a file a bot uploaded
    before and sends again by that id)."""

    filename: str
    content_type: str
    data: bytes
    file_id: str | None = None


def _file_parts(form: Any) -> JSON:
    """The file parts of a multipart form, read whole."""
    return {key: UploadedFile(value.filename, value.content_type, value.file.read())
            for key, value in form.items() if isinstance(value, web.FileField)}  # fmt: skip


def _photo_size(data: bytes) -> tuple[int, int]:
    """A photo's width and height; refused as Telegram refuses what it cannot read as one."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except (OSError, ValueError):
        raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED") from None
    if width + height > 10_000 or max(width, height) > 20 * min(width, height):
        raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
    return width, height


def _left(user: JSON) -> JSON:
    return {"status": "left", "user": user}


def _is_in(member: JSON) -> bool:
    status = member.get("status")
    return status in ("creator", "administrator", "member") or (
        status == "restricted" and bool(member.get("is_member"))
    )


def _member_update(chat: Chat, by: JSON, old: JSON, new: JSON, date: int = 0) -> JSON:
    return {"chat": chat.json(), "from": by, "date": date, "old_chat_member": old,
            "new_chat_member": new}  # fmt: skip


async def _params(request: web.Request) -> JSON:
    """A method's parameters, however they were sent: query string, JSON, or a form whose
    arrays and objects are JSON-serialised strings."""
    params: JSON = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            params.update(await request.json())
        else:
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
            params.update(_file_parts(form))
    for key, value in list(params.items()):
        if not isinstance(value, str):
            continue
        if key in INT_FIELDS and value.lstrip("-").isdigit():
            params[key] = int(value)
        elif value[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
        elif value in ("true", "false"):
            params[key] = value == "true"
    return params
