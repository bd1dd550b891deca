"""Choosing a newcomer's group from the groups' loads, without a store."""

from __future__ import annotations

from hearthkeeper.capabilities.livecodes.decide import (
    Limits,
    Route,
    Step,
    route,
    slug_of,
    slug_problem,
)
from hearthkeeper.capabilities.livecodes.records import GroupLoad

LIMITS = Limits(capacity=500, code_cap=200, daily_cap=50, open_at=0.9)


def load(group_id: int, members: int, held: int = 0, today: int = 0) -> GroupLoad:
    return GroupLoad(group_id=group_id, capacity=None, members=members, held=held, today=today)


def test_the_oldest_group_with_room_by_code_is_chosen() -> None:
    assert route([load(2, 10), load(1, 150)], LIMITS, can_open=True) == Route(Step.SEND, 1)
    # joining by code stops at 200 even though the group holds 500
    assert route([load(1, 199, held=1), load(2, 10)], LIMITS, can_open=True) == Route(Step.SEND, 2)


def test_the_daily_cap_moves_newcomers_on_and_opens_a_group_when_all_reached_it() -> None:
    assert route([load(1, 10, today=50), load(2, 10, today=3)], LIMITS,
                 can_open=True) == Route(Step.SEND, 2)  # fmt: skip
    assert route([load(1, 10, today=50)], LIMITS, can_open=True) == Route(Step.OPEN)
    assert route([load(1, 10, today=50)], LIMITS, can_open=False) == Route(Step.FULL)


def test_a_carrier_with_no_group_that_cannot_open_one_is_not_full_but_has_none_yet() -> None:
    assert route([], LIMITS, can_open=False) == Route(Step.NO_GROUPS)


def test_the_next_group_opens_ahead_when_the_newest_is_open_new_group_at_full() -> None:
    assert route([load(1, 179)], LIMITS, can_open=True) == Route(Step.SEND, 1)
    assert route([load(1, 180)], LIMITS, can_open=True) == Route(Step.OPEN_AHEAD, 1)
    assert route([load(1, 180)], LIMITS, can_open=False) == Route(Step.SEND, 1)
    assert route([], LIMITS, can_open=True) == Route(Step.OPEN)


def test_a_group_of_its_own_smaller_capacity_is_respected() -> None:
    small = GroupLoad(group_id=1, capacity=3, members=3, held=0, today=0)
    assert route([small, load(2, 0)], LIMITS, can_open=True) == Route(Step.SEND, 2)


def test_slugs_and_link_tokens() -> None:
    assert slug_problem("poster-2026") is None
    assert slug_problem("Poster") is not None and slug_problem("a/b") is not None
    assert slug_problem("-x") is not None and slug_problem("x" * 49) is not None
    assert slug_of("code:poster") == "poster"
    assert slug_of("ref:abc") is None and slug_of(None) is None and slug_of("code:") is None
