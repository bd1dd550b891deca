"""Misses per client network, counted in the store (`network_misses`, migration 0049): a
`/ticket/` code nobody holds. Every process serving the pages (several `hearth serve`
behind a balancer, on PostgreSQL) counts the same rows, so a guesser gets the limit once,
not once per process, and a restart forgets nothing. The network is kept as a digest, for as
long as its window: each miss written deletes the misses of its kind that have left it."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select

from hearthkeeper.store.columns import utc
from hearthkeeper.store.models import NetworkMissRow
from hearthkeeper.store.scope import StoreBase


def network_key(what: str, network: str) -> str:
    """What the store keeps of a client network (`web.clientaddr.client_network`): a digest."""
    return hashlib.sha256(f"{what}/{network}".encode()).hexdigest()


class SqlMisses(StoreBase):
    """`wait` before serving, `miss` after a miss: at most `most` misses within `within`."""

    def wait(self, what: str, network: str, now: datetime, most: int,
             within: timedelta) -> timedelta | None:  # fmt: skip
        """None if `network` may miss once more now, else how long until its oldest miss
        that counts leaves the window (at least a second)."""
        m = NetworkMissRow
        query = (
            select(m.at)
            .where(m.what == what, m.network == network_key(what, network),
                   m.at > utc(now, "now") - within)
            .order_by(m.at)
        )  # fmt: skip
        with self._unit(write=False) as session:
            times = list(session.scalars(query))
        if len(times) < most:
            return None
        # processes racing may have written a few more than `most`: wait for the extras too
        return max(times[len(times) - most] + within - now, timedelta(seconds=1))

    def miss(self, what: str, network: str, now: datetime, within: timedelta) -> None:
        """Count a miss of `network`; forget the misses of `what` older than `within`."""
        m = NetworkMissRow
        at = utc(now, "now")
        with self._unit(write=True) as session:
            session.execute(delete(m).where(m.what == what, m.at <= at - within))
            session.execute(insert(m).values(what=what, network=network_key(what, network),
                                             at=at))  # fmt: skip
