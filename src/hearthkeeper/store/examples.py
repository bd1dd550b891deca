"""Moderation examples: the operator's own decisions, which the learned scorer learns from.

A pardon or staff saying an alerted message was not an ad says "this message was acceptable"
(ham); a staff deletion or a ban by staff says "this message was spam". Only decisions a person took are stored: a deletion by our own
rules would teach the scorer its own mistakes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select

from hearthkeeper.store.columns import utc
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.messages import _messages
from hearthkeeper.store.models import EventRow, MessageRow, ModerationExampleRow
from hearthkeeper.store.records import Message
from hearthkeeper.store.scope import StoreBase


class ExampleSource(StrEnum):
    """Which decision made an example."""

    PARDON = "pardon"  # staff took a strike back: ham
    STAFF_DELETE = "staff_delete"  # staff deleted the message by hand: spam
    STAFF_BAN = "staff_ban"  # staff banned its sender for it: spam
    NOT_AD = "not_ad"  # staff said a message the scorer alerted them to was not an ad: ham


# The decisions that say a message was acceptable; every other one says it was spam.
HAM_SOURCES = frozenset({ExampleSource.PARDON, ExampleSource.NOT_AD})


@dataclass(frozen=True)
class ModerationExample:
    """One decision: a message's text and whether the operator judged it spam."""

    id: int
    community_id: int
    member_id: int | None
    text: str
    is_spam: bool
    source: ExampleSource
    reference: str  # what was decided on: "message:<id>"
    actor: str
    created_at: datetime


class ExampleQueries(StoreBase):
    def add_moderation_example(
        self,
        community_id: int,
        text: str,
        source: ExampleSource,
        reference: str,
        actor: str,
        at: datetime,
        *,
        member_id: int | None = None,
    ) -> bool:
        """Keep a decision as an example (spam unless `source` is a pardon or "not an ad");
        False when this decision on `reference` is already kept or the text is blank (nothing
        to learn)."""
        if not text.strip():
            return False
        row = ModerationExampleRow(
            community_id=community_id,
            member_id=member_id,
            text=text,
            is_spam=source not in HAM_SOURCES,
            source=source.value,
            reference=reference,
            actor=actor,
            created_at=utc(at, "example time"),
        )
        with self._unit(write=True) as session:
            if self._try_insert(session, row):
                return True
            # Refused: a retry of the same decision, or a community or member that is not there.
            kept = session.scalar(
                select(ModerationExampleRow.id).where(
                    ModerationExampleRow.community_id == community_id,
                    ModerationExampleRow.source == source.value,
                    ModerationExampleRow.reference == reference,
                )
            )
            if kept is None:
                raise StoreError(
                    f"cannot keep a moderation example for community {community_id}: the "
                    f"community or member {member_id} does not exist"
                )
            return False

    def moderation_examples(
        self, *, after: int = 0, community_id: int | None = None
    ) -> list[ModerationExample]:
        """Examples with an id above `after` (all of them by default), oldest first; the
        engine reads only the new ones each time it looks."""
        query = select(ModerationExampleRow).where(ModerationExampleRow.id > after)
        if community_id is not None:
            query = query.where(ModerationExampleRow.community_id == community_id)
        with self._unit(write=False) as session:
            return [
                _example(row) for row in session.scalars(query.order_by(ModerationExampleRow.id))
            ]

    def message_of_event(self, event_id: int) -> Message | None:
        """The message the engine recorded for one of its events (a strike's), if any."""
        with self._unit(write=False) as session:
            row = session.scalar(
                select(MessageRow)
                .join(
                    EventRow,
                    (EventRow.group_id == MessageRow.group_id)
                    & (EventRow.carrier_event_id == MessageRow.carrier_event_id),
                )
                .where(EventRow.id == event_id)
            )
            return None if row is None else _messages(session, [row])[0]


def _example(row: ModerationExampleRow) -> ModerationExample:
    return ModerationExample(
        id=row.id,
        community_id=row.community_id,
        member_id=row.member_id,
        text=row.text,
        is_spam=row.is_spam,
        source=ExampleSource(row.source),
        reference=row.reference,
        actor=row.actor,
        created_at=row.created_at,
    )
