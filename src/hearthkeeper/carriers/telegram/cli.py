"""`hearth telegram check`: who the bot is, and what it may do in each mapped group."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import typer
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.types import ChatMemberAdministrator, ChatMemberOwner
from rich.markup import escape

from hearthkeeper.carriers.telegram.outgoing import carrier_error
from hearthkeeper.carriers.telegram.plugin import telegram_settings
from hearthkeeper.carriers.telegram.settings import TelegramSettings
from hearthkeeper.cli.context import ConfigOption, settings_from
from hearthkeeper.cli.output import console, fail
from hearthkeeper.engine.carrier import CarrierError

# The administrator rights the bot uses, and what for.
RIGHTS = (
    ("can_delete_messages", "delete messages (moderation)"),
    ("can_restrict_members", "mute, remove and ban members"),
    ("can_invite_users", "invite links and join requests (live codes, thresholds)"),
)

app = typer.Typer(help="The Telegram bot of the [carriers.telegram] table "
                       "(docs/carriers/telegram.md).", no_args_is_help=True)  # fmt: skip


@dataclass(frozen=True)
class GroupCheck:
    """What the bot is and may do in one mapped group."""

    chat_id: str
    community: str
    title: str
    status: str  # creator | administrator | member | left | kicked | "" (not found)
    missing: tuple[str, ...]  # rights it lacks, described
    error: str = ""


@dataclass(frozen=True)
class BotCheck:
    username: str
    user_id: int
    reads_all: bool  # privacy mode off
    groups: tuple[GroupCheck, ...]


@app.command("check")
def check(config: ConfigOption = None) -> None:
    """Ask Telegram who the bot is and, in each mapped group, whether it is an administrator
    with the rights it needs (delete messages, restrict members, invite users)."""
    settings = settings_from(config)
    telegram = telegram_settings(settings)
    if telegram is None:
        where = settings.config_file or "the configuration (no hearth.toml found)"
        fail(f"{where} has no [carriers.telegram] table; see docs/carriers/telegram.md")
    try:
        found = asyncio.run(inspect(telegram))
    except CarrierError as exc:
        fail(str(exc))
    for line in describe(found):
        console.print(escape(line))


async def inspect(telegram: TelegramSettings) -> BotCheck:
    """getMe, then getChat and getChatMember(bot) in each mapped group."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(telegram.api_base))
    bot = Bot(telegram.token, session=session)
    try:
        me = await bot.get_me()
        groups = [await _group(bot, me.id, chat, slug)
                  for chat, slug in sorted(telegram.groups.items())]  # fmt: skip
    except (TelegramAPIError, TelegramNetworkError) as exc:
        raise carrier_error(exc, f"telegram: asking {telegram.api_base}") from exc
    finally:
        await session.close()
    return BotCheck(me.username or "", me.id, bool(me.can_read_all_group_messages), tuple(groups))


async def _group(bot: Bot, bot_id: int, chat: str, slug: str) -> GroupCheck:
    try:
        info = await bot.get_chat(int(chat))
        member = await bot.get_chat_member(int(chat), bot_id)
    except TelegramAPIError as exc:
        return GroupCheck(chat, slug, "", "", (), error=exc.message)
    if isinstance(member, ChatMemberOwner):
        missing: tuple[str, ...] = ()
    elif isinstance(member, ChatMemberAdministrator):
        missing = tuple(what for right, what in RIGHTS if not getattr(member, right))
    else:
        missing = tuple(what for _, what in RIGHTS)
    return GroupCheck(chat, slug, info.title or "", str(member.status), missing)


def describe(found: BotCheck) -> list[str]:
    """What `check` prints: the bot, then one line per group (and what to fix)."""
    privacy = ("reads every message (privacy mode off)" if found.reads_all else
               "privacy mode ON: it reads only commands and replies unless it is an "
               "administrator; turn it off with @BotFather /setprivacy")  # fmt: skip
    lines = [f"@{found.username} (id {found.user_id}): {privacy}"]
    for group in found.groups:
        head = f"{group.chat_id} → community {group.community}"
        if group.error:
            lines.append(f"{head}: {group.error} (add the bot to the group, then check the id)")
        elif group.status not in ("administrator", "creator"):
            lines.append(f'{head} "{group.title}": the bot is {group.status or "not there"}; '
                         "make it an administrator (it then receives joins and leaves)")  # fmt: skip
        elif group.missing:
            lines.append(f'{head} "{group.title}": administrator, but cannot '
                         + "; ".join(group.missing) + " — grant those rights")  # fmt: skip
        else:
            lines.append(f'{head} "{group.title}": administrator with every right it needs')
    if not found.groups:
        lines.append("no groups mapped: add the bot to a group, then map its chat id in "
                     "[carriers.telegram.groups]")  # fmt: skip
    return lines
