"""What a new operator sees for settings that do nothing or go nowhere (session 31's walk)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthkeeper.cli import app
from hearthkeeper.playbook import PlaybookError, parse_playbook
from tests.playbook_samples import MINIMAL

DEEP = MINIMAL.replace("Tea Friends", "深读会").replace("language: en", "language: zh-CN")


def _post_to(*groups: str, extra: str = "") -> str:
    listed = ", ".join(groups)
    return (
        DEEP
        + extra
        + (
            "calendar:\n  posts:\n    - id: morning\n      schedule: every day 08:00\n"
            f"      content: {{text: Good morning}}\n      groups: [{listed}]\n"
        )
    )


def test_a_post_to_a_group_nearly_named_as_copy_naming_names_it_is_a_located_warning(
    tmp_path: Path,
) -> None:
    """`groups: [深读会9群]` (no space; copy.naming makes '深读会 9群') validated, and the post
    went to no group, silently."""
    path = tmp_path / "pb.yaml"
    path.write_text(_post_to("深读会9群"))
    for command in ("validate", "show"):
        result = CliRunner().invoke(app, ["playbook", command, str(path)])
        assert result.exit_code == 0, result.output
        assert (f"{path}:15:16: calendar.posts[0].groups[0]: warning: no group Hearthkeeper "
                "opens is named '深读会9群' (copy.naming makes '深读会 1群', '深读会 2群'…); did "
                "you mean '深读会 9群'? A group is matched by its exact name: as written, this "
                "goes only to a group created on the carrier by that very name") in result.output  # fmt: skip


def test_groups_named_by_copy_naming_the_playbook_or_by_hand_pass_without_a_word() -> None:
    """A group named by hand on the carrier ('Tea London') may exist: the playbook cannot
    know, so only a near miss of a name it knows is warned about."""
    extra = "alerts:\n  staff_group: 管理群\ngroups:\n  读书角: {capacity: 50}\n"
    names = ("深读会 9群", "深读会 12群", "管理群", "读书角", "Tea London")
    assert parse_playbook(_post_to(*names, extra=extra)).warnings == ()


def test_a_live_session_to_a_near_miss_of_a_groups_entry_is_warned() -> None:
    text = (
        DEEP
        + "groups:\n  读书角: {capacity: 50}\ncalendar:\n  live_sessions:\n"
        + (
            "    - id: talk\n      schedule: every day 20:00\n      title: Books\n"
            "      speaker: Ann\n      groups: [读书 角]\n"
        )
    )
    [w] = parse_playbook(text, "pb.yaml").warnings
    assert w.path == "calendar.live_sessions[0].groups[0]"
    assert "`groups:` names '读书角')" in w.message and "did you mean '读书角'?" in w.message


def _open_at(written: str) -> str:
    return MINIMAL + f"copy:\n  open_new_group_at: {written}\n"


@pytest.mark.parametrize(("written", "share"), [("80%", 0.8), ("'85 %'", 0.85), ("0.8", 0.8)])
def test_when_the_next_group_opens_is_a_share_or_a_percentage(written: str, share: float) -> None:
    """`80%` was "'80%' is not a number (0.9): write the number alone", which led the operator
    to write 80."""
    assert parse_playbook(_open_at(written)).playbook.replication.open_new_group_at == share


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("80", "80 is more than the whole group: this is a share of the group's by-code limit, "
               "0.8 or 80% for 80% (at most 1, or 100%)"),
        ("150%", "150% is more than the whole group: at most 100%"),
        # quoted, it said pydantic's 'Input should be less than or equal to 1' still
        ("'80'", "80 is more than the whole group: this is a share of the group's by-code "
                 "limit, 0.8 or 80% for 80% (at most 1, or 100%)"),
    ],
)  # fmt: skip
def test_a_percentage_written_as_a_bare_number_says_how_to_write_a_share(
    written: str, said: str
) -> None:
    """`80` said 'Input should be less than or equal to 1'."""
    with pytest.raises(PlaybookError) as refused:
        parse_playbook(_open_at(written), "pb.yaml")
    [p] = refused.value.problems
    assert (p.path, p.message) == ("copy.open_new_group_at", said)


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("0.00001%", "0.00001% is finer than a share is kept: a percentage has at most 2 decimal "
                     "places (0.01% at the least), e.g. 80% or 87.5%"),
        ("'1e-5 %'", "1e-5 % is finer than a share is kept: a percentage has at most 2"),
        ("0.0000001", "0.0000001 is finer than a share is kept: a share has at most 4 decimal "
                      "places (0.0001, 0.01%, at the least), e.g. 0.8 or 0.875"),
        ("1e-7", "1e-7 is finer than a share is kept: a share has at most 4"),
        ("0.33333", "0.33333 is finer than a share is kept"),
    ],
)  # fmt: skip
def test_a_share_finer_than_a_hundredth_of_a_percent_is_refused_saying_how_fine(
    written: str, said: str
) -> None:
    """`open_new_group_at: 0.00001%` was kept as the share 1e-7: the next group opened as soon
    as anyone joined the newest, which no operator means. A percentage has at most two decimal
    places, a share four."""
    with pytest.raises(PlaybookError) as refused:
        parse_playbook(_open_at(written), "pb.yaml")
    [p] = refused.value.problems
    assert (p.path, p.line) == ("copy.open_new_group_at", MINIMAL.count("\n") + 2)
    assert p.message.startswith(said), p.message


@pytest.mark.parametrize(("written", "share"), [("33.33%", 0.3333), ("87.5%", 0.875),
                                                ("80.000%", 0.8), ("0.01%", 0.0001),
                                                ("0.3333", 0.3333)])  # fmt: skip
def test_a_share_to_a_hundredth_of_a_percent_is_kept(written: str, share: float) -> None:
    assert parse_playbook(_open_at(written)).playbook.replication.open_new_group_at == share


@pytest.mark.parametrize("written", ["nan%", "'NaN %'", ".nan", "'nan'"])
def test_a_share_that_is_no_number_says_how_to_write_one(written: str) -> None:
    """`open_new_group_at: nan%` (or YAML's `.nan`) said pydantic's 'Input should be less than
    or equal to 1', as if a number had been written too large."""
    with pytest.raises(PlaybookError) as refused:
        parse_playbook(_open_at(written), "pb.yaml")
    [p] = refused.value.problems
    assert p.path == "copy.open_new_group_at"
    assert "is not a share: write a percentage (80%) or a share of the group's by-code limit" in (
        p.message
    ), p.message


def test_an_anniversary_on_day_31_is_held_on_the_last_day_of_shorter_months(
    tmp_path: Path,
) -> None:
    """`day: 31` was refused ('less than or equal to 28') while `founded: 2025-05-31` passed
    and showed 'monthly anniversary on day 31'."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from hearthkeeper.capabilities.calendar.firings import anniversary_firings

    path = tmp_path / "pb.yaml"
    path.write_text(MINIMAL + "calendar:\n  rituals:\n    anniversary: {day: 31}\n")
    result = CliRunner().invoke(app, ["playbook", "show", str(path)])
    assert result.exit_code == 0, result.output
    assert (
        "Ritual: monthly anniversary on day 31 (the last day of a shorter month)" in result.output
    )
    ritual = parse_playbook(path.read_text()).playbook.calendar.rituals.anniversary
    assert ritual is not None
    zone = ZoneInfo("Europe/London")
    start, end = datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)
    days = [
        f.at.astimezone(zone).date().isoformat()
        for f in anniversary_firings(ritual, None, zone, start, end)
    ]
    assert days == ["2026-04-30", "2026-05-31"]


def test_a_refused_founding_date_is_said_once_not_again_as_an_anniversary_without_a_day(
    tmp_path: Path,
) -> None:
    """A refused `founded` also printed 'calendar.rituals.anniversary.day: the anniversary
    needs a day…': a finding that came from the refused field, not a second mistake."""
    path = tmp_path / "pb.yaml"
    path.write_text(
        MINIMAL + "  founded: 2025/6/12\ncalendar:\n  rituals:\n    anniversary: {at: '20:00'}\n"
    )
    result = CliRunner().invoke(app, ["playbook", "validate", str(path)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}:10:12: community.founded: '2025/6/12' is not a date: write YYYY-MM-DD, e.g. "
        "2024-03-18"
    ]


def test_a_setting_under_a_mechanism_that_is_off_is_a_located_warning(tmp_path: Path) -> None:
    """`check_in: {enabled: false, daily_summary: '21:00'}` passed silently: the summary is
    never posted."""
    path = tmp_path / "pb.yaml"
    path.write_text(
        MINIMAL + "mechanisms:\n  check_in:\n    enabled: false\n    daily_summary: '21:00'\n"
        "  crisis: {enabled: false, sensitivity: high}\n"
        "  points: {enabled: false, rewards: [{id: mug, name: Mug, cost: 50}]}\n"
    )
    result = CliRunner().invoke(app, ["playbook", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{path}:13:20: mechanisms.check_in.daily_summary: warning: mechanisms.check_in is off "
        "(enabled: false), so daily_summary does nothing: remove it, or set enabled: true",
        f"{path}:14:41: mechanisms.crisis.sensitivity: warning: mechanisms.crisis is off "
        "(enabled: false), so sensitivity does nothing: remove it, or set enabled: true",
        f"{path}: ok (2 warnings)",
    ]
    on = MINIMAL + "mechanisms:\n  check_in:\n    daily_summary: '21:00'\n"
    assert parse_playbook(on).warnings == ()


def test_settings_under_a_moderation_detector_that_is_off_are_located_warnings(
    tmp_path: Path,
) -> None:
    """`insults: {enabled: false, extra_keywords: [...]}` validated silently, and nobody was
    ever alerted for those words: the detector is off, its keywords are never looked for."""
    path = tmp_path / "pb.yaml"
    path.write_text(
        MINIMAL + "rules:\n  violations:\n    insults:\n      enabled: false\n"
        "      extra_keywords: [numpty]\n"
        "    advertising:\n      learned: {enabled: false, threshold: 0.99}\n"
        "    links: {enabled: false, allowed_domains: [tea.example]}\n"
        "    flooding: {enabled: false, max_messages: 5}\n"
    )
    result = CliRunner().invoke(app, ["playbook", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{path}:14:23: rules.violations.insults.extra_keywords: warning: "
        "rules.violations.insults is off (enabled: false), so extra_keywords does nothing: "
        "remove it, or set enabled: true",
        f"{path}:16:44: rules.violations.advertising.learned.threshold: warning: "
        "rules.violations.advertising.learned is off (enabled: false), so threshold does "
        "nothing: remove it, or set enabled: true",
        f"{path}:18:46: rules.violations.flooding.max_messages: warning: "
        "rules.violations.flooding is off (enabled: false), so max_messages does nothing: "
        "remove it, or set enabled: true",
        f"{path}: ok (3 warnings)",
    ]
    # the invite detector still reads the allowed domains (a link to them is no invite)
    assert not any("allowed_domains" in line for line in result.output.splitlines())
    off = MINIMAL + (
        "rules:\n  violations:\n    links: {enabled: false, allowed_domains: [tea.example]}\n"
        "    invites: {enabled: false}\n"
        "    advertising: {enabled: false, learned: {threshold: 0.99}}\n"
    )
    assert [(p.path, p.message.split(",")[0]) for p in parse_playbook(off).warnings] == [
        ("rules.violations.links.allowed_domains", "rules.violations.links is off (enabled: false)"),
        ("rules.violations.advertising.learned",
         "rules.violations.advertising is off (enabled: false)"),
    ]  # fmt: skip


def test_standing_settings_while_it_or_the_learned_scorer_is_off_are_warnings() -> None:
    """`standing: {enabled: false, days: 30}` reads as if 30 days counted for something."""
    spared = "rules:\n  violations:\n    advertising:\n      learned:\n"
    off = MINIMAL + spared + "        standing: {enabled: false, days: 30}\n"
    assert [(p.path, p.message.split(",")[0]) for p in parse_playbook(off).warnings] == [
        ("rules.violations.advertising.learned.standing.days",
         "rules.violations.advertising.learned.standing is off (enabled: false)"),
    ]  # fmt: skip
    scorer_off = MINIMAL + spared + "        enabled: false\n        standing: {days: 30}\n"
    assert [p.path for p in parse_playbook(scorer_off).warnings] == [
        "rules.violations.advertising.learned.standing"
    ]
    on = MINIMAL + spared + "        standing: {days: 30, messages: 50}\n"
    assert parse_playbook(on).warnings == ()


def test_referral_posts_while_the_task_is_off_says_what_it_still_decides(tmp_path: Path) -> None:
    """`posts` under referrals that are off was warned as doing nothing, but friends who joined
    by a link while the task ran are still checked against it when their stay is up; `stay`
    truly does nothing then (a friend's check was timed when they joined)."""
    path = tmp_path / "pb.yaml"
    path.write_text(MINIMAL + "mechanisms:\n  referrals: {enabled: false, posts: 3, stay: 14d}\n")
    result = CliRunner().invoke(app, ["playbook", "validate", str(path)])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert (f"{path}:11:38: mechanisms.referrals.posts: warning: mechanisms.referrals is off "
            "(enabled: false): no new friend is recorded, but friends who joined by an invite "
            "link while it was on are still checked when their stay is up, and posts decides "
            "it: credited (counted on the leaderboards and by a `task` threshold, with no reward "
            "while off) or revoked. Remove it once none is pending (they are then held to the "
            "default, 1), or set enabled: true") in said  # fmt: skip
    assert (f"{path}:11:47: mechanisms.referrals.stay: warning: mechanisms.referrals is off "
            "(enabled: false), so stay does nothing") in said  # fmt: skip


def test_check_in_points_written_while_points_are_off_are_located_warnings(
    tmp_path: Path,
) -> None:
    """`points: {enabled: false}` with `check_in: {points: 2}` and a milestone's `points`
    validated silently, and every check-in reply came without points (session 34's walk),
    where the invite task's reward points in the same case were already a warning."""
    path = tmp_path / "pb.yaml"
    body = (
        "mechanisms:\n  points: {enabled: false}\n  check_in:\n    points: 2\n"
        "    milestones:\n      - {days: 7, points: 10, title: Week runner}\n"
        "      - {days: 3, title: Starter}\n"
    )
    path.write_text(MINIMAL + body)
    result = CliRunner().invoke(app, ["playbook", "validate", str(path)])
    assert result.exit_code == 0, result.output
    off = (
        "warning: mechanisms.points is off (enabled: false), so these points are not given: "
        "remove them, or set mechanisms.points.enabled: true"
    )
    assert result.output.splitlines() == [
        f"{path}:13:13: mechanisms.check_in.points: {off}",
        f"{path}:15:27: mechanisms.check_in.milestones[0].points: {off}",
        f"{path}: ok (2 warnings)",
    ]
    # points on, or check-in points left at their default: nothing to say
    assert parse_playbook(MINIMAL + body.replace("enabled: false", "enabled: true")).warnings == ()
    quiet = MINIMAL + "mechanisms:\n  points: {enabled: false}\n  check_in: {keywords: [ran]}\n"
    assert parse_playbook(quiet).warnings == ()
