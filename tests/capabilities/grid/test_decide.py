"""The matrix's pure decisions: a group's stage from its own numbers, and each warning's
threshold, without a database."""

from __future__ import annotations

from hearthkeeper.capabilities.grid.decide import GroupLine, Keeper, Kind, matrix_warnings
from hearthkeeper.capabilities.grid.stage import Pulse, Stage, stage_of
from hearthkeeper.playbook import Playbook, parse_playbook
from hearthkeeper.playbook.positioning import Language
from tests.playbook_samples import MINIMAL


def pb(extra: str = "") -> Playbook:
    return parse_playbook(MINIMAL + extra).playbook


def line(n: int = 1, *, members: int = 40, capacity: int | None = 500,
         weeks: tuple[int, ...] = (30, 30, 30, 30, 30), top: int = 0, age: int = 90,
         keepers: tuple[Keeper, ...] = (), joins: int = 0, leaves: int = 0) -> GroupLine:  # fmt: skip
    return GroupLine(group_id=n, name=f"G{n}", carrier="fake", carrier_group_id=f"g{n}",
                     members=members, capacity=capacity,
                     pulse=Pulse(age, members, weeks, joins, leaves), speakers_7d=10,
                     top_messages_28d=top, health=70, keepers=keepers)  # fmt: skip


def test_stages_follow_the_groups_own_past() -> None:
    assert stage_of(Pulse(10, 5, (0, 0, 0, 0, 0))) is Stage.NEW
    assert stage_of(Pulse(60, 40, (30, 30, 30, 30, 30))) is Stage.MATURE
    assert stage_of(Pulse(60, 40, (7, 30, 30, 30, 30))) is Stage.DYING  # under a quarter
    assert stage_of(Pulse(60, 40, (8, 30, 30, 30, 30))) is Stage.DECLINING
    assert stage_of(Pulse(60, 40, (0, 1, 1, 0, 0))) is Stage.DECLINING, "too little past to die"
    assert stage_of(Pulse(60, 40, (0, 0, 0, 0, 9))) is Stage.DYING, "silent for 28 days"
    assert stage_of(Pulse(60, 40, (40, 30, 30, 30, 30))) is Stage.GROWING
    assert stage_of(Pulse(60, 44, (30, 30, 30, 30, 30), joins_28d=4)) is Stage.GROWING
    assert stage_of(Pulse(60, 36, (30, 30, 30, 30, 30), leaves_28d=4)) is Stage.DECLINING


def test_a_manager_is_warned_only_beyond_the_playbooks_limit() -> None:
    li = Keeper(7, "Li", assigned=True)
    three = [line(n, keepers=(li,)) for n in range(1, 4)]
    assert matrix_warnings(three, pb("copy:\n  max_groups_per_manager: 3\n")) == []
    [warning] = matrix_warnings(three, pb("copy:\n  max_groups_per_manager: 2\n"))
    assert (warning.kind, warning.key, warning.member_id) == (Kind.OVERLOAD, "overload:7", 7)
    assert warning.text() == (
        "Li is in charge of 3 groups (G1, G2, G3); copy.max_groups_per_manager is 2: hand 1 of "
        "them to another manager before opening more — groups nobody looks after turn into "
        "ad groups.")  # fmt: skip
    assert warning.text(Language.ZH_CN).startswith("Li 负责 3 个群（G1, G2, G3）")


def test_capacity_warns_at_ninety_percent_and_open_next_when_no_group_has_room() -> None:
    two = [line(1, members=449), line(2, members=450), line(3, members=10)]
    assert [w.key for w in matrix_warnings(two, pb())] == ["capacity:2"]
    # by-code limit min(500, 200) = 200; open_new_group_at 0.9 → 180 each
    full = [line(1, members=180), line(2, members=181)]
    assert [w.key for w in matrix_warnings(full, pb())] == ["open-next"]
    assert [w.key for w in matrix_warnings([*full, line(3, members=179)], pb())] == []
    [w] = matrix_warnings(full, pb())
    assert w.text() == ("Every group holds at least 90% of its by-code limit "
                        "(copy.open_new_group_at): open the next group so newcomers have room.")  # fmt: skip


def test_a_full_group_is_called_full_not_soon_to_be() -> None:
    found = matrix_warnings([line(1, members=460), line(2, members=500)], pb())
    near, full = (w for w in found if w.kind is Kind.CAPACITY)
    assert near.text().endswith("near capacity — newcomers will soon need another group.")
    assert full.text() == ("G2 holds 500 of 500 members (100%): full — newcomers need "
                           "another group now.")  # fmt: skip
    assert "已经满了" in full.text(Language.ZH_CN)


def test_a_small_circle_is_warned_in_a_much_larger_group_only() -> None:
    weeks = (30, 30, 30, 30, 0)  # 120 messages in 28 days
    assert [w.key for w in matrix_warnings([line(members=60, weeks=weeks, top=96)], pb())] == [
        "circle:1"]  # fmt: skip
    assert matrix_warnings([line(members=60, weeks=weeks, top=95)], pb()) == [], "under 80%"
    assert matrix_warnings([line(members=59, weeks=weeks, top=120)], pb()) == [], "under 3 × 20"
    quiet = (10, 10, 10, 10, 10)  # 40 messages: too few to say
    assert matrix_warnings([line(members=170, weeks=quiet, top=40)], pb()) == []


def test_a_dying_group_and_an_override_naming_no_group() -> None:
    warnings = matrix_warnings(
        [line(1, weeks=(2, 20, 20, 20, 20)), line(2, age=10, weeks=(0, 0, 0, 0, 0))],
        pb("groups:\n  G9:\n    capacity: 30\n  g2:\n    faq_cooldown: 1h\n"),
    )
    assert [(w.key, w.alerts) for w in warnings] == [("dying:1", True), ("override:G9", False)]
    assert warnings[0].text() == (
        "G1 is dying: 2 messages this week vs 20/week over the four weeks before — merge it "
        "into a livelier group or close it before it turns into an ad group "
        '(hearth groups close "G1" --into OTHER).')  # fmt: skip


def test_a_dying_groups_weekly_average_is_rounded_half_up() -> None:
    """74 messages over the four weeks before: 18.5 a week, said "19" as by hand, not
    rounded to even ("18")."""
    warnings = matrix_warnings([line(1, weeks=(0, 18, 19, 18, 19))], pb())
    assert [w.text() for w in warnings] == [
        "G1 is dying: 0 messages this week vs 19/week over the four weeks before — merge it "
        "into a livelier group or close it before it turns into an ad group "
        '(hearth groups close "G1" --into OTHER).']  # fmt: skip


def test_a_dying_groups_numbers_read_as_people_say_them() -> None:
    """On a matrix of imported groups the warnings read "1 messages this week vs
    203.75/week": one message, and about 204 a week."""
    warnings = matrix_warnings(
        [line(1, weeks=(1, 200, 210, 205, 200)), line(2, weeks=(0, 4, 4, 3, 3))], pb()
    )
    assert [w.text() for w in warnings] == [
        "G1 is dying: 1 message this week vs 204/week over the four weeks before — merge it "
        "into a livelier group or close it before it turns into an ad group "
        '(hearth groups close "G1" --into OTHER).',
        "G2 is dying: 0 messages this week vs 3.5/week over the four weeks before — merge it "
        "into a livelier group or close it before it turns into an ad group "
        '(hearth groups close "G2" --into OTHER).',
    ]
    assert (
        warnings[0]
        .text(Language.ZH_CN)
        .startswith("「G1」正在沉寂：本周 1 条消息，之前四周平均每周 204 条")
    )


def test_groups_are_listed_by_their_numbers_not_as_text() -> None:
    """`hearth grid show` and every list of group names read 1, 2, 10, 11, not 1, 10, 11, 2."""
    from dataclasses import replace

    from hearthkeeper.capabilities.grid.decide import sorted_lines
    from hearthkeeper.text.counts import groups_named

    lines = [replace(line(i), name=f"Orange {n}") for i, n in enumerate((1, 10, 11, 2), 1)]
    assert [x.name for x in sorted_lines(lines, "")] == ["Orange 1", "Orange 2", "Orange 10",
                                                          "Orange 11"]  # fmt: skip
    assert [x.name for x in sorted_lines(lines, "group")][1] == "Orange 10"  # as opened
    names = ["１０群", "1群", "11群", "2群", "3群", "4群", "5群"]
    assert groups_named(names) == "7 groups (1群, 2群, 3群, 4群, 5群 and 2 more)"
