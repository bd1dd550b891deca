"""Mutes as power-level edits, and the room-version-12 creators the power levels do not list."""

from __future__ import annotations

from typing import Any

import pytest

from hearthkeeper.carriers.matrix.power import PowerRefused, RoomAuthority, privileged_creators

LEVELS: dict[str, Any] = {
    "users": {"@mod:localhost": 50, "@hearth:localhost": 100},
    "users_default": 0,
    "events_default": 0,
    "events": {"m.room.name": 50},
    "kick": 50,
}


def create(version: str, sender: str = "@owner:localhost", **content: Any) -> dict[str, Any]:
    return {"type": "m.room.create", "sender": sender, "state_key": "",
            "content": {"room_version": version, **content}}  # fmt: skip


def test_muting_sets_the_member_below_the_send_level_and_unmuting_restores_the_default() -> None:
    room = RoomAuthority(levels=LEVELS)
    muted = room.muted("@spam:localhost")
    assert muted["users"]["@spam:localhost"] == -1
    assert muted["users"]["@mod:localhost"] == 50  # nobody else touched
    after = RoomAuthority(levels=muted)
    assert after.is_muted("@spam:localhost")
    unmuted = after.unmuted("@spam:localhost")
    assert "@spam:localhost" not in unmuted["users"]
    assert not RoomAuthority(levels=unmuted).is_muted("@spam:localhost")


def test_muting_twice_changes_nothing_and_never_raises_a_level() -> None:
    muted = RoomAuthority(levels=LEVELS).muted("@spam:localhost")
    assert RoomAuthority(levels=muted).muted("@spam:localhost") == muted
    low = {**LEVELS, "users": {"@x:localhost": -10}}
    assert RoomAuthority(levels=low).muted("@x:localhost")["users"]["@x:localhost"] == -10


def test_the_send_level_of_messages_counts() -> None:
    strict = {**LEVELS, "events": {"m.room.message": 10}}
    muted = RoomAuthority(levels=strict).muted("@spam:localhost")
    assert muted["users"]["@spam:localhost"] == -1  # below both messages (10) and reactions (0)


def test_unmuting_in_a_read_only_room_gives_the_send_level() -> None:
    read_only = {**LEVELS, "events_default": 10, "users": {"@spam:localhost": 5}}
    unmuted = RoomAuthority(levels=read_only).unmuted("@spam:localhost")
    assert unmuted["users"]["@spam:localhost"] == 10


def test_room_version_12_creators_are_unlisted_yet_all_powerful() -> None:
    creators = privileged_creators(create("12", additional_creators=["@co:localhost"]))
    assert creators == {"@owner:localhost", "@co:localhost"}
    room = RoomAuthority(levels=LEVELS, creators=creators)
    # The naive reading (users_default, 0) would say the owner cannot even kick.
    assert room.level_of("@owner:localhost") > room.action_level("kick")
    assert RoomAuthority(levels=LEVELS).level_of("@owner:localhost") == 0
    with pytest.raises(PowerRefused, match="created the room"):
        room.muted("@owner:localhost")


def test_a_power_levels_edit_never_lists_a_v12_creator() -> None:
    listed = {**LEVELS, "users": {**LEVELS["users"], "@owner:localhost": 100}}
    room = RoomAuthority(levels=listed, creators=privileged_creators(create("12")))
    assert "@owner:localhost" not in room.muted("@spam:localhost")["users"]


def test_older_rooms_have_no_privileged_creators() -> None:
    assert privileged_creators(create("10")) == frozenset()
    assert privileged_creators(create("11")) == frozenset()
    assert (
        privileged_creators({"type": "m.room.create", "sender": "@o:x", "content": {}})
        == frozenset()
    )
    assert privileged_creators(create("13")) == {"@owner:localhost"}
