"""The activity rollups gathered per group and day (`Store.group_day_activity`), as a report
reads them since step 13's eighth pass: the plain per-member rows (`Store.activity_days`), to
the member and the message, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import date
from zoneinfo import ZoneInfo

from hearthkeeper.store import GroupDayActivity, MessageDeletion, Store
from tests.metrics_setup import at, town
from tests.sql_plans import sqlite_plan

SHANGHAI = ZoneInfo("Asia/Shanghai")
START, END = date(2026, 4, 1), date(2026, 5, 31)
MAY_1, MAY_2, MAY_3 = date(2026, 5, 1), date(2026, 5, 2), date(2026, 5, 3)


def _spread(records: list[GroupDayActivity]) -> list[tuple[int, int, date, int]]:
    """(group, member, day, messages) of every member of every record, sorted."""
    return sorted((r.group_id, member, r.day, messages) for r in records
                  for member, messages in zip(r.members, r.messages, strict=True))  # fmt: skip


def test_activity_gathered_per_group_and_day_is_the_plain_reading(store: Store) -> None:
    """One record per group and local day, in order of day and group, holding exactly the
    plain read's members (in no promised order), their messages and the day's questions: a member posting in two
    groups is in each group's record; days are cut at Shanghai's midnight (16:00 UTC); a
    member whose only message of a day was deleted is not in that day's record, one who
    keeps another has it counted once; a group nobody wrote in has no record."""
    t = town(store)
    t.group("quiet")  # nobody writes here
    t.say("ann", "g", at("05-01", 15, 30), "tea?")  # 23:30 in Shanghai: 1 May
    t.say("ann", "g", at("05-01", 16, 30), "more?")  # 00:30: 2 May
    t.say("ann", "g", at("05-01", 16, 40), "any?")  # 2 May
    t.say("bob", "g", at("05-01", 16, 10), "yes?")  # 2 May
    t.say("ann", "h", at("05-01", 17), "here too?")  # 2 May, the other group
    t.say("bob", "h", at("05-01", 9), "morning")  # 1 May
    asked = t.say("cat", "g", at("05-03", 4), "anyone?")  # 12:00 in Shanghai and UTC alike
    t.say("cat", "g", at("05-03", 5), "ok")
    alone = t.say("dan", "g", at("05-03", 6), "buy cheap")  # dan's only message that day
    t.say("ann", "g", at("05-03", 7), "hm?")
    store.rebuild_rollups(t.groups.values(), zone=SHANGHAI)
    # (deleted at noon: the same day in UTC, by which the rollups take them out, and Shanghai)
    store.delete_messages([MessageDeletion(t.group("g"), asked, "moderation", at("05-03", 8)),
                           MessageDeletion(t.group("g"), alone, "moderation", at("05-03", 8))])  # fmt: skip
    g, h, quiet = t.group("g"), t.group("h"), t.group("quiet")
    ann, bob, cat = t.member("ann"), t.member("bob"), t.member("cat")
    ids = [g, h, quiet]

    gathered = store.group_day_activity(ids, START, END)
    plain = store.activity_days(ids, START, END)

    assert [(r.day, r.group_id) for r in gathered] == [
        (MAY_1, g), (MAY_1, h), (MAY_2, g), (MAY_2, h), (MAY_3, g)]  # fmt: skip
    assert _spread(gathered) == sorted((r.group_id, r.member_id, r.day, r.messages) for r in plain)
    questions: Counter[tuple[int, date]] = Counter()
    for row in plain:
        questions[row.group_id, row.day] += row.questions
    assert {(r.group_id, r.day): r.questions for r in gathered} == questions
    assert _spread(gathered) == sorted([
        (g, ann, MAY_1, 1), (g, ann, MAY_2, 2), (g, ann, MAY_3, 1), (g, bob, MAY_2, 1),
        (g, cat, MAY_3, 1), (h, ann, MAY_2, 1), (h, bob, MAY_1, 1)])  # fmt: skip
    assert [r.questions for r in gathered] == [1, 0, 3, 1, 1]
    # One group alone is read as it is among the others (its members in any order).
    alone_g = store.group_day_activity([g], START, END)
    assert [(r.day, r.questions) for r in alone_g] == [(MAY_1, 1), (MAY_2, 3), (MAY_3, 1)]
    assert _spread(alone_g) == _spread([r for r in gathered if r.group_id == g])
    assert store.group_day_activity([quiet], START, END) == []
    assert _spread(store.group_day_activity(ids, MAY_2, MAY_2)) == _spread(gathered[2:4])


def test_many_groups_gathered_come_from_the_day_index(store: Store) -> None:
    """On SQLite, all the groups' rows are gathered from `ix_activity_days_day`, in order of
    day and group (no sort, no look-up per row), as the plain read reads them."""
    t = town(store)
    for name, group in [("ann", "g"), ("bob", "h"), ("ann", "h")]:
        t.say(name, group, at("05-01"))
    store.rebuild_rollups(t.groups.values())
    ids = sorted(t.groups.values())
    if store.engine.dialect.name != "sqlite":
        return
    _, plan = sqlite_plan(store, lambda: store.group_day_activity(ids, START, END), "activity")
    assert "COVERING INDEX ix_activity_days_day" in plan and "TEMP B-TREE" not in plan, plan


def test_the_posters_of_a_day_are_those_with_messages() -> None:
    """A member's row left at 0 messages names no poster."""
    day = GroupDayActivity(1, MAY_1, (7, 8, 9), (2, 0, 1), 0)

    assert day.posters() == (7, 9)
    assert GroupDayActivity(1, MAY_1, (7, 8), (1, 3), 0).posters() == (7, 8)
