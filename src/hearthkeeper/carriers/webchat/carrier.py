"""The built-in web chat as a `Carrier`: members chat in a browser, the engine serves them
like on any other platform.

The member side (`join`, `say`, `leave`) is called by the web routes; each call writes the
chat's own tables and, in the same transaction, queues the engine event (`Join`, `Message`,
`Leave`) in the store, then shows the result to the browsers in the group. The engine reads
that queue through `feed.py`, so a crash loses nothing that was shown. The engine side
(`perform`) is in `perform.py`.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import re
import secrets
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.appeals.words import is_appeal
from hearthkeeper.capabilities.format import when_text
from hearthkeeper.capabilities.reports.words import is_report
from hearthkeeper.carriers.webchat.base import UTC_ZONE, MiB, WebChatRefused
from hearthkeeper.carriers.webchat.closed import ClosedLine, closed_line
from hearthkeeper.carriers.webchat.names import (
    BadNickname,
    bot_like,
    clean_nickname,
    find_mentions,
    has_mention,
    nickname_clash,
    taken_message,
)
from hearthkeeper.carriers.webchat.perform import PERFORMS, Performer, mute_end
from hearthkeeper.carriers.webchat.protocol import (
    CLOSE_GOING_AWAY,
    MAX_TEXT,
    message_frame,
    muted_frame,
)
from hearthkeeper.carriers.webchat.records import (
    Newcomer,
    NicknameTaken,
    SeatOutcome,
    SeatRequest,
    WebChatMessage,
    WebChatRoom,
    WebSeat,
    WebUser,
)
from hearthkeeper.carriers.webchat.repository import SqlWebChat
from hearthkeeper.carriers.webchat.texts import say
from hearthkeeper.carriers.webchat.uploads import Picture, picture_path, store_picture
from hearthkeeper.engine.admission import ADMIT, Entry, JoinRequest, Verdict
from hearthkeeper.engine.carrier import Capabilities
from hearthkeeper.engine.events import Event
from hearthkeeper.playbook.positioning import BOT_NAME, Language
from hearthkeeper.store import Group
from hearthkeeper.store.join_sources import SqlJoinSources
from hearthkeeper.store.scope import StoreBase
from hearthkeeper.store.waiting_admissions import SqlWaitingAdmissions

__all__ = ["BOT_NAME", "MiB", "WebChatCarrier", "WebChatRefused"]

CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def token_hash(token: str) -> str:
    """What is kept of a member's cookie token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class _NoSeat(Exception):
    """The door admitted but the group refused the seat: its transaction is rolled back."""


class WebChatCarrier(Performer):
    """The web chat carrier. The hosted platform has no quotas of its own, so the
    capabilities declare no rate limits; browsers are rate-limited per connection instead.
    A bot message holds at most what a member's may (`MAX_TEXT`), a longer text goes in
    parts: every bubble on the page stays as long as a member's can be, and the history a
    page is sent when it connects (the last 100 messages, `SqlWebChat.history`) within 100
    of them, where one newcomer's welcome alone can reach 20,000 characters."""

    capabilities = Capabilities(
        can=PERFORMS,
        idempotent=True,
        max_text=MAX_TEXT,
        seats_applicants=True,
        private_replies=True,
    )

    # --- the Carrier protocol (perform is inherited) ------------------------------------------

    async def connect(self) -> None:
        """Nothing to log in to: browsers connect to us."""
        self.connected = True
        self.feed.stopped = False

    def events(self) -> AsyncIterator[Event]:
        """Members' joins, messages and leaves from the store's queue: first what an earlier
        run left there, then each as it is queued, until `disconnect()`."""
        return self.feed.stream()

    def handled(self, events: Sequence[Event]) -> None:
        """The engine committed `events` (`Acknowledging`): they leave the queue."""
        self.feed.handled(events)

    async def disconnect(self) -> None:
        """Stop the event stream and close every browser's socket."""
        self.connected = False
        self.feed.stop()
        self.hub.close_all(CLOSE_GOING_AWAY, "the server is stopping")

    # --- groups and identities ----------------------------------------------------------------

    def invite_code(self, group_id: int) -> str:
        """The group's invite code (the `/join/{code}` link), made on first use."""
        return self.platform.invite_code(group_id, secrets.token_urlsafe(9))

    def invite_codes(self, group_ids: Sequence[int]) -> dict[int, str]:
        """Each group's invite code, made on first use: one read for them all, a write only
        for a group that has none yet."""
        found = self.platform.invite_codes(group_ids)
        for group_id in group_ids:
            if group_id not in found:
                found[group_id] = self.invite_code(group_id)
        return found

    def group_for_code(self, code: str) -> Group | None:
        """The group an invite code opens."""
        room = self.room(code)
        return None if room is None else room.group

    def room(self, code: str) -> WebChatRoom | None:
        """The group an invite code opens, with its community's name and seats taken."""
        if CODE.fullmatch(code) is None:
            return None
        room = self.platform.room(code)
        return room if room is not None and room.group.carrier == self.name else None

    def room_elsewhere(self, full: Group) -> str | None:
        """The invite code of another group of the community with room, if one has it (seats
        held by live codes and pending applications count: `rooms_with_room`)."""
        for room in self.rooms_with_room(self.store, full):
            return room.invite_code or self.invite_code(room.group.id)
        return None

    def closed_elsewhere(self, closed: Group) -> str | None:
        """The invite code of the group `closed`'s members were sent to, when it has room;
        else of another group of the community with room (None: none has)."""
        rooms = self.rooms_with_room(self.store, closed)
        room = next((r for r in rooms if r.group.id == closed.closed_into), None)
        room = room or next(iter(rooms), None)
        return None if room is None else room.invite_code or self.invite_code(room.group.id)

    def full_note(self, group: Group, user_id: str | None, taken: int) -> tuple[str, str | None]:
        """What someone who finds `group` full is told, and the invite code of another group
        with room (`room_elsewhere`, None: none has room). An approved applicant of the
        community (`user_id`) for whom no group has room is also told that they are let in
        as soon as there is (the join page as first opened and the form sent alike)."""
        language = self.language(group)
        note = say("full", language, taken=taken, capacity=group.capacity)
        elsewhere = self.room_elsewhere(group)  # may make a code
        if (
            elsewhere is None
            and user_id
            and SqlWaitingAdmissions.on(self.store).approved(group.community_id, self.name, user_id)
        ):
            note += " " + say("approved_waiting", language)
        return note, elsewhere

    def create_user(self, nickname: str, language: Language = Language.EN) -> tuple[WebUser, str]:
        """A new member identity and the secret token for its cookie (BadNickname, in
        `language`, if the nickname cannot be used)."""
        newcomer, token = self.newcomer(nickname, language)
        user = self.platform.add_user(newcomer.user_id, newcomer.token_hash, newcomer.nickname)
        return user, token

    def newcomer(self, nickname: str, language: Language = Language.EN, *,
                 group: Group | None = None) -> tuple[Newcomer, str]:  # fmt: skip
        """A new member identity, not stored yet (`join` stores it with their seat), and the
        secret token for its cookie (BadNickname, in `language`, if the nickname cannot be
        used, or if `group`'s moderation rules call it advertising)."""
        nickname = clean_nickname(nickname, bot_name=self.bots_named(), language=language,
                                  rules=self.rules_for(group),
                                  titles=self.titles_for(group))  # fmt: skip
        token = secrets.token_urlsafe(32)
        return Newcomer(f"w-{secrets.token_hex(8)}", token_hash(token), nickname), token

    def user_for_token(self, token: str) -> WebUser | None:
        """The member whose cookie holds `token`."""
        if not token or len(token) > 200:
            return None
        return self.platform.user_by_token(token_hash(token))

    def _role(self, user_id: str, group: Group | None) -> str | None:
        """The staff role the member holds in a group of `group`'s community now (staff may
        be called 管理员 or [admin] there, `text.posing.AUTHORITY`, and by their role's
        title)."""
        member = None if group is None else self.store.find_member(self.name, user_id)
        if member is None or group is None:
            return None
        return self.store.role_elsewhere(member.id, group.community_id, group_id=-1)

    def rename(self, user_id: str, nickname: str, *, group_id: int | None = None) -> WebUser:
        """Give a member a new nickname (BadNickname if it cannot be used, if it looks the
        same as another member's in `group_id`, or if that group's moderation rules call it
        advertising)."""
        group = None if group_id is None else self._group_by_id(group_id)
        language = Language.EN if group is None else self.language(group)
        role = self._role(user_id, group)
        held = () if role is None or group is None else self.title_of(group, role)
        cleaned = clean_nickname(nickname, bot_name=self.bots_named(), language=language,
                                 rules=self.rules_for(group), titles=self.titles_for(group),
                                 staff=role is not None, held=held)  # fmt: skip
        try:
            # every group they are in, not only this one: a name is shown in all of them
            renamed = self.platform.rename_user(user_id, cleaned, distinct_in=group_id)
        except NicknameTaken as taken:
            raise self._taken(taken, group_id, language) from None
        self.feed.signal()  # the store queued the rename for the engine with it
        return renamed

    def _taken(self, taken: NicknameTaken, here: int | None, language: Language) -> BadNickname:
        """Why the nickname was refused: someone in this group, or in another group of theirs
        (named) looks the same."""
        if taken.group_id == here:
            return BadNickname(taken_message(taken.other, language))
        group = self._group_by_id(taken.group_id)
        return BadNickname(say("nick_taken_elsewhere", language, other=taken.other,
                               group="" if group is None else group.name))  # fmt: skip

    def _refuse_lookalike(self, group_id: int, user_id: str, nickname: str,
                          language: Language) -> None:  # fmt: skip
        """BadNickname if someone else in the group has a nickname that looks the same, or
        the bot's name there does (a nickname taken before the community named its bot so):
        a copy would let one member speak as another, or as the bot."""
        bot = bot_like(nickname, (self.bot_name_for(self._group_by_id(group_id)),))
        if bot is not None:
            raise BadNickname(say("nick_bot", language, nickname=nickname, bot=bot))
        seated = ((s.user_id, s.nickname) for s in self.platform.seated(group_id))
        other = nickname_clash(nickname, seated, user_id)
        if other is not None:
            raise BadNickname(taken_message(other, language))

    def name_note(self, group_id: int, user: WebUser, language: Language) -> str | None:
        """Why `user`'s nickname would be refused in the group (someone in it looks the same),
        if it would: a join page says it before they press Join (an applicant approved but
        not seated under it, `perform._seat`, reads it when they come back)."""
        try:
            self._refuse_lookalike(group_id, user.user_id, user.nickname, language)
        except BadNickname as bad:
            return str(bad)
        return None

    def seat(self, group_id: int, user_id: str) -> WebSeat | None:
        """The member's seat in the group, if they ever had one."""
        return self.platform.seat(group_id, user_id)

    def keep_picture(self, data: bytes, limit: int | None = None,
                     language: Language = Language.EN) -> Picture:  # fmt: skip
        """Check an uploaded picture and store it (PictureRefused, in `language`, if it is
        not acceptable)."""
        return store_picture(self.uploads_dir, data, limit or self.max_upload_bytes, language)

    # --- what members do ----------------------------------------------------------------------

    async def join(self, group_id: int, user_id: str, *, source: str | None = None,
                   door: JoinRequest | None = None,
                   newcomer: Newcomer | None = None) -> Verdict | None:  # fmt: skip
        """Take a seat in the group; WebChatRefused when banned or the group is full,
        BadNickname when someone in it already has a nickname that looks the same. `source`
        is the token of the link the member came by (a live code, a referral): the engine's
        Join carries it. With `door`, the community's threshold is asked first, in the seat's
        transaction: its verdict comes back when it does not admit (None: seated), and what it
        counted (an invite code's use) goes back when the seat is refused. `newcomer` (their
        `user_id`): an identity stored in that same transaction, so if it fails (the database
        busy past its timeout), nothing of the join stays; it stays once the door answered,
        seated or not (`platform.user` tells whether it is stored)."""
        group = self.store.get_group(group_id)
        if newcomer is not None and newcomer.user_id == user_id:
            nickname: str | None = newcomer.nickname
        else:
            newcomer = None
            found = self.platform.user(user_id)
            nickname = None if found is None else found.nickname
        if group is None or group.carrier != self.name or nickname is None:
            raise WebChatRefused("There is no such group or member on this web chat.")
        seat = None if newcomer is not None else self.platform.seat(group_id, user_id)
        language = self.language(group)
        if seat is None or not seat.seated:
            if group.closed:  # its members stay and read it; nobody new takes a seat
                elsewhere = await asyncio.to_thread(self.closed_elsewhere, group)
                raise WebChatRefused(say("closed", language, group=group.name),
                                     elsewhere=elsewhere)  # fmt: skip
            self._refuse_lookalike(group_id, user_id, nickname, language)
        now = self.clock.now()
        kept = None
        if source is None and newcomer is None:  # an approved applicant back by a bare link
            kept = await asyncio.to_thread(SqlJoinSources.on(self.store).waiting, self.name,
                                           group.carrier_group_id, user_id, now)  # fmt: skip
            source = kept
        try:
            if door is None or self.admission is None:  # a write: off the loop, as below
                asked = await asyncio.to_thread(functools.partial(
                    self._seat, group_id, user_id, now, source, newcomer))  # fmt: skip
            else:
                verdict, seated = await asyncio.to_thread(self._screen_and_seat, door, now,
                                                          source, newcomer)  # fmt: skip
                if seated is None:
                    return verdict
                asked = seated
        except NicknameTaken as taken:  # someone took a name like theirs since it was checked
            raise self._taken(taken, group_id, language) from None
        if asked.outcome is SeatOutcome.BANNED:
            reason = asked.seat.ban_reason if asked.seat else None
            raise WebChatRefused(banned_text(group.name, reason, language))
        if asked.outcome is SeatOutcome.FULL:
            full, elsewhere = await asyncio.to_thread(self.full_note, group, user_id, asked.taken)
            raise WebChatRefused(full, elsewhere=elsewhere)
        if asked.outcome is SeatOutcome.ALREADY:
            return None
        if kept is not None:  # credited by this join: not by another
            await asyncio.to_thread(SqlJoinSources.on(self.store).forget, self.name,
                                    group.carrier_group_id, user_id)  # fmt: skip
        self.feed.signal()  # the store queued the Join with the seat
        self._members_changed(group_id)
        return None

    def _seat(self, group_id: int, user_id: str, now: datetime, source: str | None,
              newcomer: Newcomer | None) -> SeatRequest:  # fmt: skip
        """The seat taken (no door asked), and `newcomer` stored, in one transaction."""
        if newcomer is None:
            return self.platform.take_seat(group_id, user_id, now, source=source, distinct=True)
        with self.store.transaction() as tx:
            chat = SqlWebChat.on(tx)
            chat.add_user(newcomer.user_id, newcomer.token_hash, newcomer.nickname)
            return chat.take_seat(group_id, user_id, now, source=source, distinct=True)

    def _screen_and_seat(self, door: JoinRequest, now: datetime, source: str | None,
                         newcomer: Newcomer | None = None,
                         ) -> tuple[Verdict, SeatRequest | None]:  # fmt: skip
        """The door's verdict and, when it admits, the seat taken in its transaction; a seat
        refused (full, banned) rolls the door's part back, so the door counts nothing for it.
        `newcomer` is stored first in the same transaction: kept whatever the door says,
        gone with the rest if the transaction fails."""
        assert self.admission is not None
        taken: list[SeatRequest] = []

        def seat(tx: StoreBase) -> None:
            asked = SqlWebChat.on(tx).take_seat(door.group_id, door.user_id, now, source=source,
                                                distinct=True)  # fmt: skip
            taken.append(asked)
            if asked.outcome in (SeatOutcome.BANNED, SeatOutcome.FULL):
                raise _NoSeat

        if newcomer is None:
            try:
                verdict = self.admission.screen(door, then=seat)
            except _NoSeat:
                return ADMIT, taken[0]
        else:
            with self.store.transaction() as tx:
                SqlWebChat.on(tx).add_user(newcomer.user_id, newcomer.token_hash,
                                           newcomer.nickname)  # fmt: skip
                try:  # the door's part in a savepoint: a seat refused keeps the identity
                    verdict = self.admission.screen(door, then=seat, scope=tx)
                except _NoSeat:
                    verdict = ADMIT
            if taken and taken[0].outcome in (SeatOutcome.BANNED, SeatOutcome.FULL):
                return ADMIT, taken[0]
        if verdict.entry is Entry.PENDING and source and not door.probe:
            # staff's approval seats them later (`perform._seat`): it credits this link
            group = self.store.get_group(door.group_id)
            if group is not None:
                SqlJoinSources.on(self.store).remember(self.name, group.carrier_group_id,
                                                       door.user_id, source, now)  # fmt: skip
        return verdict, (taken[0] if taken else None)

    async def say(
        self,
        group_id: int,
        user_id: str,
        text: str,
        *,
        picture: str | None = None,
        reply_to: int | None = None,
    ) -> int:
        """Post a message; returns its id. WebChatRefused when not in the group, muted,
        empty or too long, or the picture is not one uploaded here. The store work runs in a
        worker thread, so a burst of messages does not hold up the other members' sockets."""
        message = await asyncio.to_thread(self._record, group_id, user_id, text, picture, reply_to)
        if message.visible_to is not None:  # a `/report`, an `/appeal`: its sender's eyes only
            self.hub.send_to(group_id, user_id, message_frame(message))
        else:
            self.hub.broadcast(group_id, message_frame(message))
        # The store queued the Message with it; the engine takes it once the group saw it,
        # so an answer never arrives before its question.
        self.feed.announce(str(message.id))
        return message.id

    def closed_to(self, group_id: int, user_id: str, language: Language) -> ClosedLine | None:
        """The line refusing `user_id` a post (or a picture's upload) in `group_id` when it is
        closed to them (staff still post); read fresh, for `hearth groups close` in another
        process applies at once."""
        current = self.store.get_group(group_id)
        line = None if current is None else closed_line(self.store, current, user_id, language)
        return None if line is None or line.staff else line

    def _record(self, group_id: int, user_id: str, text: str, picture: str | None,
                reply_to: int | None) -> WebChatMessage:  # fmt: skip
        """The checks and the store write of `say` (which queues the engine's event)."""
        group = self._group_by_id(group_id)
        seat, closed = self.platform.seat_and_closed(group_id, user_id)  # one read, fresh
        user = self.platform.user(user_id)
        language = Language.EN if group is None else self.language(group)
        if group is None or seat is None or not seat.seated or user is None:
            raise WebChatRefused(say("not_in_group", language))
        now = self.clock.now()
        if is_muted(seat, now) and not (is_appeal(text) or is_report(text)):
            # a muted member's `/appeal` goes through: it is how they ask staff to review the
            # mute; and their `/report`: a member harassed into silence still flags abuse (the
            # engine takes both before the hold on their messages, `gate/sanctioned.py`)
            raise WebChatRefused(muted_text(seat, language, self.zone(group)))
        line = self.closed_to(group_id, user_id, language) if closed else None
        if line is not None:
            raise WebChatRefused(line.text, frame=line.frame())
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if len(text) > MAX_TEXT:
            raise WebChatRefused(say("too_long", language, length=len(text), most=MAX_TEXT))
        if picture is not None and picture_path(self.uploads_dir, picture) is None:
            raise WebChatRefused(say("picture_gone", language))
        if not text.strip() and picture is None:
            raise WebChatRefused(say("empty", language))
        replied = self.platform.message(reply_to) if reply_to is not None else None
        if replied is None or replied.group_id != group_id or replied.deleted_at is not None:
            replied = None
        mentions, mentions_bot = self._mentions(group_id, text)
        # A `/report` or an `/appeal` is shown to its sender alone (marked so), never to the
        # group: the member it reports would read who reported them, and why, and the group a
        # member's plea against their mute, until the engine takes it down (staff read both
        # in the inbox). The engine reads it as any message (and deletes it).
        private = user_id if is_report(text) or is_appeal(text) else None
        message, _ = self.platform.add_message(
            group_id, user_id=user_id, nickname=user.nickname,
            kind="picture" if picture else "text", text=text, picture=picture,
            reply_to=replied.id if replied else None, mentions=mentions,
            mentions_bot=mentions_bot or (replied is not None and replied.user_id is None),
            visible_to=private,
        )  # fmt: skip
        return message

    async def leave(self, group_id: int, user_id: str) -> None:
        """Leave the group (nothing happens when not in it)."""
        group = self._group_by_id(group_id)
        if group is None:
            return
        left = await asyncio.to_thread(self.platform.leave_seat, group_id, user_id,
                                       self.clock.now())  # fmt: skip
        if left is None:
            return
        self.hub.close_user(group_id, user_id, 1000, "you left the group")
        self._left(group)

    def hello(self, room: WebChatRoom, user: WebUser) -> dict[str, Any]:
        """The first frame a member's browser gets: who they are, the group, its last 100
        messages and whether they are muted."""
        seat = self.platform.seat(room.group.id, user.user_id)
        muted = None
        if seat is not None and is_muted(seat, self.clock.now()):
            frame = muted_frame(mute_end(seat.muted_until), seat.mute_reason or "",
                                self.zone(room.group), self.language(room.group))  # fmt: skip
            muted = {"until": frame["until"], "when": frame["when"], "reason": frame["reason"]}
        closed = closed_line(self.store, room.group, user.user_id, self.language(room.group))
        return {
            "type": "hello",
            "me": {"user_id": user.user_id, "nickname": user.nickname},
            "group": {
                "name": room.group.name,
                "community": room.community,
                "members": room.taken,
                "capacity": room.group.capacity,
                "bot": self.bot_name_for(room.group),
            },
            "history": [
                message_frame(m) for m in self.platform.history(room.group.id, viewer=user.user_id)
            ],
            "muted": muted,
            "closed": None if closed is None else closed.frame(),
        }

    # --- helpers --------------------------------------------------------------------------------

    def _mentions(self, group_id: int, text: str) -> tuple[list[str], bool]:
        if not has_mention(text):
            return [], False
        bot = self.bot_name_for(self._group_by_id(group_id))
        found = find_mentions(text, [*self._people(group_id), ("", bot)])
        return [user_id for user_id in found if user_id], "" in found


def is_muted(seat: WebSeat, now: datetime) -> bool:
    """Whether the member in `seat` is muted at `now`."""
    return seat.muted_until is not None and seat.muted_until > now


def muted_text(seat: WebSeat, language: Language = Language.EN, zone: ZoneInfo = UTC_ZONE) -> str:
    """What a muted member is told when they try to post: until when, on the community's
    clock (`format.when_text`)."""
    until = mute_end(seat.muted_until)
    when = say("staff_lift", language) if until is None else when_text(until, zone, language)
    reason = seat.mute_reason or say("moderator_decision", language)
    return say("muted", language, when=when, reason=reason)


def banned_text(group: str, reason: str | None, language: Language) -> str:
    """What a banned member is told on the join page."""
    return say("banned", language, group=group, reason=reason or say("no_reason", language))
