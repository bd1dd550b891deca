"""A one-off activity's start that is probably not meant is a located warning, not an error:
a date written without a time (it would start at midnight), and a start already past."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthkeeper.cli import app
from hearthkeeper.playbook import parse_playbook
from tests.playbook_samples import MINIMAL

BEFORE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # the injected clock


def salon(when: str) -> str:
    return MINIMAL + f"activities:\n  - id: salon\n    name: Winter salon\n    when: {when}\n"


def said(when: str, now: datetime | None = BEFORE) -> list[str]:
    loaded = parse_playbook(salon(when), "pb.yaml", now=now)
    assert all(w.is_warning for w in loaded.warnings)
    return [str(w) for w in loaded.warnings]


@pytest.mark.parametrize("when", ["2026-12-20", "'2026-12-20'"])
def test_a_date_without_a_time_is_a_located_warning_saying_it_starts_at_midnight(
    when: str,
) -> None:
    """`when: 2026-12-20` validated without a word and the salon started at 00:00."""
    assert said(when) == [
        "pb.yaml:13:11: activities[0].when: warning: 2026-12-20 has no time, so 'Winter "
        "salon' starts at midnight (00:00): if you meant the day, write its start time, e.g. "
        "2026-12-20 19:30 (or 2026-12-20 00:00 if midnight is meant)"
    ]


@pytest.mark.parametrize("when", ["2026-12-20 19:30", "2026-12-20 00:00", "2026-12-20T00:00"])
def test_a_time_written_says_nothing_even_midnight(when: str) -> None:
    assert said(when) == []


def test_a_start_before_now_is_a_located_warning_and_the_clock_is_the_callers() -> None:
    after = datetime(2026, 12, 20, 19, 31, tzinfo=UTC)  # London is at UTC in December
    assert said("2026-12-20 19:30", now=after) == [
        "pb.yaml:13:11: activities[0].when: warning: 2026-12-20 19:30 is in the past (it is "
        "2026-12-20 19:31 in Europe/London): 'Winter salon' is never listed and nobody can "
        "sign up; give its next date, or remove it"
    ]
    assert said("2026-12-20 19:30", now=datetime(2026, 12, 20, 19, 29, tzinfo=UTC)) == []
    assert said("2026-12-20 19:30", now=None) == []  # no clock given: not checked
    # a start written with its own offset is compared as written
    assert said("2026-12-20T19:30+08:00", now=datetime(2026, 12, 20, 12, 0, tzinfo=UTC)) != []


def test_a_past_start_written_with_its_own_offset_says_it_on_the_communitys_clock() -> None:
    """`when: 2026-12-20T20:00+08:00`, checked at 19:30 in London, said "2026-12-20 20:00 is in
    the past (it is 2026-12-20 19:30 in Europe/London)": a later time said to be past. It is
    12:00 in London."""
    now = datetime(2026, 12, 20, 19, 30, tzinfo=UTC)
    assert said("2026-12-20T20:00+08:00", now=now) == [
        "pb.yaml:13:11: activities[0].when: warning: 2026-12-20 20:00 (+0800, 2026-12-20 12:00 "
        "in Europe/London) is in the past (it is 2026-12-20 19:30 in Europe/London): 'Winter "
        "salon' is never listed and nobody can sign up; give its next date, or remove it"
    ]
    # an offset that is the community's own at that time says it once
    assert said("2026-12-20T19:00+00:00", now=now)[0].startswith(
        "pb.yaml:13:11: activities[0].when: warning: 2026-12-20 19:00 is in the past"
    )


def test_a_start_the_clocks_skip_or_repeat_says_when_it_starts() -> None:
    """`when: 2027-03-28 01:30` in London (the clocks go from 01:00 to 02:00 that night)
    validated without a word and the salon was listed at 02:00; 2027-10-31 01:30 happens twice
    and the first was taken."""
    assert said("2027-03-28 01:30") == [
        "pb.yaml:13:11: activities[0].when: warning: 2027-03-28 01:30 does not exist in "
        "Europe/London (the clocks go forward that night, from 01:00 to 02:00): 'Winter salon' "
        "starts at 02:00; write a time the clocks show"
    ]
    assert said("2027-10-31 01:30") == [
        "pb.yaml:13:11: activities[0].when: warning: 2027-10-31 01:30 happens twice in "
        "Europe/London (the clocks go back that night): 'Winter salon' starts at the first, "
        "01:30 BST (UTC+0100); write the offset to choose, e.g. 2027-10-31T01:30+00:00 for the "
        "second"
    ]
    # written with its offset, or at a time the clocks show: nothing to say
    assert said("2027-10-31T01:30+00:00") == said("2027-03-28 02:00") == []


def test_validate_and_show_print_both_warnings_and_the_playbook_stays_valid(
    tmp_path: Path,
) -> None:
    (tmp_path / "pb.yaml").write_text(salon("2020-05-01"), encoding="utf-8")
    result = CliRunner().invoke(app, ["playbook", "validate", str(tmp_path / "pb.yaml")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == f"{tmp_path / 'pb.yaml'}: ok (2 warnings)"
    assert "activities[0].when: warning: 2020-05-01 has no time" in lines[0]
    assert "activities[0].when: warning: 2020-05-01 00:00 is in the past" in lines[1]
    result = CliRunner().invoke(app, ["playbook", "show", str(tmp_path / "pb.yaml")])
    assert result.exit_code == 0 and "is in the past" in result.stderr
