"""Telegram's webhook beside other processes: with the web and the engine in different
processes (`--role web|engine`), the updates would be posted to a web node while the bot runs
in the engine worker holding the carriers; such a start is refused, naming the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearthkeeper.carriers.installed import CARRIERS
from hearthkeeper.config import ConfigError, load_settings
from hearthkeeper.roles import Role
from hearthkeeper.serve import Host
from hearthkeeper.web.context import WebSettings
from tests.serve_setup import project

pytestmark = pytest.mark.postgres

TOKEN = "123456789:AAE" + "x" * 30
ENV = {"HEARTH_TELEGRAM_TOKEN": TOKEN, "HEARTH_TELEGRAM_WEBHOOK_SECRET": "s3cret"}


def _config(root: Path, url: str, mode: str) -> Path:
    playbook = project(root)
    webhook = 'webhook_url = "https://hearth.example.org/telegram/webhook"\n'
    config = root / "hearth.toml"
    config.write_text(
        f'playbooks = ["{playbook.name}"]\ndatabase_url = "{url}"\n\n[carriers.telegram]\n'
        f'mode = "{mode}"\n{webhook if mode == "webhook" else ""}'
        '[carriers.telegram.groups]\n"-1001234567890" = "yan-academy-skincare"\n',
        encoding="utf-8",
    )
    return config


@pytest.mark.parametrize("role", [Role.WEB, Role.ENGINE])
def test_webhook_mode_with_split_roles_is_refused_naming_the_fix(
    pg_url: str, tmp_path: Path, role: Role
) -> None:
    config = _config(tmp_path, pg_url, "webhook")
    settings = load_settings(config, ENV, tmp_path, CARRIERS)
    with pytest.raises(ConfigError) as refused:
        Host.build(settings, WebSettings(data_dir=settings.data_dir), role=role)
    said = str(refused.value)
    assert said.startswith(f"{config}: --role {role.value}: [carriers.telegram]")
    assert 'set mode = "polling"' in said and "without --role" in said


def test_polling_mode_with_split_roles_starts(pg_url: str, tmp_path: Path) -> None:
    config = _config(tmp_path, pg_url, "polling")
    settings = load_settings(config, ENV, tmp_path, CARRIERS)
    host = Host.build(settings, WebSettings(data_dir=settings.data_dir), role=Role.WEB)
    host.close()
