"""The `[carriers.onebot]` table: read, checked, the access token from the environment variable
it names; `hearth serve` builds the QQ carrier from it, makes each mapped QQ group a group of
its community, and a playbook naming `qq` in `structure.carriers` is then served, not a gap."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from hearthkeeper.carriers.installed import CARRIERS, installed_kinds
from hearthkeeper.carriers.onebot import OneBotCarrier
from hearthkeeper.carriers.onebot.plugin import onebot_settings
from hearthkeeper.clock import FrozenClock
from hearthkeeper.config import ConfigError, Settings, load_settings
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.serve import Host
from hearthkeeper.store import sqlite_url
from hearthkeeper.web.context import WebSettings
from tests.migrated import migrate
from tests.serve_setup import project

pytestmark = pytest.mark.onebot

DOCS = Path(__file__).resolve().parents[3] / "docs"
SLUG = "yan-academy-skincare"  # the skincare template's community
ONEBOT = f"""
[carriers.onebot]
port = 6199
self_id = 2854196310
access_token_env = "NAPCAT_TOKEN"

[carriers.onebot.groups]
"123456789" = "{SLUG}"
"987654321" = "{SLUG}"
"""
ENV = {"NAPCAT_TOKEN": "kSLuTF2GC2Q4q4ugm3"}


def settings(root: Path, text: str, env: dict[str, str] | None = None) -> Settings:
    config = root / "hearth.toml"
    config.write_text(text, encoding="utf-8")
    return load_settings(config, ENV if env is None else env, root, CARRIERS)


def test_the_table_is_read_with_the_token_from_the_variable_it_names(tmp_path: Path) -> None:
    onebot = onebot_settings(settings(tmp_path, 'data_dir = "state"\n' + ONEBOT))
    assert onebot is not None
    assert onebot.access_token == "kSLuTF2GC2Q4q4ugm3"
    assert onebot.url == "ws://127.0.0.1:6199/onebot/v11/ws"
    assert onebot.self_id == 2854196310
    assert dict(onebot.groups) == {"123456789": SLUG, "987654321": SLUG}
    assert (onebot.per_group.count, onebot.per_group.seconds) == (20, 60)
    assert (onebot.overall.count, onebot.overall.seconds) == (2, 1)
    assert onebot.requests_file == tmp_path / "state" / "onebot-requests.json"
    assert onebot.file_transfer == "base64"  # a post's file travels in the call
    assert "qq" in installed_kinds()


def test_a_post_s_file_may_go_as_a_path_for_an_implementation_on_this_machine(
    tmp_path: Path,
) -> None:
    text = ONEBOT.replace("port = 6199", 'port = 6199\nfile_transfer = "path"')
    onebot = onebot_settings(settings(tmp_path, text))
    assert onebot is not None and onebot.file_transfer == "path"


@pytest.mark.parametrize(
    ("change", "env", "message"),
    [
        (("", ""), {}, "set the OneBot access token in the environment variable NAPCAT_TOKEN"),
        (('"123456789"', '"qq-123"'), ENV, "'qq-123' is not a QQ group number"),
        (("port = 6199", "port = 70000"), ENV, r"onebot\.port"),
        (("port = 6199", 'path = "ws"'), ENV, "'ws' is not a path"),
        (("port = 6199", 'file_transfer = "url"'), ENV, r"onebot\.file_transfer"),
        (("[carriers.onebot]", "[carriers.qq]"), ENV, r"reads its settings from \[carriers.onebot"),
    ],
)
def test_mistakes_are_reported_with_the_field_and_the_fix(
    tmp_path: Path, change: tuple[str, str], env: dict[str, str], message: str
) -> None:
    text = ONEBOT.replace(*change)
    if change[1] == "[carriers.qq]":
        text = text.replace("[carriers.onebot.groups]", "[carriers.qq.groups]")
    with pytest.raises(ConfigError, match=message) as raised:
        settings(tmp_path, text, env)
    assert str(raised.value).startswith(str(tmp_path / "hearth.toml"))


def test_the_docs_recipe_is_a_valid_configuration(tmp_path: Path) -> None:
    text = (DOCS / "carriers" / "qq.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, re.S)
    [block] = [b for b in blocks if "[carriers.onebot]" in b]
    onebot = onebot_settings(settings(tmp_path, block, {"HEARTH_ONEBOT_TOKEN": "t"}))
    assert onebot is not None and set(onebot.groups.values()) == {SLUG}


def build_host(root: Path, text: str, clock: FrozenClock, *, qq_in_playbook: bool) -> Host:
    playbook = project(root)
    if qq_in_playbook:
        body = playbook.read_text(encoding="utf-8")
        body = body.replace("    - kind: webchat", "    - kind: webchat\n    - kind: qq", 1)
        playbook.write_text(body, encoding="utf-8")
    url = sqlite_url(root / "data")
    migrate(url)
    config = f'playbooks = ["{playbook.name}"]\ndatabase_url = "{url}"\n' + text
    read = settings(root, config)
    return Host.build(read, WebSettings(data_dir=read.data_dir), clock=clock)


def test_serve_runs_qq_and_makes_each_mapped_group_a_group_once(
    tmp_path: Path, store_clock: FrozenClock
) -> None:
    for start in (1, 2):  # the second start keeps the groups of the first
        host = build_host(tmp_path, ONEBOT, store_clock, qq_in_playbook=True)
        try:
            assert host.warnings == ()  # `kind: qq` is installed and configured here
            carrier = host.carriers["qq"]
            assert isinstance(carrier, OneBotCarrier) and carrier is host.carrier(OneBotCarrier)
            assert set(host.engine.carriers) == {"webchat", "qq"}
            [running] = host.running
            groups = [g for g in host.store.list_groups(running.community.id) if g.carrier == "qq"]
            assert [(g.carrier_group_id, g.name) for g in groups] == [
                ("123456789", "QQ 群 123456789"), ("987654321", "QQ 群 987654321"),
            ], f"start {start}"  # fmt: skip
            [status] = [line for line in host.status() if line.startswith("QQ")]
            assert "ws://127.0.0.1:6199/onebot/v11/ws, 2 groups mapped" in status
        finally:
            host.close()


def test_a_playbook_naming_qq_without_the_table_is_warned_with_the_right_table(
    tmp_path: Path, store_clock: FrozenClock
) -> None:
    host = build_host(tmp_path, "", store_clock, qq_in_playbook=True)
    try:
        [warning] = host.warnings
        assert "'qq' carrier is not configured on this server" in warning.message
        assert "add a [carriers.onebot] table to hearth.toml (docs/carriers/qq.md)" in (
            warning.message
        )
        assert "qq" not in host.carriers
    finally:
        host.close()


def test_a_port_in_use_is_a_readable_carrier_error(tmp_path: Path) -> None:
    async def twice() -> None:
        onebot = onebot_settings(settings(tmp_path, ONEBOT.replace("port = 6199", "port = 0")))
        assert onebot is not None
        first = OneBotCarrier(onebot)
        await first.connect()
        taken = onebot.__class__(**{**onebot.__dict__, "port": first.port})
        try:
            with pytest.raises(CarrierError, match=r"cannot listen on 127\.0\.0\.1:\d+ for OneBot"):
                await OneBotCarrier(taken).connect()
        finally:
            await first.disconnect()

    asyncio.run(twice())
