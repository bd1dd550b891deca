"""Messages the bot deletes (moderation, a held member's posts, staff in the console) stay
stored, marked, and count nowhere: not towards levels, not in the rollups, vital signs or
the console's live numbers. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event

from hearthkeeper.analytics.report import build_report
from hearthkeeper.analytics.report_html import render_html
from hearthkeeper.capabilities.moderation import staff
from hearthkeeper.capabilities.points.levels_repository import SqlLevels
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import NewMessage, Store
from tests.engine_setup import Community, community

AD = "加我微信 abc12345 低价出货"  # advertising: deleted, a warning, then a mute
DAY = date(2026, 5, 1)
LONDON = ZoneInfo("Europe/London")


def _group(c: Community) -> int:
    [group] = c.store.list_groups(c.runtime.community_id)
    return group.id


def _rollups(store: Store, group_id: int) -> tuple[dict[int, int], int, int]:
    """Messages per member and questions (activity rollups), and the group's messages."""
    rows = store.activity_days([group_id], DAY, DAY)
    per_member = {r.member_id: r.messages for r in rows}
    days = store.group_days([group_id], DAY, DAY)
    return per_member, sum(r.questions for r in rows), sum(d.messages for d in days)


def test_spam_and_a_muted_members_posts_count_towards_nothing(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    # One batch: a real message and an advert (deleted, warned); then a second advert
    # (deleted, muted) and three posts sent while muted (the gate deletes each).
    c.engine.process([c.events.message("spam", "hello all"), c.events.message("spam", AD)])
    c.engine.process([c.events.message("spam", AD + " 2")])
    c.engine.process([c.events.message("spam", f"still here? {i}") for i in range(3)])
    c.engine.process([c.events.message("mei", "hi?")])
    group_id, spammer = _group(c), c.member_id("spam")

    since = datetime(2026, 4, 1, tzinfo=UTC)
    activity = SqlLevels.on(store).activity(c.runtime.community_id, spammer, since, LONDON)
    assert activity.messages == 1 and activity.active_days == 1
    per_member, questions, messages = _rollups(store, group_id)
    assert per_member == {spammer: 1, c.member_id("mei"): 1}
    assert questions == 1, "a deleted 'still here?' is no question"
    assert messages == 2
    live = store.live_numbers(c.runtime.community_id, since)
    assert (live.messages, live.active_members) == (2, 2)
    asked = store.question_timings([group_id], since, datetime(2026, 6, 1, tzinfo=UTC))
    assert [q.member_id for q in asked] == [c.member_id("mei")]

    # Rebuilt from the stored messages, the rollups say the same.
    store.rebuild_rollups([group_id])
    assert _rollups(store, group_id) == (per_member, questions, messages)

    stored = store.messages(group_id)
    assert len(stored) == 7, "deleted messages are kept, marked"
    assert [m.deleted_by for m in stored] == [None, "moderation", "moderation", "sanctioned",
                                              "sanctioned", "sanctioned", None]  # fmt: skip
    assert all(m.deleted_at is not None for m in stored[1:6])


def test_a_message_staff_delete_later_leaves_the_rollups_it_was_counted_in(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.message("ann", "anyone selling tickets?"),
                      c.events.message("bob", "hello")])  # fmt: skip
    group_id, ann = _group(c), c.member_id("ann")
    assert _rollups(store, group_id) == ({ann: 1, c.member_id("bob"): 1}, 1, 2)
    [question, _] = store.messages(group_id)

    staff.delete_message(store, question.id, "manager", store_clock.now())
    staff.delete_message(store, question.id, "manager", store_clock.now())  # a second click

    assert _rollups(store, group_id) == ({c.member_id("bob"): 1}, 0, 1), (
        "ann's day is gone (she is no speaker that day); deleted twice, taken out once"
    )
    [marked] = [m for m in store.messages(group_id) if m.id == question.id]
    assert marked.deleted_by == "staff:manager"
    since = datetime(2026, 4, 1, tzinfo=UTC)
    assert SqlLevels.on(store).activity(c.runtime.community_id, ann, since, LONDON).messages == 0
    store.rebuild_rollups([group_id])
    assert _rollups(store, group_id) == ({c.member_id("bob"): 1}, 0, 1)


@contextmanager
def _statements(store: Store) -> Iterator[list[str]]:
    """The SQL statements run through the store's engines while the block runs."""
    seen: list[str] = []

    def note(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(store.engine, "before_cursor_execute", note)  # its writer's too
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", note)


def test_an_ordinary_message_costs_no_statement_more(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.message("ann", "warming up")])
    with _statements(store) as plain:
        c.engine.process([c.events.message("ann", f"hello {i}") for i in range(5)])
    assert not [s for s in plain if "deleted" in s], "nothing about deletions for plain chat"
    with _statements(store) as spam:
        c.engine.process([c.events.message("ann", f"hello again {i}") for i in range(4)]
                         + [c.events.message("spam", AD)])  # fmt: skip
    marks = [s for s in spam if s.lstrip().upper().startswith("UPDATE MESSAGES")]
    assert len(marks) == 1, "a batch's deletions are marked in one statement"


def test_a_redelivered_spam_message_is_not_counted_again(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    spam = c.events.message("spam", AD)
    c.engine.process([spam])
    c.engine.process([spam])
    assert _rollups(store, _group(c)) == ({}, 0, 0)


def test_the_report_shows_what_moderation_deleted_beside_what_was_said(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.message("ann", "hello"), c.events.message("spam", AD),
                      c.events.message("spam", AD + " 2")])  # fmt: skip
    made = build_report(store, c.runtime.community_id, now=store_clock.now() + timedelta(hours=1))
    overall, [group] = made.to_json()["overall"], made.to_json()["groups"]
    assert (overall["messages"], overall["members"], overall["deleted"]) == (1, 1, 2)
    assert (group["messages"], group["deleted"]) == (1, 2)
    page = render_html(made)
    assert "<dt>Deleted by moderation</dt><dd>2</dd>" in page


def _imported(store: Store, group_id: int, member_id: int, ids: range) -> list[int]:
    """Messages imported into the group on DAY (an import that stopped before it rebuilt the
    rollups: none are counted); their ids."""
    sent = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    store.add_imported_messages([NewMessage(group_id, f"csv-{i}", member_id, "text",
                                            f"old news {i}?", sent + timedelta(minutes=i))
                                 for i in ids])  # fmt: skip
    return [m.id for m in store.messages(group_id) if m.carrier_event_id.startswith("csv-")
            and int(m.carrier_event_id[4:]) in ids]  # fmt: skip


def test_deleting_imported_messages_before_their_rollups_were_built_counts_nothing_negative(
    store: Store, store_clock: FrozenClock
) -> None:
    """An import that stopped before rebuilding the rollups (a crash, a bad group later in the
    file) leaves its messages uncounted; staff deleting one in the console then takes nothing
    out: no day, report or member figure below zero, and `hearth db rollups` later counts
    the rest."""
    community_id = store.ensure_community("history", "History").id
    group_id = store.add_group(community_id, "Old chat", "import:csv", "history/old").id
    ann = store.member_for("import:csv", "history/ann", "Ann").id
    first = _imported(store, group_id, ann, range(3))
    staff.delete_message(store, first[0], "manager", store_clock.now())
    assert _rollups(store, group_id) == ({}, 0, 0), "never counted: nothing taken out"
    made = build_report(store, community_id, now=datetime(2026, 5, 2, tzinfo=UTC))
    assert made.to_json()["overall"]["messages"] == 0
    store.rebuild_rollups([group_id])
    assert _rollups(store, group_id) == ({ann: 2}, 2, 2)

    # Counted now; a second import stops before its rebuild too. A deletion of an earlier
    # message takes it out; one of the new ones takes nothing.
    store_clock.advance(timedelta(hours=1))
    later = _imported(store, group_id, ann, range(3, 6))
    staff.delete_message(store, first[1], "manager", store_clock.now())
    staff.delete_message(store, later[0], "manager", store_clock.now())
    assert _rollups(store, group_id) == ({ann: 1}, 1, 1)
    store.rebuild_rollups([group_id])
    assert _rollups(store, group_id) == ({ann: 3}, 3, 3)
    staff.delete_message(store, later[1], "manager", store_clock.now())
    assert _rollups(store, group_id) == ({ann: 2}, 2, 2), "rebuilt: counted, taken out"


def test_staff_acting_on_an_imported_message_queue_nothing_for_a_chat_that_is_elsewhere(
    store: Store, store_clock: FrozenClock
) -> None:
    """An imported group's history came from a file: its chat is on a platform this server
    does not run. Deleting such a message, banning its sender for it, and lifting that ban
    change the store (marked deleted, the ban recorded and lifted) and leave nothing in the
    outbox that no carrier would ever perform (it showed as pending for good)."""
    community_id = store.ensure_community("history", "History").id
    group_id = store.add_group(community_id, "Old chat", "import:csv", "history/old").id
    ann = store.member_for("import:csv", "history/ann", "Ann").id
    ids = _imported(store, group_id, ann, range(2))
    staff.delete_message(store, ids[0], "manager", store_clock.now())
    [ban] = staff.ban_for_message(store, ids[1], "manager", store_clock.now())
    staff.lift(store, ban.id, "manager", store_clock.now())
    deleted = {m.id: m.deleted_at is not None for m in store.messages(group_id)}
    assert deleted == {ids[0]: True, ids[1]: True}
    assert store.pending_outbox_count() == 0
    assert store.outbox_items() == []
