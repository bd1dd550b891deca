"""Telegram as a `Carrier`, on aiogram's `Bot` (the Bot API client; its dispatcher is not
used: the engine is the dispatcher). Updates come by long polling or by webhook; either way
Telegram keeps an update until the bot confirms it, and the carrier confirms only what the
engine has recorded: a crash loses nothing, and what comes again the engine has seen.

- Long polling: `getUpdates` with `offset` one past the last update the engine recorded.
- Webhook: `receive` (the route `plugin.py` adds to the web app) answers 200 once the engine
  recorded the update's event; otherwise Telegram posts it again.

The pure parts: `translate.py` (updates → events) and `outgoing.py` (texts, errors).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.types import LinkPreviewOptions, ReplyParameters, Update

from hearthkeeper.capabilities.appeals.private import answer as answer_privately
from hearthkeeper.carriers.assets import (
    Asset,
    AssetRefused,
    Remembered,
    alert_language,
    asset_of,
    tell_staff,
)
from hearthkeeper.carriers.parts import SentParts, entry, fingerprint, ids, resume
from hearthkeeper.carriers.pictures import (
    CHUNK,
    LIMITS,
    PictureLimits,
    PictureUnread,
    read_within,
    with_pictures,
)
from hearthkeeper.carriers.sizes import over
from hearthkeeper.carriers.telegram import admit
from hearthkeeper.carriers.telegram.chats import ChatMap
from hearthkeeper.carriers.telegram.closing import (
    can_send,
    record_open,
    recorded_open,
    refused,
    without_sending,
)
from hearthkeeper.carriers.telegram.files import (
    FILE,
    FILE_BYTES,
    KnownFiles,
    caption_of,
    send_file,
    sent_as,
)
from hearthkeeper.carriers.telegram.links import (
    CONFIRM_EVERY,
    DIGEST,
    MadeLink,
    link_gone,
    link_name,
    record_gone,
    record_link,
    recorded_link,
    source_in_name,
)
from hearthkeeper.carriers.telegram.mentions import NOBODY, Mentions, mentioned, mentions_of
from hearthkeeper.carriers.telegram.outgoing import (
    MUTED,
    TEXT_LIMIT,
    UNMUTED,
    already_done,
    carrier_error,
    cut_parts,
    markdown_parts,
    rendered,
    shown_length,
    until_date,
)
from hearthkeeper.carriers.telegram.private import Answered, language_of, with_appeal
from hearthkeeper.carriers.telegram.settings import TelegramSettings
from hearthkeeper.carriers.telegram.translate import (
    CARRIER,
    BotIdentity,
    JoinAsk,
    PrivateText,
    link_of,
    translate,
)
from hearthkeeper.clock import Clock
from hearthkeeper.engine.actions import UNLESS_UNREACHABLE, Action, ActionKind
from hearthkeeper.engine.admission import Admission, Entry, JoinRequest
from hearthkeeper.engine.carrier import Capabilities, CarrierError, RateLimit
from hearthkeeper.engine.events import Attachment, Event, Join
from hearthkeeper.store import NewStaffAlert, Store
from hearthkeeper.store.join_sources import SqlJoinSources

log = logging.getLogger(__name__)
T = TypeVar("T")
UNNAMED = "hearth live code"  # the join link made for no token

ACK_WAIT = 10.0  # seconds at most an update waits for the engine to record its event
ALLOWED_UPDATES = ["message", "edited_message", "chat_member", "my_chat_member",
                   "chat_join_request"]  # fmt: skip
CAN = frozenset({
    ActionKind.REPLY, ActionKind.SEND, ActionKind.WARN, ActionKind.DELETE, ActionKind.KICK,
    ActionKind.BAN, ActionKind.UNBAN, ActionKind.MUTE, ActionKind.UNMUTE, ActionKind.ALERT_STAFF,
    ActionKind.ADMIT, ActionKind.DECLINE, ActionKind.DIRECT, ActionKind.CLOSE, ActionKind.REOPEN,
})  # fmt: skip
# https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this
QUOTAS = Capabilities(can=CAN, per_group=RateLimit(count=20, seconds=60),
                      per_group_burst=RateLimit(count=1, seconds=1),
                      overall=RateLimit(count=30, seconds=1), max_text=TEXT_LIMIT)  # fmt: skip


@dataclass(frozen=True)
class HeldLink:
    """An invite link the bot hands out, and when Telegram was last asked about it and did
    not say it was gone (None: found in the audit log after a restart, not asked since)."""

    link: str
    confirmed: datetime | None


class Pending:
    """The events handed out and not yet recorded by the engine."""

    def __init__(self) -> None:
        self._keys: set[str] = set()
        self.settled = asyncio.Event()
        self.settled.set()

    def add(self, events: Sequence[Event]) -> None:
        self._keys.update(e.key for e in events)
        if self._keys:
            self.settled.clear()

    def done(self, events: Sequence[Event]) -> None:
        self._keys.difference_update(e.key for e in events)
        if not self._keys:
            self.settled.set()

    def waiting(self, events: Sequence[Event]) -> bool:
        return any(e.key in self._keys for e in events)


# Posts with a file performed at once, aside from the outbound queue's path (`SlowActions`):
# a file of up to 50 MB uploaded to Telegram holds up neither replies nor other groups, and a
# few uploads at a time keep the bandwidth (and the files read into memory) within bounds.
UPLOADS_AT_ONCE = 2
TEXTS = frozenset({ActionKind.REPLY, ActionKind.SEND, ActionKind.WARN, ActionKind.DIRECT})
# Between two parts of a long text: Telegram takes about one message a second in a chat (more
# is refused with 429s, each of which a retry would count as a failed attempt).
PART_GAP_S = 1.0


class TelegramCarrier:
    """A bot serving the Telegram groups of `chats`."""

    name = CARRIER
    slow_at_once = UPLOADS_AT_ONCE

    def __init__(self, settings: TelegramSettings, chats: ChatMap, clock: Clock, *,
                 admission: Admission | None = None, store: Store | None = None,
                 pictures: PictureLimits = LIMITS) -> None:  # fmt: skip
        self.settings = settings
        # photos are downloaded for moderation to read for QR codes, within these limits
        self.pictures = pictures
        # where the links made for live codes and referrals are written down (None: the
        # admission's store; neither: kept in memory only)
        self.store = store if store is not None else (admission.store if admission else None)
        self.chats = chats
        self.clock = clock
        self.admission = admission  # screens join requests (None: left to staff)
        self.capabilities = QUOTAS
        self.bot = BotIdentity(user_id=int(settings.bot_id))
        self._client: Bot | None = None
        self._offset: int | None = None
        self._pending = Pending()
        self._inbox: asyncio.Queue[Event] = asyncio.Queue()  # webhook: events to hand out
        self._closed = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._links: dict[tuple[str, str], HeldLink] = {}  # (chat id, token) → the link made
        self._link_locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._sources: dict[str, str] = {}  # a digest link name → its token
        # (chat, user) → the token of their request, when there is no store to keep it in
        self._asked: dict[tuple[str, str], str] = {}
        self._known_files = KnownFiles()  # their Telegram file ids, by their bytes
        self._let_in_links = Remembered[str]()  # let-in links made, by outbox key
        self._declined = Remembered[bool]()  # join requests declined, by outbox key
        self._parts_sent = SentParts(CARRIER, self.store)  # a long text's parts sent, by key
        self._answered = Answered()  # the last answer to each person in the private chat

    # --- the Carrier protocol ---------------------------------------------------------------

    async def connect(self) -> None:
        """Check the token (getMe), then point Telegram at this process: remove any webhook
        for long polling (pending updates stay), or set ours with its secret."""
        session = AiohttpSession(api=TelegramAPIServer.from_base(self.settings.api_base))
        client = Bot(self.settings.token, session=session)
        try:
            me = await client.get_me()
            if self.settings.mode == "webhook":
                await client.set_webhook(self.settings.webhook_url,
                                         secret_token=self.settings.webhook_secret,
                                         allowed_updates=ALLOWED_UPDATES)  # fmt: skip
            else:
                await client.delete_webhook(drop_pending_updates=False)
        except (TelegramAPIError, TelegramNetworkError) as exc:
            await session.close()
            raise carrier_error(exc, f"telegram: signing in at {self.settings.api_base}") from exc
        self.bot = BotIdentity(user_id=me.id, username=me.username or "")
        self._client = client
        self._loop = asyncio.get_running_loop()
        self._closed.clear()

    async def events(self) -> AsyncIterator[Event]:
        """Updates as events, until disconnected."""
        if self.settings.mode == "webhook":
            while not self._closed.is_set():
                yield await self._inbox.get()
            return
        while not self._closed.is_set():
            updates = await self._poll()
            if not updates:
                continue
            events = await self._read(updates)
            self._pending.add(events)
            for event in events:
                yield event
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(ACK_WAIT):
                    await self._pending.settled.wait()
            # Confirmed with the next getUpdates: Telegram forgets them only then.
            self._offset = max(u.update_id for u in updates) + 1

    def handled(self, events: Sequence[Event]) -> None:
        """The engine recorded `events`: their updates may be confirmed."""
        self._pending.done(events)

    async def receive(self, body: dict[str, Any]) -> bool:
        """A webhook update: True once its event is recorded (answer 200), False when it was
        not in time (answer an error: Telegram posts it again; the engine skips a repeat)."""
        client = self._require_client()
        update = Update.model_validate(body, context={"bot": client})
        events = await self._read([update])
        if not events:
            return True
        self._pending.add(events)
        for event in events:
            self._inbox.put_nowait(event)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(ACK_WAIT):
                await self._pending.settled.wait()
        return not self._pending.waiting(events)

    def slow(self, action: Action) -> bool:
        """A post with a file (uploaded as multipart form data, up to 50 MB), or a text longer
        than a message (its parts a second apart), a direct message's too, is performed aside
        by the outbound queue (`engine/aside.py`): direct messages, which name no group, share
        one lane, so a later one waits for a long one and they keep their order."""
        long = shown_length(action.text or "", parsed=False) > TEXT_LIMIT
        return long or asset_of(action) is not None

    def messages(self, action: Action) -> int:
        """The messages performing `action` sends in its chat, each counted by the outbound
        queue against the chat's 20 a minute (`SendsInParts`): a text longer than a message,
        its parts (as `_send` cuts it, before any mention's room); a post's file, one more
        when its text is too long to be the file's caption."""
        text = action.text or ""
        markdown = action.extra.get("format") == "markdown"
        file = asset_of(action) is not None
        if file and (not text or caption_of(text, markdown) is not None):
            return 1
        if action.kind not in TEXTS or shown_length(text, parsed=False) <= TEXT_LIMIT:
            return 1 + file
        return len((markdown_parts if markdown else cut_parts)(text, TEXT_LIMIT, None)) + file

    async def perform(self, action: Action, key: str) -> str | None:
        """Do one action (Telegram takes no idempotency key: the queue marks each one done
        before the next)."""
        if action.kind is ActionKind.ALERT_STAFF:
            return None  # the inbox, the staff group and direct messages carry an alert
        client = self._require_client()
        doing = f"telegram: {action.kind} in {action.group or action.member}"
        action = with_appeal(action, self.bot.username)  # a ban's notice: appeal here, in private
        try:
            return await self._perform(client, action, key)
        except TelegramAPIError as exc:
            if already_done(exc):
                return None
            raise carrier_error(exc, doing) from exc
        except TelegramNetworkError as exc:
            raise carrier_error(exc, doing) from exc

    async def disconnect(self) -> None:
        """Stop receiving and close the HTTP session (a webhook stays set: Telegram keeps
        what comes meanwhile and posts it once the server is back)."""
        self._closed.set()
        if self._client is not None:
            await self._client.session.close()
            self._client = None
        self._loop = None

    # --- what the web side asks -------------------------------------------------------------

    def call(self, work: Coroutine[Any, Any, T], timeout: float) -> T:
        """Run `work` on the carrier's loop from another thread (a web request's) and wait
        at most `timeout` seconds for it."""
        loop = self._loop
        if loop is None or loop.is_closed():
            work.close()
            raise CarrierError("telegram: not connected (the bot is not running)", retry=True)
        future = asyncio.run_coroutine_threadsafe(work, loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError as exc:
            raise CarrierError(f"telegram: no answer within {timeout:.0f}s", retry=True) from exc

    async def join_link(self, chat_id: str, source: str | None = None) -> str:
        """The link live codes and referrals send newcomers by: it makes a join request,
        which the bot screens with the community's threshold (so one link serves every
        threshold). One link per group and token (`source`: `code:<slug>`, `ref:<token>`),
        named after the token, so the newcomer's join says which channel or member brought
        them (`links.py`); made once, found again after a restart, and asked about at most
        every `CONFIRM_EVERY`: one Telegram says is revoked or gone is replaced."""
        token = source if source_in_name(source) else None
        key = (chat_id, token or "")
        name = UNNAMED if token is None else link_name(token)
        async with self._link_locks.setdefault(key, asyncio.Lock()):  # one check or make at once
            now = self.clock.now()
            held = self._links.get(key)
            if held is None and token is not None:
                recorded = await asyncio.to_thread(self._recorded_link, chat_id, token)
                held = None if recorded is None else HeldLink(recorded, confirmed=None)
            confirmed = None if held is None else held.confirmed
            if held is not None and confirmed is not None and now - confirmed < CONFIRM_EVERY:
                return held.link
            if held is not None and await self._still_works(chat_id, held.link, name):
                self._links[key] = HeldLink(held.link, confirmed=now)
                return held.link
            if held is not None:
                log.warning("telegram: the invite link %s (%s) of %s was revoked or is gone; "
                            "handing out a new one", held.link, name, chat_id)  # fmt: skip
                if token is not None:
                    await asyncio.to_thread(self._record_gone, MadeLink(chat_id, token, held.link))
            link = await self._make_link(chat_id, name)
            if token is not None:
                self._sources[name] = token
                await asyncio.to_thread(self._record_link, MadeLink(chat_id, token, link))
            self._links[key] = HeldLink(link, confirmed=now)
            return link

    async def _make_link(self, chat_id: str, name: str) -> str:
        client = self._require_client()
        try:
            made = await client.create_chat_invite_link(int(chat_id), name=name,
                                                        creates_join_request=True)  # fmt: skip
        except (TelegramAPIError, TelegramNetworkError) as exc:
            raise carrier_error(exc, f"telegram: an invite link to {chat_id}") from exc
        return made.invite_link

    async def _still_works(self, chat_id: str, link: str, name: str) -> bool:
        """Whether Telegram still takes `link` (False only when it says it is revoked or gone:
        an answer that says nothing about the link keeps it, `links.py`)."""
        client = self._require_client()
        try:
            edited = await client.edit_chat_invite_link(int(chat_id), link, name=name,
                                                        creates_join_request=True)  # fmt: skip
        except TelegramAPIError as exc:  # aiogram's TelegramNetworkError is one too
            if link_gone(exc.message):
                return False
            log.warning("telegram: cannot check the invite link %s of %s (%s); handing it out",
                        link, chat_id, exc.message)  # fmt: skip
            return True
        return not edited.is_revoked

    # --- inside -----------------------------------------------------------------------------

    async def _poll(self) -> list[Update]:
        client = self._require_client()
        timeout = self.settings.poll_timeout
        try:
            return await client.get_updates(offset=self._offset, timeout=timeout,
                                            allowed_updates=ALLOWED_UPDATES,
                                            request_timeout=timeout + 15)  # fmt: skip
        except TelegramRetryAfter as exc:
            await asyncio.sleep(exc.retry_after)
        except (TelegramAPIError, TelegramNetworkError) as exc:
            error = carrier_error(exc, "telegram: getUpdates")
            if not error.retry and "Unauthorized" in str(exc):
                raise error from exc
            log.warning("%s; trying again in 2 s", error)
            await asyncio.sleep(2)
        return []

    async def _read(self, updates: Sequence[Update]) -> list[Event]:
        """The events of mapped groups, in order; join requests screened on the way."""
        events: list[Event] = []
        for update in updates:
            found = translate(update, self.bot, await self._digests(update))
            if found is None:
                continue
            if isinstance(found, PrivateText):
                await self._answer(found)
            elif isinstance(found, JoinAsk):
                if self.chats.accepts(found.chat_id):
                    if found.source is not None:
                        await asyncio.to_thread(self._remember, found.chat_id, found.user_id,
                                                found.source)  # fmt: skip
                    await self._screen(found)
            elif self.chats.accepts(found.group):
                if isinstance(found, Join):
                    found = await asyncio.to_thread(self._attributed, found)
                events.append(found)
        # The photos' bytes, fetched together before the events are handed out (bounded in
        # bytes and time): moderation reads them for QR codes as the web chat's.
        return await with_pictures(events, self._picture, CARRIER, self.pictures)

    async def _picture(self, attachment: Attachment, limit: int) -> bytes:
        """A photo's bytes (or an image file's, a still sticker's): getFile on the size
        `translate` chose (the file's, the sticker's `file_id`), then the file endpoint
        (`/file/bot<token>/<file_path>`, through aiogram's session), at most `limit` of them."""
        if attachment.url is None:
            raise PictureUnread("every size of the photo is over the limit")
        if attachment.size is not None and attachment.size > limit:  # said by Telegram
            said, most = over(attachment.size, limit)
            raise PictureUnread(f"{said} is over the limit of {most}")
        client = self._require_client()
        found = await client.get_file(attachment.url,
                                      request_timeout=int(self.pictures.fetch_seconds) + 1)  # fmt: skip
        if not found.file_path:
            raise PictureUnread("Telegram gave no file_path for it")
        url = client.session.api.file_url(client.token, found.file_path)
        chunks = client.session.stream_content(url, timeout=int(self.pictures.fetch_seconds) + 1,
                                               chunk_size=CHUNK)  # fmt: skip
        try:  # a size over the limit is refused before the download starts
            return await read_within(chunks, limit, found.file_size)
        finally:
            await chunks.aclose()

    def _remember(self, chat_id: str, user_id: str, source: str) -> None:
        """Keep the token of a join request's link until their join (staff may approve it by
        hand much later, after a restart: the store keeps it, `join_sources`)."""
        if self.store is None:
            self._asked[(chat_id, user_id)] = source
            return
        SqlJoinSources.on(self.store).remember(CARRIER, chat_id, user_id, source,
                                               self.clock.now())  # fmt: skip

    def _forget(self, chat_id: str, user_id: str) -> None:
        self._asked.pop((chat_id, user_id), None)
        if self.store is not None:
            SqlJoinSources.on(self.store).forget(CARRIER, chat_id, user_id)

    def _attributed(self, event: Join) -> Join:
        """A join whose update names no link (staff approved the request by hand in the app,
        say) carries the token of the request the bot saw from them, if any; either way the
        join takes the token kept for them (a thread's work: it reads and writes the store)."""
        if self.store is None:
            asked = self._asked.pop((event.group, event.sender.user_id), None)
        else:
            asked = SqlJoinSources.on(self.store).take(CARRIER, event.group, event.sender.user_id,
                                                       event.event_id, event.at)  # fmt: skip
        if event.source is not None or asked is None:
            return event
        return dataclasses.replace(event, source=asked)

    async def _digests(self, update: Update) -> dict[str, str]:
        """The token of the digest-named link `update` came by (`links.py`), when it is one."""
        link = link_of(update)
        name = None if link is None else link.name
        if link is None or name is None or not name.startswith(DIGEST):
            return {}
        token = self._sources.get(name)
        chat = update.chat_member or update.chat_join_request
        if token is None and chat is not None:
            token = await asyncio.to_thread(self._recorded_source, str(chat.chat.id),
                                            link.invite_link, name)  # fmt: skip
        if token is None:
            return {}
        self._sources[name] = token
        return {name: token}

    def _community_of(self, chat_id: str) -> int | None:
        group = None if self.store is None else self.store.group_for_carrier(CARRIER, chat_id)
        return None if group is None else group.community_id

    def _record_link(self, made: MadeLink) -> None:
        community = self._community_of(made.chat_id)
        if self.store is not None and community is not None:
            record_link(self.store, community, made)

    def _record_gone(self, gone: MadeLink) -> None:
        community = self._community_of(gone.chat_id)
        if self.store is not None and community is not None:
            record_gone(self.store, community, gone)

    def _recorded_link(self, chat_id: str, token: str) -> str | None:
        community = self._community_of(chat_id)
        if self.store is None or community is None:
            return None
        made = recorded_link(self.store, community, link_name(token), chat_id, source=token)
        return None if made is None else made.link

    def _recorded_source(self, chat_id: str, link: str, name: str) -> str | None:
        """The token of the link the bot made in the chat under the digest `name`."""
        community = self._community_of(chat_id)
        if self.store is None or community is None:
            return None
        made = recorded_link(self.store, community, name, chat_id, link=link)
        return None if made is None else made.source

    async def _answer(self, said: PrivateText) -> None:
        """Answer a person writing to the bot in private: a banned member's appeal filed, or
        where they stand (`capabilities/appeals/private.py`). The same answer is not said
        again within a minute (`Answered`)."""
        if self.store is None:
            return
        now = self.clock.now()
        try:
            text = await asyncio.to_thread(answer_privately, self.store, CARRIER,
                                           self.chats.chats, said.user_id, said.text, now,
                                           language=language_of(said.language_code))  # fmt: skip
        except Exception:  # a failing store: this person unanswered, never the groups' updates
            log.exception("telegram: %s's private message was not answered", said.user_id)
            return
        if self._answered.again(said.user_id, text, now):
            return
        try:
            await self._require_client().send_message(said.chat_id, text)
        except (TelegramAPIError, TelegramNetworkError) as exc:
            log.warning("telegram: %s was not answered in private: %s", said.user_id, exc)

    async def _screen(self, ask: JoinAsk) -> None:
        """Ask the door: admitted → approved; refused → declined, the reason sent to them in
        private; pending → left for staff (their decision comes as ADMIT or DECLINE)."""
        if self.admission is None:
            return
        store = self.admission.store
        group = await asyncio.to_thread(store.group_for_carrier, CARRIER, ask.chat_id)
        if group is None:
            return
        # Telegram has no form: the requester's bio is the answer, and the invite code
        request = JoinRequest(carrier=CARRIER, group_id=group.id, user_id=ask.user_id,
                              display_name=ask.display_name, source=ask.source,
                              answers=(ask.bio,) if ask.bio else (), code=ask.bio or None)  # fmt: skip
        client = self._require_client()
        try:
            verdict = await asyncio.to_thread(self.admission.screen, request)
            if verdict.entry is Entry.ADMIT:
                await client.approve_chat_join_request(int(ask.chat_id), int(ask.user_id))
            elif verdict.entry is Entry.REFUSE:
                await asyncio.to_thread(self._forget, ask.chat_id, ask.user_id)
                await client.decline_chat_join_request(int(ask.chat_id), int(ask.user_id))
                said = "\n".join(t for t in (verdict.reason, *verdict.questions) if t)
                if said:
                    await client.send_message(ask.user_chat_id, said)
        except (TelegramAPIError, TelegramNetworkError) as exc:
            log.warning("telegram: the join request of %s to %s was not answered: %s",
                        ask.user_id, ask.chat_id, exc)  # fmt: skip

    async def _perform(self, client: Bot, action: Action, key: str) -> str | None:
        kind = action.kind
        if kind is ActionKind.DIRECT:
            return await self._direct(client, action, key)
        chat = _id(action.group, str(kind))
        asset = asset_of(action)
        if asset is not None:  # a scheduled post's picture or file, its text as the caption
            captioned = await self._send_file(client, chat, action, key, asset)
            if captioned is not None:
                return captioned
        if kind in (ActionKind.REPLY, ActionKind.SEND, ActionKind.WARN):
            return await self._send(client, chat, action, key)
        if kind is ActionKind.DELETE:
            await client.delete_message(chat, _id(action.target, "a delete"))
            return None
        if kind in (ActionKind.CLOSE, ActionKind.REOPEN):
            await self._close_chat(client, chat, close=kind is ActionKind.CLOSE)
            return None
        member = _id(action.member, str(kind))
        if kind is ActionKind.MUTE:
            seconds = action.duration.total_seconds() if action.duration else 0.0
            until = until_date(self.clock.now().timestamp(), seconds)
            await client.restrict_chat_member(chat, member, MUTED, until_date=until)
        elif kind is ActionKind.UNMUTE:
            await client.restrict_chat_member(chat, member, UNMUTED)
        elif kind is ActionKind.KICK:  # Telegram removes by a ban lifted at once
            await client.ban_chat_member(chat, member)
            await client.unban_chat_member(chat, member, only_if_banned=True)
        elif kind is ActionKind.BAN:
            await client.ban_chat_member(chat, member)
        elif kind is ActionKind.UNBAN:
            await client.unban_chat_member(chat, member, only_if_banned=True)
        elif kind is ActionKind.ADMIT:
            try:
                await client.approve_chat_join_request(chat, member)
            except TelegramAPIError as exc:
                if not admit.request_gone(exc):
                    raise
                await self._let_in(client, chat, member, action, key)
        elif kind is ActionKind.DECLINE:
            await self._decline(client, chat, member, action, key)
        else:
            raise CarrierError(f"telegram: cannot {kind}", retry=False)
        if action.text and kind in (ActionKind.KICK, ActionKind.BAN, ActionKind.MUTE):
            # No private notice reaches a member who never wrote to the bot: said in the group.
            return await self._send(client, chat, action, key)
        return None

    async def _direct(self, client: Bot, action: Action, key: str) -> str | None:
        """A message to a person in the bot's private chat. One that may find it never opened
        (`UNLESS_UNREACHABLE`: a banned member's notice) is dropped when Telegram refuses it
        for that: the bot may write only to someone who pressed Start and has not blocked it."""
        member = _id(action.member, "a direct message")
        try:
            return await self._send(client, member, action, key)
        except TelegramAPIError as exc:
            if (not action.extra.get(UNLESS_UNREACHABLE)
                    or isinstance(exc, TelegramNetworkError | TelegramRetryAfter)
                    or not admit.unreachable(exc)):  # fmt: skip
                raise
        log.info("telegram: %s has no private chat with the bot; not told: %s", member,
                 action.reason)  # fmt: skip
        return None

    async def _close_chat(self, client: Bot, chat: int, *, close: bool) -> None:
        """Closed: members can send nothing, what they could is written down (`closing.py`);
        reopened: that given back."""
        community = await asyncio.to_thread(self._community_of, str(chat))
        store = self.store
        if close:
            now = (await client.get_chat(chat)).permissions
            if not can_send(now):
                return  # closed already (this action performed again after a crash)
            if store is not None and community is not None:
                await asyncio.to_thread(record_open, store, community, str(chat), now)
            permissions = without_sending(now)
        elif store is not None and community is not None:
            permissions = await asyncio.to_thread(recorded_open, store, community, str(chat))
        else:
            permissions = UNMUTED
        try:
            await client.set_chat_permissions(chat, permissions,
                                              use_independent_chat_permissions=True)  # fmt: skip
        except TelegramAPIError as exc:
            if already_done(exc):
                return
            raise refused(exc, f"telegram: {'closing' if close else 'reopening'} {chat}") from exc

    async def _decline(self, client: Bot, chat: int, member: int, action: Action,
                       key: str) -> None:  # fmt: skip
        """Decline a join request staff refused, then tell the person why in private when the
        bot may write to them (they opened its private chat); when it may not, staff are
        told that the person was not. A retry after the decline only tells them."""
        if self._declined.get(key) is None:
            try:
                await client.decline_chat_join_request(chat, member)
            except TelegramAPIError as exc:
                if not admit.request_gone(exc):  # withdrawn meanwhile: still told
                    raise
            self._declined.add(key, True)
        if not action.text:
            return
        try:
            await client.send_message(member, action.text)
            return
        except TelegramAPIError as exc:
            if isinstance(exc, TelegramNetworkError | TelegramRetryAfter) or not admit.unreachable(
                exc
            ):
                raise
        log.info("telegram: %s cannot be written to; staff are told they were not told", member)
        group = None if self.store is None else await asyncio.to_thread(
            self.store.group_for_carrier, CARRIER, str(chat))  # fmt: skip
        if self.store is not None and group is not None:
            applicant = str(action.extra.get("applicant") or member)
            text = admit.say("untold", alert_language(action), name=applicant, group=group.name,
                             text=action.text)  # fmt: skip
            alert = NewStaffAlert(f"{key}:untold", group.community_id, group.id, None, None,
                                  "admission", text, "refused: not told", self.clock.now())  # fmt: skip
            await asyncio.to_thread(self.store.add_staff_alerts, [alert])

    def let_in_link(self, key: str) -> str | None:
        """The invite link made for the approval under outbox key `key`, sent to the person
        (or to staff) because their join request was gone (`LinkAdmitting`)."""
        return self._let_in_links.get(key)

    async def _let_in(self, client: Bot, chat: int, member: int, action: Action,
                      key: str) -> None:  # fmt: skip
        """Let in an approved applicant whose join request is gone (`admit.py`): a link of
        their own, sent in private, or to staff when the bot cannot write to them."""
        status: str
        try:
            found = await client.get_chat_member(chat, member)
            status, inside = found.status, bool(getattr(found, "is_member", False))
        except TelegramBadRequest:  # "user not found": never in the group, so not in it now
            status, inside = "left", False
        if status in ("creator", "administrator", "member") or inside:
            return  # let in meanwhile (by hand in the app)
        group = None if self.store is None else await asyncio.to_thread(
            self.store.group_for_carrier, CARRIER, str(chat))  # fmt: skip
        name = group.name if group is not None else str(chat)
        language = alert_language(action)
        if status == "kicked":
            raise CarrierError(admit.say("banned", language, member=member, group=name),
                               retry=False)  # fmt: skip
        link = self._let_in_links.get(key)  # made before a failure to send it: the same link
        if link is None:
            # a link that asks to join, so the door lets in the person staff approved and
            # screens anyone they passed it on to (a link that admits directly let them in)
            made = await client.create_chat_invite_link(chat, name=admit.link_name(str(member)),
                                                        creates_join_request=True)  # fmt: skip
            link = made.invite_link
            self._let_in_links.add(key, link)
        try:
            await client.send_message(member, admit.say("invite", language, group=name, link=link),
                                      link_preview_options=LinkPreviewOptions(is_disabled=True))  # fmt: skip
            return
        except TelegramAPIError as exc:
            if isinstance(exc, TelegramNetworkError | TelegramRetryAfter) or not admit.unreachable(
                exc
            ):
                raise
        log.info("telegram: %s cannot be written to; staff are given the link to %s", member, chat)
        if self.store is not None and group is not None:
            applicant = str(action.extra.get("applicant") or member)
            text = admit.say("staff", language, name=applicant, group=name, link=link)
            alert = NewStaffAlert(f"{key}:link", group.community_id, group.id, None, None,
                                  "admission", text, "let in after all: send them the link",
                                  self.clock.now())  # fmt: skip
            await asyncio.to_thread(self.store.add_staff_alerts, [alert])

    async def _send_file(self, client: Bot, chat: int, action: Action, key: str,
                         asset: Asset) -> str | None:  # fmt: skip
        """Send a post's file; its message id when the text went as its caption (None: the
        text is still to send). Once it went, it is kept with the outbox item (`FILE`, before
        the text's parts), so a retry after the text failed, or after a crash between, sends
        the text alone. A file Telegram cannot take is left out, and staff are told once,
        naming it."""
        kept = await self._parts_sent.sent(key)
        if kept[:1] and kept[0].startswith(FILE):  # sent before the text failed: text only
            return None
        # the members the post is meant to tell are mentioned in its caption, when the text
        # goes as one (else in the text that follows it, `_send`)
        mentions = await self._mentions(action)
        caption = caption_of(action.text or "", action.extra.get("format") == "markdown",
                             mentions)  # fmt: skip
        language = alert_language(action)
        try:
            data = await asyncio.to_thread(asset.read, FILE_BYTES, language)
            kind = asset.kind
            if kind == "picture":
                kind = await asyncio.to_thread(sent_as, data, language)
                if kind != "picture":
                    log.info("telegram: %s goes to %s as a document: it is over what Telegram "
                             "takes as a photo", asset.name, chat)  # fmt: skip
            sent = await send_file(client, chat, asset, data, caption, kind, self._known_files)
        except AssetRefused as exc:
            log.warning("telegram: %s not sent to %s: %s", asset.name, chat, exc.reason)
            if self.store is not None:
                await asyncio.to_thread(tell_staff, self.store, CARRIER, str(chat), action, key,
                                        asset, exc.reason, self.clock.now())  # fmt: skip
            return None
        if caption is not None:
            return str(sent)
        # the text's parts kept before (by a version that kept no file) stay after it
        await self._parts_sent.add(key, [f"{FILE}{sent}", *kept])
        return None

    async def _send(self, client: Bot, chat: int, action: Action, key: str) -> str:
        text = action.text or ""
        if not text:
            raise CarrierError(f"telegram: {action.kind} without a text", retry=False)
        markdown = action.extra.get("format") == "markdown"
        reply = None
        if action.kind is ActionKind.REPLY and action.target and action.target.isdigit():
            reply = ReplyParameters(message_id=int(action.target),
                                    allow_sending_without_reply=True)  # fmt: skip
        # a text longer than a message goes in parts, in order, a second apart: none of it is
        # left out, and a retry after a part failed sends the parts not sent yet, after a
        # restart too (the parts sent are kept with the outbox item when there is a store),
        # from where the last one ended in the text (`carriers/parts.py`)
        # the members it is meant to tell are inline mentions in its first part (Telegram
        # notifies them); the parts are cut with room for the names that may go before it
        mentions = await self._mentions(action)
        limit = TEXT_LIMIT - mentions.room()
        cut_at = markdown_parts if markdown else cut_parts
        parts = cut_at(text, limit, None)
        if len(parts) == 1:
            sent = await self._send_part(client, chat, parts[0][0], markdown, reply, mentions)
            return str(sent)
        of = fingerprint(rendered(text, markdown))
        kept = await self._parts_sent.sent(key)
        file = kept[:1] if kept[:1] and kept[0].startswith(FILE) else []  # a post's, first
        said = kept[len(file) :]
        went = resume(said, of, CARRIER)
        todo = parts[went:] if isinstance(went, int) else cut_at(text, limit, went)
        for n, (part, end) in enumerate(todo):
            if n:
                await asyncio.sleep(PART_GAP_S)
            first = n == 0 and went == 0
            sent = await self._send_part(client, chat, part, markdown, reply,
                                         mentions if first else NOBODY)  # fmt: skip
            said = [*said, entry(str(sent), end, of)]
            await self._parts_sent.add(key, [*file, *said])
        return ids(said)[0]

    async def _send_part(self, client: Bot, chat: int, part: str, markdown: bool,
                         reply: ReplyParameters | None, mentions: Mentions = NOBODY) -> int:  # fmt: skip
        if mentions.names:
            part = mentions.into(part, markdown)
        sent = await client.send_message(
            chat, part, parse_mode="HTML" if markdown or mentions.names else None,
            reply_parameters=reply, link_preview_options=LinkPreviewOptions(is_disabled=True),
        )  # fmt: skip
        return sent.message_id

    async def _mentions(self, action: Action) -> Mentions:
        """Whom `action`'s message mentions (`mentions.py`; the store asked off the loop)."""
        if self.store is None or not mentioned(action.extra):
            return NOBODY
        return await asyncio.to_thread(mentions_of, self.store, action)

    def _require_client(self) -> Bot:
        if self._client is None:
            raise CarrierError("telegram: not connected (call connect first)", retry=True)
        return self._client


def _id(value: str | None, what: str) -> int:
    if value is None or not value.lstrip("-").isdigit():
        raise CarrierError(f"telegram: {what} needs a numeric Telegram id, not {value!r}",
                           retry=False)  # fmt: skip
    return int(value)
