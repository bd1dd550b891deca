"""`hearth apply` run twice at once (two operators, or a deploy script on two machines):
what each says matches what was stored, and the same file is stored once."""

from __future__ import annotations

import hashlib
import threading
import time

import psycopg
import pytest
from psycopg.types.json import Jsonb

from hearthkeeper.apply import Applied, apply_playbook
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.diff import playbook_content
from hearthkeeper.store import Store
from tests.playbook_samples import MINIMAL


def _while_another_apply_stores(store: Store, database_url: str, source: str, mine: str) -> Applied:
    """Apply `mine` while another apply, midway, has stored `source` as version 2 (over
    MINIMAL, version 1) and not committed yet: what the apply said."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite applies take turns already (one writer at a time)")
    first = apply_playbook(store, parse_playbook(MINIMAL, "tea.yaml"), "setup")
    community = first.community.id
    libpq = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(libpq) as other, psycopg.connect(libpq, autocommit=True) as watcher:
        other.execute("SELECT id FROM communities WHERE id = %s FOR NO KEY UPDATE", (community,))
        other.execute(
            "INSERT INTO playbook_versions (community_id, version, source_text, content, sha256, "
            "applied_at, applied_by) VALUES (%s, 2, %s, %s, %s, now(), 'other')",
            (
                community,
                source,
                Jsonb(playbook_content(parse_playbook(source).playbook)),
                hashlib.sha256(source.encode()).hexdigest(),
            ),
        )
        done: list[Applied] = []
        applying = threading.Thread(target=lambda: done.append(
            apply_playbook(store, parse_playbook(mine, "tea.yaml"), "cli")))  # fmt: skip
        applying.start()
        deadline = time.monotonic() + 20  # a guard, not a measure
        while time.monotonic() < deadline and applying.is_alive():
            row = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()
            if row is not None and row[0]:
                break
            time.sleep(0.01)
        other.commit()
        applying.join(60)
    [applied] = done
    return applied


def test_the_same_file_applied_twice_at_once_is_stored_once(
    store: Store, database_url: str
) -> None:
    source = MINIMAL + "# tuned the welcome\n"
    applied = _while_another_apply_stores(store, database_url, source, source)
    assert applied.unchanged, f"stored again as version {applied.version.version}"
    assert applied.version.version == 2
    assert [v.version for v in store.playbook_versions(applied.community.id)] == [1, 2]


def test_the_second_of_two_applies_says_what_changed_against_the_first(
    store: Store, database_url: str
) -> None:
    theirs = MINIMAL.replace("name: Tea Friends", "name: Tea Lovers")
    mine = MINIMAL + "# only a comment\n"
    applied = _while_another_apply_stores(store, database_url, theirs, mine)
    assert applied.unchanged is False
    assert applied.version.version == 3
    assert applied.previous is not None and applied.previous.version == 2
    # the other operator's rename is undone by this apply, and it says so
    assert [str(change) for change in applied.changes] == [
        "~ community.name: 'Tea Lovers' → 'Tea Friends'"
    ]
