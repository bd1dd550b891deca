"""Matrix as a `Carrier`, on matrix-nio: sign in, sync, hand events to the engine, perform.

The pure parts are elsewhere: `translate.py` (raw events → engine events), `sync.py` (one
sync response → events and room decisions), `power.py` (mutes as power-level edits),
`outgoing.py` (message contents, transaction ids, error mapping), `post_media.py` (a scheduled
post's file as an event; `files.py` uploads and sends it), `media.py` (a member's picture
downloaded for moderation).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import json
import logging
from collections.abc import AsyncIterator, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

import aiohttp
from nio import AsyncClient, AsyncClientConfig, ErrorResponse, RoomPreset

from hearthkeeper.carriers.assets import (
    Asset,
    AssetRefused,
    alert_language,
    asset_of,
    tell_staff,
)
from hearthkeeper.carriers.cutting import part_key
from hearthkeeper.carriers.matrix.direct import DirectRooms
from hearthkeeper.carriers.matrix.files import send_file, upload_limit
from hearthkeeper.carriers.matrix.known import Known, look_up
from hearthkeeper.carriers.matrix.media import download
from hearthkeeper.carriers.matrix.outgoing import (
    Part,
    Refusal,
    carrier_error,
    message_parts,
    txn_id,
)
from hearthkeeper.carriers.matrix.position import Acknowledged, SyncPosition
from hearthkeeper.carriers.matrix.post_media import Uploads
from hearthkeeper.carriers.matrix.power import (
    POWER_LEVELS,
    PowerRefused,
    RoomAuthority,
    privileged_creators,
    too_low,
)
from hearthkeeper.carriers.matrix.rooms import RoomMap
from hearthkeeper.carriers.matrix.sync import Knock, Names, RecentIds, read_sync, room_updates
from hearthkeeper.carriers.matrix.translate import CARRIER, BotIdentity
from hearthkeeper.carriers.parts import SentParts, entry, fingerprint, ids, offset, resume
from hearthkeeper.carriers.pictures import LIMITS, PictureLimits, with_pictures
from hearthkeeper.clock import Clock, SystemClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.admission import Admission, Entry, JoinRequest
from hearthkeeper.engine.carrier import Capabilities, CarrierError, RateLimit
from hearthkeeper.engine.events import Attachment, Event, Join
from hearthkeeper.store.join_sources import SqlJoinSources

if TYPE_CHECKING:
    from hearthkeeper.store import Store

log = logging.getLogger(__name__)
T = TypeVar("T")

SAVE_EVERY = 1.0  # seconds at least between two writes of the sync position
ACK_WAIT = 10.0  # seconds at most the next sync waits for the engine to record a batch

CAN = frozenset({
    ActionKind.REPLY, ActionKind.SEND, ActionKind.WARN, ActionKind.DELETE, ActionKind.KICK,
    ActionKind.BAN, ActionKind.UNBAN, ActionKind.MUTE, ActionKind.UNMUTE, ActionKind.ALERT_STAFF,
    ActionKind.ADMIT, ActionKind.DECLINE, ActionKind.DIRECT, ActionKind.CLOSE, ActionKind.REOPEN,
})  # fmt: skip

# Only what the engine reads: no presence, no account data, members loaded lazily.
SYNC_FILTER: dict[str, Any] = {
    "presence": {"not_types": ["*"]},
    "account_data": {"not_types": ["*"]},
    "room": {
        "timeline": {"limit": 500},
        "state": {"lazy_load_members": False},
        "ephemeral": {"not_types": ["*"]},
        "account_data": {"not_types": ["*"]},
    },
}

SYNC_FILTER_JSON = json.dumps(SYNC_FILTER, separators=(",", ":"))
CLIENT_API = "/_matrix/client/v3"
# Posts with a file performed at once, aside from the outbound queue's path (`SlowActions`):
# a file uploaded to the media repository holds up neither replies nor other rooms, and a few
# uploads at a time keep the bandwidth (and the files read into memory) within bounds.
UPLOADS_AT_ONCE = 2
POSTS = (ActionKind.REPLY, ActionKind.SEND, ActionKind.WARN)  # what may carry a post's file
SHORT = 1000  # characters of a text that fits one event, however rendered
# Before the event id of a post's file, kept first with the outbox item (then its text's parts).
FILE = "file:"


@dataclass(frozen=True, kw_only=True)
class MatrixAccount:
    """The bot's account: a homeserver and an access token, or a password to sign in with."""

    homeserver: str
    user_id: str
    access_token: str | None = None
    password: str | None = None
    device_name: str = "hearthkeeper"


class MatrixCarrier:
    """A bot account on a Matrix homeserver serving the rooms of `rooms`."""

    name = CARRIER
    slow_at_once = UPLOADS_AT_ONCE

    def __init__(self, account: MatrixAccount, rooms: RoomMap, position: SyncPosition, *,
                 sync_timeout_ms: int = 30_000, overall: RateLimit | None = None,
                 admission: Admission | None = None, store: Store | None = None,
                 pictures: PictureLimits = LIMITS, clock: Clock | None = None) -> None:  # fmt: skip
        if not account.access_token and not account.password:
            raise CarrierError(f"matrix: {account.user_id} needs an access token or a password",
                               retry=False)  # fmt: skip
        self.account = account
        self.rooms = rooms
        self.position = position
        self.sync_timeout_ms = sync_timeout_ms
        # screens knocks on rooms whose join rule is `knock` (None: knocks are left to staff)
        self.admission = admission
        # where the link each invited person came by is kept until their join (the join page,
        # `join.py`; None: the admission's store; neither: joins carry no link's token)
        self.store = store if store is not None else (admission.store if admission else None)
        # pictures are downloaded for moderation to read for QR codes, within these limits
        self.pictures = pictures
        self.clock: Clock = clock or SystemClock()  # when staff were told a file was not sent
        # Transaction ids make sends idempotent: the outbox key is the txn id (a long text's
        # parts: one each, and the parts acknowledged kept with the outbox item, `_say`; a
        # post's file: its own, and its event kept too). A message's text: at most 16,000
        # characters, and at most what one event holds (`outgoing.TEXT_BYTES`); a longer one
        # goes in parts.
        self.capabilities = Capabilities(can=CAN, overall=overall, idempotent=True, max_text=16_000,
                                         admits_by_invitation=True)  # fmt: skip
        self.bot = BotIdentity(user_id=account.user_id)
        self.removed: dict[str, str] = {}  # rooms the bot was kicked or banned from, and by whom
        self._client: Any = None
        self._since: str | None = None
        self._seen = RecentIds()
        self._names = Names()
        self._creators_of: dict[str, frozenset[str]] = {}
        self._closed = asyncio.Event()
        self._acks = Acknowledged()
        self._saving: asyncio.Task[None] | None = None
        self._direct_rooms = DirectRooms()  # staff members' direct rooms, found once
        self._uploads = Uploads()  # scheduled posts' files uploaded, by their bytes
        self._parts_sent = SentParts(CARRIER, self.store)  # a long text's parts acknowledged
        self._upload_limit: int | None = None  # the homeserver's, asked at the first file
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop the client runs on

    async def connect(self) -> None:
        """Sign in (token or password) and find the place to resume from."""
        # max_limit_exceeded=0: a 429 comes back to us at once, to be reported with its
        # retry-after, instead of nio sleeping inside a call the outbound queue is timing.
        config = AsyncClientConfig(max_limit_exceeded=0, max_timeouts=2, encryption_enabled=False,
                                   store_sync_tokens=False)  # fmt: skip
        client = AsyncClient(self.account.homeserver, self.account.user_id, config=config)
        try:
            self.bot = await self._sign_in(client)
            await self._learn_names(client)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            await client.close()
            why = str(exc) or type(exc).__name__
            raise CarrierError(f"matrix: cannot reach {self.account.homeserver} ({why}); check "
                               "`homeserver` in the [matrix] table and that the server is up",
                               retry=True) from exc  # fmt: skip
        except CarrierError:
            await client.close()
            raise
        self._client = client
        self._loop = asyncio.get_running_loop()
        self._since = self.position.load()
        self._acks = Acknowledged(self._since)
        self._closed.clear()
        self._saving = asyncio.create_task(self._save_position())

    async def _sign_in(self, client: Any) -> BotIdentity:
        """Sign `client` in with the token (checked) or the password; the bot's identity."""
        if self.account.access_token:
            client.access_token = self.account.access_token
            who = await client.whoami()
            if isinstance(who, ErrorResponse):
                raise carrier_error(who, f"matrix: the access token of {self.account.user_id}")
            client.user_id = who.user_id
            client.device_id = who.device_id
        else:
            login = await client.login(self.account.password, device_name=self.account.device_name)
            if isinstance(login, ErrorResponse):
                raise carrier_error(login, f"matrix: signing in as {self.account.user_id}")
        name = await client.get_displayname(client.user_id)
        display = "" if isinstance(name, ErrorResponse) else str(name.displayname or "")
        return BotIdentity(user_id=str(client.user_id), display_name=display)

    async def events(self) -> AsyncIterator[Event]:
        """Sync until disconnected, handing out each response's events in order."""
        while not self._closed.is_set():
            since = self._since
            response = await self._sync(since)
            if response is None:
                continue
            updates = room_updates(response)
            for update in updates:
                if update.limited and update.section == "join":
                    log.warning("matrix: the server left out events of %s (more than the "
                                "timeline limit since the last sync); they are not handled",
                                update.room_id)  # fmt: skip
            reading = read_sync(updates, self.bot, self.rooms, self._seen, self._names)
            for room_id in reading.to_join:
                await self._join(room_id)
            self.removed.update(reading.removed)
            for knock in reading.knocks:
                await self._screen(knock)
            if since is None:
                # A first start: what happened before the bot served the rooms is history.
                reading.events.clear()
            if self.store is not None and any(isinstance(e, Join) for e in reading.events):
                reading.events[:] = await asyncio.to_thread(self._with_sources, reading.events)
            # The pictures' bytes, fetched together before the batch is handed out (bounded
            # in bytes and time): moderation reads them for QR codes as the web chat's.
            reading.events[:] = await with_pictures(reading.events, self._picture, CARRIER,
                                                    self.pictures)  # fmt: skip
            self._since = str(response["next_batch"])
            self._acks.handed_out(since, self._since, [e.event_id for e in reading.events])
            for event in reading.events:
                yield event
            if reading.events:
                # The next long poll waits until the engine has recorded the batch and
                # performed what it decided: the server then answers our replies without
                # also setting up our next sync (a few milliseconds a reply on a busy
                # server), and its answer to that sync is the bigger for it.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(ACK_WAIT):
                        await self._acks.settled.wait()

    async def _picture(self, attachment: Attachment, limit: int) -> bytes:
        """A picture's bytes from the homeserver (`media.py`), at most `limit` of them."""
        client = self._require_client()
        return await download(client, attachment.url, limit, self.pictures.fetch_seconds)

    def handled(self, events: Sequence[Event]) -> None:
        """The engine recorded `events`: the position may move past the batches they end."""
        self._acks.handled(e.event_id for e in events)

    def slow(self, action: Action) -> bool:
        """A post with a file (uploaded to the media repository, then shown) is performed
        aside by the outbound queue (`engine/aside.py`)."""
        return action.kind in POSTS and asset_of(action) is not None

    def messages(self, action: Action) -> int:
        """The messages performing `action` sends, each counted by the outbound queue against
        the bot's quota (`SendsInParts`): a text longer than an event holds, its parts; a
        post's file, one more."""
        text = action.text or ""
        if action.kind not in (*POSTS, ActionKind.DIRECT) or not text:
            return 1
        file = action.kind in POSTS and asset_of(action) is not None
        # a short text fits one event whatever its characters and Markdown (`TEXT_BYTES`)
        said = 1 if len(text) <= SHORT else len(message_parts(action, self.capabilities.max_text))
        return said + file

    async def perform(self, action: Action, key: str) -> str | None:
        """Do one action; the outbox key is the transaction id of what is sent or redacted."""
        if action.kind is ActionKind.DIRECT:
            return await self._direct(action, key)
        room = action.group
        if room is None:
            raise CarrierError(f"matrix: {action.kind} without a room", retry=False)
        if action.kind is ActionKind.ALERT_STAFF:
            return None  # the inbox, the staff room and direct messages carry an alert
        try:
            return await self._perform(action, room, key)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise CarrierError(f"matrix: {action.kind} in {room}: {exc}", retry=True) from exc

    async def _direct(self, action: Action, key: str, item: str | None = None) -> str:
        """A message to one person in the bot's direct room with them (made on first use);
        `item`: the outbox item it is part of (default `key`)."""
        person = action.member
        if person is None:
            raise CarrierError("matrix: a direct message without its recipient", retry=False)
        client = self._require_client()
        try:
            room = await self._direct_rooms.room_for(client, self.bot.user_id, person)
            return await self._say(room, action, key, f"matrix: sending to {person}", item)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise CarrierError(f"matrix: direct message to {person}: {exc}", retry=True) from exc

    async def _say(self, room: str, action: Action, key: str, doing: str,
                   item: str | None = None) -> str:  # fmt: skip
        """Say the action's text in `room`, in as many messages as it takes, in order
        (`outgoing.message_parts`); the first one's event id.

        A text in parts: the parts the homeserver acknowledged are kept with the outbox item
        `item` (default `key`) as `parts.entry` keeps them, each with where it ended in the
        text, after the post's file if it went (`FILE`). A retry, after a restart too, sends
        the rest of the text from where the last part acknowledged ended, however it is cut
        by then, so nothing is repeated even by a homeserver that forgot the transaction ids
        (restarted, past the time it keeps them, or a bot signing in by password: a new
        device at each start). Each part's transaction id is derived from `key` and the part's
        place in the text (`_part_txn`): the part in flight when a try failed goes again under
        the same id, and a homeserver that remembers it keeps it once."""
        client = self._require_client()
        most = self.capabilities.max_text
        parts = message_parts(action, most)
        if len(parts) == 1:
            sent = await client.room_send(room, "m.room.message", parts[0].content,
                                          tx_id=txn_id(key))  # fmt: skip
            return str(_ok(sent, doing).event_id)
        progress = key if item is None else item
        kept = await self._parts_sent.sent(progress)
        file = kept[:1] if kept[:1] and kept[0].startswith(FILE) else []
        said = kept[1:] if file else kept
        of = fingerprint(action.text or "")
        went = resume(said, of, CARRIER)
        if isinstance(went, int) and went:
            # kept by a version before positions: a fresh cut's parts after as many, under
            # the transaction ids that version gave them (by their index)
            todo = [(part, part_key(key, n)) for n, part in enumerate(parts)][went:]
        else:
            rest = parts if went == 0 else message_parts(action, most, offset(str(went), CARRIER))
            todo = [(part, _part_txn(key, part)) for part in rest]
        for part, txn in todo:
            sent = await client.room_send(room, "m.room.message", part.content,
                                          tx_id=txn_id(txn))  # fmt: skip
            said = [*said, entry(str(_ok(sent, doing).event_id), str(part.end), of)]
            await self._parts_sent.add(progress, [*file, *said])
        return ids(said)[0]

    async def disconnect(self) -> None:
        """Stop syncing, keep the position the engine has recorded up to, and close."""
        self._closed.set()
        if self._saving is not None:
            self._saving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._saving
            self._saving = None
        safe = self._unsaved()
        if safe is not None:
            self.position.save(safe)
            self._acks.saved = safe
        if self._client is not None:
            await self._client.close()
            self._client = None
        self._loop = None

    @property
    def server_name(self) -> str:
        """The bot's homeserver, as its user id names it (`example.org`)."""
        return self.account.user_id.partition(":")[2]

    async def create_room(self, name: str, topic: str, preset: str,
                          initial_state: Sequence[Mapping[str, Any]] = ()) -> str:  # fmt: skip
        """Create a room as the bot, which as its creator holds every power level (room
        versions before 12: 100; from 12: above all levels); the room's id."""
        try:
            created = await self._require_client().room_create(
                name=name, topic=topic or None, preset=RoomPreset(preset),
                initial_state=[dict(state) for state in initial_state])  # fmt: skip
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise CarrierError(f"matrix: creating the room {name!r}: {exc}", retry=True) from exc
        return str(_ok(created, f"matrix: creating the room {name!r}").room_id)

    def serve_room(self, room_id: str, community: str) -> None:
        """Serve `room_id` as a room of `community` from the next sync on (a room the bot
        created: it is in it already)."""
        self.rooms = self.rooms.with_room(room_id, community)

    def call(self, work: Coroutine[Any, Any, T], timeout: float) -> T:
        """Run `work` on the carrier's event loop from another thread (a web request's) and
        wait for it at most `timeout` seconds, without holding up the loop. Past the
        timeout `work` carries on; `CarrierError` says the answer did not come in time."""
        loop = self._loop
        if loop is None or loop.is_closed():
            work.close()
            raise CarrierError("matrix: not connected (the bot is not running)", retry=True)
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:  # waiting here would stop the very loop that must do the work
            work.close()
            raise CarrierError("matrix: `call` cannot wait on the carrier's own loop; await "
                               "the coroutine there instead", retry=False)  # fmt: skip
        future = asyncio.run_coroutine_threadsafe(work, loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError as exc:
            raise CarrierError(f"matrix: {self.account.homeserver} did not answer within "
                               f"{timeout:.0f}s", retry=True) from exc  # fmt: skip

    async def _perform(self, action: Action, room: str, key: str) -> str | None:
        client = self._require_client()
        kind, member = action.kind, action.member
        if kind in POSTS:
            asset = asset_of(action)
            if asset is not None:  # a scheduled post's picture or file: shown before its text
                await self._show_file(room, action, key, asset)
            return await self._say(room, action, key, f"matrix: sending to {room}")
        if kind is ActionKind.DELETE:
            if action.target is None:
                raise CarrierError("matrix: delete without a target event", retry=False)
            redacted = await client.room_redact(room, action.target, reason=action.reason or None,
                                                tx_id=txn_id(key))  # fmt: skip
            return str(_ok(redacted, f"matrix: redacting {action.target}").event_id)
        if kind in (ActionKind.CLOSE, ActionKind.REOPEN):
            await self._close_room(room, close=kind is ActionKind.CLOSE)
            return None
        if member is None:
            raise CarrierError(f"matrix: {kind} without a member", retry=False)
        reason = action.reason or None
        if kind is ActionKind.ADMIT:
            await self._invite(room, member)
        elif kind is ActionKind.DECLINE and await self._membership(room, member) is None:
            # Applied on the join page, never invited, never knocked: nothing to turn down,
            # so they are told in a direct message (the refusal's text, in their language).
            if action.text:
                told = dataclasses.replace(action, kind=ActionKind.DIRECT, group=None)
                return await self._direct(told, key + ":told", key)
        elif kind in (ActionKind.KICK, ActionKind.DECLINE):  # a knock is declined by a kick
            kicked = await client.room_kick(room, member, reason)
            # Already out (a retry whose notice failed, or they left first): the kick is done.
            if isinstance(kicked, ErrorResponse) and not await self._out_of(room, member):
                raise carrier_error(kicked, f"matrix: kicking {member}")
        elif kind is ActionKind.BAN:
            _ok(await client.room_ban(room, member, reason), f"matrix: banning {member}")
        elif kind is ActionKind.UNBAN:
            _ok(await client.room_unban(room, member), f"matrix: unbanning {member}")
        elif kind in (ActionKind.MUTE, ActionKind.UNMUTE):
            await self._set_power(room, member, mute=kind is ActionKind.MUTE)
        else:
            raise CarrierError(f"matrix: cannot {kind}", retry=False)
        if action.text and kind in (ActionKind.KICK, ActionKind.BAN, ActionKind.MUTE):
            # Matrix has no private notice to the member (the web chat sends one), so the
            # sanction's text is said in the room; its own transaction id keeps it once.
            return await self._say(room, action, key + ":notice",
                                   f"matrix: announcing {kind} in {room}", key)  # fmt: skip
        return None

    async def _show_file(self, room: str, action: Action, key: str, asset: Asset) -> None:
        """Upload and show a post's file, unless a try before showed it: its event id is kept
        with the outbox item (`FILE`, before the text's parts), so a retry after the text
        failed does not show it again, even by a homeserver that forgot its transaction id.
        One that cannot be sent is left out (the text goes alone) and staff are told once,
        naming it."""
        kept = await self._parts_sent.sent(key)
        if kept[:1] and kept[0].startswith(FILE):
            return
        client = self._require_client()
        try:
            if self._upload_limit is None:
                self._upload_limit = await upload_limit(client)
            shown = await send_file(client, room, key, asset, self._upload_limit, self._uploads,
                                    alert_language(action))  # fmt: skip
            # the text's parts kept before (by a version that kept no file) stay after it
            await self._parts_sent.add(key, [FILE + shown, *kept])
        except AssetRefused as exc:
            log.warning("matrix: %s not sent to %s: %s", asset.name, room, exc.reason)
            if self.store is not None:
                await asyncio.to_thread(tell_staff, self.store, CARRIER, room, action, key, asset,
                                        exc.reason, self.clock.now())  # fmt: skip

    async def _screen(self, knock: Knock) -> None:
        """Ask the door about a knock: admitted → invited; refused → the knock is turned down
        with the reason (and the questions to answer when knocking again); pending → it
        waits until staff decide in the console (then `ADMIT` or `DECLINE` comes)."""
        if self.admission is None:
            return
        group = await asyncio.to_thread(self.admission.store.group_for_carrier, CARRIER,
                                        knock.room_id)  # fmt: skip
        if group is None:
            return
        request = JoinRequest(carrier=CARRIER, group_id=group.id, user_id=knock.user_id,
                              display_name=knock.display_name, code=knock.reason or None,
                              answers=(knock.reason,) if knock.reason else ())  # fmt: skip
        try:
            verdict = await asyncio.to_thread(self.admission.screen, request)
            if verdict.entry is Entry.ADMIT:
                await self._invite(knock.room_id, knock.user_id)
            elif verdict.entry is Entry.REFUSE:
                said = " ".join([verdict.reason, *verdict.questions])
                await self._require_client().room_kick(knock.room_id, knock.user_id, said)
        except (aiohttp.ClientError, TimeoutError, CarrierError) as exc:
            log.warning("matrix: the knock of %s on %s was not answered: %s", knock.user_id,
                        knock.room_id, exc)  # fmt: skip

    async def invite(self, room: str, member: str) -> None:
        """Invite `member` to `room` (someone who typed their Matrix ID on the join page and
        was admitted); already invited or in the room counts as done. `CarrierError` when the
        homeserver refuses or cannot be reached."""
        try:
            await self._invite(room, member)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise CarrierError(f"matrix: inviting {member} to {room}: {exc}", retry=True) from exc

    async def account_known(self, user_id: str) -> Known:
        """Whether `user_id` has an account, as the bot's homeserver can tell (`known.py`),
        asked on the caller's own loop: the join page asks whether or not the bot runs in
        this process (`--role web`)."""
        client = self._client
        token = self.account.access_token or (client.access_token if client is not None else None)
        return await look_up(self.account.homeserver, user_id, token or None)

    def _with_sources(self, events: Sequence[Event]) -> list[Event]:
        """Each join carrying the token kept for the person (`invite`), if any (a thread's
        work: it reads and writes the store)."""
        assert self.store is not None
        sources = SqlJoinSources.on(self.store)
        found: list[Event] = []
        for event in events:
            if isinstance(event, Join) and event.source is None:
                kept = sources.take(CARRIER, event.group, event.sender.user_id, event.event_id,
                                    event.at)  # fmt: skip
                if kept is not None:
                    event = dataclasses.replace(event, source=kept)
            found.append(event)
        return found

    async def _invite(self, room: str, member: str) -> None:
        """Invite `member` (who knocked); already invited or in the room counts as done."""
        invited = await self._require_client().room_invite(room, member)
        if isinstance(invited, ErrorResponse):
            state = await self._require_client().room_get_state_event(room, "m.room.member",
                                                                      member)  # fmt: skip
            membership = (
                None if isinstance(state, ErrorResponse) else state.content.get("membership")
            )
            if membership not in ("invite", "join"):
                raise carrier_error(invited, f"matrix: inviting {member}")

    async def _learn_names(self, client: Any) -> None:
        """The display names of the members already in the mapped rooms (later ones are
        learnt from their membership events as they come)."""
        for room in sorted(self.rooms.rooms):
            members = await client.joined_members(room)
            if isinstance(members, ErrorResponse):
                continue  # not in it (yet): its members' names come with the sync
            for member in members.members:
                self._names.set(room, member.user_id, member.display_name)

    async def _out_of(self, room: str, member: str) -> bool:
        """Whether `member` has left or been removed from `room` (as far as the bot can see),
        or was never near it."""
        try:
            membership = await self._membership(room, member)
        except CarrierError:
            return False
        return membership in (None, "leave", "ban")

    async def _membership(self, room: str, member: str) -> str | None:
        """`member`'s membership of `room` (join, invite, knock, leave, ban), None when they
        were never near it (someone who applied on the join page without knocking)."""
        state = await self._require_client().room_get_state_event(room, "m.room.member", member)
        if isinstance(state, ErrorResponse):
            if getattr(state, "status_code", None) == "M_NOT_FOUND":
                return None
            raise carrier_error(state, f"matrix: reading the membership of {member} in {room}")
        found = state.content.get("membership")
        return str(found) if found is not None else None

    async def _set_power(self, room: str, member: str, *, mute: bool) -> None:
        client = self._require_client()
        levels = _ok(await client.room_get_state_event(room, "m.room.power_levels"),
                     f"matrix: reading the power levels of {room}").content  # fmt: skip
        authority = RoomAuthority(levels=levels, creators=await self._creators(room))
        try:
            content = authority.muted(member) if mute else authority.unmuted(member)
        except PowerRefused as exc:
            raise CarrierError(f"matrix: {exc}", retry=False) from exc
        if content != dict(levels):
            _ok(await client.room_put_state(room, "m.room.power_levels", content),
                f"matrix: {'muting' if mute else 'unmuting'} {member} in {room}")  # fmt: skip

    async def _close_room(self, room: str, *, close: bool) -> None:
        """Closed: members can no longer send messages (the room's power levels, `power.py`);
        reopened: what closing raised is given back."""
        client = self._require_client()
        levels = _ok(await client.room_get_state_event(room, "m.room.power_levels"),
                     f"matrix: reading the power levels of {room}").content  # fmt: skip
        authority = RoomAuthority(levels=levels, creators=await self._creators(room))
        content = authority.closed_levels() if close else authority.reopened_levels()
        if content == dict(levels):
            return
        doing = f"matrix: {'closing' if close else 'reopening'} {room}"
        have = authority.level_of(self.account.user_id)
        # the bot must reach the power levels' own level and every level it sets (the spec's
        # authorization rules); below, the homeserver refuses: said in staff's words
        need = max([authority.state_level(POWER_LEVELS),
                    *(v for k, v in content.items() if k.endswith("_default")
                      and isinstance(v, int) and v != levels.get(k))])  # fmt: skip
        if have < need:
            raise CarrierError(f"{doing}: the bot's power level {have:.0f} is under {need}",
                               retry=False, lacks=too_low(have, need))  # fmt: skip
        put = await client.room_put_state(room, POWER_LEVELS, content)
        if isinstance(put, ErrorResponse) and getattr(put, "status_code", None) == "M_FORBIDDEN":
            raise CarrierError(str(carrier_error(put, doing)), retry=False,
                               lacks=too_low(have, need))  # fmt: skip
        _ok(put, doing)

    async def _creators(self, room: str) -> frozenset[str]:
        """The room's privileged creators (v12+); a room's creation never changes, so cached.
        The whole state is read because only the create event itself names its sender."""
        if room not in self._creators_of:
            state = await self._require_client().room_get_state(room)
            creators: frozenset[str] = frozenset()
            for raw in _ok(state, f"matrix: reading the state of {room}").events:
                if isinstance(raw, Mapping) and raw.get("type") == "m.room.create":
                    creators = privileged_creators(raw)
            self._creators_of[room] = creators
        return self._creators_of[room]

    async def _sync(self, since: str | None) -> Mapping[str, Any] | None:
        """One /sync, read raw: the carrier works on the events' JSON (`translate.py`), so
        nio's parsing and validation of every response would be spent for nothing. None
        after a failure worth waiting out (it has been waited out)."""
        client = self._require_client()
        query = {"timeout": str(self.sync_timeout_ms), "filter": SYNC_FILTER_JSON}
        if since is not None:
            query["since"] = since
        try:
            response = await client.send(
                "GET", f"{CLIENT_API}/sync?{urlencode(query)}",
                headers={"Authorization": f"Bearer {client.access_token}"},
                timeout=self.sync_timeout_ms / 1000 + 15,
            )  # fmt: skip
            async with response:
                status, text = response.status, await response.text()
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("matrix: sync failed (%s); trying again in 5 s", exc)
            await asyncio.sleep(5)
            return None
        body = _json_object(text)
        if status == 200 and body is not None and isinstance(body.get("next_batch"), str):
            return body
        error = carrier_error(Refusal.of(status, body), "matrix: sync")
        if not error.retry:
            raise error
        log.warning("%s; trying again", error)
        await asyncio.sleep(error.after if error.after is not None else 5)
        return None

    async def _save_position(self) -> None:
        """Write the safe position when it moves, at most once per `SAVE_EVERY` seconds, off
        the event loop: a reply never waits for the file, and a crash re-delivers at most
        those seconds (the engine skips what it recorded)."""
        while True:
            await self._acks.moved.wait()
            self._acks.moved.clear()
            safe = self._unsaved()
            if safe is not None:  # read here, on the loop; only the file is written elsewhere
                await asyncio.to_thread(self.position.save, safe)
                self._acks.saved = safe
            await asyncio.sleep(SAVE_EVERY)

    def _unsaved(self) -> str | None:
        """The safe position, when the file does not hold it yet."""
        safe = self._acks.safe
        return safe if safe is not None and safe != self._acks.saved else None

    async def _join(self, room_id: str) -> None:
        joined = await self._require_client().join(room_id)
        if isinstance(joined, ErrorResponse):
            log.warning("matrix: cannot join %s: %s", room_id, joined)

    def _require_client(self) -> Any:
        if self._client is None:
            raise CarrierError("matrix: not connected (call connect first)", retry=True)
        return self._client


def _part_txn(key: str, part: Part) -> str:
    """The key of the transaction id of a part of a text said in several messages (one said
    in one goes under the outbox key itself): the outbox key and where the part begins and
    ends in the text. The same part gets the same id at every try, whatever went before it.
    Not where it begins alone: a part cut otherwise since (a changed cut) must get another id,
    as the homeserver answers an id it knows with the event it holds, whatever is sent now,
    and that part, recorded as ending where its event does not, would leave words out."""
    return f"{key}:{part.start}-{part.end}"


def _ok(response: Any, doing: str) -> Any:
    if isinstance(response, ErrorResponse):
        raise carrier_error(response, doing)
    return response


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        body = json.loads(text)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
