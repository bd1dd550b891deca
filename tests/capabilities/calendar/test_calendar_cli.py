"""`hearth calendar`: firings per group and content coverage, on templates and real folders."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthkeeper.apply import apply_playbook
from hearthkeeper.cli import app
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import TEMPLATES
from hearthkeeper.store import Store
from tests.playbook_samples import MINIMAL

CALENDAR = """\
  founded: 2025-01-31
calendar:
  posts:
    - id: tips
      schedule: every day 08:00
      content: {library: content/tips, order: next}
    - id: deals
      schedule: every Friday 20:00
      mode: remind
      groups: [Tea London, Tea Paris]
      content: {text: "This week's deal: Darjeeling first flush at half price, today only."}
    - id: gone
      schedule: every Monday 09:00
      content: {library: content/missing, order: rotation}
  rituals:
    anniversary: {at: "18:00"}
  live_sessions:
    - {id: brew, title: Cold brew, speaker: Ann, schedule: Wed 19:00, groups: [Tea London]}
  exhaustion_alert: 5d
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["calendar", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.fixture
def playbook(tmp_path: Path) -> Path:
    tips = tmp_path / "content" / "tips"
    tips.mkdir(parents=True)
    (tips / "01-water.md").write_text("---\ntitle: Water first\n---\nSoft water.\n", "utf-8")
    (tips / "02-heat.md").write_text("# Mind the heat\n80 degrees for green.\n", "utf-8")
    (tips / "03-more.yaml").write_text(
        "- {title: Steep time, text: Three minutes.}\n"
        "- {kind: link, title: Chart, url: 'https://example.org', order: 9}\n",
        "utf-8",
    )
    (tips / "04-bad.md").write_text("---\nkind: gif\n---\nx\n", "utf-8")
    path = tmp_path / "playbook.yaml"
    path.write_text(MINIMAL + CALENDAR, "utf-8")
    return path


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_prints_its_calendar_and_its_sample_content(name: str) -> None:
    code, out = run(str(TEMPLATES[name].path), "--days", "31", "--from", "2026-11-23")
    assert code == 0, out
    assert "every group" in out
    assert "live-start" in out
    assert "Content coverage" in out and "item(s)" in out and "not found" not in out


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_gives_json_firings_with_offsets(name: str) -> None:
    code, out = run(str(TEMPLATES[name].path), "--days", "31", "--format", "json")
    assert code == 0, out
    firings = json.loads(out)
    assert firings and {"group", "at", "item", "post", "kind", "mode"} <= set(firings[0])
    kinds = {f["kind"] for f in firings}
    assert {"post", "anniversary", "live-start", "live-digest"} <= kinds
    assert all(datetime.fromisoformat(f["at"]).utcoffset() is not None for f in firings)


def test_text_lists_library_items_in_sequence_and_coverage(playbook: Path) -> None:
    code, out = run(str(playbook), "--from", "2026-11-23", "--days", "7")
    assert code == 0, out
    assert "the next 7 day(s) from 2026-11-23 00:00 (Europe/London, UTC+0000)" in out
    tips = [line for line in out.splitlines() if " tips post" in line]
    assert [line.split("post")[-1].strip() for line in tips] == [
        "[link] Chart",  # items with an `order` come first
        "Water first",
        "Mind the heat",
        "Steep time",
        "(no content left)",
        "(no content left)",
        "(no content left)",
    ]
    assert "tips: 4 item(s) cover 4 day(s); runs out on 2026-11-27 08:00" in out
    assert "alert: less than 5d of content left" in out
    assert "04-bad.md:2: kind: unknown kind 'gif'" in out
    assert "gone: content folder" in out and "not found" in out
    assert "Tea London" in out and "(remind staff)" in out


def test_json_has_one_object_per_group_and_the_anniversary_month(playbook: Path) -> None:
    code, out = run(str(playbook), "--from", "2026-11-23", "--days", "14", "--format", "json")
    assert code == 0, out
    firings = json.loads(out)
    deals = [f for f in firings if f["post"] == "deals"]
    assert [(f["group"], f["at"]) for f in deals[:2]] == [
        ("Tea London", "2026-11-27T20:00:00+00:00"),
        ("Tea Paris", "2026-11-27T20:00:00+00:00"),
    ]
    assert deals[0]["mode"] == "remind" and deals[0]["item"].startswith("This week's deal")
    anniversary = [f for f in firings if f["kind"] == "anniversary"]
    assert [(f["at"], f["group"]) for f in anniversary] == [("2026-11-30T18:00:00+00:00", "*")]
    assert "22 months old" in anniversary[0]["item"]
    first_tip = next(f for f in firings if f["post"] == "tips")
    assert (first_tip["item"], first_tip["item_id"]) == ("Chart", "03-more.yaml#2")
    assert first_tip["content_kind"] == "link"
    brew = [f["kind"] for f in firings if f["post"] == "brew"][:4]
    assert brew == ["live-reminder", "live-reminder", "live-start", "live-digest"]


def test_group_filter_keeps_that_group_and_every_group_posts(playbook: Path) -> None:
    code, out = run(
        str(playbook), "--from", "2026-11-23", "--format", "json", "--group", "Tea Paris"
    )
    assert code == 0, out
    groups = {f["group"] for f in json.loads(out)}
    assert groups == {"*", "Tea Paris"}


def test_group_filter_shows_what_a_group_with_its_own_posts_receives(playbook: Path) -> None:
    """A `groups:` entry choosing the group's posts, and the staff channel, change what it
    receives: `--group` used to list every group's posts for them all the same."""
    text = playbook.read_text("utf-8") + (
        "groups:\n  Tea Paris: {calendar_posts: [deals]}\nalerts: {staff_group: Staff room}\n"
    )
    playbook.write_text(text, "utf-8")
    code, out = run(str(playbook), "--from", "2026-11-23", "--days", "10", "--format", "json",
                    "--group", "Tea Paris", "--group", "Staff room")  # fmt: skip
    assert code == 0, out
    firings = json.loads(out)
    paris = [(f["post"], f["kind"]) for f in firings if f["group"] == "Tea Paris"]
    assert ("deals", "post") in paris
    assert ("tips", "post") not in paris and ("gone", "post") not in paris
    assert {f["group"] for f in firings} == {"Tea Paris", "Staff room"}, "no '*' rows"
    staff = [f["post"] for f in firings if f["group"] == "Staff room"]
    assert "tips" not in staff and "anniversary" in staff, "rituals still reach every group"
    # a group with no entry of its own still gets every group's posts, as before
    code, out = run(str(playbook), "--from", "2026-11-23", "--format", "json",
                    "--group", "Tea London")  # fmt: skip
    london = json.loads(out)
    assert {f["group"] for f in london} == {"*", "Tea London"}
    assert "tips" in {f["post"] for f in london}


def test_without_group_a_group_choosing_its_own_posts_is_not_hidden_under_every_group(
    playbook: Path,
) -> None:
    """A matrix of groups where one group's `groups:` entry lists its own posts: the plain
    `hearth calendar` listed the daily tips under "every group" and said nothing of Tea Paris,
    which receives only the deals; the console's Calendar said "every group but Tea Paris"."""
    text = playbook.read_text("utf-8") + "groups:\n  Tea Paris: {calendar_posts: [deals]}\n"
    playbook.write_text(text, "utf-8")
    code, out = run(str(playbook), "--from", "2026-11-23", "--days", "7")
    assert code == 0, out
    sections = {block.splitlines()[0]: block for block in out.split("\n\n")}
    assert "tips post" in sections["every group but Tea Paris (below)"]
    paris = sections["Tea Paris"]
    assert "deals post (remind staff)" in paris and "tips" not in paris
    code, out = run(str(playbook), "--from", "2026-11-23", "--format", "json")
    firings = json.loads(out)
    assert {f["post"] for f in firings if f["group"] == "Tea Paris"} >= {"deals"}
    assert "tips" not in {f["post"] for f in firings if f["group"] == "Tea Paris"}
    (playbook.parent / "plain.yaml").write_text(MINIMAL + CALENDAR, "utf-8")
    code, out = run(str(playbook.parent / "plain.yaml"), "--from", "2026-11-23")
    assert "\nevery group\n" in out  # no entry of its own: every group is every group


def test_a_group_nothing_names_is_told_it_gets_what_every_group_gets(playbook: Path) -> None:
    result = CliRunner().invoke(app, ["calendar", str(playbook), "--group", "Tea Lodnon"])
    assert result.exit_code == 0
    assert "no post, live session or `groups:` entry names the group 'Tea Lodnon'" in (
        result.stderr
    )
    assert "every group" in result.stdout
    quiet = CliRunner().invoke(app, ["calendar", str(playbook), "--group", "Tea London"])
    assert quiet.stderr == ""


def test_a_broken_playbook_prints_its_problems_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(
        MINIMAL
        + "calendar:\n  posts:\n    - {id: x, schedule: every dya 08:00, content: {text: hi}}\n",
        "utf-8",
    )
    code, out = run(str(path))
    assert code == 1
    assert f"{path}:" in out and "calendar.posts[0].schedule" in out


def test_a_bad_start_day_is_explained(playbook: Path) -> None:
    code, out = run(str(playbook), "--from", "next week")
    assert code == 2 and "YYYY-MM-DD" in out


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-25"])
def test_a_start_day_at_the_ends_of_the_calendar_names_the_option_and_its_range(
    playbook: Path, day: str
) -> None:
    """Python's dates end at year 1 and 9999: these overflowed, and the command said a number
    was too large for the database, ids going up to 2**63-1."""
    code, out = run(str(playbook), "--from", day)
    assert code == 2
    assert f"--from '{day}' is out of range: give a day from 1970-01-01 to 9997-12-31" in out


def test_the_last_day_it_takes_prints_a_year_of_calendar(playbook: Path) -> None:
    code, out = run(str(playbook), "--from", "9997-12-31", "--days", "366")
    assert code == 0 and "from 9997-12-31 00:00" in out


def test_a_groups_entry_keyed_by_carrier_id_is_applied_with_the_database(
    playbook: Path, store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`groups: {tea-7: {calendar_posts: [tips]}}` gives Tea Rome, whose carrier id is tea-7,
    the tips alone. Asked for Tea Rome, the command read the playbook alone: it said no entry
    names the group and showed every group's posts. With the database it applies the entry;
    without one it says an entry may be keyed by the carrier id."""
    text = MINIMAL + CALENDAR + "groups:\n  tea-7:\n    calendar_posts: [tips]\n"
    playbook.write_text(text, "utf-8")
    community = apply_playbook(store, parse_playbook(text, str(playbook)), "test").community
    store.add_group(community.id, "Tea Rome", "webchat", "tea-7", 30)
    asked = ["calendar", str(playbook), "--from", "2026-11-23", "--format", "json",
             "--group", "Tea Rome"]  # fmt: skip
    elsewhere = playbook.parent / "elsewhere"  # no hearth.toml, no database
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    for name in ("HEARTH_DATABASE_URL", "HEARTH_CONFIG", "HEARTH_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    alone = CliRunner().invoke(app, asked)
    assert alone.exit_code == 0, alone.output
    assert {"tips", "gone"} <= {f["post"] for f in json.loads(alone.stdout)}
    assert ("note: no post, live session or `groups:` entry names the group 'Tea Rome' (a "
            "`groups:` entry keyed by the group's carrier id is not seen without its database: "
            "pass --config); shown: what every group receives") in " ".join(alone.stderr.split())  # fmt: skip

    seen = CliRunner().invoke(app, asked, env={"HEARTH_DATABASE_URL": database_url})
    assert seen.exit_code == 0, seen.output
    rome = json.loads(seen.stdout)
    assert {f["group"] for f in rome} == {"Tea Rome"}
    assert {f["post"] for f in rome} == {"tips"}, rome
    assert seen.stderr == ""


def test_the_daily_check_in_summary_and_title_reminders_are_listed(playbook: Path) -> None:
    """The playbook's daily check-in summary and its titles' duty reminders fire on a
    schedule like posts and rituals, and `hearth calendar` (and the console's Calendar, from
    the same agenda) left them out."""
    text = playbook.read_text("utf-8") + (
        "mechanisms:\n  check_in: {daily_summary: '21:30'}\n  titles:\n"
        "    - {name: Kettle keeper, duty: remind everyone to drink water, "
        "reminder: every day 10:00}\n"
        "    - {name: Taster, duty: rate a new tea}\n"  # no reminder: nothing fires
    )
    playbook.write_text(text, "utf-8")
    code, out = run(str(playbook), "--from", "2026-11-23", "--days", "2", "--format", "json")
    assert code == 0, out
    said = [(f["at"], f["post"], f["kind"], f["group"]) for f in json.loads(out)
            if f["kind"] in ("daily-summary", "title-reminder")]  # fmt: skip
    assert said == [
        ("2026-11-23T10:00:00+00:00", "Kettle keeper", "title-reminder", "*"),
        ("2026-11-23T21:30:00+00:00", "check_in", "daily-summary", "*"),
        ("2026-11-24T10:00:00+00:00", "Kettle keeper", "title-reminder", "*"),
        ("2026-11-24T21:30:00+00:00", "check_in", "daily-summary", "*"),
    ]
    code, out = run(str(playbook), "--from", "2026-11-23", "--days", "1")
    assert "Mon 2026-11-23 10:00  Kettle keeper title-reminder  @Kettle keeper holders" in out
    assert "Mon 2026-11-23 21:30  check_in daily-summary  the day's check-ins" in out
