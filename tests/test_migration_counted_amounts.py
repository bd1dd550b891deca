"""0052: what the store counts per key gets an amount; the `/ticket/` misses kept before count
one each, so a network that guessed before the upgrade is still limited after it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, create_engine_for, upgrade
from hearthkeeper.store.misses import SqlMisses, network_key

AT = datetime(2026, 5, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_misses_kept_before_count_one_each(database_url: str) -> None:
    upgrade(database_url, to="0051")
    engine = create_engine_for(database_url)
    try:
        with engine.begin() as connection:
            for minute in range(3):
                connection.execute(text(
                    "INSERT INTO network_misses (what, network, at) VALUES ('ticket', :n, :at)"),
                    {"n": network_key("ticket", "203.0.113.5"),
                     "at": AT + timedelta(minutes=minute)})  # fmt: skip
        assert upgrade(database_url, to="0052") == ["0052"]
        misses = SqlMisses.on(Store(engine, FrozenClock(AT)))
        now = AT + timedelta(minutes=10)
        # three kept, one each: under three a fourth waits for the first to leave (nothing
        # counted), under four it fits
        assert misses.take("ticket", ["203.0.113.5"], now, 3, HOUR) == timedelta(minutes=50)
        assert misses.take("ticket", ["203.0.113.5"], now, 4, HOUR) is None
    finally:
        engine.dispose()
