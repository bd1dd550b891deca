"""`hearth groups close` and the console's Close form sent twice at once (a double click, two
operators, a script run twice), on PostgreSQL where two closings can overlap: the group is
closed once (one audit entry, one last post to its members), and a group closed into one
that another operator closes meanwhile is refused instead of sending its members to a closed
group. (SQLite writers take turns already.)"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from hearthkeeper.apply import apply_playbook
from hearthkeeper.carriers.closing import close_group, reopen_group
from hearthkeeper.carriers.webchat.groups import ensure_webchat_group
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Group, Store, StoreError
from tests.playbook_samples import MINIMAL

SITE = "http://chat.example"


@pytest.fixture
def groups(store: Store, database_url: str, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> list[Group]:  # fmt: skip
    """Tea Friends with three web chat groups."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite writers take turns already (one writer at a time)")
    monkeypatch.chdir(tmp_path)
    loaded = parse_playbook(MINIMAL)
    community = apply_playbook(store, loaded, "test").community.id
    ensure_webchat_group(store, community, loaded.playbook)
    for n in (2, 3):
        store.add_group(community, f"Tea Friends #{n}", "webchat", f"tea-{n}")
    return store.list_groups(community)


def _while_another_operator(database_url: str, group: Group, sql: str,
                            mine: Callable[[], object]) -> list[object]:  # fmt: skip
    """Run `mine` while another connection, holding the community's row as a closing does,
    has run `sql` (on the group `group`) and not committed yet: what `mine` returned or
    raised."""
    libpq = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(libpq) as other, psycopg.connect(libpq, autocommit=True) as watcher:
        other.execute("SELECT id FROM communities WHERE id = %s FOR NO KEY UPDATE",
                      (group.community_id,))  # fmt: skip
        other.execute(sql, (group.id,))
        done: list[object] = []

        def run() -> None:
            try:
                done.append(mine())
            except StoreError as exc:
                done.append(exc)

        acting = threading.Thread(target=run)
        acting.start()
        deadline = time.monotonic() + 20  # a guard, not a measure
        while time.monotonic() < deadline and acting.is_alive():
            row = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()
            if row is not None and row[0]:
                break
            time.sleep(0.01)
        other.commit()
        acting.join(60)
    return done


CLOSED_BY_OTHER = "UPDATE groups SET closed_at = now(), closed_by = 'other' WHERE id = %s"


def test_a_group_closed_twice_at_once_is_closed_once(store: Store, database_url: str,
                                                    groups: list[Group]) -> None:  # fmt: skip
    """Both closings read the group open; the second, let through after the first, closed
    it again: closed_by overwritten, two audit entries, two last posts to its members."""
    first, second, _ = groups
    [answer] = _while_another_operator(
        database_url,
        second,
        CLOSED_BY_OTHER,
        lambda: close_group(
            store, second, "ops", datetime.now(UTC), into=first, site=SITE, language=Language.EN
        ),
    )
    assert isinstance(answer, StoreError), answer
    assert "Tea Friends #2 is closed already" in str(answer) and "by other" in str(answer)
    [after] = store.groups_called(second.community_id, second.name)
    assert after.closed_by == "other"
    closings = [e for e in store.audit_log(second.community_id, limit=20)
                if e.action == "group.close"]  # fmt: skip
    assert closings == []  # the other operator's SQL wrote none; this one refused
    assert [i for i in store.outbox_items("pending", limit=100) if "group.close" in i.key] == []


def test_closing_into_a_group_another_operator_closes_meanwhile_is_refused(
    store: Store, database_url: str, groups: list[Group]
) -> None:
    """Tea 3群 closed into Tea 2群 while another operator closes Tea 2群 would send its
    members to a closed group, whose invite link seats nobody. This held before the fix (the
    other group is read after the lock); a guard now that the rows are read again."""
    _, second, third = groups
    [answer] = _while_another_operator(
        database_url,
        second,
        CLOSED_BY_OTHER,
        lambda: close_group(
            store, third, "ops", datetime.now(UTC), into=second, site=SITE, language=Language.EN
        ),
    )
    assert isinstance(answer, StoreError), answer
    assert "Tea Friends #2 is closed too" in str(answer)
    [after] = store.groups_called(third.community_id, third.name)
    assert not after.closed
    assert [i for i in store.outbox_items("pending", limit=100) if "group.close" in i.key] == []


def test_a_group_reopened_twice_at_once_is_reopened_once(store: Store, database_url: str,
                                                        groups: list[Group]) -> None:  # fmt: skip
    _, second, _ = groups
    close_group(store, second, "ops", datetime.now(UTC), into=None, site=SITE,
                language=Language.EN)  # fmt: skip
    reopened = ("UPDATE groups SET closed_at = NULL, closed_by = NULL, closed_into = NULL "
                "WHERE id = %s")  # fmt: skip
    [answer] = _while_another_operator(database_url, second, reopened,
                                       lambda: reopen_group(store, second, "ops"))  # fmt: skip
    assert isinstance(answer, StoreError), answer
    assert "Tea Friends #2 is not closed" in str(answer)
    reopenings = [e for e in store.audit_log(second.community_id, limit=20)
                  if e.action == "group.reopen"]  # fmt: skip
    assert reopenings == []
