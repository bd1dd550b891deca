"""A typed `@name` several members carry points a sanctioning command at none of them, and
staff are told how many share it and when each last posted (pure decisions)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.pointing import SHARED_LISTED, Shared, only_one, shared_text
from hearthkeeper.playbook.positioning import Language

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_only_one_candidate_is_pointed_at_and_several_are_none() -> None:
    assert only_one([]) is None
    assert only_one([7]) == 7
    assert only_one([9, 7]) == Shared((9, 7)), "never the newest of two"


def test_staff_read_how_many_share_the_name_and_when_each_last_posted() -> None:
    posted = [datetime(2026, 5, 1, 1, 5, tzinfo=UTC), None]
    assert shared_text(posted, SHANGHAI, Language.ZH_CN) == (
        "你写的名字有 2 位成员都在用，没有对任何人执行。请回复要处理的那位成员的消息再发指令（或在聊天里"
        "选中对方来 @）。\n1. 最近发言 2026-05-01 09:05\n2. 未在本群发言"
    )
    english = shared_text(posted, SHANGHAI, Language.EN).splitlines()
    assert english[0].startswith("The name you typed is the name of 2 members here: nothing was")
    assert english[1:] == ["1. last posted 2026-05-01 09:05", "2. never posted here"]


def test_a_name_many_members_share_lists_the_first_few() -> None:
    many = [None] * (SHARED_LISTED + 3)
    lines = shared_text(many, SHANGHAI, Language.EN).splitlines()
    assert lines[0].startswith(f"The name you typed is the name of {SHARED_LISTED + 3} members")
    assert len(lines) == 1 + SHARED_LISTED + 1
    assert lines[-1] == "… and 3 more"
