"""Time zones an operator writes the way people say them: an offset, an abbreviation, a city
without a zone of its own, or one the database knows but that does not mean what it seems.
The problem (or warning) is located at the field and names the zones they meant, where
spelling closeness named strangers' zones (`UTC+8` → UTC, `CST` → UCT, `Asia/Beijing` →
Asia/Brunei)."""

from __future__ import annotations

import pytest

from hearthkeeper.playbook import PlaybookError, Problem, parse_playbook
from hearthkeeper.playbook.zones import meant, misleading, read_offset
from tests.playbook_samples import MINIMAL


def zone_problem(zone: str) -> Problem:
    text = MINIMAL.replace("timezone: Europe/London", f"timezone: {zone}")
    assert text != MINIMAL
    with pytest.raises(PlaybookError) as info:
        parse_playbook(text, "pb.yaml")
    [problem] = info.value.problems
    assert (problem.line, problem.path) == (5, "community.timezone")
    return problem


@pytest.mark.parametrize(("zone", "named", "not_named"), [
    ("UTC+8", ["Asia/Shanghai", "Asia/Singapore", "UTC+08:00"], ["'UTC'"]),
    ("GMT+08:00", ["Asia/Shanghai", "Asia/Singapore"], ["'GMT'"]),
    ("'+8'", ["Asia/Shanghai", "Asia/Singapore"], []),
    ("+8", ["Asia/Shanghai", "Asia/Singapore"], []),
    ("UTC-5", ["America/New_York", "UTC−05:00"], ["'UTC'"]),
    ("+5:30", ["Asia/Kolkata"], []),
    ("CST", ["Asia/Shanghai", "America/Chicago"], ["UCT"]),
    ("IST", ["Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"], []),
    ("PST", ["America/Los_Angeles"], ["PST8PDT"]),
    ("Asia/Beijing", ["Asia/Shanghai", "Beijing has no zone of its own"], ["Brunei"]),
    ("Asia/Mumbai", ["Asia/Kolkata"], []),
    ("北京时间", ["it means Asia/Shanghai"], []),
])  # fmt: skip
def test_a_zone_written_as_people_say_it_names_the_zones_meant(
    zone: str, named: list[str], not_named: list[str]
) -> None:
    message = zone_problem(zone).message
    for word in named:
        assert word in message, message
    for word in not_named:
        assert word not in message, message


def test_a_misspelt_zone_still_gets_the_zone_spelt_nearly_so() -> None:
    assert "did you mean 'Asia/Shanghai'" in zone_problem("Asia/Shangai").message
    assert "did you mean" not in zone_problem("Asia/Xinjiang").message


@pytest.mark.parametrize(("zone", "named"), [
    ("EST", ["fixed UTC−05:00", "ignores daylight saving", "America/New_York"]),
    ("MST", ["fixed UTC−07:00", "America/Denver", "America/Phoenix"]),
    ("Etc/GMT+8", ["is UTC−08:00, not UTC+08:00", "Asia/Shanghai", "America/Los_Angeles"]),
])  # fmt: skip
def test_a_zone_that_validates_but_misleads_is_a_located_warning(
    zone: str, named: list[str]
) -> None:
    """`timezone: EST` was accepted in silence: a fixed UTC−5, so every scheduled post ran an
    hour late for New York from March to November."""
    loaded = parse_playbook(MINIMAL.replace("Europe/London", zone), "pb.yaml")
    [warning] = loaded.warnings
    assert (warning.line, warning.path, warning.is_warning) == (5, "community.timezone", True)
    for word in named:
        assert word in warning.message, warning.message
    assert parse_playbook(MINIMAL.replace("Europe/London", "America/New_York")).warnings == ()


@pytest.mark.parametrize(("schedule", "zone"), [
    ("every day 09:00 Europe/London", "Europe/London"), ("每天 08:00 北京时间", "北京时间"),
    ("Mon,Wed,Fri 20:00 UTC+8", "UTC+8"), ("every weekday 09:00 EST", "EST"),
])  # fmt: skip
def test_a_schedule_naming_a_zone_says_so_where(schedule: str, zone: str) -> None:
    """It was 'cannot read the schedule', as if the days or the time were wrong."""
    text = MINIMAL + (
        f"calendar:\n  posts:\n    - id: morning\n      schedule: {schedule}\n"
        "      content: {text: Good morning}\n"
    )
    with pytest.raises(PlaybookError) as info:
        parse_playbook(text, "pb.yaml")
    [p] = info.value.problems
    assert (p.line, p.path) == (13, "calendar.posts[0].schedule")
    assert f"ends with a time zone ({zone!r})" in p.message
    assert "community.timezone" in p.message and "cannot read" not in p.message


@pytest.mark.parametrize(("text", "minutes"), [
    ("UTC+8", 480), ("GMT+08:00", 480), ("+0800", 480), ("-5", -300), ("UTC−3", -180),
    ("+5:30", 330), ("utc + 9", 540), ("UTC+15", None), ("UTC", None), ("Asia/Shanghai", None),
])  # fmt: skip
def test_offsets_are_read(text: str, minutes: int | None) -> None:
    assert read_offset(text) == minutes


def test_names_nothing_is_known_of_get_no_guess() -> None:
    assert meant("Mars/Olympus") is None and misleading("Asia/Shanghai") is None
    assert misleading("Etc/GMT") is None and misleading("UTC") is None
