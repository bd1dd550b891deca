"""The link token a person came by, kept until their join says it (`join_sources`).

A carrier whose join cannot name the link (a Matrix join accepts the bot's invitation; a
Telegram join approved by hand names no invite link) writes the token down when it lets the
person in (`remember`) and reads it back as their join arrives (`take`). The store, not the
process, keeps it: a restart between the two loses nothing. A join takes the token once: the
same join read again (the engine had not recorded it) finds it again, a later join does not.
A token no join took is forgotten `KEPT` after it was written."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select

from hearthkeeper.store.columns import utc
from hearthkeeper.store.models import JoinSourceRow
from hearthkeeper.store.models.joins import SOURCE
from hearthkeeper.store.scope import StoreBase

# An invitation accepted, a request approved, within two weeks still credits the link (an
# application may wait some days for staff); after that the person is no longer on their way.
KEPT = timedelta(days=14)


class SqlJoinSources(StoreBase):
    """`SqlJoinSources.on(store)`: the tokens of people on their way into a group."""

    def remember(self, carrier: str, room: str, user_id: str, source: str, at: datetime) -> None:
        """Keep `source` for the person's next join to the room (replacing what was kept for
        them there); tokens past their time are forgotten on the way."""
        now = utc(at, "remembered at")
        with self._unit(write=True) as session:
            session.execute(delete(JoinSourceRow).where(JoinSourceRow.expires_at <= now))
            row = session.get(JoinSourceRow, (carrier, room, user_id), with_for_update=True)
            if row is None:
                fresh = JoinSourceRow(carrier=carrier, room=room, user_id=user_id,
                                      source=source[:SOURCE], remembered_at=now,
                                      expires_at=now + KEPT, join_event=None)  # fmt: skip
                if self._try_insert(session, fresh):
                    return
                row = session.get(JoinSourceRow, (carrier, room, user_id), with_for_update=True)
                if row is None:  # written and taken away meanwhile: nothing to keep it beside
                    return
            row.source = source[:SOURCE]
            row.remembered_at = now
            row.expires_at = now + KEPT
            row.join_event = None

    def take(self, carrier: str, room: str, user_id: str, join_event: str,
             at: datetime) -> str | None:  # fmt: skip
        """The token kept for the person's join `join_event` to the room (None: none kept, it
        expired, or an earlier join took it)."""
        now = utc(at, "joined at")
        with self._unit(write=True) as session:
            row = session.get(JoinSourceRow, (carrier, room, user_id), with_for_update=True)
            if row is None:
                return None
            if row.join_event is None and row.expires_at > now:
                row.join_event = join_event
                return row.source
            return row.source if row.join_event == join_event else None

    def give_back(self, carrier: str, room: str, user_id: str, join_event: str) -> None:
        """Undo `take` by the join `join_event`, which did not happen (no group had room):
        the token waits for the person's next join again, its credit kept."""
        with self._unit(write=True) as session:
            row = session.get(JoinSourceRow, (carrier, room, user_id), with_for_update=True)
            if row is not None and row.join_event == join_event:
                row.join_event = None

    def forget(self, carrier: str, room: str, user_id: str) -> None:
        """Keep nothing for the person's next join to the room (they were refused)."""
        with self._unit(write=True) as session:
            session.execute(delete(JoinSourceRow).where(
                JoinSourceRow.carrier == carrier, JoinSourceRow.room == room,
                JoinSourceRow.user_id == user_id))  # fmt: skip

    def withdraw(self, carrier: str, room: str, user_id: str, at: datetime) -> str | None:
        """Forget what is kept for the person's next join to the room, as `forget` does; the
        token that was still waiting for it (None: none, taken by a join, or past its time),
        for the caller to set aside (a refused application keeps it, in case staff let the
        person in after all)."""
        now = utc(at, "withdrawn at")
        with self._unit(write=True) as session:
            row = session.get(JoinSourceRow, (carrier, room, user_id), with_for_update=True)
            if row is None:
                return None
            waiting = row.join_event is None and row.expires_at > now
            source = row.source
            session.delete(row)
            return source if waiting else None

    def waiting(self, carrier: str, room: str, user_id: str, at: datetime) -> str | None:
        """The token still waiting for the person's next join at `at` (None: none kept, taken
        by a join, or past its time), without taking it."""
        now = utc(at, "asked at")
        query = select(JoinSourceRow.source).where(
            JoinSourceRow.carrier == carrier, JoinSourceRow.room == room,
            JoinSourceRow.user_id == user_id, JoinSourceRow.join_event.is_(None),
            JoinSourceRow.expires_at > now)  # fmt: skip
        with self._unit(write=False) as session:
            return session.scalar(query)

    def kept(self, carrier: str, room: str, user_id: str) -> str | None:
        """The token kept for the person's next join, without taking it (None: none; one
        past its time is still shown until the next `remember` forgets it)."""
        query = select(JoinSourceRow.source).where(
            JoinSourceRow.carrier == carrier, JoinSourceRow.room == room,
            JoinSourceRow.user_id == user_id, JoinSourceRow.join_event.is_(None))  # fmt: skip
        with self._unit(write=False) as session:
            return session.scalar(query)
