"""Property: whatever a member or staff types after any in-chat command (odd digits, huge
numbers, RTL, combining marks, NUL, emoji), the engine answers within its batch and sets
nothing aside: no message is a poison (SQLite; PostgreSQL's ranges are pinned by the tests
of each fixed command)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hearthkeeper.assembly import runtime_for
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.engine import Engine
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import TEMPLATES
from hearthkeeper.store import Store, create_engine_for, sqlite_url
from hearthkeeper.testing import EventBuilder, FakeCarrier

COMMANDS = [
    "help", "checkin", "rank", "signup", "closelist", "list", "join", "cancel", "poll",
    "endpoll", "vote", "unvote", "results", "questions", "helpful", "points", "award",
    "redeem", "claim", "release", "titles", "tag", "untag", "me", "confirm", "events", "rsvp",
    "unrsvp", "ticket", "invite", "invites", "投", "兑换", "加分", "报名", "接龙", "团购", "问题",
]  # fmt: skip
ODD = ["²", "⑤", "٣", "９", "𝟗", "-1", "0", "99999999999999999999", "9" * 5000, "\u202e",
       "e\u0301", "\x00", "👨‍👩‍👧‍👦", "#", "@", "|", "｜", "x", "1"]  # fmt: skip
WORD = st.one_of(st.sampled_from(ODD), st.text(min_size=1, max_size=8),
                 st.integers(-(10**30), 10**30).map(str))  # fmt: skip


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory,
           migrated_sqlite: Path) -> Iterator[tuple[Engine, EventBuilder]]:  # fmt: skip
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / migrated_sqlite.name).write_bytes(migrated_sqlite.read_bytes())
    clock = FrozenClock(datetime(2026, 5, 1, 9, tzinfo=UTC))
    database = create_engine_for(sqlite_url(folder))
    store = Store(database, clock)
    template = TEMPLATES["skincare"]
    text = template.path.read_text().replace("accept_rules: true", "accept_rules: false")
    runtime = runtime_for(store, parse_playbook(text).playbook, template.path.parent)
    carrier = FakeCarrier("fake")
    built = Engine(store, clock, [runtime], {"fake": carrier},
                   adopt_groups_into=runtime.community_id)  # fmt: skip
    events = EventBuilder(clock.now())
    built.process([events.message("boss", "hi")])
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    boss = store.find_member("fake", "boss")
    assert boss is not None
    store.set_role(boss.id, group.id, "dean")
    built = Engine(store, clock, [runtime], {"fake": carrier},
                   adopt_groups_into=runtime.community_id)  # fmt: skip
    built.process([events.message("boss", text) for text in (
        "/团购 菜 | 西兰花 ¥12 限3份 | 胡萝卜 ¥8 限10份 | 截止 明天 10:00",
        "/投票 去哪 | 爬山 | 看展 | 截止 21:00", "/加分 @mei 500 good")])  # fmt: skip
    yield built, events
    database.dispose()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(command=st.sampled_from(COMMANDS), words=st.lists(WORD, max_size=3),
       prefix=st.sampled_from(["/", "#"]), staff=st.booleans())  # fmt: skip
@example(command="rsvp", words=["²"], prefix="/", staff=False)  # the poisons found first
@example(command="rsvp", words=["9" * 5000], prefix="/", staff=False)
@example(command="confirm", words=["⑤"], prefix="#", staff=True)
@example(command="confirm", words=["99999999999999999999"], prefix="/", staff=True)
def test_no_command_arguments_make_a_poison_message(
    engine: tuple[Engine, EventBuilder], command: str, words: list[str], prefix: str, staff: bool
) -> None:
    built, events = engine
    text = f"{prefix}{command} {' '.join(words)}"
    member = "boss" if staff else "mei"
    [done] = built.process([events.message(member, text), events.message("ann", "+1 西兰花")])[:1]
    assert done.ignored is None, f"{text[:80]!r} was set aside: {done.ignored}"
