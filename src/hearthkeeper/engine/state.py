"""What the engine remembers between events: a cache in front of the store.

Handlers read it through `StateView`; the executor updates it as it records effects, and
throws it away if a transaction fails (the store is the truth).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from threading import Lock

from hearthkeeper.engine.handler import Hold
from hearthkeeper.store import Sanction, SanctionKind, Store

_EXAMPLE_OVERLAP = 64  # ids read again each look, for transactions that committed late
# A pardon is stamped when staff make it and committed a moment later: an entry read within
# this long after the stamp may have been read before the commit, so it is read again.
COMMIT_SLACK = timedelta(seconds=5)


@dataclass(slots=True)
class _Member:
    # Kept for every member the engine met: tuples and dicts made only when there is something
    # to hold (the empty tuple is shared), so the cycle collector has fewer objects to walk.
    strikes: tuple[datetime | None, ...] | None = None  # expiry of each live strike
    blacklisted: bool | None = None
    mutes: dict[int, datetime] | None = None  # group id -> until
    # mutes, bans and kicks in force, as read from the store (None: not read yet) ...
    holds: Sequence[Sanction] | None = None
    # ... and the bans and kicks recorded since: group id -> (when, until: None for a ban)
    removals: dict[int, tuple[datetime, datetime | None]] | None = None
    loaded_at: datetime | None = None


class State:
    """A `StateView` backed by a store, with in-memory overlays."""

    def __init__(self, store: Store, *, refresh: timedelta | None = timedelta(minutes=1)) -> None:
        """`refresh`: how long what was read from the store is trusted before it is read again
        (staff may pardon or lift from another process); None keeps it."""
        self._store = store
        self._refresh = refresh
        self._members: dict[tuple[int, int], _Member] = {}
        self._counts: dict[int, int] = {}
        # The operator's decisions, per community, read once and then only the new ones.
        self._examples: dict[int, list[tuple[str, bool]]] = {}
        self._examples_seen: set[int] = set()  # ids of the last `_EXAMPLE_OVERLAP` only
        self._examples_mark: int | None = None
        # The transaction of the batch being decided, and the members whose strikes it has
        # read afresh: another worker may have given them strikes since they were cached.
        self._batch: Store | None = None
        self._counted: set[tuple[int, int]] = set()
        # Where a database whose writers take turns: the newest strike and sanction ids read
        # (None: not read since the entries were dropped), whether this batch read them, and
        # the strikes and blacklistings this state recorded since (`_catch_up`).
        self._marks: tuple[int, int] | None = None
        self._caught_up = False
        self._given: Counter[tuple[int, int]] = Counter()
        self._listed: Counter[tuple[int, int]] = Counter()
        # Communities whose strikes are read again at the next batch (a new playbook version
        # re-dated them), told from whichever thread applied it (`forget_strikes`)
        self._stale: set[int] = set()
        self._stale_lock = Lock()

    def forget_strikes(self, community_id: int) -> None:
        """Read every member's strikes in the community again from the next batch on: a new
        playbook version may have re-dated them (`rules.strike_expiry`,
        `capabilities/moderation/expiry.py`), which no mark or pardon tells."""
        with self._stale_lock:
            self._stale.add(community_id)

    def _drop_stale(self) -> None:
        with self._stale_lock:
            stale, self._stale = self._stale, set()
        for (community_id, _), entry in self._members.items():
            if community_id in stale:
                entry.strikes = entry.loaded_at = None

    def begin(self, tx: Store) -> None:
        """A batch is decided in `tx`. Another process (an engine worker, staff's console)
        may have given strikes to, or blacklisted, members held here since they were read:
        on SQLite, where nobody else writes until `tx` ends, what was written since the last
        batch is read once now; on PostgreSQL a member's strikes are counted afresh when
        judged, once per batch, after waiting for any other batch judging them."""
        self._batch = tx
        self._counted.clear()
        if self._stale:
            self._drop_stale()
        self._caught_up = tx.writers_take_turns
        if self._caught_up:
            self._catch_up(tx)

    def end(self) -> None:
        """The batch's transaction is over."""
        self._batch = None
        self._counted.clear()
        self._caught_up = False

    def _catch_up(self, tx: Store) -> None:
        """Drop what is held of members someone else gave a strike or blacklisted since the
        last look (read in one statement on the primary keys, inside `tx`), so that the
        batch's preload reads them again. What this state recorded itself is in memory
        already: a member's new strikes are dropped only when there are more, or fewer,
        than it gave them."""
        if self._marks is None:  # the first batch, or the first after `reset`
            self._marks = tx.moderation_marks()
            for entry in self._members.values():  # read before any mark (nothing, usually)
                entry.strikes = entry.blacklisted = entry.loaded_at = None
            self._given.clear()
            self._listed.clear()
            return
        news = tx.moderation_since(*self._marks)
        self._marks = (news.strike_mark, news.sanction_mark)
        for key, n in Counter(news.struck).items():
            if self._given.get(key) != n:
                self._drop(key)
        for (community_id, member_id), n in Counter(news.blacklisted).items():
            if community_id is None:  # blacklisted in every community
                for key in [k for k in self._members if k[1] == member_id]:
                    self._drop(key)
            elif self._listed.get((community_id, member_id)) != n:
                self._drop((community_id, member_id))
        self._given.clear()
        self._listed.clear()

    def _drop(self, key: tuple[int, int]) -> None:
        """Read the member's strikes and blacklisting again when next needed."""
        entry = self._members.get(key)
        if entry is not None:
            entry.strikes = entry.blacklisted = entry.loaded_at = None

    @property
    def cached(self) -> int:
        """How many members' entries are held."""
        return len(self._members)

    def reset(self) -> None:
        """Forget everything cached (after a failed transaction, or when it grew too big)."""
        self._members.clear()
        self._counts.clear()
        self._marks = None
        self._given.clear()
        self._listed.clear()

    def _entry(self, community_id: int, member_id: int) -> _Member:
        key = (community_id, member_id)
        entry = self._members.get(key)
        if entry is None:
            entry = self._members[key] = _Member()
        return entry

    # --- StateView --------------------------------------------------------------------------

    def live_strikes(self, community_id: int, member_id: int, now: datetime) -> int:
        entry = self._entry(community_id, member_id)
        batch = self._batch
        if batch is not None and not self._caught_up \
                and (community_id, member_id) not in self._counted:  # fmt: skip
            # Asked only when the member broke a rule: the ladder's next rung depends on every
            # strike in the community, and another engine worker deciding the member's
            # messages in another group may have given some since this one cached them. Wait
            # for any such worker's batch to end, then count what is stored.
            self._counted.add((community_id, member_id))
            # ... and that worker's last rung may have blacklisted the member: both read in
            # one statement after the lock (as of the clock, as `strikes` reads them), sent
            # with the lock in one round trip
            entry.strikes, entry.blacklisted = batch.judged_member(
                community_id, member_id, lock=True
            )
        if entry.strikes is None:
            entry.strikes = tuple(
                s.expires_at
                for s in (batch or self._store).strikes(
                    community_id=community_id, member_id=member_id, include_dead=False
                )
            )
        return sum(1 for expiry in entry.strikes if expiry is None or expiry > now)

    def strikes_held(self, community_id: int, member_id: int, now: datetime) -> int:
        entry = self._members.get((community_id, member_id))
        if entry is None or entry.strikes is None:
            return 0
        return sum(1 for expiry in entry.strikes if expiry is None or expiry > now)

    def is_blacklisted(self, community_id: int, member_id: int) -> bool:
        entry = self._entry(community_id, member_id)
        if entry.blacklisted is None:
            entry.blacklisted = self._store.is_blacklisted(community_id, member_id)
        return entry.blacklisted

    def hold(self, community_id: int, group_id: int, member_id: int,
             now: datetime) -> Hold | None:  # fmt: skip
        entry = self._entry(community_id, member_id)
        if entry.holds is None:
            entry.holds = self._store.holds_among(community_id, [member_id], now)
        muted: datetime | None = None
        removed: datetime | None = None
        for held in entry.holds:
            if held.group_id != group_id or (held.until is not None and held.until <= now):
                continue
            if held.kind is SanctionKind.MUTE:
                muted = held.until if muted is None else max(muted, held.until or muted)
            else:
                removed = held.at if removed is None else max(removed, held.at)
        until = entry.mutes.get(group_id) if entry.mutes else None
        if until is not None and until > now:
            muted = until if muted is None else max(muted, until)
        recorded = entry.removals.get(group_id) if entry.removals else None
        if recorded is not None and (recorded[1] is None or recorded[1] > now):
            removed = recorded[0] if removed is None else max(removed, recorded[0])
        if muted is None and removed is None:
            return None
        return Hold(muted_until=muted, removed_at=removed)

    def member_count(self, group_id: int) -> int:
        if group_id not in self._counts:
            self._counts[group_id] = len(self._store.active_members(group_id))
        return self._counts[group_id]

    def moderation_examples(self, community_id: int) -> Sequence[tuple[str, bool]]:
        if self._examples_mark is None:
            self._read_examples()
        return self._examples.setdefault(community_id, [])

    def refresh_examples(self) -> int:
        """Read the decisions staff took since the last look, from this or another process;
        how many were new. Nothing is read until a handler first asks for examples (then all
        of them are): an engine whose moderation learns nothing queries nothing each tick."""
        return 0 if self._examples_mark is None else self._read_examples()

    def _read_examples(self) -> int:
        """The decisions past the mark (all of them the first time); how many were new. One
        query on the primary key, cheap enough for every tick.

        Ids are handed out before their transactions commit, so one committed late can sit
        below the highest id seen: the last `_EXAMPLE_OVERLAP` ids are read again and the
        ones already seen skipped."""
        after = max(0, (self._examples_mark or 0) - _EXAMPLE_OVERLAP)
        new = 0
        for example in self._store.moderation_examples(after=after):
            if example.id in self._examples_seen:
                continue
            self._examples_seen.add(example.id)
            self._examples.setdefault(example.community_id, []).append(
                (example.text, example.is_spam)
            )
            self._examples_mark = max(self._examples_mark or 0, example.id)
            new += 1
        if self._examples_mark is None:
            self._examples_mark = 0
        # ids at or below the next look's floor are never read again: forget them
        floor = self._examples_mark - _EXAMPLE_OVERLAP
        self._examples_seen = {id_ for id_ in self._examples_seen if id_ > floor}
        return new

    # --- updates from the executor ----------------------------------------------------------

    def preload(self, community_id: int, member_ids: set[int], now: datetime) -> None:
        """Learn in two queries the blacklisting and live strikes of members not seen yet
        (or not read from the store for longer than `refresh`), and in one more the mutes,
        bans and kicks in force on all of them (read every batch: a lift by staff counts at
        once)."""
        entries = {m: self._entry(community_id, m) for m in member_ids}  # one look each
        holds: dict[int, list[Sanction]] = {}
        for held in self._store.holds_among(community_id, member_ids, now):
            holds.setdefault(held.member_id, []).append(held)
        refresh = self._refresh
        if refresh is not None:
            self._forget_taken_back(community_id, now - refresh)
        for member_id, entry in entries.items():
            entry.holds = holds.get(member_id, ())
            # recorded in a batch committed since: the holds read have them
            entry.mutes = entry.removals = None
            if refresh is not None and entry.loaded_at is not None \
                    and now - entry.loaded_at > refresh:  # fmt: skip
                entry.strikes = entry.blacklisted = entry.loaded_at = None
        unknown = {m for m, entry in entries.items() if entry.blacklisted is None}
        if unknown:
            listed = self._store.blacklisted_among(community_id, unknown)
            for member_id in unknown:
                entries[member_id].blacklisted = member_id in listed
        unknown = {m for m, entry in entries.items() if entry.strikes is None}
        if unknown:
            live = self._store.live_strike_expiries(community_id, unknown, now)
            for member_id in unknown:
                entry = entries[member_id]
                entry.strikes = tuple(live.get(member_id, ()))
                entry.loaded_at = now

    def _forget_taken_back(self, community_id: int, since: datetime) -> None:
        """Read again the strikes and blacklisting of members staff pardoned or took off the
        blacklist since `since` (from the console, the API or another worker), unless read
        after it: a pardon counts at the next batch, not once `refresh` has passed."""
        for member_id, at in self._store.taken_back_since(community_id, since):
            entry = self._members.get((community_id, member_id))
            if entry is not None and (entry.loaded_at is None
                                      or entry.loaded_at < at + COMMIT_SLACK):  # fmt: skip
                entry.strikes = entry.blacklisted = entry.loaded_at = None

    def add_strike(
        self, community_id: int, member_id: int, expires: datetime | None, now: datetime
    ) -> None:
        """Count a strike just recorded."""
        self.live_strikes(community_id, member_id, now)
        entry = self._entry(community_id, member_id)
        assert entry.strikes is not None
        entry.strikes = (*entry.strikes, expires)
        if self._caught_up:
            self._given[(community_id, member_id)] += 1

    def strikes_changed(self, community_id: int, member_id: int) -> None:
        """Read the member's strikes again at the next batch that meets them: they were
        written or taken back in the store (not through `add_strike`) by this transaction."""
        entry = self._entry(community_id, member_id)
        entry.strikes = entry.loaded_at = None

    def blacklist(self, community_id: int, member_id: int) -> None:
        """Remember a blacklisting just recorded."""
        self._entry(community_id, member_id).blacklisted = True
        if self._caught_up:
            self._listed[(community_id, member_id)] += 1

    def mute(self, community_id: int, group_id: int, member_id: int, until: datetime) -> None:
        """Remember a mute just recorded."""
        entry = self._entry(community_id, member_id)
        if entry.mutes is None:
            entry.mutes = {}
        entry.mutes[group_id] = until

    def remove(self, community_id: int, group_id: int, member_id: int, at: datetime,
               until: datetime | None = None) -> None:  # fmt: skip
        """Remember a ban (or a kick, in force `until`) just recorded."""
        entry = self._entry(community_id, member_id)
        if entry.removals is None:
            entry.removals = {}
        entry.removals[group_id] = (at, until)

    def joined(self, group_id: int, delta: int) -> None:
        """A member joined (+1) or left (-1)."""
        if group_id in self._counts:
            self._counts[group_id] = max(0, self._counts[group_id] + delta)
