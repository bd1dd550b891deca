"""The web chat's abuse limits, counted per member and per client — never per socket, since a
client opens as many sockets (and creates as many identities) as it likes.

- messages: per member, across all their sockets and groups (`messages_per_10s`);
- joins through invite links: new seats per client address, and per member (`joins_per_minute`);
- uploads: pictures and bytes per member and hour (`uploads_per_hour`, `upload_mib_per_hour`);
- nickname changes per member and hour (`renames_per_hour`).

Joins, nickname changes and uploads are counted in the store (`store/misses.py`): every
`hearth serve` on one database counts the same, and a restart forgets nothing, so neither a
second process nor a restart gives a client a fresh allowance. Each costs a write
transaction, on requests that already write (a seat, a name, a picture). Messages are
counted in this process's memory, in sliding windows keyed by member (a key whose window
emptied is forgotten): a message is the hot path, its limit only needs to outlast a burst of
ten seconds, and a store-counted message would add a write transaction to each; what that
costs is measured in docs/benchmarks.md (step "web chat limits in the store"). The methods
that count in the store block: call them from a worker thread.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from hearthkeeper.carriers.webchat.base import MiB
from hearthkeeper.carriers.webchat.settings import WebChatLimits
from hearthkeeper.carriers.webchat.texts import say, waiting
from hearthkeeper.clock import Clock
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store.misses import SqlMisses
from hearthkeeper.store.scope import StoreBase

_PRUNE_EVERY = 1024  # takes between two passes that forget emptied windows


@dataclass(frozen=True)
class Refusal:
    """A request over a limit: what to tell the member, and when to try again."""

    message: str
    retry_after: timedelta

    @property
    def seconds(self) -> int:
        """`retry_after` in whole seconds, rounded up (at least 1), as `Retry-After` says it."""
        return _whole_seconds(self.retry_after)


class Meter:
    """How much each key took within the last `within`; at most `most` per key."""

    def __init__(self, most: int, within: timedelta) -> None:
        self.most = most
        self.within = within
        self._taken: dict[str, deque[tuple[datetime, int]]] = {}
        self._totals: dict[str, int] = {}
        self._takes = 0

    def __len__(self) -> int:
        """How many keys are remembered."""
        return len(self._taken)

    def take(self, key: str, now: datetime, amount: int = 1) -> timedelta | None:
        """Count `amount` for `key`; None if it fits, else how long until it would."""
        self._takes += 1
        if self._takes % _PRUNE_EVERY == 0:
            self._prune(now)
        wait = self.wait(key, now, amount)
        if wait is not None:
            return wait
        self._taken.setdefault(key, deque()).append((now, amount))
        self._totals[key] = self._totals.get(key, 0) + amount
        return None

    def wait(self, key: str, now: datetime, amount: int = 1) -> timedelta | None:
        """None if `amount` more fits for `key` now, else how long until it would; counts
        nothing (a limit on failures asks before it knows whether the request fails)."""
        taken = self._taken.get(key)
        total = 0 if taken is None else self._expire(key, taken, now)
        if total + amount <= self.most:
            return None
        if not taken:
            return self.within  # more than a whole window allows at once
        return max(taken[0][0] + self.within - now, timedelta(seconds=1))

    def _expire(self, key: str, taken: deque[tuple[datetime, int]], now: datetime) -> int:
        total = self._totals.get(key, 0)
        while taken and taken[0][0] <= now - self.within:
            total -= taken.popleft()[1]
        self._totals[key] = total
        return total

    def _prune(self, now: datetime) -> None:
        for key, taken in list(self._taken.items()):
            if self._expire(key, taken, now) == 0:
                del self._taken[key]
                del self._totals[key]


# what the store counts each limit as (`network_misses.what`)
JOINS, RENAMES, UPLOADS, UPLOAD_BYTES = "join", "rename", "upload", "upload_bytes"
MINUTE, HOUR = timedelta(minutes=1), timedelta(hours=1)


class ChatLimits:
    """The limits of one web chat server; each method counts and answers None (go ahead)
    or a `Refusal` saying why not. All but `message` count in `store` (they block)."""

    def __init__(self, limits: WebChatLimits, clock: Clock, store: StoreBase) -> None:
        self.limits = limits
        self.clock = clock
        self._messages = Meter(limits.messages_per_10s, timedelta(seconds=10))
        self._counted = SqlMisses.on(store)

    def message(self, user_id: str, language: Language = Language.EN) -> Refusal | None:
        """One more message from a member, whichever socket it came through."""
        wait = self._messages.take(user_id, self.clock.now())
        if wait is None:
            return None
        return Refusal(say("slow_down", language, most=self.limits.messages_per_10s), wait)

    def join(
        self, address: str, user_id: str | None, language: Language = Language.EN
    ) -> Refusal | None:
        """One more seat taken through an invite link from `address` (by `user_id`, when the
        browser already has an identity)."""
        keys = [f"address:{address}"] + ([] if user_id is None else [f"member:{user_id}"])
        wait = self._counted.take(JOINS, keys, self.clock.now(), self.limits.joins_per_minute,
                                  MINUTE)  # fmt: skip
        if wait is None:
            return None
        most = self.limits.joins_per_minute
        return Refusal(
            say("too_many_joins", language, most=most, wait=waiting(wait, language)), wait
        )

    def rename(self, user_id: str, language: Language = Language.EN) -> Refusal | None:
        """One more nickname change by a member (counted before it is checked)."""
        wait = self._counted.take(RENAMES, [user_id], self.clock.now(),
                                  self.limits.renames_per_hour, HOUR)  # fmt: skip
        if wait is None:
            return None
        most = self.limits.renames_per_hour
        return Refusal(
            say("too_many_renames", language, most=most, wait=waiting(wait, language)), wait
        )

    def upload(self, user_id: str, language: Language = Language.EN) -> Refusal | None:
        """One more picture uploaded by a member (counted before it is read)."""
        wait = self._counted.take(UPLOADS, [user_id], self.clock.now(),
                                  self.limits.uploads_per_hour, HOUR)  # fmt: skip
        if wait is None:
            return None
        most = self.limits.uploads_per_hour
        return Refusal(
            say("too_many_pictures", language, most=most, wait=waiting(wait, language)), wait
        )

    def upload_bytes(
        self, user_id: str, size: int, language: Language = Language.EN
    ) -> Refusal | None:
        """`size` more bytes of pictures uploaded by a member."""
        wait = self._counted.take(UPLOAD_BYTES, [user_id], self.clock.now(),
                                  self.limits.upload_mib_per_hour * MiB, HOUR, size)  # fmt: skip
        if wait is None:
            return None
        most = self.limits.upload_mib_per_hour
        return Refusal(
            say("too_many_bytes", language, most=most, wait=waiting(wait, language)), wait
        )


def _whole_seconds(wait: timedelta) -> int:
    return max(1, int(wait.total_seconds() + 0.999))
