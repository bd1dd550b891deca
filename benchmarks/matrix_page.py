"""What the console's Matrix page weighs and costs at a matrix of groups.

One community on a new SQLite store, written through the store as `tests/capabilities/grid/
generated.py` writes its 50: N web chat groups of 40 members who talked over the last five
weeks (15 speakers a group, 30 messages a week), one staff member per five groups (the
skincare template's `copy.max_groups_per_manager`) holding the manager role in their five and
put in charge of the first of them, every twentieth group closed. The page is asked through
the real application (`create_app`, a signed-in operator) five times; prints its bytes and
the best and median server time and CPU time, then the same for the page's lazily loaded "Put in charge"
form of one group. With `--versions V`, the community's playbook was edited V times before
(`edit_playbook`: V more stored versions, each the whole applied content).

Run: .venv/bin/python -m benchmarks.matrix_page [--groups N ...] [--versions V]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from hearthkeeper.apply import apply_playbook, community_playbook
from hearthkeeper.capabilities.grid.repository import SqlGrid
from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
from hearthkeeper.carriers.webchat.plugin import served
from hearthkeeper.clock import FrozenClock
from hearthkeeper.playbook import LoadedPlaybook, Playbook, parse_playbook
from hearthkeeper.playbook.templates import template_text
from hearthkeeper.store import (
    Community,
    PlaybookVersion,
    Store,
    create_engine_for,
    sqlite_url,
    upgrade,
)
from hearthkeeper.store.rollups import RollupTally
from hearthkeeper.web.app import create_app
from hearthkeeper.web.auth import SESSION_COOKIE, hash_password, new_token, token_hash
from hearthkeeper.web.context import Web, WebSettings

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")
SLUG = "yan-academy-skincare"
SIZE = 40
PER_MANAGER = 5


class Playbooks:
    """The page's `PlaybookHost`: applies, runs nothing."""

    def __init__(self, store: Store, base: Path) -> None:
        self.store, self.base = store, base

    def base_dir(self, community_id: int) -> Path:
        return self.base

    def replace(self, community_id: int, loaded: LoadedPlaybook, by: str) -> PlaybookVersion:
        return apply_playbook(self.store, loaded, by).version


def fill(store: Store, clock: FrozenClock, folder: Path, count: int) -> list[int]:
    """The community and its `count` groups; their ids."""
    clock.set(NOW - timedelta(days=90))
    loaded = parse_playbook(template_text("skincare"), str(folder / "playbook.yaml"))
    community_id = apply_playbook(store, loaded, "bench").community.id
    groups = [store.add_group(community_id, f"颜学院护肤社 {n}群", "webchat", f"{SLUG}-{n}", 500).id
              for n in range(1, count + 1)]  # fmt: skip
    clock.set(NOW)
    users = {("webchat", f"u{n}-{m}"): f"成员{n}-{m}" for n in range(count) for m in range(SIZE)}
    users |= {("webchat", f"staff{k}"): f"管理员{k:03d}" for k in range(count // PER_MANAGER)}
    ids = store.member_ids(users)
    today = NOW.astimezone(ZONE).date()
    tally = RollupTally()
    with store.transaction() as tx:
        for n, group_id in enumerate(groups):
            for m in range(SIZE):
                tx.join(ids[("webchat", f"u{n}-{m}")], group_id, at=NOW - timedelta(days=60))
            staff = ids[("webchat", f"staff{n // PER_MANAGER}")]
            tx.join(staff, group_id, role="manager", at=NOW - timedelta(days=60))
            for back in range(35):
                for k in range(4 + back % 2):
                    speaker = ids[("webchat", f"u{n}-{(back + k) % 15}")]
                    tally.messages(group_id, speaker, today - timedelta(days=back), "text", 1, 0, 0)
        tx.bump_rollups(tally)
        grid = SqlGrid.on(tx)
        for n in range(0, count, PER_MANAGER):
            grid.assign(groups[n], ids[("webchat", f"staff{n // PER_MANAGER}")], "bench", NOW)
    for group_id in groups[19::20]:
        store.close_group(group_id, "bench")
    return groups


def edit_playbook(store: Store, community_id: int, versions: int) -> None:
    """`versions` more playbook versions of the community, as an operator who edits the
    playbook for months leaves them: each stores the whole applied content again (about
    12 KB for the skincare template), its text changed by a comment."""
    latest = store.latest_playbook_version(community_id)
    assert latest is not None
    for n in range(versions):
        store.add_playbook_version(community_id, f"{latest.source_text}\n# edit {n + 1}\n",
                                   latest.content, "bench")  # fmt: skip


@dataclass(frozen=True)
class Filled:
    """A generated community in a new SQLite store (`filled`)."""

    store: Store
    clock: FrozenClock
    folder: Path  # the store's temporary folder
    community: Community
    groups: list[int]  # their ids, in opening order


@contextmanager
def filled(count: int, versions: int = 0) -> Iterator[Filled]:
    """A new SQLite store in a temporary folder holding the generated community of `count`
    groups (`fill`), its playbook edited `versions` times (`edit_playbook`)."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        url = sqlite_url(folder)
        upgrade(url)
        engine = create_engine_for(url)
        clock = FrozenClock(NOW)
        store = Store(engine, clock)
        groups = fill(store, clock, folder, count)
        [community] = store.list_communities()
        edit_playbook(store, community.id, versions)
        try:
            yield Filled(store, clock, folder, community, groups)
        finally:
            engine.dispose()


@contextmanager
def filled_community(count: int, versions: int = 0) -> Iterator[tuple[Store, Community, Playbook]]:
    """`filled`'s store, community and its playbook as applied."""
    with filled(count, versions) as made:
        playbook = community_playbook(made.store, made.community.id)
        assert playbook is not None
        yield made.store, made.community, playbook


def timed(client: TestClient, path: str,
          headers: dict[str, str]) -> tuple[int, list[float], list[float]]:  # fmt: skip
    """The page's bytes, and each of five asks' seconds and CPU seconds (the process's, all
    threads: the test client serves the page in another thread; on a machine other work
    loads, the CPU time says more than the wall clock)."""
    took, cpu, size = [], [], 0
    for _ in range(5):
        began, began_cpu = time.perf_counter(), time.process_time()
        answer = client.get(path, headers=headers)
        took.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
        assert answer.status_code == 200, answer.text[:500]
        size = len(answer.content)
    return size, took, cpu


def measure(count: int, versions: int = 0) -> None:
    with filled(count, versions) as made:
        store, clock, folder, groups = made.store, made.clock, made.folder, made.groups
        webchat = WebChatCarrier(store, clock, folder / "uploads")
        settings = WebSettings(data_dir=folder, public_url="http://chat.example")
        web = Web(store, clock, settings, {webchat.name: served(webchat)}, Playbooks(store, folder))
        client = TestClient(create_app(web))
        operator = store.add_operator("ann", hash_password("a long enough password"))
        token = new_token()
        store.create_session(operator.id, token_hash(token), new_token(), NOW + timedelta(hours=1))
        client.cookies.set(SESSION_COOKIE, token)
        staff = count // PER_MANAGER
        closed = len(groups[19::20])
        print(f"{count} groups, {staff} staff, {closed} closed, {versions + 1} playbook versions")
        base = f"/console/c/{SLUG}/matrix"
        form = f"{base}/charge?group_id={groups[1]}"
        for label, path, headers in (("Matrix page", base, {}),
                                     ("one row's Put in charge form (htmx)", form, {"HX-Request": "true"})):  # fmt: skip
            try:
                size, took, cpu = timed(client, path, headers)
            except AssertionError as refused:  # the form's route is this branch's
                print(f"  {label}: not served ({str(refused)[:60]})")
                continue
            print(f"  {label}: {size:,} bytes; {min(took):.3f} s best, "
                  f"{statistics.median(took):.3f} s median of 5; CPU {min(cpu):.3f} s best, "
                  f"{statistics.median(cpu):.3f} s median")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--versions", type=int, default=0,
                        help="playbook versions stored besides the first (edits)")  # fmt: skip
    args = parser.parse_args()
    for count in args.groups:
        measure(count, args.versions)


if __name__ == "__main__":
    main()
