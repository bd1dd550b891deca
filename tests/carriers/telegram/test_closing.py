"""A Telegram group closed with `hearth groups close`, against the fake Bot API: its members
can no longer post (the group's permissions), its owner still can, a join request to it is
declined with the reason in private; reopened, members have exactly what they had before."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from typer.testing import CliRunner, Result

from hearthkeeper.carriers.closing import close_group, reopen_group
from hearthkeeper.cli import app
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.templates import template_text
from hearthkeeper.store.database import sqlite_url
from tests.carriers.telegram.fake_bot_api import ADMIN_RIGHTS, ApiError
from tests.carriers.telegram.telegram_setup import (
    Hearth,
    bot_message,
    eventually,
    on_sqlite,
    serving,
)
from tests.playbook_samples import open_to_everyone

pytestmark = [pytest.mark.telegram, pytest.mark.asyncio]

REFUSED = "{first}已关闭，不再接收新成员。成员们移步「{second}」继续交流。"  # named by chat id


@pytest_asyncio.fixture
async def community(tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[Hearth]:
    async with on_sqlite(tmp_path, migrated_sqlite,
                         open_to_everyone(template_text("skincare"))) as found:  # fmt: skip
        yield found


async def test_a_closed_group_silences_members_refuses_requests_and_reopens_as_it_was(
    community: Hearth,
) -> None:
    api = community.api
    first, second = community.group(), community.group("2群")
    api.chats[first].permissions["can_send_polls"] = False  # the group's own choice
    before = dict(api.chats[first].permissions)
    link = api._m_createchatinvitelink(api.bots[community.token],
                                       {"chat_id": first, "creates_join_request": True})  # fmt: skip
    async with serving(community):
        member = await community.newcomer("Ann", first)
        store = community.store
        group = await eventually(lambda: store.group_for_carrier("telegram", str(first)),
                                 "the group adopted")  # fmt: skip
        other = store.group_for_carrier("telegram", str(second))
        assert other is not None
        close_group(store, group, "ops", community.clock.now(), into=other, site="",
                    language=Language.ZH_CN)  # fmt: skip
        await bot_message(community, first, f"本群已关闭，请移步「{second}」继续交流")
        await eventually(lambda: not api.can_post(first, member["id"]), "members silenced")
        with pytest.raises(ApiError, match="not allowed to send"):
            api.say(first, member, "still here?")
        api.say(first, community.owner, "see you there")  # the owner still posts
        assert api.chats[first].permissions == {**before, "can_send_messages": False,
                                                **{k: False for k in before
                                                   if k.startswith("can_send")
                                                   or k in ("can_add_web_page_previews",
                                                            "can_react_to_messages",
                                                            "can_edit_tag")}}  # fmt: skip

        newcomer = community.person("Bo")
        api.start_private(newcomer, community.token)
        api.request_join(first, newcomer, link["invite_link"])
        [told] = await eventually(lambda: api.private_messages(newcomer["id"], community.token),
                                  "the reason in private")  # fmt: skip
        assert told["text"] == REFUSED.format(first=first, second=second)
        assert newcomer["id"] not in api.chats[first].requests
        assert api.status(first, newcomer["id"]) == "left"

        reopen_group(store, store.get_group(group.id) or group, "ops")
        await eventually(lambda: api.can_post(first, member["id"]), "members' voice back")
        assert api.chats[first].permissions == before  # polls still off, as the group had it


NOT_CLOSED = ("Hearthkeeper could not close {group} on Telegram: the bot is not an administrator "
              "with 'Ban users' rights. Members can still post. It stays closed in Hearthkeeper "
              "(no newcomers, no scheduled posts); once the bot has that right, close it again "
              "({command}) to ask Telegram again to stop members posting.")  # fmt: skip


async def test_a_group_the_bot_cannot_close_tells_staff_and_stays_closed_in_hearthkeeper(
    community: Hearth,
) -> None:
    api = community.api
    first, _ = community.group(), community.group("2群")  # the last open group is never closed
    api.add_bot(first, community.token,
                rights=tuple(r for r in ADMIN_RIGHTS if r != "can_restrict_members"))  # fmt: skip
    async with serving(community):
        member = await community.newcomer("Ann", first)
        store = community.store
        group = await eventually(lambda: store.group_for_carrier("telegram", str(first)),
                                 "the group adopted")  # fmt: skip
        close_group(store, group, "ops", community.clock.now(), into=None, site="",
                    language=Language.EN)  # fmt: skip
        [alert] = await eventually(lambda: store.staff_alerts(group.community_id),
                                   "staff told")  # fmt: skip
        assert alert.text == NOT_CLOSED.format(
            group=group.name, command=f"hearth groups close -- {group.name}"
        )
        assert alert.group_id == group.id
        api.say(first, member, "we can still talk")  # Telegram kept the group open
        [entry] = [e for e in store.audit_entries(group.community_id, target=f"group {group.id}")
                   if e.action == "group.close.failed"]  # fmt: skip
        assert entry.detail["said"] == alert.text
        assert (store.get_group(group.id) or group).closed  # still closed in Hearthkeeper


async def test_closing_again_once_the_bot_has_the_right_silences_members(
    community: Hearth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = community.api
    first, _ = community.group(), community.group("2群")  # the last open group is never closed
    api.add_bot(first, community.token,
                rights=tuple(r for r in ADMIN_RIGHTS if r != "can_restrict_members"))  # fmt: skip
    monkeypatch.chdir(tmp_path)
    env = {"HEARTH_DATABASE_URL": sqlite_url(tmp_path / "db"), "HEARTH_PUBLIC_URL": ""}

    def hearth_groups_close(name: str) -> Result:
        return CliRunner().invoke(app, ["groups", "close", "--", name], env=env)

    async with serving(community):
        member = await community.newcomer("Ann", first)
        store = community.store
        group = await eventually(lambda: store.group_for_carrier("telegram", str(first)),
                                 "the group adopted")  # fmt: skip
        closed = hearth_groups_close(group.name)
        assert closed.exit_code == 0, closed.output
        [alert] = await eventually(lambda: store.staff_alerts(group.community_id),
                                   "staff told")  # fmt: skip
        assert f"（hearth groups close -- {group.name}）" in alert.text
        api.say(first, member, "we can still talk")  # the bot lacks the right

        api.add_bot(first, community.token)  # the owner gives the bot 'Ban users'
        again = hearth_groups_close(group.name)
        assert again.exit_code == 0, again.output
        assert " ".join(again.stdout.split()) == (
            f"{group.name} is closed already; asking Telegram again to stop members posting"
        )
        await eventually(lambda: not api.can_post(first, member["id"]), "members silenced")
        with pytest.raises(ApiError, match="not allowed to send"):
            api.say(first, member, "still here?")

        refused = hearth_groups_close(group.name)  # that close went through: nothing to ask
        assert refused.exit_code == 1
        assert f"{group.name} is closed already (since" in " ".join(refused.stderr.split())
