"""Closing a Matrix room whose bot lacks the power to change its power levels, on a real
Synapse through the engine and its outbound queue: staff are told in words they can act on
(the console's alerts, the audit log), members can still post, and the room stays closed in
Hearthkeeper."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from hearthkeeper.carriers.closing import close_group
from hearthkeeper.playbook.positioning import Language
from tests.carriers.matrix.matrix_setup import Hearth, eventually, serving

pytestmark = [pytest.mark.matrix, pytest.mark.asyncio]
T = TypeVar("T")

NOT_CLOSED = ("Hearthkeeper could not close {group} on Matrix: the bot's power level in the "
              "room (0) is below the 100 needed to change who may post (make the bot an Admin, "
              "power level 100). Members can still post. It stays closed in Hearthkeeper (no "
              "newcomers, no scheduled posts); once the bot has that right, close it again "
              "({command}) to ask Matrix again to stop members posting.")  # fmt: skip


async def test_a_room_the_bot_has_no_power_to_close_tells_staff_and_stays_closed(
    community: Hearth,
) -> None:
    room, other = await community.create_room(), await community.create_room()
    store, community_id = community.store, community.runtime.community_id
    group = store.add_group(community_id, "护肤1群", "matrix", room)
    store.add_group(community_id, "护肤2群", "matrix", other)  # the last open group stays open
    async with serving(community):
        await community.bot_joined(room)  # the bot keeps the default power level, 0
        close_group(store, group, "ops", community.clock.now(), into=None, site="",
                    language=Language.EN)  # fmt: skip
        [alert] = await eventually(now(lambda: store.staff_alerts(group.community_id)),
                                   "staff told")  # fmt: skip
        assert alert.text == NOT_CLOSED.format(
            group=group.name, command="hearth groups close '护肤1群'"
        )
        member = community.member()
        (await member.join(room)).raise_for_status()
        assert (await member.try_say(room, "still open?")).status_code == 200
        [entry] = [e for e in store.audit_entries(group.community_id, target=f"group {group.id}")
                   if e.action == "group.close.failed"]  # fmt: skip
        assert entry.detail["said"] == alert.text
        assert (store.get_group(group.id) or group).closed


def now(read: Callable[[], T]) -> Callable[[], Awaitable[T]]:
    """`read` as the probe `eventually` awaits."""

    async def probe() -> T:
        return read()

    return probe
