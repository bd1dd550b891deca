"""The console's Health page keeps the heavy part of the report it built (metrics, vital
signs, first and last messages, the matrix) and builds it again only when the data it was
built from has changed: `data_stamp` is one cheap query (the highest ids of the tables the
report reads, the daily rollups' sums and the stays' counts of the community), read before
each build. Money, live codes' channels, crisis episodes and attendance are small and
depend on the clock: they are read on every load.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import text

from hearthkeeper.store import Store

T = TypeVar("T")
KEPT = 8  # reports kept (communities × periods shown)

# Rows only ever added (a higher id), or changed in place and counted (stays closed, roles
# given, posts sent, questions answered, attendance, an FAQ answer the carrier refused: it
# counted while on its way); the rollups' sums move with every
# message, join, leave, staff message and strike, live or rebuilt.
_STAMP = text(
    """
    SELECT
      (SELECT max(id) FROM messages),
      (SELECT max(id) FROM strikes),
      (SELECT max(id) FROM members),
      (SELECT max(id) FROM reactions),
      (SELECT max(id) FROM checkins),
      (SELECT max(id) FROM signup_lists),
      (SELECT count(*) FROM signup_entries),
      (SELECT max(id) FROM signup_entries),
      (SELECT count(*) FROM posts WHERE community_id = :c),
      (SELECT count(posted_at) FROM posts WHERE community_id = :c),
      (SELECT max(id) FROM questions WHERE community_id = :c),
      (SELECT count(answered_at) FROM questions WHERE community_id = :c),
      (SELECT count(*) FROM outbox WHERE status = 'failed'),
      (SELECT max(id) FROM activity_events WHERE community_id = :c),
      (SELECT count(attended_at) FROM activity_signups),
      (SELECT count(*) FROM group_days d JOIN groups g ON g.id = d.group_id
        WHERE g.community_id = :c),
      (SELECT sum(d.messages + d.joins + d.leaves + d.staff_messages + d.violations)
        FROM group_days d JOIN groups g ON g.id = d.group_id WHERE g.community_id = :c),
      (SELECT count(*) FROM memberships s JOIN groups g ON g.id = s.group_id
        WHERE g.community_id = :c),
      (SELECT count(s.left_at) + count(s.role) FROM memberships s JOIN groups g
        ON g.id = s.group_id WHERE g.community_id = :c),
      (SELECT count(*) FROM groups WHERE community_id = :c)
    """
)


def data_stamp(store: Store, community_id: int) -> tuple[Any, ...]:
    """What changes whenever the data a report of the community reads changes."""
    with store.engine.connect() as connection:
        row = connection.execute(_STAMP, {"c": community_id}).one()
    return tuple(row)


class ReportCache:
    """The last few reports' heavy parts, by what they were asked for and the data stamp."""

    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self._lock = threading.Lock()  # console pages run in worker threads
        self._parts: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The parts kept under `key`, else `make()`'s, kept."""
        with self._lock:
            if key in self._parts:
                self._parts.move_to_end(key)
                found: T = self._parts[key]
                return found
        made = make()
        with self._lock:
            self._parts[key] = made
            while len(self._parts) > self.kept:
                self._parts.popitem(last=False)
        return made
