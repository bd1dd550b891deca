"""A generated community of 50 groups written through the store (groups, members, stays,
staff roles, assignments and the rollups the engine keeps), with one group of each
situation the matrix warns of; everything else a steady group of 40."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.apply import apply_playbook
from hearthkeeper.capabilities.grid.repository import SqlGrid
from hearthkeeper.clock import FrozenClock
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store, create_engine_for
from hearthkeeper.store.rollups import RollupTally

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
ZONE = ZoneInfo("Asia/Shanghai")
TODAY = NOW.astimezone(ZONE).date()
CARRIER = "fake"
GROUPS = 50

PLAYBOOK = """\
community:
  slug: orange
  name: Orange Circle
  language: en
  timezone: Asia/Shanghai
  type: commercial
  purpose: Make better slides together.
  interest:
    kind: behaviour
    description: Slides and storytelling.
structure:
  groups:
    capacity: 200
    join_by_code_cap: 200
    small_circle_size: 20
copy:
  max_groups_per_manager: 10
  open_new_group_at: 0.9
"""

FULL = 3  # 185 of 200 members
CIRCLE = 7  # 120 members; 20 of them write 90% of the messages
DYING = 12  # 40 messages a week before, 2 this week
DEAD = 13  # nobody has written for 40 days
DECLINING = 20  # half its usual messages this week
GROWING = 25  # 12 newcomers in the last 28 days
NEW = (49, 50)  # opened 10 days ago
LI_GROUPS = range(1, 13)  # Li is put in charge of 12 groups (the limit is 10)
WANG_GROUPS = range(13, 21)  # Wang holds the manager role in 8 groups (nobody assigned)


def name(n: int) -> str:
    return f"Orange {n}"


@dataclass
class Generated:
    community_id: int
    groups: dict[int, int]  # n → group id
    li: int
    wang: int


def _size(n: int) -> int:
    return {FULL: 185, CIRCLE: 120, GROWING: 40}.get(n, 40)


def _weekly(n: int) -> list[int]:
    """Messages per week, this week first, then the four before."""
    if n == DYING:
        return [2, 40, 42, 38, 40]
    if n == DEAD:
        return [0, 0, 0, 0, 0]
    if n == DECLINING:
        return [15, 30, 30, 30, 30]
    if n in (CIRCLE, FULL):
        return [100, 100, 100, 100, 100]
    return [30, 30, 30, 30, 30]


def _days(weeks: list[int]) -> Iterable[tuple[date, int]]:
    """Each week's messages spread over its seven days."""
    for week, count in enumerate(weeks):
        for d in range(7):
            share = count // 7 + (1 if d < count % 7 else 0)
            if share:
                yield TODAY - timedelta(days=7 * week + d), share


def generate(store: Store, clock: FrozenClock) -> Generated:
    """Write the community; the clock is left at NOW."""
    loaded = parse_playbook(PLAYBOOK, "orange.yaml")
    clock.set(NOW - timedelta(days=90))
    applied = apply_playbook(store, loaded, "test")
    community_id = applied.community.id
    groups: dict[int, int] = {}
    users: dict[tuple[str, str], str] = {(CARRIER, "li"): "Li Wei", (CARRIER, "wang"): "Wang Fang"}
    for n in range(1, GROUPS + 1):
        clock.set(NOW - timedelta(days=10 if n in NEW else 90))
        groups[n] = store.add_group(community_id, name(n), CARRIER, f"g{n}", 200).id
        for m in range(_size(n)):
            users[(CARRIER, f"u{n}-{m}")] = f"member {n}-{m}"
    clock.set(NOW)
    ids = store.member_ids(users)
    li, wang = ids[(CARRIER, "li")], ids[(CARRIER, "wang")]
    tally = RollupTally()
    long_ago = NOW - timedelta(days=60)
    with store.transaction() as tx:
        for n, group_id in groups.items():
            joined = NOW - timedelta(days=9) if n in NEW else long_ago
            for m in range(_size(n)):
                recent = n == GROWING and m >= 28
                at = NOW - timedelta(days=3 + m % 20) if recent else joined
                tx.join(ids[(CARRIER, f"u{n}-{m}")], group_id, at=at)
                if recent:
                    tally.join(group_id, at.astimezone(ZONE).date())
            # a group's history begins when it opened: its first stay or message dates it
            if n in LI_GROUPS:
                tx.join(li, group_id, role="manager", at=joined)
            if n in WANG_GROUPS:
                tx.join(wang, group_id, role="manager", at=joined)
            _talk(tally, n, group_id, [ids[(CARRIER, f"u{n}-{m}")] for m in range(_size(n))])
        if DEAD in groups:  # its last messages, 40 days ago
            speaker = ids[(CARRIER, f"u{DEAD}-0")]
            tally.messages(groups[DEAD], speaker, TODAY - timedelta(days=40), "text", 9, 0, 0)
        tx.bump_rollups(tally)
        grid = SqlGrid.on(tx)
        for n in LI_GROUPS:
            grid.assign(groups[n], li, "test", NOW - timedelta(days=30))
    return Generated(community_id, groups, li, wang)


def _talk(tally: RollupTally, n: int, group_id: int, members: list[int]) -> None:
    """The group's messages: in the circle group 20 members write 90%; in the full group 60
    members share them, elsewhere 15."""
    turn = [0]  # whose turn it is: members speak in rotation, across days
    for day, count in _days(_weekly(n)):
        if n in NEW and day < TODAY - timedelta(days=9):
            continue  # not opened yet
        if n == CIRCLE:
            inner = count * 9 // 10
            _spread(tally, group_id, day, members[:20], inner, turn)
            _spread(tally, group_id, day, members[20:], count - inner, turn)
        else:
            _spread(tally, group_id, day, members[: 60 if n == FULL else 15], count, turn)


def _spread(tally: RollupTally, group_id: int, day: date, members: list[int], count: int,
            turn: list[int]) -> None:  # fmt: skip
    for _ in range(count):
        tally.messages(group_id, members[turn[0] % len(members)], day, "text", 1, 0, 0)
        turn[0] += 1


@dataclass(frozen=True)
class Grid:
    """A store holding the generated community (its clock at NOW), and its database's URL."""

    store: Store
    url: str
    made: Generated


def written(url: str) -> Generated:
    """`generate` on the (migrated) database at `url`, closed after."""
    clock = FrozenClock(NOW)
    engine = create_engine_for(url)
    try:
        return generate(Store(engine, clock), clock)
    finally:
        engine.dispose()  # no connection left: the file is complete, the template copyable
