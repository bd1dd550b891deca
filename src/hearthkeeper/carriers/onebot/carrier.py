"""QQ groups as a `Carrier`, through a OneBot v11 implementation on the reverse WebSocket.

The pure parts are elsewhere: `translate.py` (events in), `segments.py` (messages both ways),
`calls.py` (actions out as API calls), `post_files.py` (a scheduled post's file as calls);
`link.py` is the WebSocket end, `files.py` sends a post with its file, `requests.py` keeps
the join requests waiting for staff.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from enum import Enum
from typing import Any

import aiohttp

from hearthkeeper.carriers.assets import Asset, asset_of, tell_staff
from hearthkeeper.carriers.onebot.calls import (
    MAX_TEXT,
    NOT_ADMIN,
    Call,
    answer_request,
    approve_request,
    calls_for,
    failure,
    group_of,
    not_again,
    refuse_request,
    send,
)
from hearthkeeper.carriers.onebot.files import first_known, post_with_file
from hearthkeeper.carriers.onebot.journal import Answer, Journal
from hearthkeeper.carriers.onebot.link import Link, Unanswered
from hearthkeeper.carriers.onebot.media import download
from hearthkeeper.carriers.onebot.requests import PendingRequests, Waiting, ask_again
from hearthkeeper.carriers.onebot.segments import message_parts, shown
from hearthkeeper.carriers.onebot.settings import OneBotSettings
from hearthkeeper.carriers.onebot.translate import CARRIER, BotRemoved, JoinAsk, translate
from hearthkeeper.carriers.parts import OUT, SentParts, entry, fingerprint, ids, offset, resume
from hearthkeeper.carriers.pictures import LIMITS, PictureLimits, with_pictures
from hearthkeeper.clock import Clock, SystemClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.admission import Admission, Entry, JoinRequest
from hearthkeeper.engine.carrier import Capabilities, CarrierError
from hearthkeeper.engine.events import Attachment, Event, Join
from hearthkeeper.store import Store

log = logging.getLogger(__name__)

ALREADY_HANDLED = "no such request"  # NapCat's words for a join request no longer open

CALL_TIMEOUT = 10.0  # seconds an API call waits for its answer
# A call carrying a scheduled post's file is answered once QQ has the file (a 50 MiB video
# uploaded, a voice message converted to Silk): waited for longer.
UPLOAD_TIMEOUT = 120.0
# Posts with a file performed at once, aside from the outbound queue's path (`SlowActions`):
# a slow upload holds up neither replies nor other groups, and a few uploads at a time keep
# the implementation's bandwidth (and memory, with base64) within bounds.
UPLOADS_AT_ONCE = 2
# Between two messages of one text (or of a post: its file, then its text's parts): QQ, and
# the implementations' own limits (go-cqhttp's `rate-limit`), take about one message a second;
# faster, QQ's risk control may drop or refuse them. Slower when `actions_per_second` says so.
PART_GAP_S = 1.0
TEXTS = frozenset({ActionKind.REPLY, ActionKind.SEND, ActionKind.WARN})
LOOKUP_TIMEOUT = 3.0  # a member's name looked up for a welcome: not worth waiting longer
BATCH = 100  # events read from the inbox at once (their pictures are fetched together)

# No DIRECT: a QQ bot can message only its friends, so staff alerts reach staff in the
# staff group and the console inbox. No UNBAN: v11 cannot lift `reject_add_request`.
CAN = frozenset({
    ActionKind.REPLY, ActionKind.SEND, ActionKind.WARN, ActionKind.DELETE, ActionKind.KICK,
    ActionKind.BAN, ActionKind.MUTE, ActionKind.UNMUTE, ActionKind.ALERT_STAFF,
    ActionKind.ADMIT, ActionKind.DECLINE, ActionKind.CLOSE, ActionKind.REOPEN,
})  # fmt: skip


class _Later(Enum):
    """A join request read while no implementation is connected (one a killed process had
    received, read again at start): screened once one is, since only then can it be answered."""

    LATER = "later"


class OneBotCarrier:
    """QQ groups served through one OneBot implementation (one QQ account)."""

    name = CARRIER
    slow_at_once = UPLOADS_AT_ONCE

    def __init__(self, settings: OneBotSettings, *, groups: Mapping[str, str] | None = None,
                 admission: Admission | None = None,
                 call_timeout: float = CALL_TIMEOUT,
                 upload_timeout: float = UPLOAD_TIMEOUT,
                 pictures: PictureLimits = LIMITS, store: Store | None = None,
                 clock: Clock | None = None) -> None:  # fmt: skip
        self.settings = settings
        self.store = store  # where staff are told of a scheduled post's file not sent (None: log)
        self.clock: Clock = clock or SystemClock()
        # pictures are downloaded for moderation to read for QR codes, within these limits
        self.pictures = pictures
        self._http: aiohttp.ClientSession | None = None
        self.groups = dict(settings.groups if groups is None else groups)  # number → slug
        self.admission = admission  # screens join requests (None: QQ admins answer them)
        self.call_timeout = call_timeout
        self.upload_timeout = upload_timeout
        self.capabilities = Capabilities(can=CAN, per_group=settings.per_group,
                                         overall=settings.overall, max_text=MAX_TEXT)  # fmt: skip
        # seconds between the messages of one text: within the bot's own overall quota too
        self.part_gap = max(PART_GAP_S, settings.overall.seconds / settings.overall.count)
        # a long text's parts, or a post's file and text, sent: by outbox key
        self._parts_sent = SentParts(CARRIER, store)
        self.requests = PendingRequests(settings.requests_file)
        self.roles: dict[str, str] = {}  # group → the bot's role there (owner, admin, member)
        # raw events, with their number in the journal (None: not kept there)
        self._inbox: asyncio.Queue[tuple[int | None, dict[str, Any]] | None] = asyncio.Queue()
        self._journal = Journal(settings.journal_file) if settings.journal_file else None
        self._journaled: dict[tuple[str, str], int] = {}  # (group, event id) → its number
        self._later: list[tuple[int | None, dict[str, Any]]] = []  # join requests (`_Later`)
        self._checks: set[asyncio.Task[None]] = set()
        self.link = Link(host=settings.host, port=settings.port, path=settings.path,
                         token=settings.access_token, self_id=settings.self_id,
                         on_event=self._received, on_connect=self._connected)  # fmt: skip

    @property
    def self_id(self) -> str | None:
        """The bot's QQ number: configured, or told by the implementation when it connected."""
        return self.link.self_id

    @property
    def port(self) -> int:
        return self.link.port

    async def connect(self) -> None:
        """Listen for the OneBot implementation (it connects, and reconnects, by itself)."""
        self._inbox = asyncio.Queue()
        self._journaled = {}
        self._later = []
        if self._journal is not None:  # what a killed process left undone goes first
            for number, raw in await asyncio.to_thread(self._journal.open):
                self._inbox.put_nowait((number, raw))
        self._http = aiohttp.ClientSession()
        await self.link.start()

    def _received(self, raw: dict[str, Any]) -> None:
        number = self._journal.add(raw) if self._journal is not None else None
        self._inbox.put_nowait((number, raw))

    def handled(self, events: Sequence[Event]) -> None:
        """The engine recorded `events`: not read again after a restart (`journal.py`)."""
        if self._journal is not None:
            self._journal.done([n for e in events
                                if (n := self._journaled.pop((e.group, e.event_id), None))])  # fmt: skip

    async def events(self) -> AsyncIterator[Event]:
        """The mapped groups' events as they arrive, until disconnected; join requests are
        screened on the way and never reach the engine as events. What waits in the inbox is
        read together, so that its pictures are fetched together (`pictures.py`), in order."""
        while True:
            raws = [await self._inbox.get()]
            while raws[-1] is not None and len(raws) < BATCH and not self._inbox.empty():
                raws.append(self._inbox.get_nowait())
            found: list[Event] = []
            for taken in raws:
                if taken is None:
                    break
                number, raw = taken
                event = await self._read(raw, number)
                if event is _Later.LATER:  # read again once connected (`_connected`)
                    self._later.append(taken)
                    continue
                if event is not None and number is not None:
                    self._journaled[(event.group, event.event_id)] = number
                elif number is not None and self._journal is not None:
                    self._journal.done([number])  # nothing for the engine to record
                if event is not None:
                    found.append(event)
            for event in await with_pictures(found, self._picture, CARRIER, self.pictures):
                yield event
            if raws[-1] is None:
                return

    async def _read(self, raw: dict[str, Any], number: int | None) -> Event | _Later | None:
        """One raw event (`number` in the journal) as the engine's, join requests screened
        (None: nothing to hand on; `_Later`: a join request to screen once an implementation
        is connected)."""
        try:
            reading = translate(raw, self.self_id, self.groups)
        except Exception as exc:  # one unreadable event must not stop the reading of all
            log.warning("qq: an event that could not be read was dropped (%s: %s): %.300r",
                        type(exc).__name__, exc, raw)  # fmt: skip
            return None
        if isinstance(reading, JoinAsk):
            if not await self._screen(reading, number):
                return _Later.LATER
        elif isinstance(reading, BotRemoved):
            log.warning("qq: the bot was removed from group %s by %s; it no longer serves "
                        "it", reading.group, reading.operator or "someone")  # fmt: skip
        elif isinstance(reading, Join):
            return await self._named(reading)
        elif reading is not None:
            return reading
        return None

    async def _picture(self, attachment: Attachment, limit: int) -> bytes:
        """A picture's bytes from the image segment's `url` (`media.py`)."""
        if self._http is None:
            self._http = aiohttp.ClientSession()
        return await download(self._http, attachment.url, limit, self.pictures.fetch_seconds)

    def slow(self, action: Action) -> bool:
        """A post with a file (uploaded or converted by QQ, answered once QQ has it, within
        `upload_timeout`), or a text longer than a message (its parts `part_gap` apart), is
        performed aside by the outbound queue (`engine/aside.py`): other groups' actions go
        meanwhile."""
        long = action.kind in TEXTS and len(shown(action)) > self.capabilities.max_text
        return long or asset_of(action) is not None

    def messages(self, action: Action) -> int:
        """The messages performing `action` sends in its group, each counted by the outbound
        queue against the group's actions a minute (`SendsInParts`): a text longer than a
        message, its parts; a post's file, one more."""
        file = asset_of(action) is not None
        limit = self.capabilities.max_text
        if action.kind not in TEXTS or not action.text:
            return 1
        if len(shown(action)) <= limit:
            return 1 + file
        return len(message_parts(action, limit)) + file

    async def perform(self, action: Action, key: str) -> str | None:
        """Do one action; the message id of what was said, if anything."""
        if action.kind is ActionKind.ALERT_STAFF:
            return None  # the inbox and the staff group carry an alert
        if action.kind in (ActionKind.ADMIT, ActionKind.DECLINE):
            await self._answer(action, key)
            return None
        asset = asset_of(action)
        if asset is not None:  # a scheduled post's picture or file (`files.py`)
            return await self._post_with_file(action, key, asset)
        if action.kind in TEXTS:
            return await self._send_parts(action, key)
        calls = calls_for(action, self.capabilities.max_text)
        receipt: str | None = None
        for call in calls:
            try:
                data = await self._call(call)
            except CarrierError as exc:
                if call.action == "set_group_kick" and await self._gone(call.params):
                    continue  # already out: a retry whose first try was performed
                if call.action == "set_group_whole_ban" and not await self._admin(call.params):
                    raise CarrierError(str(exc), retry=False, lacks=NOT_ADMIN) from exc
                raise
            if call.sends and data.get("message_id") is not None:
                receipt = str(data["message_id"])
        return receipt

    async def _send_parts(self, action: Action, key: str) -> str | None:
        """A text, in as many messages as it takes, in order, `part_gap` seconds apart: a
        retry after a part failed sends the rest of the text, from where the last part sent
        ended in it, after a restart too (`carriers/parts.py`). A part out when the process
        died (kept as `OUT`: its call went, its answer never came back) is not sent again, as
        one whose answer was lost with the connection: QQ may have it."""
        group = group_of(action)
        limit = self.capabilities.max_text
        parts = message_parts(action, limit)
        kept = await self._parts_sent.sent(key)
        if ids(kept)[-1:] == [OUT]:
            raise CarrierError(
                "qq: the server stopped while this message was being sent and QQ's answer never "
                "came; it may have arrived, so it is not sent again (the group cannot read it "
                "twice)",
                retry=False,
            )
        of = fingerprint(shown(action))
        went = resume(kept, of, CARRIER)
        todo = parts[went:] if isinstance(went, int) else message_parts(
            action, limit, offset(went, CARRIER))  # fmt: skip
        for n, (message, end) in enumerate(todo):
            if n:
                await asyncio.sleep(self.part_gap)
            await self._parts_sent.going(key, kept)
            try:
                data = await self._call(send(group, message))
            except CarrierError as exc:
                if not isinstance(exc.__cause__, Unanswered):
                    await self._parts_sent.add(key, kept)  # refused: it did not go
                raise
            kept = [*kept, entry(str(data.get("message_id") or ""), str(end), of)]
            await self._parts_sent.add(key, kept)
        return first_known(ids(kept))

    async def disconnect(self) -> None:
        """Stop listening and close the connection (the implementation retries until a new
        Hearthkeeper listens again)."""
        for task in self._checks:
            task.cancel()
        self._inbox.put_nowait(None)
        await self.link.stop()
        if self._journal is not None:
            self._journal.close()
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def call(self, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """One API call, its `data` (`CarrierError` when refused)."""
        return await self._call(Call(action, dict(params)))

    async def _post_with_file(self, action: Action, key: str, asset: Asset) -> str | None:
        """Send a post with its file; a file not sent is logged, and staff are told once."""
        posted = await post_with_file(self._attempt, self._call, action, key, asset,
                                      self.settings.file_transfer, self._parts_sent,
                                      self.capabilities.max_text, self.part_gap)  # fmt: skip
        if posted.unsent is not None:
            log.warning("qq: %s not sent to group %s: %s", asset.name, action.group, posted.unsent)
            if self.store is not None:
                await asyncio.to_thread(tell_staff, self.store, CARRIER, str(action.group),
                                        action, key, asset, posted.unsent,
                                        self.clock.now())  # fmt: skip
        return posted.receipt

    async def _attempt(self, call: Call) -> dict[str, Any]:
        """The implementation's answer to `call`, whatever it says."""
        timeout = self.upload_timeout if call.uploads else self.call_timeout
        return await self.link.call(call.action, call.params, timeout)

    async def _call(self, call: Call) -> dict[str, Any]:
        try:
            answer = await self._attempt(call)
        except Unanswered as exc:
            if call.sends:
                raise not_again(exc) from exc
            raise
        where = call.params.get("group_id")
        error = failure(answer, call.action + (f" in group {where}" if where else ""))
        if error is not None:
            raise error
        data = answer.get("data")
        return data if isinstance(data, dict) else {}

    async def _admin(self, params: Mapping[str, Any]) -> bool:
        """Whether the bot is the owner or an admin of the group (True when QQ does not say:
        then its refusal was for another reason)."""
        try:
            info = await self.call("get_group_member_info", {"group_id": params["group_id"],
                                   "user_id": self.self_id, "no_cache": True})  # fmt: skip
        except CarrierError:
            return True
        return info.get("role") in ("owner", "admin", None)

    async def _gone(self, params: Mapping[str, Any]) -> bool:
        """Whether the member of a kick is no longer in the group."""
        try:
            await self.call("get_group_member_info", {"group_id": params["group_id"],
                            "user_id": params["user_id"], "no_cache": True})  # fmt: skip
        except CarrierError as exc:
            return not isinstance(exc, Unanswered) and exc.retry is False
        return False

    async def _answer(self, action: Action, key: str) -> None:
        """Staff decided on a request held for review: approve it, or refuse it with the reason.

        An approval whose request was answered already (staff let a refused applicant in
        after all: the bot turned the request down when they were refused, and QQ takes no
        second answer to it) cannot let them in, and a QQ bot cannot invite: staff are told
        to ask the person to ask to join again, which the door then approves at once."""
        group, member = action.group or "", action.member or ""
        waiting = self.requests.get(group, member)
        if waiting is None and action.kind is ActionKind.ADMIT:
            await self._ask_again(action, key, None)
            return
        if waiting is None:
            raise CarrierError(f"qq: no join request of {member} to group {group} is waiting "
                               "(on QQ a person asks to join; the bot cannot invite)",
                               retry=False)  # fmt: skip
        try:
            await self._call(answer_request(action, waiting.flag, waiting.sub_type))
        except CarrierError as exc:
            if exc.retry or action.kind is not ActionKind.ADMIT:
                raise
            await self._ask_again(action, key, str(exc))  # the flag is answered or expired
        await asyncio.to_thread(self.requests.drop, group, member)

    async def _ask_again(self, action: Action, key: str, refused: str | None) -> None:
        """Tell staff (the console inbox, once) that the approved person must ask again,
        unless they are in the group already (an admin let them in by hand in QQ)."""
        member = {"group_id": int(action.group or 0), "user_id": int(action.member or 0),
                  "no_cache": True}  # fmt: skip
        with contextlib.suppress(CarrierError, ValueError):
            await self.call("get_group_member_info", member)
            return  # in the group: nothing left to do
        log.warning("qq: %s was approved, but their join request to group %s cannot be "
                    "answered any more%s; staff are told to have them ask again",
                    action.member, action.group, f" ({refused})" if refused else "")  # fmt: skip
        if self.store is not None:
            await asyncio.to_thread(ask_again, self.store, action, key, refused, self.clock.now())

    async def _screen(self, ask: JoinAsk, number: int | None = None) -> bool:
        """Ask the door: admitted → approved; refused → refused with the reason (and the
        questions still to answer); pending → kept until staff decide (ADMIT / DECLINE).
        False when it cannot be answered now, no implementation being connected (a request
        read again from the journal at start): it waits for one, unscreened.

        The answer is written in the journal (`number`) before it goes: a request answered
        just before a kill is not screened again after it (`_settle`).

        The request's flag is kept before the door is asked: once an application is
        recorded for staff, its flag is there for their decision, even if the server stops
        (cancelling this) the moment after the door recorded it. Answered at once, the flag
        is dropped again."""
        if self.admission is None:
            return True  # left to the group's admins in QQ
        if not self.link.connected.is_set():
            return False
        said = None if number is None or self._journal is None else self._journal.answer(number)
        if said is not None:
            return await self._settle(ask, said)
        store = self.admission.store
        group = await asyncio.to_thread(store.group_for_carrier, CARRIER, ask.group)
        if group is None:
            return True
        answer = ask.answer
        request = JoinRequest(carrier=CARRIER, group_id=group.id, user_id=ask.user_id,
                              code=answer or None, answers=(answer,) if answer else ())  # fmt: skip
        await asyncio.to_thread(self.requests.put, ask.group, ask.user_id,
                                Waiting(ask.flag, ask.sub_type))  # fmt: skip
        try:
            verdict = await asyncio.to_thread(self.admission.screen, request)
            if verdict.entry is Entry.PENDING:
                return True
            reason = " ".join(part for part in (verdict.reason, *verdict.questions) if part)
            given = Answer(verdict.admitted, "" if verdict.admitted else reason)
            if number is not None and self._journal is not None:
                self._journal.answering(number, given)
            await self._call(_answer_call(ask, given))
            await asyncio.to_thread(self.requests.drop, ask.group, ask.user_id)
        except CarrierError as exc:
            if not isinstance(exc, Unanswered) and not self.link.connected.is_set():
                return False  # the connection went meanwhile: answered once it is back
            log.warning("qq: the join request of %s to group %s was not answered: %s",
                        ask.user_id, ask.group, exc)  # fmt: skip
        return True

    async def _settle(self, ask: JoinAsk, answer: Answer) -> bool:
        """A join request answered just before the last stop: not screened again (the door
        may answer otherwise now), its answer settled. An approved person in the group is
        let in already; otherwise the answer goes again: QQ takes it if the first never
        reached it, and refuses it as answered if it did (said in the log, not as a failure);
        any other refusal leaves the person unanswered and is warned of.
        False when the connection went meanwhile: settled once it is back."""
        if answer.approve and await self._in_group(ask.group, ask.user_id):
            log.info("qq: the join request of %s to group %s was approved before the last "
                     "stop", ask.user_id, ask.group)  # fmt: skip
        else:
            try:
                await self._call(_answer_call(ask, answer))
            except CarrierError as exc:
                if not isinstance(exc, Unanswered) and not self.link.connected.is_set():
                    return False
                if _answered_already(exc):
                    log.info("qq: the join request of %s to group %s was answered before the "
                             "last stop (QQ takes no second answer: %s)", ask.user_id,
                             ask.group, exc)  # fmt: skip
                else:  # the first answer never reached QQ, and this one failed too
                    log.warning("qq: the join request of %s to group %s was not answered: %s",
                                ask.user_id, ask.group, exc)  # fmt: skip
        await asyncio.to_thread(self.requests.drop, ask.group, ask.user_id)
        return True

    async def _in_group(self, group: str, user: str) -> bool:
        """Whether `user` is a member of `group` now (False when QQ does not say)."""
        try:
            await self.call("get_group_member_info", {"group_id": int(group),
                            "user_id": int(user), "no_cache": True})  # fmt: skip
        except (CarrierError, ValueError):
            return False
        return True

    async def _named(self, join: Join) -> Join:
        """A joiner with the name the group shows (a notice carries only the number)."""
        try:
            info = await asyncio.wait_for(self.call("get_group_member_info", {
                "group_id": int(join.group), "user_id": int(join.sender.user_id)}),
                LOOKUP_TIMEOUT)  # fmt: skip
        except (CarrierError, TimeoutError):
            return join
        name = info.get("card") or info.get("nickname")
        if not name:
            return join
        return dataclasses.replace(
            join, sender=dataclasses.replace(join.sender, display_name=str(name))
        )

    def _connected(self, self_id: str | None) -> None:
        """Once the implementation is connected: the join requests waiting for it are read
        again, and the bot's role in each group looked up."""
        later, self._later = self._later, []
        for taken in later:
            self._inbox.put_nowait(taken)
        task = asyncio.get_running_loop().create_task(self._check_roles(self_id))
        self._checks.add(task)
        task.add_done_callback(self._checks.discard)

    async def _check_roles(self, self_id: str | None) -> None:
        if self_id is None:
            return
        for group in sorted(self.groups):
            with contextlib.suppress(CarrierError):
                info = await self.call(
                    "get_group_member_info", {"group_id": int(group), "user_id": int(self_id)}
                )
                self.roles[group] = str(info.get("role", "member"))
                if self.roles[group] == "member":
                    log.warning("qq: the bot is not an admin of group %s: it cannot delete, "
                                "mute or remove; make it an admin in QQ", group)  # fmt: skip


def _answered_already(exc: CarrierError) -> bool:
    """Whether QQ refused an answer to a join request as one it no longer holds open: NapCat
    says "No such request" (retcode 1200) for a request answered already. Any other refusal
    (no admin rights any more), or no answer at all, leaves the person unanswered."""
    return not isinstance(exc, Unanswered) and ALREADY_HANDLED in str(exc).lower()


def _answer_call(ask: JoinAsk, answer: Answer) -> Call:
    """`set_group_add_request` giving `ask` the door's `answer`."""
    if answer.approve:
        return approve_request(ask.flag, ask.sub_type)
    return refuse_request(ask.flag, ask.sub_type, answer.reason)
