"""Uses and misses counted per key in the store (`network_misses`, migrations 0049 and 0052):
a `/ticket/` code nobody holds, per client network; a failed console sign-in, per username
and per client network (`web/signin.py`); a web chat join per client network and member, a
nickname change, a picture and its bytes per member (`carriers/webchat/limits.py`); the Matrix
join page's invitations per client network and per Matrix ID, and its account lookups
(`carriers/matrix/join.py`). Every
process serving the pages (several `hearth serve` behind a balancer, on PostgreSQL) counts
the same rows, so a client gets each limit once, not once per process, and a restart
forgets nothing. A key is kept as a digest, for as long as its window: each use written
deletes the uses of its kind that have left it.

One way to count: `take`, which checks and counts in one transaction that holds the keys
(SQLite: the database; PostgreSQL: an advisory lock per key), so no process racing another
gets past the limit. A limit on failures known only after the request ran (a password
checked, a ticket looked up) takes first and gives back (`give_back`) what did not fail: a
check followed by a count once the request ran let requests sent together all pass
the check, a few more than the limit."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from hearthkeeper.store.columns import utc
from hearthkeeper.store.models import NetworkMissRow
from hearthkeeper.store.scope import StoreBase


def network_key(what: str, network: str) -> str:
    """What the store keeps of a key (a client network, `web.clientaddr.client_network`; a
    username; a member): a digest."""
    return hashlib.sha256(f"{what}/{network}".encode()).hexdigest()


class SqlMisses(StoreBase):
    """At most `most` (uses, or their amounts) per key within `within`: `take` checks and
    counts at once."""

    def take(self, what: str, keys: Sequence[str], now: datetime, most: int,
             within: timedelta, amount: int = 1) -> timedelta | None:  # fmt: skip
        """Count `amount` against every key if it fits under `most` for all of them, and
        answer None; else count nothing and answer how long until it would fit for all."""
        at = utc(now, "now")
        digests = sorted({network_key(what, key) for key in keys})
        with self._unit(write=True) as session:
            if session.get_bind().dialect.name == "postgresql":  # SQLite: writers take turns
                for digest in digests:  # in one order: two takes never wait for each other
                    session.execute(select(func.pg_advisory_xact_lock(_lock_id(digest))))
            waits = [_wait(session, what, d, at, most, within, amount) for d in digests]
            longest = max((w for w in waits if w is not None), default=None)
            if longest is not None:
                return longest
            _count(session, what, digests, at, within, amount)
            return None

    def give_back(self, what: str, key: str, now: datetime) -> None:
        """Uncount one use of `key` counted at `now` (`take` counted an attempt that then
        succeeded)."""
        m = NetworkMissRow
        at = utc(now, "now")
        with self._unit(write=True) as session:
            one = session.scalar(
                select(m.id).where(m.what == what, m.network == network_key(what, key),
                                   m.at == at).order_by(m.id.desc()).limit(1)
            )  # fmt: skip
            if one is not None:
                session.execute(delete(m).where(m.id == one))

    def forget(self, what: str, key: str) -> None:
        """Forget every use of `key` (a successful sign-in clears its username's failures)."""
        m = NetworkMissRow
        with self._unit(write=True) as session:
            session.execute(delete(m).where(m.what == what, m.network == network_key(what, key)))


def _wait(session: Session, what: str, digest: str, now: datetime, most: int,
          within: timedelta, amount: int) -> timedelta | None:  # fmt: skip
    m = NetworkMissRow
    query = (
        select(m.at, m.amount)
        .where(m.what == what, m.network == digest, m.at > now - within)
        .order_by(m.at, m.id)
    )  # fmt: skip
    taken: list[tuple[datetime, int]] = [(row.at, row.amount) for row in session.execute(query)]
    total = sum(used for _, used in taken)
    if total + amount <= most:
        return None
    if amount > most or not taken:
        return within  # more than a whole window allows at once
    # rows written before every limit took (racing processes let a few more through), or a
    # smaller `most` since: wait for the oldest uses to leave until `amount` more fits
    for at, used in taken:
        total -= used
        if total + amount <= most:
            return max(at + within - now, timedelta(seconds=1))
    return within  # not reached: with nothing left, `amount <= most` fits


def _count(session: Session, what: str, digests: Sequence[str], at: datetime,
           within: timedelta, amount: int) -> None:  # fmt: skip
    m = NetworkMissRow
    session.execute(delete(m).where(m.what == what, m.at <= at - within))
    session.execute(insert(m), [{"what": what, "network": digest, "at": at, "amount": amount}
                                for digest in digests])  # fmt: skip


def _lock_id(digest: str) -> int:
    """A key's PostgreSQL advisory lock: a signed 64-bit number from its digest."""
    return int.from_bytes(bytes.fromhex(digest[:16]), "big", signed=True)
