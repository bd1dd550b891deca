"""0053: each playbook version keeps when its scheduled posts were added; versions stored
before the upgrade get theirs from the versions before them, so a post added mid-week is
still counted from the day it was added (not from the first version, nor from the upgrade)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, create_engine_for, upgrade
from tests.migrated import playbook_version_as_kept_before

AT = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _posts(*ids: str) -> dict[str, object]:
    return {"calendar": {"posts": [{"id": i, "schedule": "every day 08:00"} for i in ids]}}


def test_versions_kept_before_know_when_each_post_was_added(database_url: str) -> None:
    upgrade(database_url, to="0052")
    engine = create_engine_for(database_url)
    try:
        store = Store(engine, FrozenClock(AT + 10 * DAY))
        tea = store.ensure_community("tea", "Tea Friends").id
        coffee = store.ensure_community("coffee", "Coffee").id
        playbook_version_as_kept_before(engine, tea, 1, _posts("morning"), AT)
        playbook_version_as_kept_before(engine, tea, 2, _posts("evening"), AT + DAY)
        playbook_version_as_kept_before(engine, tea, 3, _posts("morning", "evening"), AT + 2 * DAY)
        playbook_version_as_kept_before(engine, tea, 4, _posts("morning", "evening"), AT + 3 * DAY)
        playbook_version_as_kept_before(engine, coffee, 1, {"name": "no calendar"}, AT)
        assert upgrade(database_url) == ["0053"]

        # morning was taken out in version 2: it counts from its return in version 3
        assert store.posts_added(tea) == {"morning": AT + 2 * DAY, "evening": AT + DAY}
        assert store.posts_added(coffee) == {}
        # the next version applied goes on from what the upgrade kept
        store.add_playbook_version(tea, "v5", _posts("evening", "noon"), "cli")
        assert store.posts_added(tea) == {"evening": AT + DAY, "noon": AT + 10 * DAY}
    finally:
        engine.dispose()
