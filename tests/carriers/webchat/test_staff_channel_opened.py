"""A staff channel named freely (`alerts.staff_group: 运营后台`) on a community the web chat
alone serves: web chat groups were only ever named by `copy.naming` (`Tea Friends #1`), so
no group was ever called so and staff alerts reached the console's Inbox alone. The web
chat opens it under that name when the server runs the playbook; SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthkeeper.apply import apply_playbook
from hearthkeeper.assembly import runtime_for
from hearthkeeper.carriers.webchat.plugin import WebChatLimits, WebChatSetup
from hearthkeeper.cli import app
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.engine import Engine
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store
from hearthkeeper.testing import EventBuilder, FakeCarrier
from tests.engine_setup import RULES
from tests.playbook_samples import MINIMAL

STAFF_ROOM = "运营后台"
ALERTS = f"alerts:\n  staff_group: {STAFF_ROOM}\n"
WITH_TELEGRAM = "structure:\n  carriers:\n    - kind: webchat\n    - kind: telegram\n"


def adopted(store: Store, text: str) -> int:
    """The community applied from `text` and adopted by the web chat, as `hearth serve`
    does at start and on every apply; its id."""
    loaded = parse_playbook(text, "pb.yaml")
    community = apply_playbook(store, loaded, "test").community
    WebChatSetup(WebChatLimits()).adopt(store, community.id, loaded.playbook)
    return community.id


def test_the_web_chat_opens_the_staff_channel_the_playbook_names_and_alerts_reach_it(
    store: Store, store_clock: FrozenClock
) -> None:
    text = MINIMAL + RULES + ALERTS
    community_id = adopted(store, text)
    groups = {g.name: g for g in store.list_groups(community_id)}
    assert sorted(groups) == ["Tea Friends #1", STAFF_ROOM]  # the first member group is No. 1
    staff = groups[STAFF_ROOM]
    assert (staff.carrier, staff.carrier_group_id) == ("webchat", "tea-staff")
    [opened] = [e for e in store.audit_entries(community_id) if e.action == "group.open"]
    assert (opened.actor, opened.target) == ("playbook", f"group {staff.id}")
    WebChatSetup(WebChatLimits()).adopt(  # applied again, restarted: still one
        store, community_id, parse_playbook(text, "pb.yaml").playbook
    )
    assert len(store.list_groups(community_id)) == 2

    loaded = parse_playbook(text, "pb.yaml")
    carrier = FakeCarrier("webchat")
    engine = Engine(store, store_clock, [runtime_for(store, loaded.playbook)],
                    {"webchat": carrier})  # fmt: skip
    events = EventBuilder(store_clock.now(), carrier="webchat", group="tea-1")
    engine.process([events.join("mei", name="Mei", group="tea-staff"),
                    events.join("angry", name="Angry")])  # fmt: skip
    mei = store.find_member("webchat", "mei")
    assert mei is not None
    store.set_role(mei.id, staff.id, "manager")  # `hearth staff set webchat:mei manager`
    engine.process([events.message("angry", "你就是个傻逼", name="Angry")])
    asyncio.run(engine.drain())
    [alert] = [p.action for p in carrier.performed
               if p.action.handler == "alerts" and p.action.kind is ActionKind.SEND]  # fmt: skip
    assert alert.group == "tea-staff" and alert.text is not None
    assert alert.text.startswith("@Mei\n⚠ Staff alert:")


def test_a_playbook_naming_other_platforms_is_told_how_to_make_the_channel(
    store: Store, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With Telegram in `structure.carriers`, 运营后台 may be a Telegram group not mapped
    yet: the web chat opens nothing, and `hearth alerts show` says where to name it."""
    community_id = adopted(store, MINIMAL + WITH_TELEGRAM + ALERTS)
    assert [g.name for g in store.list_groups(community_id)] == ["Tea Friends #1"]
    monkeypatch.chdir(tmp_path)
    said = CliRunner().invoke(app, ["alerts", "show", "--community", "tea"],
                              env={"HEARTH_DATABASE_URL": database_url})  # fmt: skip
    assert said.exit_code == 0, said.output
    flat = " ".join(said.output.split())
    assert f"Staff channel: none — no group of tea is named '{STAFF_ROOM}'" in flat
    assert "name a group of telegram so in hearth.toml" in flat


def test_alerts_show_says_the_web_chat_opens_it(
    store: Store, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Applied, not yet served: `hearth alerts show` says the server will open it."""
    apply_playbook(store, parse_playbook(MINIMAL + ALERTS, "pb.yaml"), "test")
    monkeypatch.chdir(tmp_path)
    said = CliRunner().invoke(app, ["alerts", "show", "--community", "tea"],
                              env={"HEARTH_DATABASE_URL": database_url})  # fmt: skip
    flat = " ".join(said.output.split())
    assert "the web chat opens it under that name when `hearth serve` runs this playbook" in flat


def test_apply_notes_a_staff_channel_no_group_is_called_yet(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    """`hearth apply` stored a staff channel no group had without a word; it notes it, and
    how the channel comes to exist."""
    file = tmp_path / "tea.yaml"
    file.write_text(MINIMAL + ALERTS, encoding="utf-8")
    applied = CliRunner().invoke(app, ["apply", str(file)],
                                 env={"HEARTH_DATABASE_URL": database_url})  # fmt: skip
    assert applied.exit_code == 0, applied.output
    flat = " ".join(applied.stdout.split())
    assert (f"note: alerts.staff_group “{STAFF_ROOM}” names no group of tea yet: the web chat "
            "opens it under that name when `hearth serve` runs this playbook") in flat  # fmt: skip
