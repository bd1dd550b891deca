"""The rooms the bot created are served again by the next `hearth serve`, however long the
group's audit history (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from hearthkeeper.carriers.matrix.opening import RoomRequest, opened_rooms, record_room
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import NewAudit, Store


def test_a_room_the_bot_created_is_served_after_ten_thousand_later_entries_about_it(
    store: Store, store_clock: FrozenClock
) -> None:
    """The next `hearth serve` finds the rooms the bot created by their "room created" audit
    entry. It read the group's newest 10,000 entries: a busy group (closings, messages left
    unsaid while closed, staff's changes) pushed that first entry out, and the room was no
    longer served, without a word."""
    tea = store.ensure_community("tea", "Tea")
    request = RoomRequest(name="Tea 3", topic="", preset="public_chat")
    group = record_room(store, tea.id, request, "!tea3:example.org", 200)
    start = store_clock.now()
    store.audit_bulk([
        NewAudit("engine", "group.unsaid", tea.id, f"group {group.id}", {"n": n},
                 start + timedelta(seconds=n + 1))
        for n in range(10_001)
    ])  # fmt: skip
    assert opened_rooms(store, {"tea": tea}) == {"!tea3:example.org": "tea"}
