"""Knocking on a Matrix room whose community admits by application, on a real Synapse: a
knock without answers is turned down with the questions, one with answers waits for staff,
and once staff approve (as the console and `hearth applications approve` do) the bot invites
the applicant, who can then join."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import pytest
import pytest_asyncio

from hearthkeeper.capabilities.admission import review
from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
from hearthkeeper.capabilities.grid.repository import SqlGrid
from hearthkeeper.carriers.matrix import MatrixAccount, MatrixCarrier, RoomMap, SyncPosition
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.admission import Admission
from hearthkeeper.playbook.templates import template_text
from tests.carriers.matrix.matrix_setup import (
    CLIENT,
    Hearth,
    Member,
    eventually,
    hearth,
    real_now,
    serving,
)
from tests.integration.synapse import SynapseServer
from tests.webchat_setup import sqlite_store

pytestmark = [pytest.mark.matrix, pytest.mark.asyncio]

QUESTION = "你的肤质是？平时怎么护肤？"
APPLICATION = f"  threshold:\n    kind: application\n    questions:\n      - {QUESTION}\n"


@pytest_asyncio.fixture
async def community(synapse: SynapseServer, tmp_path: Path,
                    migrated_sqlite: Path) -> AsyncIterator[Hearth]:  # fmt: skip
    """The skincare community admitting by application, no rooms yet."""
    clock = FrozenClock(real_now())
    text = template_text("skincare")
    start = text.index("  threshold:\n")
    end = text.index("  ceremony:\n")
    with sqlite_store(tmp_path, migrated_sqlite, clock) as store:
        async with hearth(synapse, store, clock, tmp_path / "data",
                          text[:start] + APPLICATION + text[end:]) as found:  # fmt: skip
            yield found


def screening_bot(community: Hearth) -> MatrixCarrier:
    """The bot as `hearth serve` builds it: with the server's Admission."""
    admission = Admission(community.store, community.clock,
                          {community.runtime.community_id: community.runtime}.get)  # fmt: skip
    account = MatrixAccount(homeserver=community.synapse.base_url, user_id=community.bot.user_id,
                            access_token=community.bot.access_token)  # fmt: skip
    rooms = RoomMap({room: community.runtime.slug for room in community.rooms})
    return MatrixCarrier(account, rooms, SyncPosition(community.position_file),
                         sync_timeout_ms=1000, admission=admission)  # fmt: skip


async def knock_room(community: Hearth) -> str:
    """A room people knock on to join, the bot invited and registered as a group."""
    response = await community.owner.http.post(f"{CLIENT}/createRoom", json={
        "preset": "private_chat", "invite": [community.bot.user_id],
        "initial_state": [{"type": "m.room.join_rules", "state_key": "",
                           "content": {"join_rule": "knock"}}],
    })  # fmt: skip
    response.raise_for_status()
    room = str(response.json()["room_id"])
    community.rooms.append(room)
    community.store.add_group(community.runtime.community_id, "护肤申请群", "matrix", room)
    return room


async def knock(member: Member, room: str, reason: str | None = None) -> None:
    body = {} if reason is None else {"reason": reason}
    (await member.http.post(f"{CLIENT}/knock/{quote(room)}", json=body)).raise_for_status()


async def membership_of(community: Hearth, room: str, user_id: str) -> dict[str, object]:
    path = f"{CLIENT}/rooms/{quote(room)}/state/m.room.member/{quote(user_id)}"
    response = await community.owner.http.get(path)
    return dict(response.json()) if response.status_code == 200 else {}


async def becomes(community: Hearth, room: str, user_id: str, membership: str) -> dict[str, object]:
    async def probe() -> dict[str, object] | None:
        found = await membership_of(community, room, user_id)
        return found if found.get("membership") == membership else None

    return await eventually(probe, f"{user_id} to be {membership} in {room}")


async def test_a_knock_is_screened_held_for_review_and_invited_once_approved(
    community: Hearth,
) -> None:
    room = await knock_room(community)
    async with serving(community, screening_bot(community)):
        await community.bot_joined(room)
        await community.empower_bot(room)

        silent = community.member()
        await knock(silent, room)
        turned_down = await becomes(community, room, silent.user_id, "leave")
        assert QUESTION in str(turned_down.get("reason"))

        mei = community.member()
        await knock(mei, room, "混油皮，早晚洗脸，想学防晒")
        applications = SqlApplications.on(community.store)

        async def applied() -> list[object]:
            return list(applications.applications(community.runtime.community_id))

        [application] = await eventually(applied, "the application to be stored")
        assert application.answers == ("混油皮，早晚洗脸，想学防晒",)
        assert (await membership_of(community, room, mei.user_id)).get("membership") == "knock"

        review.approve(community.store, application.id, "console:li", community.clock.now())
        await becomes(community, room, mei.user_id, "invite")
        (await mei.join(room)).raise_for_status()
        await becomes(community, room, mei.user_id, "join")


async def test_a_knock_staff_refused_then_let_in_after_all_is_invited(community: Hearth) -> None:
    """Staff refuse Lan's knock (the bot turns it down: she is out of the room), then let her
    in after all: Matrix lets a room invite someone whose knock was turned down, so the
    reconsidered approval's invite reaches her and she joins."""
    room = await knock_room(community)
    async with serving(community, screening_bot(community)):
        await community.bot_joined(room)
        await community.empower_bot(room)
        lan = community.member()
        await knock(lan, room, "干皮，想学保湿")
        applications = SqlApplications.on(community.store)

        async def applied() -> list[object]:
            return list(applications.applications(community.runtime.community_id))

        [application] = await eventually(applied, "the application to be stored")
        review.refuse(community.store, application.id, "console:li", community.clock.now(),
                      "名额已满")  # fmt: skip
        await becomes(community, room, lan.user_id, "leave")
        review.approve(community.store, application.id, "console:li", community.clock.now(),
                       reconsider=True)  # fmt: skip
        await becomes(community, room, lan.user_id, "invite")
        (await lan.join(room)).raise_for_status()
        await becomes(community, room, lan.user_id, "join")


async def test_an_approved_knock_with_every_room_full_waits_for_room(community: Hearth) -> None:
    """The room holds one and has one member when staff approve Mei's knock: the web chat
    told staff she waits outside, Matrix invited her beyond the room's capacity without a
    word. Now she is not invited, staff are told once, and a room opened gets her invited,
    staff told she is invited (not that she is in)."""
    room = await knock_room(community)
    store = community.store
    group = store.group_for_carrier("matrix", room)
    assert group is not None
    ann = store.member_for("matrix", "@ann:elsewhere", "Ann")
    store.join(ann.id, group.id)
    SqlGrid.on(store).sync_capacities({group.id: 1}, [group.id])
    async with serving(community, screening_bot(community)):
        await community.bot_joined(room)
        await community.empower_bot(room)
        mei = community.member()
        await knock(mei, room, "混油皮，早晚洗脸，想学防晒")
        applications = SqlApplications.on(store)

        async def applied() -> list[object]:
            return list(applications.applications(community.runtime.community_id))

        [application] = await eventually(applied, "the application to be stored")
        review.approve(store, application.id, "console:li", community.clock.now())

        async def told() -> list[str]:
            return [a.text for a in store.staff_alerts(community.runtime.community_id)
                    if "所有群都已满员" in a.text]  # fmt: skip

        [alert] = await eventually(told, "staff to be told there is no room")
        assert "hearth groups open" in alert and "护肤申请群" in alert
        assert (await membership_of(community, room, mei.user_id)).get("membership") == "knock"

        store.add_group(community.runtime.community_id, "护肤申请群 2", "matrix", "!next:local")
        await becomes(community, room, mei.user_id, "invite")

        async def seated() -> list[str]:
            return [a.text for a in store.staff_alerts(community.runtime.community_id)
                    if a.key.endswith(":seated")]  # fmt: skip

        # invited, not in: she joins once she accepts (it said she was let in)
        [note] = await eventually(seated, "staff to be told she was invited")
        assert note.endswith("现已有空位，已邀请其加入「护肤申请群」，对方接受邀请后即入群。"), note


async def test_a_knock_on_a_closed_room_is_turned_down_saying_where_its_members_went(
    community: Hearth,
) -> None:
    """`hearth groups close` on a room people knock on: a knock was screened like any other
    and, answered, held for staff; now it is turned down with why and where to go."""
    room = await knock_room(community)
    other = community.store.add_group(community.runtime.community_id, "护肤二群", "matrix",
                                      "!other:localhost")  # fmt: skip
    group = community.store.group_for_carrier("matrix", room)
    assert group is not None
    community.store.close_group(group.id, "ops", into=other.id)
    async with serving(community, screening_bot(community)):
        await community.bot_joined(room)
        await community.empower_bot(room)
        mei = community.member()
        await knock(mei, room, "混油皮，早晚洗脸，想学防晒")
        turned_down = await becomes(community, room, mei.user_id, "leave")
        assert (
            turned_down.get("reason")
            == "护肤申请群已关闭，不再接收新成员。成员们移步「护肤二群」继续交流。"
        )
    assert not list(
        SqlApplications.on(community.store).applications(community.runtime.community_id)
    )
