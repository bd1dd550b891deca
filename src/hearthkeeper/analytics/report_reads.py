"""The report's heavy reads done once: the activity rollups (gathered per group and day), the
questions with their first answers and the stays, each read over the widest window any part
of the report asks for (the metrics' period, the vital signs' and the matrix's last weeks),
then handed out in slices. Rows come sorted (by day, by time asked, by time joined), so a
slice is two binary searches and holds exactly the rows a narrower read would have returned,
in the same order.

`Reads` is what the analytics modules read these through; the `Store` is one (each call a
query), `SharedReads` the other. A request outside the window, or for other groups, goes to
the store.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime, tzinfo
from typing import Any, Protocol, TypeVar

from hearthkeeper.store import (
    GroupDay,
    GroupDayActivity,
    GroupDayKind,
    QuestionDays,
    QuestionTiming,
    Stay,
    Store,
)
from hearthkeeper.store.rollups import local_midnight

T = TypeVar("T")
D = TypeVar("D", GroupDay, GroupDayKind)


class Reads(Protocol):
    """The heavy reads of analytics (the `Store`'s own methods have these signatures)."""

    def group_day_activity(
        self, group_ids: Collection[int], start: date, end: date
    ) -> list[GroupDayActivity]: ...

    def question_timings(
        self, group_ids: Collection[int], since: datetime, until: datetime
    ) -> list[QuestionTiming]: ...

    def question_days(
        self, group_ids: Collection[int], since: datetime, until: datetime, zone: tzinfo
    ) -> QuestionDays: ...

    def stays(self, group_ids: Collection[int], until: datetime | None = None) -> list[Stay]: ...

    def group_days(self, group_ids: Collection[int], start: date, end: date) -> list[GroupDay]: ...

    def group_day_kinds(
        self, group_ids: Collection[int], start: date, end: date
    ) -> list[GroupDayKind]: ...


class SharedReads:
    """One read of each over a window, sliced for every request inside it. `close()` when
    done (a read begun ahead is waited for)."""

    def __init__(self, store: Store, group_ids: Collection[int], *, first_day: date,
                 last_day: date, since: datetime, until: datetime,
                 group_days: tuple[date, date] | None = None) -> None:  # fmt: skip
        self.store = store
        self.ids = sorted(set(group_ids))
        self.days = (first_day, last_day)
        self.times = (since, until)
        # The days of the per-group daily rollups (totals, kinds) read once, if any.
        self.group_window = group_days
        self._daily: dict[str, tuple[list[Any], list[date]]] = {}
        self._activity: tuple[list[GroupDayActivity], list[date]] | None = None
        self._questions: tuple[list[QuestionTiming], list[datetime]] | None = None
        self._question_days: dict[tzinfo, tuple[QuestionDays, list[datetime]]] = {}
        self._stays: tuple[list[Stay], list[datetime]] | None = None
        self._made: dict[Hashable, Any] = {}
        self._ahead: dict[Hashable, Future[Any]] = {}
        self._pool: ThreadPoolExecutor | None = None

    def read_ahead(self, zone: tzinfo) -> None:
        """On PostgreSQL, begin reading the window's questions per local day in `zone`, and
        the groups' daily rollups, each on a connection of its own, so that the server's work
        (the questions are the slowest read of a report: 0.5 to 1 s at 1M messages) overlaps
        what this process computes until they are asked for. SQLite works inside this
        process and hands the interpreter back and forth per row read: there each is read
        when first asked for, as before; so is it inside a caller's transaction (one session,
        not to be shared with another thread)."""
        if (self.store.engine.dialect.name != "postgresql" or self._pool is not None
                or self.store.transaction_serial() is not None):  # fmt: skip
            return
        self._pool = ThreadPoolExecutor(3, thread_name_prefix="report-read-ahead")
        if self._whole_days(zone):
            first, last = self.times
            self._ahead[zone] = self._pool.submit(self.store.question_days, self.ids, first,
                                                  last, zone)  # fmt: skip
        if self.group_window is not None:
            start, end = self.group_window
            self._ahead["group_days"] = self._pool.submit(self.store.group_days, self.ids,
                                                          start, end)  # fmt: skip
            self._ahead["group_day_kinds"] = self._pool.submit(self.store.group_day_kinds,
                                                               self.ids, start, end)  # fmt: skip

    def close(self) -> None:
        """Wait for a read begun ahead (its connection back in the pool; its failure, if
        nothing asked for it, dropped with it)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _ours(self, group_ids: Collection[int]) -> bool:
        return sorted(set(group_ids)) == self.ids

    def group_day_activity(
        self, group_ids: Collection[int], start: date, end: date
    ) -> list[GroupDayActivity]:
        """As `Store.group_day_activity`."""
        first, last = self.days
        if not self._ours(group_ids) or start < first or end > last:
            return self.store.group_day_activity(group_ids, start, end)
        if self._activity is None:
            rows = self.store.group_day_activity(self.ids, first, last)
            self._activity = rows, [r.day for r in rows]
        rows, keys = self._activity
        return rows[bisect_left(keys, start) : bisect_right(keys, end)]

    def question_timings(
        self, group_ids: Collection[int], since: datetime, until: datetime
    ) -> list[QuestionTiming]:
        """As `Store.question_timings` (a question's first answer does not depend on the
        window it was read in)."""
        first, last = self.times
        if not self._ours(group_ids) or since < first or until > last:
            return self.store.question_timings(group_ids, since, until)
        if self._questions is None:
            rows = self.store.question_timings(self.ids, first, last)
            self._questions = rows, [q.asked_at for q in rows]
        rows, keys = self._questions
        return rows[bisect_left(keys, since) : bisect_left(keys, until)]

    def question_days(
        self, group_ids: Collection[int], since: datetime, until: datetime, zone: tzinfo
    ) -> QuestionDays:
        """As `Store.question_days`, for a window of whole local days in `zone` inside this
        one (the days are the window's own only then)."""
        first, last = self.times
        if not self._ours(group_ids) or since < first or until > last:
            return self.store.question_days(group_ids, since, until, zone)
        since_day, until_day = since.astimezone(zone).date(), until.astimezone(zone).date()
        if (local_midnight(since_day, zone) != since or local_midnight(until_day, zone) != until
                or not self._whole_days(zone)):  # fmt: skip
            return self.store.question_days(group_ids, since, until, zone)
        if zone not in self._question_days:
            ahead = self._ahead.pop(zone, None)
            whole = (self.store.question_days(self.ids, first, last, zone) if ahead is None
                     else ahead.result())  # fmt: skip
            self._question_days[zone] = whole, [q.asked_at for q in whole.answered]
        whole, keys = self._question_days[zone]
        asked = {key: n for key, n in whole.asked.items() if since_day <= key[1] < until_day}
        by_faq = {key: n for key, n in whole.by_faq.items() if since_day <= key[1] < until_day}
        return QuestionDays(
            asked, whole.answered[bisect_left(keys, since) : bisect_left(keys, until)], by_faq
        )

    def group_days(self, group_ids: Collection[int], start: date, end: date) -> list[GroupDay]:
        """As `Store.group_days`."""
        return self._of_days("group_days", self.store.group_days, group_ids, start, end)

    def group_day_kinds(
        self, group_ids: Collection[int], start: date, end: date
    ) -> list[GroupDayKind]:
        """As `Store.group_day_kinds`."""
        return self._of_days("group_day_kinds", self.store.group_day_kinds, group_ids, start,
                             end)  # fmt: skip

    def _of_days(self, name: str, read: Callable[[Collection[int], date, date], list[D]],
                 group_ids: Collection[int], start: date, end: date) -> list[D]:  # fmt: skip
        """A daily rollup's rows (in order of day) from `start` to `end`, sliced from one read
        over `group_window` (begun ahead on PostgreSQL) when inside it."""
        window = self.group_window
        if window is None or not self._ours(group_ids) or start < window[0] or end > window[1]:
            return read(group_ids, start, end)
        if name not in self._daily:
            ahead = self._ahead.pop(name, None)
            rows = read(self.ids, *window) if ahead is None else ahead.result()
            self._daily[name] = rows, [r.day for r in rows]
        rows, keys = self._daily[name]
        found: list[D] = rows[bisect_left(keys, start) : bisect_right(keys, end)]
        return found

    def _whole_days(self, zone: tzinfo) -> bool:
        """Whether the window begins and ends at local midnights in `zone`."""
        first, last = self.times
        return (local_midnight(first.astimezone(zone).date(), zone) == first
                and local_midnight(last.astimezone(zone).date(), zone) == last)  # fmt: skip

    def stays(self, group_ids: Collection[int], until: datetime | None = None) -> list[Stay]:
        """As `Store.stays`."""
        if not self._ours(group_ids) or until is None or until > self.times[1]:
            return self.store.stays(group_ids, until)
        if self._stays is None:
            rows = self.store.stays(self.ids, self.times[1])
            self._stays = rows, [s.joined_at for s in rows]
        rows, keys = self._stays
        return rows[: bisect_left(keys, until)]

    def once(self, key: Hashable, make: Callable[[], T]) -> T:
        """`make()`'s result, made once per `key` (what several parts of a report build
        from the same reads, such as the vital signs' and the matrix's load)."""
        if key not in self._made:
            self._made[key] = make()
        found: T = self._made[key]
        return found


def concurrently(store: Store, *calls: Callable[[], Any]) -> list[Any]:
    """The results of `calls`, in order. On PostgreSQL they run at once, each on a connection
    of its own, so the server's work and the network overlap this process's (a report's
    four large reads at 1M messages: 1.0 s one after the other, 0.8 s at once); SQLite works
    inside this process, holding the interpreter, so there they run one after the other."""
    if store.engine.dialect.name != "postgresql" or len(calls) < 2:
        return [call() for call in calls]
    with ThreadPoolExecutor(len(calls) - 1, thread_name_prefix="report-read") as pool:
        later = [pool.submit(call) for call in calls[1:]]
        first = calls[0]()
        return [first, *(future.result() for future in later)]
