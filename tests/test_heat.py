"""The heat-death warning: when it fires and when not, its reasons, and actions that use the
playbook's own post ids, mechanisms and roles."""

from __future__ import annotations

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.analytics.heat import DayFacts, HeatInputs, SilentMember, assess
from hearthkeeper.playbook.positioning import Language
from tests.health_setup import COMMERCIAL, playbook

AS_OF = date(2026, 11, 30)  # a Monday
ZONE = ZoneInfo("Asia/Shanghai")


def steady(day: date) -> DayFacts:
    """A lively day: 20 messages by 5 members, 2 staff messages, the morning pack, 3 check-ins."""
    return DayFacts(day, messages=20, speakers=5, staff_messages=2, posts=1, check_ins=3)


def history(this_week: list[DayFacts] | None = None) -> list[DayFacts]:
    """Four steady weeks (26 Oct - 23 Nov) and then `this_week` (24-30 Nov; default steady)."""
    before = [steady(AS_OF - timedelta(days=34 - i)) for i in range(28)]
    return before + (this_week or [steady(AS_OF - timedelta(days=6 - i)) for i in range(7)])


def cooling() -> list[DayFacts]:
    """Staff posted on 24 and 25 Nov and then nothing; 5 messages by 2 members a day."""
    days = [AS_OF - timedelta(days=6 - i) for i in range(7)]
    return [DayFacts(d, messages=5, speakers=2, staff_messages=1 if i < 2 else 0)
            for i, d in enumerate(days)]  # fmt: skip


def inputs(days: list[DayFacts], *, name: str = "Skin Club 1", **kw: object) -> HeatInputs:
    posted = kw.pop("last_posted", {"morning-pack": AS_OF})
    return HeatInputs(1, name, AS_OF, ZONE, days, posted, **kw)  # type: ignore[arg-type]


ANN, BO = SilentMember("Ann", date(2026, 11, 14)), SilentMember("Bo", date(2026, 11, 16))


def test_a_lively_group_gets_no_warning_and_nothing_to_do() -> None:
    found = assess(inputs(history()), playbook())
    assert not found.warning
    assert (found.reasons, found.actions, found.days_without_output) == ((), (), 0)


def test_falling_output_and_decaying_activity_fire_with_reasons_and_playbook_actions() -> None:
    found = assess(inputs(history(cooling()), last_posted={"morning-pack": date(2026, 11, 25)},
                          silent_key=(ANN, BO)), playbook())  # fmt: skip
    assert found.warning and found.energy_falls and found.activity_decays
    assert found.days_without_output == 5
    assert found.reasons == (
        "No output for 5 days (since 2026-11-26): no staff message or scheduled post.",
        # 2 staff messages this week vs (2 + 1) × 7 = 21 a week before
        "Output fell: 2 staff messages and posts this week vs 21/week over the four weeks before.",
        "Messages fell: 35 this week vs 140/week over the four weeks before.",
        "Speakers fell: 2.0 a day this week vs 5.0 a day over the four weeks before.",
        "2 key members silent since 2026-11-14: Ann (last 2026-11-14), Bo (last 2026-11-16).",
    )
    actions = found.actions
    # the morning pack fires daily at 08:00; 26-29 Nov are fully past: 4 firings missed
    assert actions[0] == (
        "No output for 5 days: the calendar post `morning-pack` (every day 08:00) has not posted "
        "since 2026-11-25 (4 firings missed) — check its content library `content/morning` (it "
        "may have run out: the console's Calendar page shows what each group has left) and the "
        "calendar (`hearth posts`)."
    )
    assert "Ask creator (Creator), manager (Manager), partner (Partner) to post" in actions[1]
    assert actions[2].startswith("2 key members silent since 2026-11-14 (Ann, Bo): @-mention")
    assert actions[3] == ("No check-ins for a week (21/week before): the check-in mechanism is on "
                          "(keywords: 打卡, 签到, check in) — announce it in Skin Club 1.")  # fmt: skip
    assert "promote the live session `tutor-talk` (Ask the tutor)" in actions[4]
    assert not any("weekly-digest" in a for a in actions)  # that post is for Skin Club 2 only


def test_energy_falling_alone_does_not_fire() -> None:
    days = [DayFacts(d.day, messages=20, speakers=5, check_ins=3) if d.day > date(2026, 11, 26)
            else d for d in history()]  # fmt: skip
    found = assess(inputs(days), playbook())
    assert found.energy_falls and not found.activity_decays and not found.warning
    # 3 output days × 3 = 9 this week against 21 a week before
    assert found.reasons == (
        "No output for 4 days (since 2026-11-27): no staff message or scheduled post.",
        "Output fell: 9 staff messages and posts this week vs 21/week over the four weeks before.",
    )


def test_activity_decaying_alone_does_not_fire() -> None:
    week = [DayFacts(AS_OF - timedelta(days=6 - i), messages=5, speakers=2, staff_messages=2,
                     posts=1, check_ins=3) for i in range(7)]  # fmt: skip
    found = assess(inputs(history(week)), playbook())
    assert found.activity_decays and not found.energy_falls and not found.warning


def test_a_post_waiting_for_confirmation_and_rising_violations_are_named() -> None:
    week = [DayFacts(AS_OF - timedelta(days=6 - i), messages=20, speakers=5, staff_messages=2,
                     posts=1, check_ins=3, violations=1 if i else 0) for i in range(7)]  # fmt: skip
    extra = "rules:\n  violations:\n    advertising:\n      enabled: false\n"
    found = assess(inputs(history(week), name="Skin Club 2",
                          last_posted={"morning-pack": AS_OF,
                                       "weekly-digest": date(2026, 11, 22)}),
                   playbook(COMMERCIAL, extra))  # fmt: skip
    assert not found.warning
    assert found.actions[0].startswith(
        "the calendar post `weekly-digest` (Sun 20:00) has not posted since 2026-11-22 "
        "(1 firing missed) — it waits for staff to confirm (mode: remind)"
    )
    assert found.actions[1].startswith("Violations rose: 6 this week vs 0/week before")
    assert "turn on the detectors that are off (rules.violations.advertising)" in found.actions[1]
    assert "stricter joining threshold (now: paid)" in found.actions[1]


def test_without_a_playbook_the_actions_stay_generic() -> None:
    found = assess(inputs(history(cooling()), last_posted={}), None)
    assert found.warning
    assert found.actions[0].startswith("There is no playbook, so no scheduled post for Skin Club 1")
    assert found.to_json()["warning"] is True


def test_a_silent_group_with_members_is_warned_unless_it_is_new() -> None:
    """Nothing this week against nothing before is no decay, so a group dead for a month had
    no warning while the matrix called it dying; scheduled posts reaching nobody keep it so."""
    posts_only = [DayFacts(AS_OF - timedelta(days=i), posts=1) for i in range(35)]
    found = assess(inputs(posts_only, members=12, age_days=400,
                          last_message=date(2025, 3, 1)), playbook())  # fmt: skip
    assert found.warning and found.activity_decays and not found.energy_falls
    assert "No message in the last 28 days (the last on 2025-03-01), with 12 members in it." in (
        found.reasons
    )
    never = assess(inputs([], members=1, age_days=28), playbook())
    assert never.warning and "(none ever), with 1 member in it." in never.reasons[-1]
    assert not assess(inputs([], members=12, age_days=27), playbook()).warning, "new"
    assert not assess(inputs([], members=0, age_days=400), playbook()).warning, "nobody in it"


def test_one_silent_key_member_reads_in_the_singular() -> None:
    found = assess(inputs(history(cooling()), last_posted={"morning-pack": date(2026, 11, 25)},
                          silent_key=(ANN,)), playbook())  # fmt: skip
    assert "1 key member silent since 2026-11-14: Ann (last 2026-11-14)." in found.reasons
    assert any(a.startswith("1 key member silent since 2026-11-14 (Ann): @-mention")
               for a in found.actions)  # fmt: skip


def test_one_staff_message_this_week_reads_in_the_singular() -> None:
    days = [AS_OF - timedelta(days=6 - i) for i in range(7)]
    week = [DayFacts(d, messages=5, speakers=2, staff_messages=1 if i == 0 else 0)
            for i, d in enumerate(days)]  # fmt: skip
    found = assess(inputs(history(week), last_posted={"morning-pack": date(2026, 11, 23)}),
                   playbook())  # fmt: skip
    assert ("Output fell: 1 staff message or post this week vs 21/week over the four weeks "
            "before.") in found.reasons  # fmt: skip


def test_the_weekly_average_is_rounded_half_up_as_by_hand() -> None:
    """29 messages over the four weeks before, none this week: 29 ÷ 4 = 7.25 a week, said
    "7.3" (the health score's trend says 7.25), not rounded to even ("7.2")."""
    first = AS_OF - timedelta(days=34)
    before = [DayFacts(first + timedelta(days=i), messages=5 if i == 6 else 4, speakers=4)
              for i in range(7)]  # fmt: skip
    found = assess(inputs(before), playbook())
    assert "Messages fell: 0 this week vs 7.3/week over the four weeks before." in found.reasons


def test_the_headline_is_the_reason_that_decides_the_warning() -> None:
    """The report's and the console's box for a warned group heads it with this, not with the
    first reason: a silent group's "No output" comes first but the silence decides."""
    silent = assess(inputs([], members=3, age_days=400, last_message=date(2026, 10, 1)),
                    playbook())  # fmt: skip
    assert silent.reasons[0].startswith("No output in the last 35 days")
    assert silent.headline == (
        "No message in the last 28 days (the last on 2026-10-01), with 3 members in it."
    )
    assert silent.to_json()["headline"] == silent.headline
    cooled = assess(inputs(history(cooling())), playbook())
    assert cooled.reasons[0].startswith("No output for 5 days")
    assert cooled.headline == "Messages fell: 35 this week vs 140/week over the four weeks before."
    assert assess(inputs(history()), playbook()).headline is None  # no warning, no headline


def test_a_group_an_import_registered_is_not_told_of_posts_and_check_ins_that_never_reach_it() -> (
    None
):
    """A brand imported its WeChat groups' history to assess them: scheduled posts and check-ins
    never reach such a group (no carrier serves it), yet its heat-death warning told the
    operator the morning pack 'has not posted in the last 7 days (7 firings missed) — check its
    content library (it may have run out)' and to announce the check-in there."""
    found = assess(inputs(history(cooling()), last_posted={}, posts_from=None), playbook())
    assert found.warning
    assert not any("morning-pack" in a or "check-in" in a or "knowledge pack" in a
                   for a in found.actions), found.actions  # fmt: skip
    assert any(a.startswith("Ask creator (Creator)") for a in found.actions)  # by hand, yes


def test_firings_staff_called_off_are_not_counted_as_missed() -> None:
    """An operator skipped the morning pack on the 27th and 28th in forty groups at once
    (`hearth grid skip --on`): the warning said 4 firings were missed since the 25th, as if
    the calendar had failed twice more than it did. Only the 26th and 29th were missed."""
    skipped = {"morning-pack": [date(2026, 11, 27), date(2026, 11, 28)]}
    found = assess(inputs(history(cooling()), last_posted={"morning-pack": date(2026, 11, 25)},
                          called_off=skipped), playbook())  # fmt: skip
    assert "has not posted since 2026-11-25 (2 firings missed)" in found.actions[0]
    every = {"morning-pack": [date(2026, 11, 26 + n) for n in range(4)]}
    quiet = assess(inputs(history(cooling()), last_posted={"morning-pack": date(2026, 11, 25)},
                          called_off=every), playbook())  # fmt: skip
    assert not any("morning-pack" in a for a in quiet.actions)


def test_a_group_opened_two_days_ago_missed_only_the_firings_since() -> None:
    """Forty web chat groups opened on Saturday were each told on Monday that the daily morning
    pack missed 7 firings in the last 7 days: firings before a group existed were never due."""
    opened = AS_OF - timedelta(days=2)  # Sat 28 Nov: the 28th and 29th are fully past
    found = assess(inputs(history(cooling()), last_posted={}, posts_from=opened), playbook())
    assert found.actions[0].startswith(
        "No output for 5 days: the calendar post `morning-pack` (every day 08:00) has not posted "
        "in the last 7 days (2 firings missed)")  # fmt: skip
    today = assess(inputs(history(cooling()), last_posted={}, posts_from=AS_OF), playbook())
    assert not any("morning-pack" in a for a in today.actions)


def test_a_group_whose_override_leaves_a_post_out_is_not_told_it_missed_it() -> None:
    """`groups: {Skin Club 1: {calendar_posts: []}}`: the engine sends that group no scheduled
    post, and its warning said the morning pack had missed its firings there."""
    extra = 'groups:\n  "Skin Club 1":\n    calendar_posts: []\n'
    found = assess(inputs(history(cooling()), last_posted={}, carrier_group_id="skin-1"),
                   playbook(COMMERCIAL, extra))  # fmt: skip
    assert not any("morning-pack" in a for a in found.actions), found.actions
    assert found.actions[0].startswith("The playbook has no scheduled post for Skin Club 1")
    kept = assess(inputs(history(cooling()), last_posted={}, carrier_group_id="skin-1"),
                  playbook())  # fmt: skip
    assert any("morning-pack" in a for a in kept.actions)


def test_many_silent_key_members_are_named_ten_then_counted() -> None:
    """The community line of forty groups named 65 silent key members in one reason and again
    in one action: a wall of names nobody @-mentions one by one. Ten are named, the rest
    counted (the report's silent_key_members lists them all)."""
    many = tuple(SilentMember(f"m{n}", date(2026, 11, 14)) for n in range(65))
    found = assess(inputs(history(cooling()), silent_key=many), playbook())
    [reason] = [r for r in found.reasons if "key members" in r]
    assert reason.startswith("65 key members silent since 2026-11-14: m0 (last 2026-11-14), m1")
    assert reason.endswith("m9 (last 2026-11-14) and 55 more.") and "m10 " not in reason
    [action] = [a for a in found.actions if "key members" in a]
    assert "(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9 and 55 more): @-mention them" in action
    two = assess(inputs(history(cooling()), silent_key=(ANN, BO)), playbook())
    assert not any("more" in r for r in two.reasons if "key members" in r)


def test_a_post_added_mid_week_missed_only_the_firings_since_it_was_added() -> None:
    """The brand added the morning pack to its playbook on Friday at noon, for groups running
    for months: on Monday every group was told it 'has not posted in the last 7 days (7
    firings missed)' — the firings from before Friday were never due."""
    from datetime import datetime

    added = datetime(2026, 11, 27, 12, 0, tzinfo=ZONE)  # after Friday's 08:00 firing
    found = assess(inputs(history(cooling()), last_posted={}, post_added={"morning-pack": added}),
                   playbook())  # fmt: skip
    assert found.actions[0].startswith(
        "No output for 5 days: the calendar post `morning-pack` (every day 08:00) has not posted "
        "since it was added on 2026-11-27 (2 firings missed)")  # fmt: skip
    today = datetime(2026, 11, 30, 7, 0, tzinfo=ZONE)  # added this morning: nothing missed
    quiet = assess(inputs(history(cooling()), last_posted={}, post_added={"morning-pack": today}),
                   playbook())  # fmt: skip
    assert not any("morning-pack" in a for a in quiet.actions)


# What the operator wrote or named, which no language changes: group and member names, post
# and session ids, schedules, roles, keywords, fields and commands
OPERATORS = re.compile(r"`[^`]*`|\d{4}-\d{2}-\d{2}|Skin Club \d|Ann|Bo\b|every day 08:00|"
                       r"Sun 20:00|creator|manager|partner|Creator|Manager|Partner|check in|"
                       r"Ask the tutor|mode: remind|mode: auto|rules\.violations\.\w+|paid")  # fmt: skip


def test_the_reasons_and_actions_are_said_in_chinese_for_a_chinese_community() -> None:
    """The daily watch's alert said its frame in Chinese and the reasons and actions in
    English; each one is said in Chinese too now (the report and the console keep English)."""
    zh = Language.ZH_CN
    week = [DayFacts(AS_OF - timedelta(days=6 - i), messages=20, speakers=5, staff_messages=2,
                     posts=1, check_ins=3, violations=1 if i else 0) for i in range(7)]  # fmt: skip
    extra = "rules:\n  violations:\n    advertising:\n      enabled: false\n"
    posts_only = [DayFacts(AS_OF - timedelta(days=i), posts=1) for i in range(35)]
    found = [
        assess(inputs(history(cooling()), last_posted={"morning-pack": date(2026, 11, 25)},
                      silent_key=(ANN, BO)), playbook(), zh),
        assess(inputs(history(week), name="Skin Club 2",
                      last_posted={"morning-pack": AS_OF, "weekly-digest": date(2026, 11, 22)}),
               playbook(COMMERCIAL, extra), zh),
        assess(inputs(history(cooling()), last_posted={}), None, zh),
        assess(inputs(posts_only, members=12, age_days=400, last_message=date(2025, 3, 1)),
               playbook(), zh),
    ]  # fmt: skip
    texts = [t for f in found for t in (*f.reasons, *f.actions)]
    assert len(texts) == 22
    for text in texts:
        assert not re.search(r"[A-Za-z]{2,}", OPERATORS.sub("", text)), text
    cooled = found[0]
    assert cooled.headline == "消息减少：本周 35 条，之前四周平均每周 140 条。"
    assert cooled.reasons[-1] == (
        "2 位关键成员自 2026-11-14 起沉默：Ann（最后活跃 2026-11-14）、Bo（最后活跃 2026-11-16）。"
    )
    assert found[3].headline == "最近 28 天没有一条消息（最后一条在 2025-03-01），群里还有 12 人。"
    english = assess(inputs(history(cooling()), last_posted={"morning-pack": date(2026, 11, 25)},
                            silent_key=(ANN, BO)), playbook())  # fmt: skip
    assert english.headline == "Messages fell: 35 this week vs 140/week over the four weeks before."
