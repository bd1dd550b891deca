"""Scheduled work beside other engine workers on a real PostgreSQL: a group's work is run by
the worker that decides the group's events (the holder of its lease), never by another one at
the same time (a poll closed by one worker while a vote on it is decided by another: the voter
told "counted", the results posted without the vote)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hearthkeeper.carriers.installed import CARRIERS
from hearthkeeper.clock import SystemClock
from hearthkeeper.config import load_settings
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.roles import Role
from hearthkeeper.serve import Host
from hearthkeeper.store.cluster import Cluster
from hearthkeeper.store.database import create_engine_for
from hearthkeeper.web.context import WebSettings
from tests.serve_setup import project, settings_for

pytestmark = pytest.mark.postgres

TOKEN = "123456789:AAE" + "x" * 30


def _engine_worker(root: Path, url: str) -> Host:
    settings, web_settings = settings_for(project(root), url)
    return Host.build(settings, web_settings, clock=SystemClock(), role=Role.ENGINE)


def test_a_groups_scheduled_work_runs_only_in_the_worker_holding_its_lease(
    pg_url: str, tmp_path: Path
) -> None:
    host = _engine_worker(tmp_path, pg_url)
    other: Engine = create_engine_for(pg_url)
    deciding = Cluster(other)  # another engine worker, deciding the web chat group's events
    try:
        store = host.store
        [community] = store.list_communities()
        groups = store.list_groups(community.id)
        group = next(g for g in groups if g.carrier == "webchat")
        due = host.clock.now() - timedelta(seconds=1)
        store.schedule("poll:close:1", community.id, "poll.close", {}, due, group_id=group.id)
        store.schedule("alone:1", community.id, "poll.close", {}, due)  # of no group
        assert deciding.take([group.id]) == {group.id}

        host.engine.tick()
        held = store.scheduled("poll:close:1")
        assert held is not None and held.status == "pending"  # left to the lease's holder
        alone = store.scheduled("alone:1")
        assert alone is not None and alone.status == "done"  # work of no group: anyone

        deciding.release([group.id])  # the group is idle again: whoever takes it runs it
        host.engine.tick()
        ran = store.scheduled("poll:close:1")
        assert ran is not None and ran.status == "done"
    finally:
        deciding.close()
        other.dispose()
        host.close()


def test_a_telegram_groups_scheduled_work_runs_only_in_the_worker_running_the_bot(
    pg_url: str, tmp_path: Path
) -> None:
    running: Engine = create_engine_for(pg_url)
    bot_worker = Cluster(running)  # another engine worker: it runs the Telegram bot
    assert bot_worker.take_carriers()
    playbook = project(tmp_path)
    config = tmp_path / "hearth.toml"
    config.write_text(
        f'playbooks = ["{playbook.name}"]\ndatabase_url = "{pg_url}"\n\n[carriers.telegram]\n'
        '[carriers.telegram.groups]\n"-1001234567890" = "yan-academy-skincare"\n',
        encoding="utf-8",
    )
    settings = load_settings(config, {"HEARTH_TELEGRAM_TOKEN": TOKEN}, tmp_path, CARRIERS)
    host = Host.build(settings, WebSettings(data_dir=settings.data_dir), clock=SystemClock(),
                      role=Role.ENGINE)  # fmt: skip
    try:
        store = host.store
        group = store.group_for_carrier("telegram", "-1001234567890")
        assert group is not None
        due = host.clock.now() - timedelta(seconds=1)
        store.schedule("poll:close:7", group.community_id, "poll.close", {}, due,
                       group_id=group.id)  # fmt: skip
        host.engine.tick()  # this worker keeps the bot on standby: not its group's work
        left = store.scheduled("poll:close:7")
        assert left is not None and left.status == "pending"
    finally:
        host.close()
        bot_worker.close()
        running.dispose()


def test_a_copy_queued_for_an_imported_group_ends_as_skipped_beside_other_workers(
    pg_url: str, tmp_path: Path
) -> None:
    """A post an earlier version queued for a group an import registered: one engine process
    ends it as skipped when due; beside other workers each claimed only the carriers it runs,
    nobody claimed `import:csv`, and the copy stayed pending for ever."""
    host = _engine_worker(tmp_path, pg_url)
    try:
        assert host.engine.queue.attached_only  # beside other workers
        store = host.store
        [community] = store.list_communities()
        dead = store.add_group(community.id, "微信1群", "import:csv", "club/微信1群")
        send = Action(kind=ActionKind.SEND, carrier=dead.carrier, group=dead.carrier_group_id,
                      text="Good morning, tea friends.", key="calendar:post:1")  # fmt: skip
        store.enqueue("calendar:post:1", dead.carrier, send.to_json(), send.priority,
                      group_id=dead.id, at=host.clock.now() - timedelta(seconds=1))  # fmt: skip

        asyncio.run(host.engine.drain())
        (item,) = [i for i in store.outbox_items() if i.key == "calendar:post:1"]
        assert (item.status, item.last_error) == (
            "skipped",
            "no carrier serves an imported group (history only)",
        ), "the copy for an imported group was left pending"
    finally:
        host.close()
