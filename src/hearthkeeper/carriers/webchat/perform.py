"""The engine's side of the web chat: performing actions, visibly, in the browsers.

Bot messages are kept under the outbox key they were sent with, so performing the same
action twice stores and shows it once (the carrier declares itself idempotent). Sanctions
are written to the seat first and then shown: a deleted message vanishes for everyone, a
muted member is told until when and why, a removed member's page says so and its socket
closes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from hearthkeeper.carriers.assets import Asset, AssetRefused, asset_of, unsent_alert
from hearthkeeper.carriers.cutting import cut, part_key
from hearthkeeper.carriers.picture_check import PictureRefused
from hearthkeeper.carriers.webchat.base import ChatBase, people
from hearthkeeper.carriers.webchat.names import find_mentions, has_mention
from hearthkeeper.carriers.webchat.protocol import (
    deleted_frame,
    members_frame,
    message_frame,
    muted_frame,
    removed_frame,
    restored_frame,
    unmuted_frame,
)
from hearthkeeper.carriers.webchat.records import NicknameTaken, SeatOutcome, WebChatMessage
from hearthkeeper.carriers.webchat.repository import SqlWebChat
from hearthkeeper.carriers.webchat.texts import say
from hearthkeeper.carriers.webchat.uploads import store_file, store_picture
from hearthkeeper.engine.actions import BAN_FOLLOWS, IN_GROUP, Action, ActionKind
from hearthkeeper.engine.carrier import Capabilities, CarrierError, Outcome
from hearthkeeper.engine.no_room import HANDLED_BY, no_room_alert, room_found_alert
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Group, NewStaffAlert, StaffAlert, Store
from hearthkeeper.store.join_sources import SqlJoinSources
from hearthkeeper.store.waiting_admissions import NO_ROOM as NO_ROOM_KEY

# A mute without a duration lasts until staff lift it.
INDEFINITELY = datetime(9999, 1, 1, tzinfo=UTC)
CLOSE_REMOVED = 4000
KNOWN_USERS = 100_000  # users remembered as existing; then the memory starts again
FILE_BYTES = 50 * 1024 * 1024  # a scheduled post's video, voice or file: the operator's own

PERFORMS = frozenset({
    ActionKind.REPLY, ActionKind.SEND, ActionKind.WARN, ActionKind.DELETE, ActionKind.RESTORE,
    ActionKind.MUTE,
    ActionKind.UNMUTE, ActionKind.KICK, ActionKind.BAN, ActionKind.UNBAN, ActionKind.ALERT_STAFF,
    ActionKind.ADMIT, ActionKind.DECLINE, ActionKind.CLOSE, ActionKind.REOPEN,
})  # fmt: skip


def mute_end(until: datetime | None) -> datetime | None:
    """The end of a mute as browsers are told it: None when it lasts until lifted."""
    return None if until is None or until >= INDEFINITELY else until


class Performer(ChatBase):
    """`perform`, the outbound half of the `Carrier` protocol, and `perform_together`."""

    capabilities: Capabilities  # the carrier's: `max_text`, the most of one bot message

    async def perform(self, action: Action, key: str) -> str | None:
        """Do one action in a web chat group; returns the message id of what it posted."""
        (outcome,) = await self.perform_together([(action, key)])
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    async def perform_together(self, jobs: Sequence[tuple[Action, str]]) -> list[Outcome]:
        """Do `jobs` in order, in one transaction in a worker thread (the event loop keeps
        serving browsers meanwhile), then show what they did to the browsers. Should the
        transaction fail, each is done again in its own, up to the first that fails."""
        outcomes, shown = await asyncio.to_thread(self._perform_all, jobs)
        for show in shown:
            show()
        return outcomes

    def _perform_all(
        self, jobs: Sequence[tuple[Action, str]]
    ) -> tuple[list[Outcome], list[Callable[[], object]]]:
        try:
            with self.store.transaction() as tx:
                return self._perform_in(tx, jobs)
        except Exception as exc:
            if len(jobs) == 1:
                return [exc], []
        outcomes: list[Outcome] = []
        shown: list[Callable[[], object]] = []
        for job in jobs:
            try:
                with self.store.transaction() as tx:
                    (outcome,), show = self._perform_in(tx, [job])
            except Exception as exc:  # the others wait for their next claim
                outcomes.append(exc)
                break
            outcomes.append(outcome)
            shown += show
        return outcomes, shown

    def _perform_in(
        self, tx: Store, jobs: Sequence[tuple[Action, str]]
    ) -> tuple[list[Outcome], list[Callable[[], object]]]:
        """Perform `jobs` in the transaction `tx`; what to show the browsers once it commits.
        An action the chat refuses (`CarrierError`) has written nothing."""
        act = _Act(self, SqlWebChat.on(tx), tx)
        act.take_down_ahead(jobs)
        act.read_replied(jobs)
        outcomes: list[Outcome] = []
        for action, key in jobs:
            try:
                outcomes.append(act.perform(action, key))
            except CarrierError as exc:
                outcomes.append(exc)
        act.count_members()
        return outcomes, act.shown


class _Act:
    """Performing inside one transaction: store work now, browsers told after the commit."""

    def __init__(self, chat: Performer, platform: SqlWebChat, tx: Store) -> None:
        self.chat = chat
        self.platform = platform
        self.tx = tx
        self.shown: list[Callable[[], object]] = []
        self.changed: dict[int, Group] = {}  # groups someone joined or left, by id
        # The run's deletions, done at once before it (`take_down_ahead`): by (message id,
        # group id), the message and whether it was deleted now; and those a job told of
        self.taken: dict[tuple[int, int], tuple[WebChatMessage, bool]] = {}
        self.asked: set[tuple[int, int]] = set()
        self.told: set[tuple[int, int]] = set()
        self.replied: dict[int, int] | None = None  # the run's replied messages' groups

    def take_down_ahead(self, jobs: Sequence[tuple[Action, str]]) -> None:
        """Delete every message the run's deletions name in one statement, before the run:
        each deletion then tells what happened to its message, in its place in the run, as
        if it had deleted it then (a second deletion of the same message finds it deleted).
        Nothing else a run does deletes a message, so the outcome is the same; a run that
        restores one (rare: staff dismissed the reports that hid it) deletes each in its
        place instead, in order."""
        wanted: list[tuple[int, int, str]] = []
        if any(action.kind is ActionKind.RESTORE for action, _ in jobs):
            return
        for action, _ in jobs:
            if action.kind is not ActionKind.DELETE:
                continue
            group = self.chat._group(action.group or "")
            message_id = _message_id(action.target)
            if group is not None and message_id is not None:
                wanted.append((message_id, group.id, action.reason or _REMOVED))
        if wanted:
            self.taken = self.platform.take_down_many(wanted, self.chat.clock.now())
            self.asked = {(m, g) for m, g, _ in wanted}

    def read_replied(self, jobs: Sequence[tuple[Action, str]]) -> None:
        """Read the group of every message the run's replies answer, in one statement (a
        message's group never changes, and none a reply names is posted by the run)."""
        ids = [m for action, _ in jobs if action.kind is ActionKind.REPLY
               and (m := _message_id(action.target)) is not None]  # fmt: skip
        if ids:
            self.replied = self.platform.groups_of(ids)

    def perform(self, action: Action, key: str) -> str | None:
        chat = self.chat
        if action.kind in (ActionKind.ALERT_STAFF, ActionKind.DECLINE):
            # The staff inbox shows an alert (and the staff channel its copy, a SEND); a
            # declined applicant reads why on the join page. No DIRECT: the web chat has no
            # direct messages, so an alert's direct message is passed over by the queue.
            return None
        if action.kind not in PERFORMS:
            raise CarrierError(f"{chat.name} cannot perform {action.kind.value}", retry=False)
        group = chat._group(action.group or "")
        if group is None:
            raise CarrierError(f"{chat.name}: there is no group {action.group!r}", retry=False)
        if action.kind in (ActionKind.REPLY, ActionKind.SEND, ActionKind.WARN):
            return self._post(group, action, key)
        if action.kind is ActionKind.DELETE:
            self._delete(group, action)
            return None
        if action.kind is ActionKind.RESTORE:
            self._restore(group, action)
            return None
        if action.kind in (ActionKind.CLOSE, ActionKind.REOPEN):
            # Each post reads the closed state itself (`closed.py`); the pages open now are
            # asked to connect again, and the hello tells each member what the group is now.
            self._broadcast(group, {"type": "refresh"})
            return None
        user_id = self._member(group, action)
        if action.kind is ActionKind.ADMIT:
            self._seat(group, user_id, key)
        elif action.kind is ActionKind.MUTE:
            self._mute(group, user_id, action)
        elif action.kind is ActionKind.UNMUTE:
            if self.platform.mute(group.id, user_id, None, None) is not None:
                self._send_to(group, user_id, unmuted_frame())
        elif action.kind in (ActionKind.KICK, ActionKind.BAN):
            self._remove(group, user_id, action)
        else:
            self.platform.unban(group.id, user_id)
        return None

    def _seat(self, group: Group, user_id: str, key: str) -> None:
        """Seat an applicant staff approved (once: seated already, nothing happens); the
        engine's Join follows as for anyone joining, naming the link they applied by (kept
        while they waited: `join_sources`). Not under a nickname that reads the same as a
        member's of the group (as the join page refuses it): staff are told, and the
        applicant's join page asks them for another name (`_name_taken`)."""
        chat = self.chat
        now = chat.clock.now()
        waited = self.tx.staff_alert_by_key(f"{key}{NO_ROOM_KEY}")
        if waited is not None and waited.handled_at is None and self._inside(group, user_id):
            # found no room, then came in by their invite link: not seated a second time
            self.tx.handle_alert(waited.id, HANDLED_BY, now)
            return
        source = SqlJoinSources.on(self.tx).take(chat.name, group.carrier_group_id, user_id,
                                                  key, now)  # fmt: skip
        clash: NicknameTaken | None = None
        try:
            asked = self.platform.take_seat(group.id, user_id, now, source=source, distinct=True)
        except NicknameTaken as taken:
            self._name_taken(group, user_id, taken.other, key, now, source, waited)
            return
        if asked.outcome is SeatOutcome.FULL:
            # Filled while they waited (a live code sends every applicant to the group with
            # room when they apply): seated in another group of the community with room, as
            # the join page would offer them, not left approved and outside every group.
            # Seats held for newcomers by live code and pending applications count, as the
            # live code routes: the next group is not given seats already promised.
            for room in self.chat.rooms_with_room(self.tx, group):
                try:
                    other = self.platform.take_seat(room.group.id, user_id, now, source=source,
                                                    distinct=True)  # fmt: skip
                except NicknameTaken as taken:  # the next group with room, where none does
                    clash = clash or taken
                    continue
                if other.outcome in (SeatOutcome.JOINED, SeatOutcome.ALREADY):
                    asked, group = other, room.group
                    break
        if asked.outcome is SeatOutcome.FULL and clash is not None:
            there = self.tx.get_group(clash.group_id) or group
            self._name_taken(there, user_id, clash.other, key, now, source, waited)
            return
        if asked.outcome is SeatOutcome.JOINED:
            self._members_changed(group)
            if waited is not None and waited.handled_at is None:
                self._room_found(group, user_id, waited.id, key, now)
        elif asked.outcome is SeatOutcome.FULL:  # no group of the community has room
            if source is not None:  # not used: it credits their join when there is room
                SqlJoinSources.on(self.tx).give_back(chat.name, group.carrier_group_id,
                                                     user_id, key)  # fmt: skip
            self._no_room(group, user_id, key, now, credited=source is not None)
            raise CarrierError(f"{chat.name}: cannot seat {user_id!r} in {group.name!r} "
                               f"(full, as is every group of the community)", retry=False)  # fmt: skip
        elif asked.outcome is not SeatOutcome.ALREADY:  # banned since
            raise CarrierError(f"{chat.name}: cannot seat {user_id!r} in {group.name!r} "
                               f"({asked.outcome.value})", retry=False)  # fmt: skip

    def _name_taken(self, group: Group, user_id: str, other: str, key: str, at: datetime,
                    source: str | None, waited: StaffAlert | None) -> None:  # fmt: skip
        """An approved applicant not seated in `group`: their nickname reads the same as
        `other`'s, a member there. Staff are told (once for this approval); the link they came
        by keeps its credit for their join, which the join page makes once they choose another
        name (their application is approved: the door lets them in). A no-room alert they
        waited under is handled: there was room."""
        chat = self.chat
        if source is not None:
            SqlJoinSources.on(self.tx).give_back(chat.name, group.carrier_group_id, user_id,
                                                 key)  # fmt: skip
        if waited is not None and waited.handled_at is None:
            self.tx.handle_alert(waited.id, HANDLED_BY, at)
        user = self.platform.user(user_id)
        name = user.nickname if user is not None else user_id
        text = say("approved_lookalike", chat.language(group), name=name, group=group.name,
                   other=other)  # fmt: skip
        self.tx.add_staff_alerts([NewStaffAlert(f"{key}:lookalike", group.community_id,
                                                group.id, None, None, "admission", text,
                                                "approved: nickname reads as a member's", at)])  # fmt: skip

    def _no_room(
        self, group: Group, user_id: str, key: str, at: datetime, *, credited: bool
    ) -> None:
        """Tell staff (the inbox, once for this approval) that an approved applicant waits
        outside: every group of the community is full; `credited`: they came by a link, whose
        credit waits for their join."""
        user = self.platform.user(user_id)
        name = user.nickname if user is not None else user_id
        community = next((c.name for c in self.tx.list_communities()
                          if c.id == group.community_id), "")  # fmt: skip
        alert = no_room_alert(key, group, community, name, self.chat.language(group), at,
                              credited=credited)  # fmt: skip
        self.tx.add_staff_alerts([alert])

    def _inside(self, group: Group, user_id: str) -> bool:
        """Whether the person has a seat in a group of `group`'s community now."""
        return any((seat := self.platform.seat(room.group.id, user_id)) is not None
                   and seat.seated
                   for room in self.platform.rooms(group.community_id, group.carrier))  # fmt: skip

    def _room_found(self, group: Group, user_id: str, alert_id: int, key: str,
                    at: datetime) -> None:  # fmt: skip
        """An approved applicant who waited outside (staff were told no group had room,
        alert `alert_id`) is seated now that there is: that alert is handled, and staff are
        told where they are."""
        self.tx.handle_alert(alert_id, HANDLED_BY, at)
        user = self.platform.user(user_id)
        name = user.nickname if user is not None else user_id
        alert = room_found_alert(key, group, name, self.chat.language(group), at)
        self.tx.add_staff_alerts([alert])

    def _post(self, group: Group, action: Action, key: str) -> str:
        """Post the action's text, in as many messages as it takes (at most the carrier's
        `max_text` characters each, cut by `carriers/cutting.py`), in order; the first one's
        id. Each part is kept under its own key (`part_key`) in this one transaction: a
        retry finds them all kept, and shows none twice. The first part answers, mentions
        whom the action names and shows the post's picture or file; each part mentions those
        its own words @."""
        markdown = action.extra.get("format") == "markdown"
        parts = cut(action.text or "", self.chat.capabilities.max_text, markdown=markdown)
        reply_to = _message_id(action.target) if action.kind is ActionKind.REPLY else None
        if reply_to is not None and self.replied is not None:  # read ahead
            reply_to = reply_to if self.replied.get(reply_to) == group.id else None
        elif reply_to is not None:
            replied = self.platform.message(reply_to)
            reply_to = replied.id if replied and replied.group_id == group.id else None
        asset = asset_of(action)
        stored, refused = self._attach(asset, group) if asset is not None else (None, None)
        # a private reply (a door code, a payment reference): kept for its member alone, shown
        # in their browsers only, never in anyone else's page or history
        private = action.member if IN_GROUP in action.extra and action.member else None
        kind = "text" if stored is None or asset is None else asset.kind
        ids: list[str] = []
        present: list[tuple[str, str]] | None = None  # the group's people, read if a part @s
        for n, text in enumerate(parts):
            mentions: list[str] = []
            if has_mention(text):
                present = people(self.platform, group.id) if present is None else present
                mentions = find_mentions(text, present)
            if n == 0:
                self._mention_named(action, mentions)
            message, created = self.platform.add_message(
                group.id, user_id=None, nickname=self.chat.bot_name_for(group),
                kind=kind if n == 0 else "text", text=text, picture=stored if n == 0 else None,
                reply_to=reply_to if n == 0 else None, mentions=mentions,
                action_key=part_key(key, n), format="markdown" if markdown else None,
                visible_to=private,
            )  # fmt: skip
            if created:
                if n == 0 and asset is not None and refused is not None:
                    unsent_alert(self.tx, action, key, group, asset, refused,
                                 self.chat.clock.now(), self.chat.language(group))  # fmt: skip
                if private is not None:
                    self._send_to(group, private, message_frame(message))
                else:
                    self._broadcast(group, message_frame(message))
            ids.append(str(message.id))
        return ids[0]

    @staticmethod
    def _mention_named(action: Action, mentions: list[str]) -> None:
        """Add to `mentions` the member the action is about (first) and those its `extra`
        names (a staff alert: its recipients)."""
        if action.member and action.member not in mentions:
            mentions.insert(0, action.member)
        for named in action.extra.get("mentions") or ():
            if isinstance(named, str) and named not in mentions:
                mentions.append(named)

    def _attach(self, asset: Asset, group: Group) -> tuple[str | None, str | None]:
        """A scheduled post's file kept with the uploads: its stored name, or why not. A
        picture is checked as a member's upload is; a video, voice or other file (up to
        `FILE_BYTES`) is kept as it is, for members to download. Read once for every group
        it goes to while it is unchanged (`kept_assets`)."""
        chat = self.chat
        language = chat.language(group)
        try:
            seen = asset.path.stat()
        except OSError:
            return self._keep(asset, language)  # gone or unreadable: `read` says which
        key = f"{asset.kind}:{language}:{seen.st_size}:{seen.st_mtime_ns}:{asset.path}"
        kept = chat.kept_assets.get(key)
        if kept is None or (kept[0] is not None and not (chat.uploads_dir / kept[0]).exists()):
            kept = self._keep(asset, language)
            chat.kept_assets.add(key, kept)
        return kept

    def _keep(self, asset: Asset, language: Language) -> tuple[str | None, str | None]:
        chat = self.chat
        limit = chat.max_upload_bytes if asset.kind == "picture" else FILE_BYTES
        try:
            data = asset.read(limit, language)
            if asset.kind != "picture":
                return store_file(chat.uploads_dir, data, asset.path.suffix), None
            return store_picture(chat.uploads_dir, data, limit, language).name, None
        except AssetRefused as exc:
            return None, exc.reason
        except PictureRefused as exc:
            return None, exc.message

    def _delete(self, group: Group, action: Action) -> None:
        message_id = _message_id(action.target)
        reason = action.reason or _REMOVED
        key = (message_id or 0, group.id)
        if message_id is None:
            found = None
        elif key in self.asked:  # deleted ahead of the run
            found = self.taken.get(key)
            if found is not None and key in self.told:  # this run's deletion came first
                found = (found[0], False)
            self.told.add(key)
        else:
            found = self.platform.take_down(message_id, reason, self.chat.clock.now(), group.id)
        if found is None:
            raise CarrierError(f"{self.chat.name}: there is no message {action.target!r} in "
                               f"group {group.name!r}", retry=False)  # fmt: skip
        message, deleted_now = found
        if deleted_now and message.visible_to is not None:  # only its one viewer had it
            self._send_to(group, message.visible_to, deleted_frame(message.id))
        elif deleted_now:
            self._broadcast(group, deleted_frame(message.id))

    def _restore(self, group: Group, action: Action) -> None:
        """Show a deleted message again, in its place, to those who saw it (a message shown
        to one member alone: to them); nothing when it is not deleted (restored already)."""
        message_id = _message_id(action.target)
        back = None if message_id is None else self.platform.bring_back(message_id, group.id)
        if back is None:
            return
        if back.visible_to is not None:
            self._send_to(group, back.visible_to, restored_frame(back))
        else:
            self._broadcast(group, restored_frame(back))

    def _member(self, group: Group, action: Action) -> str:
        user_id = action.member or ""
        known = self.chat._known_users
        if user_id in known:
            return user_id
        if self.platform.user(user_id) is None:
            raise CarrierError(f"{self.chat.name}: there is no member {action.member!r} "
                               f"(group {group.name!r})", retry=False)  # fmt: skip
        if len(known) >= KNOWN_USERS:
            known.clear()
        known.add(user_id)
        return user_id

    def _mute(self, group: Group, user_id: str, action: Action) -> None:
        now = self.chat.clock.now()
        until = INDEFINITELY if action.duration is None else now + action.duration
        reason = action.reason or "a moderator's decision"
        seat = self.platform.mute(group.id, user_id, until, reason)
        if seat is None:
            raise CarrierError(f"{self.chat.name}: {user_id!r} was never in group "
                               f"{group.name!r}", retry=False)  # fmt: skip
        self._send_to(group, user_id,
                      muted_frame(mute_end(until), reason, self.chat.zone(group),
                                  self.chat.language(group)))  # fmt: skip

    def _remove(self, group: Group, user_id: str, action: Action) -> None:
        chat = self.chat
        banned = action.kind is ActionKind.BAN
        reason = action.reason or ("banned by a moderator" if banned else "removed by a moderator")
        now = chat.clock.now()
        if banned:
            was_in = self.platform.ban(
                group.id, user_id, reason, now, removed_by=chat.bot_name_for(group)
            )
        else:
            left = self.platform.leave_seat(
                group.id, user_id, now, removed_by=chat.bot_name_for(group)
            )
            was_in = left is not None
        # a kick whose decision also bans them (a ladder rung of kick and blacklist) is told
        # as a ban: the rejoin link would only lead to the ban
        told_banned = banned or action.extra.get(BAN_FOLLOWS) is True
        self._send_to(group, user_id, removed_frame(reason, banned=told_banned))
        closing = "banned" if told_banned else "removed"
        self.shown.append(lambda: chat.hub.close_user(group.id, user_id, CLOSE_REMOVED, closing))
        if was_in:
            self._members_changed(group)

    def _members_changed(self, group: Group) -> None:
        """Someone joined or left (the chat queued the event): counted once per run."""
        self.changed[group.id] = group

    def count_members(self) -> None:
        """Wake the feed for the joins and leaves queued, and tell each group that changed
        how many are in it now: once per group, however many joined or left in the run."""
        if not self.changed:
            return
        self.shown.append(self.chat.feed.signal)
        for group in self.changed.values():
            self._broadcast(group, members_frame(self.platform.seats_taken(group.id)))

    def _broadcast(self, group: Group, frame: dict[str, Any]) -> None:
        hub = self.chat.hub
        self.shown.append(lambda: hub.broadcast(group.id, frame))

    def _send_to(self, group: Group, user_id: str, frame: dict[str, Any]) -> None:
        hub = self.chat.hub
        self.shown.append(lambda: hub.send_to(group.id, user_id, frame))


_REMOVED = "removed by moderation"  # a deletion's reason when its action gives none


def _message_id(target: str | None) -> int | None:
    """The web chat message id an event id names (they are the same number, as text)."""
    if target is None or not (target.isascii() and target.isdigit()) or len(target) > 18:
        return None
    return int(target)
