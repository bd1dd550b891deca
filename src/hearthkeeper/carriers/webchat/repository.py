"""The built-in web chat's own data: invite codes, browser identities, seats and messages.

The engine keeps its own view of the same groups (memberships, messages); these tables are
the chat platform itself, as a hosted chat service would keep them.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    Insert,
    Select,
    Table,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from hearthkeeper.carriers.webchat.names import nickname_clash
from hearthkeeper.carriers.webchat.records import (
    NicknameTaken,
    SeatedUser,
    SeatOutcome,
    SeatRequest,
    WebChatMessage,
    WebChatRoom,
    WebSeat,
    WebUser,
)
from hearthkeeper.store import Group, StoreError
from hearthkeeper.store.among import among
from hearthkeeper.store.columns import utc
from hearthkeeper.store.communities import _group
from hearthkeeper.store.inserts import insert_ignoring, table_of
from hearthkeeper.store.locks import lock_row
from hearthkeeper.store.metric_reads import _chunks
from hearthkeeper.store.models import (
    CommunityRow,
    GroupRow,
    WebChatEventRow,
    WebChatGroupRow,
    WebChatMessageRow,
    WebChatSeatRow,
    WebChatUserRow,
)
from hearthkeeper.store.prepared import run
from hearthkeeper.store.scope import StoreBase
from hearthkeeper.store.waiting_admissions import requeue_waiting


class SqlWebChat(StoreBase):
    """The web chat's own tables on SQLAlchemy; `SqlWebChat.on(store)` works on the
    store's engine, clock and (inside a transaction) its session."""

    # --- groups and invite codes --------------------------------------------------------------

    def invite_codes(self, group_ids: Sequence[int]) -> dict[int, str]:
        """The invite codes these groups have (one without any is left out), in one read: the
        console's pages list every group's link without a write (and SQLite's write lock) for
        each of hundreds of groups."""
        if not group_ids:
            return {}
        query = select(WebChatGroupRow.group_id, WebChatGroupRow.invite_code).where(
            among(WebChatGroupRow.group_id, sorted(set(group_ids))))  # fmt: skip
        with self._unit(write=False) as session:
            return {int(group_id): str(code) for group_id, code in session.execute(query)}

    def invite_code(self, group_id: int, code: str) -> str:
        """The group's invite code; `code` becomes it if the group has none yet."""
        found = self.invite_codes([group_id]).get(group_id)
        if found is not None:  # read without taking the write lock: made once, then read
            return found
        with self._unit(write=True) as session:
            row = session.get(WebChatGroupRow, group_id)
            if row is not None:
                return row.invite_code
            if session.get(GroupRow, group_id) is None:
                raise StoreError(f"there is no group with id {group_id}")
            row = WebChatGroupRow(group_id=group_id, invite_code=code, created_at=self._now())
            if self._try_insert(session, row):
                return code
            existing = session.get(WebChatGroupRow, group_id)  # given one meanwhile
            if existing is None:
                raise StoreError(f"the invite code {code!r} belongs to another group")
            return existing.invite_code

    def group_for_code(self, code: str) -> Group | None:
        """The group an invite code opens, if any."""
        with self._unit(write=False) as session:
            row = session.scalar(
                select(GroupRow)
                .join(WebChatGroupRow, WebChatGroupRow.group_id == GroupRow.id)
                .where(WebChatGroupRow.invite_code == code)
            )
            return None if row is None else _group(row)

    def rooms(self, community_id: int, carrier: str) -> list[WebChatRoom]:
        """The community's groups on `carrier`, each with its invite code and seats taken."""
        query = _rooms().where(GroupRow.community_id == community_id, GroupRow.carrier == carrier)
        with self._unit(write=False) as session:
            return [_room(*found) for found in session.execute(query.order_by(GroupRow.id))]

    def room(self, code: str) -> WebChatRoom | None:
        """The group an invite code opens, with its community's name and seats taken."""
        query = _rooms().where(WebChatGroupRow.invite_code == code)
        with self._unit(write=False) as session:
            found = session.execute(query).first()
            return None if found is None else _room(*found)

    # --- users --------------------------------------------------------------------------------

    def add_user(self, user_id: str, token_hash: str, nickname: str) -> WebUser:
        """A new browser identity; the cookie's token is kept as its hash only."""
        row = WebChatUserRow(
            user_id=user_id, token_hash=token_hash, nickname=nickname, created_at=self._now()
        )
        with self._unit(write=True) as session:
            if not self._try_insert(session, row):
                raise StoreError(f"the web chat user {user_id!r} already exists")
            return _user(row)

    def user(self, user_id: str) -> WebUser | None:
        """The web chat user with this carrier id, if any."""
        with self._unit(write=False) as session:
            row = session.scalar(select(WebChatUserRow).where(WebChatUserRow.user_id == user_id))
            return None if row is None else _user(row)

    def user_by_token(self, token_hash: str) -> WebUser | None:
        """The web chat user whose cookie token hashes to `token_hash`, if any."""
        with self._unit(write=False) as session:
            row = session.scalar(
                select(WebChatUserRow).where(WebChatUserRow.token_hash == token_hash)
            )
            return None if row is None else _user(row)

    def rename_user(self, user_id: str, nickname: str, *,
                    distinct_in: int | None = None) -> WebUser:  # fmt: skip
        """Give a web chat user a new nickname; `NicknameTaken` when someone else looks the
        same in a group they are in, or in group `distinct_in` (the one they are joining).
        Those groups' rows are locked, in order, so a join or rename at the same moment is
        checked against this name, and this one against theirs. A rename is queued for the
        engine in each group they sit in (in the same transaction): their stored name follows
        it before they post again. A nickname unchanged queues nothing."""
        with self._unit(write=True) as session:
            row = session.scalar(select(WebChatUserRow).where(WebChatUserRow.user_id == user_id))
            if row is None:
                raise StoreError(f"there is no web chat user {user_id!r}")
            seated = set(session.scalars(select(WebChatSeatRow.group_id).where(
                WebChatSeatRow.user_id == user_id, WebChatSeatRow.left_at.is_(None),
                WebChatSeatRow.banned_at.is_(None))))  # fmt: skip
            groups = seated if distinct_in is None else seated | {distinct_in}
            for group_id in sorted(groups):
                lock_row(session, GroupRow, group_id)
            for group_id in sorted(groups):
                _refuse_lookalike(session, group_id, user_id, nickname)
            if row.nickname != nickname:
                row.nickname = nickname
                now = self._now()
                for group_id in sorted(seated):
                    queue_chat_event(session, group_id, "rename", user_id, now)
            return _user(row)

    # --- seats --------------------------------------------------------------------------------

    def seat(self, group_id: int, user_id: str) -> WebSeat | None:
        """The user's seat in the group (in, out or banned), if they ever had one."""
        with self._unit(write=False) as session:
            row = session.get(WebChatSeatRow, (group_id, user_id))
            return None if row is None else _seat(row)

    def seat_and_closed(self, group_id: int, user_id: str) -> tuple[WebSeat | None, bool]:
        """The user's seat in the group (as `seat`) and whether the group is closed now, in
        one statement: each member post checks both, fresh (a `hearth groups close` in
        another process counts from the next post on) without a read of the group of its own."""
        with self._unit(write=False) as session:
            found = run(session.connection(), _SEAT_AND_CLOSED,
                        {"group_id": group_id, "user_id": user_id}, processed=True).first()  # fmt: skip
        if found is None:
            return None, False
        (group, user, joined, left, muted, mute_reason, banned, ban_reason, closed) = found
        return WebSeat(group_id=group, user_id=user, joined_at=joined, left_at=left,
                       muted_until=muted, mute_reason=mute_reason, banned_at=banned,
                       ban_reason=ban_reason), closed is not None  # fmt: skip

    def take_seat(
        self,
        group_id: int,
        user_id: str,
        at: datetime,
        *,
        source: str | None = None,
        distinct: bool = False,
    ) -> SeatRequest:
        """Seat the user unless banned or the group is full; a rejoin begins a new stay.
        `source` is the token of the link they came by; the engine's Join carries it.
        `distinct`: `NicknameTaken` when someone in the group has a nickname that looks the
        same as theirs (a newcomer joining by the join page; staff's approvals seat as asked).

        The group row is locked, so two joins racing for the last seat cannot both get it,
        nor two newcomers under one name both be seated."""
        at = utc(at, "join time")
        with self._unit(write=True) as session:
            group = session.get(GroupRow, group_id, with_for_update=True)
            if group is None:
                raise StoreError(f"there is no group with id {group_id}")
            row = session.get(WebChatSeatRow, (group_id, user_id))
            taken = _taken(session, group_id)
            if row is not None and row.banned_at is not None:
                return SeatRequest(SeatOutcome.BANNED, _seat(row), taken)
            if row is not None and row.left_at is None:
                return SeatRequest(SeatOutcome.ALREADY, _seat(row), taken)
            if group.capacity is not None and taken >= group.capacity:
                return SeatRequest(SeatOutcome.FULL, None if row is None else _seat(row), taken)
            if distinct:
                nickname = session.scalar(select(WebChatUserRow.nickname).where(
                    WebChatUserRow.user_id == user_id))  # fmt: skip
                if nickname is not None:
                    _refuse_lookalike(session, group_id, user_id, nickname)
            if row is None:
                row = WebChatSeatRow(group_id=group_id, user_id=user_id, joined_at=at)
                session.add(row)
            row.joined_at, row.left_at = at, None
            queue_chat_event(session, group_id, "join", user_id, at, source=source)
            session.flush()
            return SeatRequest(SeatOutcome.JOINED, _seat(row), taken + 1)

    def leave_seat(
        self, group_id: int, user_id: str, at: datetime, *, removed_by: str | None = None
    ) -> WebSeat | None:
        """Close the user's stay (`removed_by`: who removed them); the seat as it was if they
        were in the group, else None."""
        with self._unit(write=True) as session:
            row = session.get(WebChatSeatRow, (group_id, user_id))
            if row is None or row.left_at is not None:
                return None
            before = _seat(row)
            row.left_at = utc(at, "leave time")
            queue_chat_event(session, group_id, "leave", user_id, at, removed_by=removed_by)
            _seat_freed(session, group_id, at)
            return before

    def ban(
        self,
        group_id: int,
        user_id: str,
        reason: str,
        at: datetime,
        *,
        removed_by: str | None = None,
    ) -> bool:
        """Ban the user from the group (and close their stay, removed by `removed_by`); True
        if they were in it."""
        at = utc(at, "ban time")
        with self._unit(write=True) as session:
            row = session.get(WebChatSeatRow, (group_id, user_id))
            if row is None:
                row = WebChatSeatRow(group_id=group_id, user_id=user_id, joined_at=at, left_at=at)
                session.add(row)
                seated = False
            else:
                seated = row.left_at is None
                row.left_at = row.left_at or at
            if seated:
                queue_chat_event(session, group_id, "leave", user_id, at, removed_by=removed_by)
                _seat_freed(session, group_id, at)
            row.banned_at, row.ban_reason = at, reason
            session.flush()
            return seated

    def unban(self, group_id: int, user_id: str) -> bool:
        """Lift the user's ban from the group; True if there was one."""
        with self._unit(write=True) as session:
            row = session.get(WebChatSeatRow, (group_id, user_id))
            if row is None or row.banned_at is None:
                return False
            row.banned_at, row.ban_reason = None, None
            return True

    def mute(
        self, group_id: int, user_id: str, until: datetime | None, reason: str | None
    ) -> WebSeat | None:
        """Mute the user until `until` (None lifts the mute); None if they never had a seat.
        One statement; a copy of the seat the session holds is brought up to date."""
        table = table_of(WebChatSeatRow)
        ends = None if until is None else utc(until, "mute end")
        with self._unit(write=True) as session:
            held = session.identity_map.get(identity_key(WebChatSeatRow, (group_id, user_id)))
            if held is not None and held in session.dirty:
                session.flush()  # the statement below must not pass over its changes
            found = session.connection().execute(
                update(table).where(table.c.group_id == group_id, table.c.user_id == user_id)
                .values(muted_until=ends, mute_reason=None if until is None else reason)
                .returning(*table.c)
            ).first()  # fmt: skip
            if held is not None:
                session.expire(held, ["muted_until", "mute_reason"])
            return None if found is None else _seat(found)  # type: ignore[arg-type]  # its columns

    def seated(self, group_id: int) -> list[SeatedUser]:
        """Who is in the group now, by nickname."""
        query = (
            select(WebChatUserRow.user_id, WebChatUserRow.nickname)
            .join(WebChatSeatRow, WebChatSeatRow.user_id == WebChatUserRow.user_id)
            .where(WebChatSeatRow.group_id == group_id, WebChatSeatRow.left_at.is_(None))
            .order_by(WebChatUserRow.nickname)
        )
        with self._unit(write=False) as session:
            return [SeatedUser(user_id, nickname) for user_id, nickname in session.execute(query)]

    def seats_taken(self, group_id: int) -> int:
        """How many are in the group now."""
        with self._unit(write=False) as session:
            return _taken(session, group_id)

    # --- messages -----------------------------------------------------------------------------

    def add_message(
        self,
        group_id: int,
        *,
        user_id: str | None,
        nickname: str,
        kind: str,
        text: str,
        picture: str | None = None,
        reply_to: int | None = None,
        mentions: Sequence[str] = (),
        action_key: str | None = None,
        mentions_bot: bool = False,
        format: str | None = None,
        visible_to: str | None = None,
    ) -> tuple[WebChatMessage, bool]:
        """Keep a message; with `action_key` (a bot message's outbox key) at most once: the
        message already kept under that key comes back with False. A member's message is
        queued for the engine in the same transaction (`mentions_bot`: addressed to the bot).
        `format`: "markdown" for a scheduled post's text, shown formatted; None as typed.
        `visible_to`: the one member shown it (a private reply); None: the whole group."""
        row = {"group_id": group_id, "user_id": user_id, "nickname": nickname, "kind": kind,
               "text": text, "picture": picture, "reply_to": reply_to,
               "mentions": list(mentions), "sent_at": utc(self._now(), "send time"),
               "action_key": action_key, "format": format,
               "visible_to": visible_to}  # fmt: skip
        with self._unit(write=True) as session:
            if user_id is not None:  # a member's: numbered in the order the group takes them
                lock_row(session, GroupRow, group_id)
            try:  # one statement: a key kept already is passed over, not an error
                added = session.connection().execute(_add_message(session), row).first()
            except IntegrityError:  # the one foreign key: the group
                raise StoreError(f"there is no group with id {group_id}") from None
            if added is None:
                existing = None if action_key is None else _by_key(session, action_key)
                assert existing is not None, "only the outbox key can conflict"
                return _message(existing), False
            message = _message(added)  # type: ignore[arg-type]  # a row of its columns
            if user_id is not None:
                queue_chat_event(session, group_id, "message", user_id, message.sent_at,
                                 message_id=message.id, mentions_bot=mentions_bot)  # fmt: skip
            return message, True

    def message(self, message_id: int) -> WebChatMessage | None:
        """One message, deleted or not."""
        with self._unit(write=False) as session:
            row = session.get(WebChatMessageRow, message_id)
            return None if row is None else _message(row)

    def groups_of(self, message_ids: Sequence[int]) -> dict[int, int]:
        """The group of each of `message_ids` that is a message (deleted or not), by id."""
        table = table_of(WebChatMessageRow)
        found: dict[int, int] = {}
        with self._unit(write=False) as session:
            db = session.connection()
            for ids in _chunks(sorted(set(message_ids))):
                query = select(table.c.id, table.c.group_id).where(table.c.id.in_(ids))
                found.update((m, g) for m, g in db.execute(query))
        return found

    def pictures_in_use(self, names: Sequence[str]) -> set[str]:
        """Which of the stored pictures `names` a message (deleted or not) shows."""
        used: set[str] = set()
        with self._unit(write=False) as session:
            for chunk in _chunks(names):  # bounded IN lists for both databases
                query = select(WebChatMessageRow.picture).where(
                    WebChatMessageRow.picture.in_(chunk)
                )
                used.update(name for name in session.scalars(query) if name is not None)
        return used

    def history(self, group_id: int, *, viewer: str | None = None,
                limit: int = 100) -> list[WebChatMessage]:  # fmt: skip
        """The group's last `limit` messages that were not deleted, oldest first, as `viewer`
        may read them: the group's, and the private replies to `viewer` alone."""
        rows = WebChatMessageRow
        visible = rows.visible_to.is_(None) if viewer is None else or_(
            rows.visible_to.is_(None), rows.visible_to == viewer)  # fmt: skip
        query = (
            select(WebChatMessageRow)
            .where(rows.group_id == group_id, rows.deleted_at.is_(None), visible)
            .order_by(WebChatMessageRow.id.desc())
            .limit(limit)
        )
        with self._unit(write=False) as session:
            return [_message(row) for row in reversed(list(session.scalars(query)))]

    def take_down(self, message_id: int, reason: str, at: datetime,
                  group_id: int | None = None) -> tuple[WebChatMessage, bool] | None:  # fmt: skip
        """Mark a message deleted (the row stays, with when and why), and whether this call
        deleted it; None if there is none (in `group_id`, when given). One statement when it
        deletes; a message deleted before keeps when and why."""
        at = utc(at, "deletion time")
        table = table_of(WebChatMessageRow)
        which = [table.c.id == message_id]
        if group_id is not None:
            which.append(table.c.group_id == group_id)
        with self._unit(write=True) as session:
            taken = session.connection().execute(
                update(table).where(*which, table.c.deleted_at.is_(None))
                .values(deleted_at=at, deleted_reason=reason).returning(*table.c)
            ).first()  # fmt: skip
            if taken is not None:
                return _message(taken), True  # type: ignore[arg-type]  # a row of its columns
            row = session.get(WebChatMessageRow, message_id)
            if row is None or (group_id is not None and row.group_id != group_id):
                return None
            return _message(row), False

    def bring_back(self, message_id: int, group_id: int) -> WebChatMessage | None:
        """Show a deleted message of `group_id` again (staff dismissed the reports that hid
        it): the message, when this call brought it back; None when it was not deleted, or
        is not there."""
        table = table_of(WebChatMessageRow)
        with self._unit(write=True) as session:
            back = session.connection().execute(
                update(table).where(table.c.id == message_id, table.c.group_id == group_id,
                                    table.c.deleted_at.is_not(None))
                .values(deleted_at=None, deleted_reason=None).returning(*table.c)
            ).first()  # fmt: skip
            return None if back is None else _message(back)  # type: ignore[arg-type]

    def take_down_many(
        self, wanted: Sequence[tuple[int, int, str]], at: datetime
    ) -> dict[tuple[int, int], tuple[WebChatMessage, bool]]:
        """`take_down` for many messages at once, each (message id, group id, reason): by
        (message id, group id), the message and whether this call deleted it; a message not
        in that group, or none, is left out. The first reason given for a message is the
        one kept. One statement deletes them all (per 500), one more reads those deleted
        before."""
        at = utc(at, "deletion time")
        reasons: dict[tuple[int, int], str] = {}
        for message_id, group_id, reason in wanted:
            reasons.setdefault((message_id, group_id), reason)
        if not reasons:
            return {}
        table = table_of(WebChatMessageRow)
        found: dict[tuple[int, int], tuple[WebChatMessage, bool]] = {}
        with self._unit(write=True) as session:
            db = session.connection()
            for chunk in _chunks(list(reasons)):
                taken = db.execute(
                    update(table)
                    .where(tuple_(table.c.id, table.c.group_id).in_(chunk),
                           table.c.deleted_at.is_(None))
                    .values(deleted_at=at, deleted_reason=case(
                        *[(and_(table.c.id == m, table.c.group_id == g), reasons[(m, g)])
                          for m, g in chunk]))
                    .returning(*table.c)
                )  # fmt: skip
                for row in taken:
                    found[(row.id, row.group_id)] = (_message(row), True)  # type: ignore[arg-type]
            before = sorted({m for m, g in reasons if (m, g) not in found})
            for ids in _chunks(before):  # deleted before, in another group, or none
                for row in db.execute(select(table).where(table.c.id.in_(ids))):
                    key = (row.id, row.group_id)
                    if key in reasons and key not in found:
                        found[key] = (_message(row), False)  # type: ignore[arg-type]
        return found

    def _now(self) -> datetime:
        return self._clock.now()


def queue_chat_event(
    session: Session,
    group_id: int,
    kind: str,
    user_id: str,
    at: datetime,
    *,
    message_id: int | None = None,
    removed_by: str | None = None,
    mentions_bot: bool = False,
    source: str | None = None,
) -> None:
    """Queue a member's message, join, leave or rename in the caller's transaction. A
    message's event id is its message id (moderation names it by that); the others get a random one,
    kept in the row, so a second delivery carries the same id."""
    event_id = str(message_id) if message_id is not None else f"{kind}-{uuid.uuid4().hex}"
    # Writers of one group queue one at a time until they commit (a row lock on PostgreSQL;
    # SQLite has one writer anyway), so a group's queue ids are in commit order: a worker
    # reading the group's queue by id never passes over a row that commits later.
    lock_row(session, GroupRow, group_id)
    session.add(WebChatEventRow(
        group_id=group_id, event_id=event_id, kind=kind, user_id=user_id,
        message_id=message_id, removed_by=removed_by, mentions_bot=mentions_bot,
        at=utc(at, f"{kind} time"), source=source,
    ))  # fmt: skip


def _refuse_lookalike(session: Session, group_id: int, user_id: str, nickname: str) -> None:
    """`NicknameTaken` when someone else in the group now has a nickname like `nickname`."""
    seated = session.execute(
        select(WebChatUserRow.user_id, WebChatUserRow.nickname)
        .join(WebChatSeatRow, WebChatSeatRow.user_id == WebChatUserRow.user_id)
        .where(WebChatSeatRow.group_id == group_id, WebChatSeatRow.left_at.is_(None))
    )
    other = nickname_clash(nickname, ((found, name) for found, name in seated), user_id)
    if other is not None:
        raise NicknameTaken(group_id, other)


def _taken(session: Session, group_id: int) -> int:
    query = select(func.count()).where(
        WebChatSeatRow.group_id == group_id, WebChatSeatRow.left_at.is_(None)
    )
    return session.scalar(query) or 0


def _rooms() -> Select[GroupRow, str, str | None, int | None]:
    taken = (
        select(WebChatSeatRow.group_id, func.count().label("taken"))
        .where(WebChatSeatRow.left_at.is_(None))
        .group_by(WebChatSeatRow.group_id)
        .subquery()
    )
    return (
        select(GroupRow, CommunityRow.name, WebChatGroupRow.invite_code, taken.c.taken)
        .join(CommunityRow, CommunityRow.id == GroupRow.community_id)
        .outerjoin(WebChatGroupRow, WebChatGroupRow.group_id == GroupRow.id)
        .outerjoin(taken, taken.c.group_id == GroupRow.id)
    )


def _room(row: GroupRow, community: str, code: str | None, taken: int | None) -> WebChatRoom:
    return WebChatRoom(group=_group(row), community=community, invite_code=code, taken=taken or 0)


def _add_message(session: Session) -> Insert:
    """INSERT a message unless its outbox key is kept already, returning the row."""
    table = table_of(WebChatMessageRow)
    return _returning_all(insert_ignoring(session, WebChatMessageRow, ["action_key"]), table)


@functools.cache
def _returning_all(statement: Insert, table: Table) -> Insert:
    return statement.returning(*table.c)


def _by_key(session: Session, action_key: str) -> WebChatMessageRow | None:
    return session.scalar(
        select(WebChatMessageRow).where(WebChatMessageRow.action_key == action_key)
    )


def _user(row: WebChatUserRow) -> WebUser:
    return WebUser(id=row.id, user_id=row.user_id, nickname=row.nickname,
                   created_at=row.created_at)  # fmt: skip


_SEATS = WebChatSeatRow.__table__
# a member post's one read (`seat_and_closed`), built once for `prepared.run`
_SEAT_AND_CLOSED = (
    select(_SEATS.c.group_id, _SEATS.c.user_id, _SEATS.c.joined_at, _SEATS.c.left_at,
           _SEATS.c.muted_until, _SEATS.c.mute_reason, _SEATS.c.banned_at, _SEATS.c.ban_reason,
           GroupRow.__table__.c.closed_at)
    .join(GroupRow.__table__, GroupRow.__table__.c.id == _SEATS.c.group_id)
    .where(_SEATS.c.group_id == bindparam("group_id"), _SEATS.c.user_id == bindparam("user_id"))
)  # fmt: skip


def _seat(row: WebChatSeatRow) -> WebSeat:
    return WebSeat(
        group_id=row.group_id, user_id=row.user_id, joined_at=row.joined_at,
        left_at=row.left_at, muted_until=row.muted_until, mute_reason=row.mute_reason,
        banned_at=row.banned_at, ban_reason=row.ban_reason,
    )  # fmt: skip


def _message(row: WebChatMessageRow) -> WebChatMessage:
    return WebChatMessage(
        id=row.id, group_id=row.group_id, user_id=row.user_id, nickname=row.nickname,
        kind=row.kind, text=row.text, picture=row.picture, reply_to=row.reply_to,
        mentions=tuple(str(m) for m in row.mentions), sent_at=row.sent_at,
        deleted_at=row.deleted_at, deleted_reason=row.deleted_reason, action_key=row.action_key,
        format=row.format, visible_to=row.visible_to,
    )  # fmt: skip


def _seat_freed(session: Session, group_id: int, at: datetime) -> None:
    """A seat of the group is free: the community's approved applicants who found no room
    are tried again (`store/waiting_admissions.py`), the first approved taking it."""
    community_id = session.scalar(select(GroupRow.community_id).where(GroupRow.id == group_id))
    if community_id is not None:
        requeue_waiting(session, community_id, at)
