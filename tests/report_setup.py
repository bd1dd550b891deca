"""A small community for the report tests, with hand-countable messages around a local
midnight in Asia/Shanghai (UTC+8, no daylight saving)."""

from __future__ import annotations

from datetime import UTC, datetime

from hearthkeeper.apply import apply_playbook
from hearthkeeper.capabilities.calendar.repository import SqlPosts
from hearthkeeper.clock import FrozenClock
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Community, NewMessage, Store
from tests.playbook_samples import MINIMAL

SHANGHAI = MINIMAL.replace("Europe/London", "Asia/Shanghai")
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # 20:00 on 4 March in Shanghai
OPENED = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)  # when the groups were opened


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


# (group, sender, sent at UTC): Shanghai's day starts at 16:00 UTC the day before.
MESSAGES = [
    ("Tea 1", "alice", utc(1, 15, 59)),  # 1 March 23:59 local
    ("Tea 1", "bob", utc(1, 16, 0)),  # 2 March 00:00 local
    ("Tea 1", "alice", utc(2, 2)),  # 2 March 10:00
    ("Tea 1", "alice", utc(3, 1)),  # 3 March 09:00
    ("Tea 2", "alice", utc(2, 3)),  # 2 March 11:00
    ("Tea 2", "carol", utc(2, 4)),  # 2 March 12:00
]


def tea_community(store: Store, playbook_text: str = SHANGHAI) -> Community:
    """Tea Friends with groups "Tea 1", "Tea 2" and an empty "Tea 3", and MESSAGES."""
    applied = apply_playbook(store, parse_playbook(playbook_text), "test")
    community = applied.community
    # The groups are opened before the messages (a report of March leaves out a group opened
    # later): the store's frozen clock, whatever day it is at, is set back while they are made.
    clock = store._clock
    then = clock.now() if isinstance(clock, FrozenClock) else None
    if isinstance(clock, FrozenClock):
        clock.set(OPENED)
    groups = {
        name: store.add_group(community.id, name, "fake", f"tea-{n}")
        for n, name in enumerate(("Tea 1", "Tea 2", "Tea 3"), start=1)
    }
    if isinstance(clock, FrozenClock) and then is not None:
        clock.set(then)
    members = {
        user: store.member_for("fake", user, user.title()).id for user in ("alice", "bob", "carol")
    }
    store.record_messages_bulk([
        NewMessage(groups[group].id, f"m{n}", members[user], "text", f"message {n}", at)
        for n, (group, user, at) in enumerate(MESSAGES)
    ])  # fmt: skip
    # Scheduled posts in Tea 1: a text followed within the hour by alice 15:59 and bob 16:00;
    # a picture followed by alice 02:00.
    for post_id, kind, at in (("tip", "text", utc(1, 15, 30)), ("pic", "picture", utc(2, 1, 30))):
        SqlPosts.on(store).claim_post(community.id, groups["Tea 1"].id, post_id, at,
                                      item_id=None, content_kind=kind, mode="auto",
                                      status="posted", posted_at=at)  # fmt: skip
    store.rebuild_rollups([g.id for g in groups.values()])
    return community
