"""The `[carriers.telegram]` table: read, checked, the token from the variable it names; and
`hearth telegram check` against the fake Bot API."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hearthkeeper.carriers.installed import CARRIERS, installed_kinds
from hearthkeeper.carriers.telegram import TelegramSettings
from hearthkeeper.carriers.telegram.cli import describe, inspect
from hearthkeeper.carriers.telegram.plugin import telegram_settings
from hearthkeeper.clock import FrozenClock
from hearthkeeper.config import ConfigError, Settings, load_settings
from tests.carriers.telegram.telegram_setup import fake_api, real_now

pytestmark = pytest.mark.telegram

DOCS = Path(__file__).resolve().parents[3] / "docs"
TOKEN = "123456789:AAE" + "x" * 30
TELEGRAM = """
[carriers.telegram]
token_env = "MY_BOT_TOKEN"

[carriers.telegram.groups]
"-1001234567890" = "skincare"
"""


def settings(root: Path, text: str, env: dict[str, str] | None = None) -> Settings:
    config = root / "hearth.toml"
    config.write_text(text, encoding="utf-8")
    return load_settings(config, env or {}, root, CARRIERS)


def test_the_table_is_read_with_the_token_from_the_variable_it_names(tmp_path: Path) -> None:
    telegram = telegram_settings(settings(tmp_path, TELEGRAM, {"MY_BOT_TOKEN": TOKEN}))
    assert telegram is not None
    assert (telegram.token, telegram.mode, telegram.bot_id) == (TOKEN, "polling", "123456789")
    assert dict(telegram.groups) == {"-1001234567890": "skincare"}
    assert "telegram" in installed_kinds()


@pytest.mark.parametrize(
    ("change", "env", "message"),
    [
        (("", ""), {}, "MY_BOT_TOKEN is not set; put the token @BotFather gave you"),
        (("", ""), {"MY_BOT_TOKEN": "nope"}, "does not hold a bot token"),
        (('"-1001234567890"', '"@mygroup"'), None, "'@mygroup' is not a group's chat id"),
        (('"-1001234567890"', '"-' + "1" * 300 + '"'), None,
         "'-1+'… is not a group's chat id .*at most 19 digits"),
        (('"-1001234567890"', '"-١٢٣٤٥"'), None, "'-١٢٣٤٥' is not a group's chat id"),
        (('token_env = "MY_BOT_TOKEN"', 'token_env = "MY_BOT_TOKEN"\nmode = "webhook"'), None,
         "webhook mode needs the public https URL"),
        (('token_env = "MY_BOT_TOKEN"', 'token_env = "MY_BOT_TOKEN"\nmode = "webhook"\n'
          'webhook_url = "https://h.example.org/telegram/webhook"'), None,
         "set HEARTH_TELEGRAM_WEBHOOK_SECRET to a secret"),
        (('token_env = "', 'token = "'), None, r"carriers\.telegram\.token: "),
    ],
)  # fmt: skip
def test_mistakes_are_reported_with_the_setting_and_the_fix(
    tmp_path: Path, change: tuple[str, str], env: dict[str, str] | None, message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        settings(tmp_path, TELEGRAM.replace(*change),
                 {"MY_BOT_TOKEN": TOKEN} if env is None else env)  # fmt: skip
    assert str(raised.value).startswith(str(tmp_path / "hearth.toml"))


def test_the_docs_recipe_is_a_valid_configuration(tmp_path: Path) -> None:
    text = (DOCS / "carriers" / "telegram.md").read_text(encoding="utf-8")
    [block] = re.findall(r"```toml\n(.*?)```", text, re.S)
    telegram = telegram_settings(settings(tmp_path, block, {"HEARTH_TELEGRAM_TOKEN": TOKEN}))
    assert telegram is not None and len(telegram.groups) == 2


@pytest.mark.asyncio
async def test_check_names_the_bot_and_the_rights_it_lacks() -> None:
    async with fake_api(FrozenClock(real_now())) as api:
        token = api.bot(username="yan_skincare_bot")
        owner = api.user("Owner")
        good, weak, absent = (
            api.supergroup(t, owner) for t in ("护肤 1群", "护肤 2群", "护肤 3群")
        )
        api.add_bot(good, token)
        api.add_bot(weak, token, rights=("can_delete_messages",))
        telegram = telegram_settings_for(token, api.base_url, [good, weak, absent])
        lines = describe(await inspect(telegram))
    assert lines[0].startswith("@yan_skincare_bot (id ") and "privacy mode off" in lines[0]
    assert f'{good} → community skincare "护肤 1群": administrator with every right' in lines[1]
    assert "cannot mute, remove and ban members; invite links" in lines[2]
    assert "chat not found" in lines[3] and "add the bot to the group" in lines[3]


def telegram_settings_for(token: str, base: str, chats: list[int]) -> TelegramSettings:
    return TelegramSettings(token=token, mode="polling", api_base=base,
                            groups={str(c): "skincare" for c in chats})  # fmt: skip
