"""A change of the community's time zone moves the calendar; a firing's progress is visible."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthkeeper.apply import apply_playbook
from hearthkeeper.assembly import plan_community, runtime_for
from hearthkeeper.capabilities.calendar.posts import firing_key
from hearthkeeper.cli import app
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.engine import Engine
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store
from hearthkeeper.testing import FakeCarrier
from tests.capabilities.calendar.test_calendar_posting import (
    DAILY,
    calendar_community,
    group,
    pending_firing,
    sends,
    utc,
)
from tests.capabilities.calendar.test_calendar_posting_content import FIRST, TIPS, _library
from tests.engine_setup import RULES
from tests.playbook_samples import MINIMAL


def test_moving_the_community_to_another_time_zone_moves_the_posts(
    store: Store, store_clock: FrozenClock
) -> None:
    c = calendar_community(store, store_clock)  # London: 08:00 BST is 07:00 UTC
    london_firing = utc(2026, 5, 2, 7)
    assert pending_firing(c, "morning", london_firing)
    moved = parse_playbook((MINIMAL + RULES + DAILY).replace("Europe/London", "Asia/Shanghai"))
    c.runtime = runtime_for(store, moved.playbook)  # the operator applies the new playbook
    c.carrier = FakeCarrier("fake")
    c.engine = Engine(store, store_clock, [c.runtime], {"fake": c.carrier},
                      adopt_groups_into=c.runtime.community_id)  # fmt: skip
    store_clock.set(london_firing)
    c.engine.tick()  # the old firing is no longer one: it posts nothing and plans the new one
    assert sends(c) == []
    shanghai_firing = utc(2026, 5, 3, 0)  # 08:00 in Shanghai
    assert pending_firing(c, "morning", shanghai_firing)
    store_clock.set(shanghai_firing)
    c.engine.tick()
    assert [a.text for a in sends(c)] == ["Good morning, tea friends."]
    c.engine.tick()
    assert sends(c) == []


def test_hearth_posts_shows_a_firings_progress_across_groups(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    c = calendar_community(store, store_clock, groups=("g1", "g2", "g3"))
    apply_playbook(store, parse_playbook(MINIMAL + RULES + DAILY), "test")  # as `hearth apply`
    store_clock.set(utc(2026, 5, 2, 7))
    c.engine.tick()
    env = {"HEARTH_DATABASE_URL": database_url}
    before = CliRunner().invoke(app, ["posts"], env=env)
    assert before.exit_code == 0, before.output
    assert "morning: 3 group(s) — 3 queued" in before.stdout
    # the firing at 08:00 in London (07:00 UTC), on the clock `hearth calendar` and the
    # chat's /calendar use, the zone named once; it printed 2026-05-02T07:00:00+00:00
    assert before.stdout.startswith("Times in Europe/London (the community's time zone).")
    assert "2026-05-02 08:00  morning: 3 group(s)" in before.stdout
    assert "07:00" not in before.stdout
    sends(c)  # the outbound queue delivers them
    after = CliRunner().invoke(app, ["posts", "--post", "morning"], env=env)
    assert "morning: 3 group(s) — 3 delivered" in after.stdout


LATE_TIPS = TIPS.replace("order: next}", "order: next}\n      grace: 2h")


def test_hearth_posts_says_why_a_firing_was_skipped(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """`hearth posts` said "1 skipped" and nothing more: the operator could not tell a library
    that ran dry from a server that was down. Now it says which."""
    monkeypatch.chdir(tmp_path)
    _library(tmp_path)  # three items
    c = calendar_community(store, store_clock, LATE_TIPS, root=tmp_path)
    apply_playbook(store, parse_playbook(MINIMAL + RULES + LATE_TIPS), "test")
    for day in range(4):  # the fourth morning finds nothing left
        store_clock.set(FIRST + timedelta(days=day))
        c.engine.tick()
    store_clock.set(FIRST + timedelta(days=4, hours=3))  # down at 08:00, back at 11:00
    c.restart()
    c.engine.tick()
    env = {"HEARTH_DATABASE_URL": database_url}
    shown = CliRunner().invoke(app, ["posts", "--post", "tips"], env=env)
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert (
        "2026-05-05 08:00  tips: 1 group(s) — 1 skipped (no content left in its library)" in lines
    )
    assert (
        "2026-05-06 08:00  tips: 1 group(s) — 1 skipped (missed: reached 3 hours late, past its "
        "2 hours grace)"
    ) in lines


THREE = """\
calendar:
  posts:
    - id: morning
      schedule: every day 08:00
      content: {text: "Good morning, tea friends."}
    - id: noon
      schedule: every day 12:00
      content: {text: "Lunch break."}
    - id: evening
      schedule: every day 20:00
      content: {text: "Good evening."}
"""


def test_applying_a_playbook_calls_off_the_firings_it_replaced(
    store: Store, store_clock: FrozenClock
) -> None:
    """The morning post moves to 09:00 and the evening one is dropped: their firings planned
    under the old playbook stayed pending until their time (doing nothing then), so the
    scheduled work listed posts that would never go. Applying calls them off; the rest stays."""
    c = calendar_community(store, store_clock, THREE)  # London: 08:00 BST is 07:00 UTC
    morning, noon, evening = utc(2026, 5, 2, 7), utc(2026, 5, 1, 11), utc(2026, 5, 1, 19)
    assert all(pending_firing(c, p, at) for p, at in
               (("morning", morning), ("noon", noon), ("evening", evening)))  # fmt: skip
    changed = THREE.replace("08:00", "09:00").split("    - id: evening")[0]
    loaded = parse_playbook(MINIMAL + RULES + changed)
    apply_playbook(store, loaded, "test")
    plan_community(store, c.runtime.community_id, loaded.playbook, store_clock.now())  # as serve
    assert not pending_firing(c, "morning", morning)
    assert not pending_firing(c, "evening", evening)
    assert pending_firing(c, "noon", noon)  # unchanged: still to post
    assert pending_firing(c, "morning", utc(2026, 5, 2, 8))  # 09:00 in London
    key = firing_key(group(c).id, "morning", morning)
    replaced = store.scheduled(key)
    assert replaced is not None and replaced.status == "cancelled"
