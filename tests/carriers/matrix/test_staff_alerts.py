"""Staff alerts on a real Synapse: a staff member who receives alerts gets each one by direct
message, in one direct room the bot opens once and finds again after a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import pytest_asyncio

from hearthkeeper.carriers.matrix.direct import alias_localpart, server_of
from hearthkeeper.clock import FrozenClock
from hearthkeeper.playbook.templates import template_text
from tests.carriers.matrix.matrix_setup import (
    CLIENT,
    Hearth,
    Member,
    bot_message,
    eventually,
    hearth,
    real_now,
    serving,
)
from tests.integration.synapse import SynapseServer
from tests.webchat_setup import sqlite_store

pytestmark = [pytest.mark.matrix, pytest.mark.asyncio]

INSULT = "你就是个傻逼"


@pytest_asyncio.fixture
async def community(synapse: SynapseServer, tmp_path: Path,
                    migrated_sqlite: Path) -> AsyncIterator[Hearth]:  # fmt: skip
    """The skincare community without quiet hours (the test runs at any hour)."""
    clock = FrozenClock(real_now())
    text = template_text("skincare").replace('  quiet_hours: "23:00-08:00"\n', "")
    with sqlite_store(tmp_path, migrated_sqlite, clock) as store:
        async with hearth(synapse, store, clock, tmp_path / "data", text) as found:
            yield found


async def alerts_in_dm(staff: Member, room: str, bot: str) -> list[dict[str, Any]]:
    return [e for e in await staff.said_by(room, bot) if "管理提醒" in e["content"]["body"]]


async def test_a_staff_member_gets_alerts_by_direct_message_in_one_room(
    community: Hearth,
) -> None:
    bot = community.bot.user_id
    room = await community.create_room()
    async with serving(community):
        await community.bot_joined(room)
        await community.empower_bot(room)
        staff = community.member()
        (await staff.join(room)).raise_for_status()
        await bot_message(staff, room, bot, f"欢迎 {staff.user.localpart}")
        group = community.store.group_for_carrier("matrix", room)
        me = community.store.find_member("matrix", staff.user_id)
        assert group is not None and me is not None
        community.store.set_role(me.id, group.id, "secretary")  # receives alerts
        troublemaker = await community.newcomer(room)
        await troublemaker.say(room, INSULT)

        alias = f"#{alias_localpart(bot, staff.user_id)}:{server_of(bot)}"

        async def dm_room() -> str | None:
            found = await staff.http.get(f"{CLIENT}/directory/room/{quote(alias)}")
            return str(found.json()["room_id"]) if found.status_code == 200 else None

        dm = await eventually(dm_room, "the bot's direct room with the staff member")

        async def accepted() -> bool:  # the invitation follows the room's alias closely
            return (await staff.join(dm)).status_code == 200

        await eventually(accepted, "the staff member to accept the invitation")
        first = await eventually(lambda: alerts_in_dm(staff, dm, bot), "the alert in the DM")
        assert INSULT in first[0]["content"]["body"]

    # a restart: the next alert goes to the same room, and the first is not sent again
    async with serving(community):
        await troublemaker.say(room, "滚，傻逼")

        async def two() -> list[dict[str, Any]] | None:
            found = await alerts_in_dm(staff, dm, bot)
            return found if len(found) >= 2 else None

        both = await eventually(two, "the second alert in the same DM")
    assert len(both) == 2 and "滚" in both[1]["content"]["body"]
    joined = (await staff.http.get(f"{CLIENT}/joined_rooms")).json()["joined_rooms"]
    assert sorted(joined) == sorted([room, dm])  # one direct room, never a second
