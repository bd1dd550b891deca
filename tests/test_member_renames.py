"""A member's stored name follows the name their carrier gives on their events (a Telegram
rename, a QQ group card changed, a Matrix display name), so staff read the name members go
by now in the console, alerts, digests and reports; on both databases. The engine asks the
store only when a sender's name differs from the one it followed last."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, event

from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store
from tests.engine_setup import community


@contextmanager
def member_writes() -> Iterator[list[str]]:
    """The UPDATE statements of the members table run inside the block."""
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE MEMBERS"):
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", note)


def shown(store: Store, community_id: int) -> list[str]:
    """The names in the console's member list of the community."""
    return [m.display_name for m in store.search_members(community_id)]


def test_follow_names_renames_only_the_members_whose_name_changed(store: Store) -> None:
    mei = store.member_for("telegram", "1", "Mei").id
    bo = store.member_for("telegram", "2", "Bo").id
    with member_writes() as writes:
        assert store.follow_names({mei: "Meimei", bo: "Bo", 999_999: "Nobody"}) == 1
    assert len(writes) == 1, writes
    assert store.get_member(mei).display_name == "Meimei"  # type: ignore[union-attr]
    assert store.get_member(bo).display_name == "Bo"  # type: ignore[union-attr]
    assert store.get_member(999_999) is None
    # As names are kept: one visible line; a name with nothing visible leaves the known one.
    assert store.follow_names({mei: "Mei\u202e\nmei", bo: "\u200b\u2066"}) == 1
    assert store.get_member(mei).display_name == "Mei mei"  # type: ignore[union-attr]
    assert store.get_member(bo).display_name == "Bo"  # type: ignore[union-attr]
    assert store.follow_names({}) == 0


def test_a_member_who_renamed_is_listed_by_the_new_name_after_posting(
    store: Store, store_clock: FrozenClock
) -> None:
    """The console kept the name she joined with: names changed only on a join."""
    c = community(store, store_clock)
    c.engine.process([c.events.join("u1", name="Mei"), c.events.message("u1", "hi", name="Mei")])
    assert shown(store, c.runtime.community_id) == ["Mei"]
    c.engine.process([c.events.message("u1", "it's me", name="Meimei Chen")])
    assert shown(store, c.runtime.community_id) == ["Meimei Chen"]
    c.restart()  # a new process: the caches start empty, the name is looked at once again
    c.engine.process([c.events.message("u1", "again", name="Mei C.")])
    assert shown(store, c.runtime.community_id) == ["Mei C."]


def test_posting_under_the_same_name_writes_no_name(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.message("u1", "hi", name="Mei")])
    with member_writes() as writes:
        c.engine.process([c.events.message("u1", f"post {i}", name="Mei") for i in range(5)])
        c.engine.process([c.events.message("u1", "again", name="Mei")])
        c.restart()
        c.engine.process([c.events.message("u1", "after a restart", name="Mei")])
    assert writes == []
    with member_writes() as writes:
        c.engine.process([c.events.message("u1", "renamed", name="Ann"),
                          c.events.message("u1", "and again", name="Anna")])  # fmt: skip
    assert len(writes) == 1 and shown(store, c.runtime.community_id) == ["Anna"]


def test_an_event_without_a_name_or_a_redelivered_one_keeps_the_name(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    first = c.events.message("u1", "hi", name="Mei")
    c.engine.process([first])
    c.engine.process([c.events.message("u1", "renamed", name="Meimei")])
    c.restart()
    c.engine.process([first])  # the old message delivered again (a replay): no name of its own
    assert shown(store, c.runtime.community_id) == ["Meimei"]
    c.engine.process([c.events.leave("u1")])  # the builder's leave carries the user id as name
    c.engine.process([c.events.message("u1", "x", name="\u200b")])
    assert shown(store, c.runtime.community_id) == ["u1"]


def test_a_rename_the_carrier_reports_is_kept_before_she_speaks_and_counts_as_nothing(
    store: Store, store_clock: FrozenClock
) -> None:
    """QQ tells the bot of a group card changed, Matrix of a display name changed: the stored
    name followed only her next post, so the console listed the old name and staff typing
    the new one they read found nobody. Now the rename alone is kept; it is no message, no
    join and no activity, and no handler answers it (no welcome again): moderation alone
    reads the new name (an ordinary one here)."""
    c = community(store, store_clock)
    c.engine.process([c.events.join("u1", name="Mei"), c.events.message("u1", "hi", name="Mei")])
    since = c.events.now
    before = store.live_numbers(c.runtime.community_id, since - timedelta(days=1))
    [renamed] = c.engine.process([c.events.rename("u1", "杭州-小美-混油皮")])
    assert shown(store, c.runtime.community_id) == ["杭州-小美-混油皮"]
    assert (renamed.duplicate, renamed.actions, renamed.handlers) == (False, (), ("moderation",))
    assert store.live_numbers(c.runtime.community_id, since - timedelta(days=1)) == before
    [again] = c.engine.process(
        [replace(c.events.rename("u1", "x"), event_id=renamed.event.event_id)]
    )
    assert again.duplicate and shown(store, c.runtime.community_id) == ["杭州-小美-混油皮"]
    c.engine.process([c.events.rename("u1", "\u200b")])  # nothing visible: the name stays
    assert shown(store, c.runtime.community_id) == ["杭州-小美-混油皮"]
