"""`hearth report` as an operator runs it: JSON to standard output or a file, the HTML page,
and readable errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthkeeper.cli import app
from hearthkeeper.store import Store
from tests.report_setup import tea_community


def _run(database_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["report", *args], env={"HEARTH_DATABASE_URL": database_url})
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_json_goes_to_standard_output(store: Store, database_url: str) -> None:
    tea_community(store)
    code, out = _run(database_url, "--community", "tea", "--format", "json",
                     "--from", "2026-03-01", "--to", "2026-03-03")  # fmt: skip
    assert code == 0, out
    report = json.loads(out)
    assert report["period"] == {"start": "2026-03-01", "end": "2026-03-03"}
    assert [(g["name"], g["messages"], g["members"]) for g in report["groups"]] == [
        ("Tea 1", 4, 2), ("Tea 2", 2, 2), ("Tea 3", 0, 0),
    ]  # fmt: skip
    assert [d["active_members"] for d in report["overall"]["daily"]] == [1, 3, 1]


def test_html_is_written_to_report_html_and_a_json_out_file_picks_json(
    store: Store, database_url: str, here: Path
) -> None:
    tea_community(store)
    code, out = _run(database_url, "--community", "Tea Friends", "--from", "2026-03-01")
    assert code == 0, out
    assert "to report.html" in out and "6 messages in 3 groups" in out
    page = (here / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and 'id="chart-data"' in page
    code, out = _run(database_url, "--community", "tea", "--from", "2026-03-01",
                     "--out", "tea.json")  # fmt: skip
    assert code == 0, out
    assert json.loads((here / "tea.json").read_text(encoding="utf-8"))["overall"]["messages"] == 6


def test_unknown_community_lists_the_communities(store: Store, database_url: str) -> None:
    tea_community(store)
    code, out = _run(database_url, "--community", "coffee")
    assert code == 1
    assert "no community 'coffee' (there are: tea (Tea Friends))" in out


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_bad_dates_say_how_to_write_them(store: Store, database_url: str) -> None:
    tea_community(store)
    code, out = _run(database_url, "--community", "tea", "--from", "1 March")
    assert code == 1 and "--from '1 March' is not a date; write it as YYYY-MM-DD" in out
    code, out = _run(database_url, "--community", "tea", "--from", "2026-03-04",
                     "--to", "2026-03-01", "--format", "json")  # fmt: skip
    assert code == 1 and "after it ends on 2026-03-01" in out


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
@pytest.mark.parametrize(("option", "day"), [("--from", "0001-01-01"), ("--to", "9999-12-31")])
def test_days_at_the_ends_of_the_calendar_name_the_option_and_its_range(
    store: Store, database_url: str, option: str, day: str
) -> None:
    """They overflowed a date in the report's look-back/ahead: 'a number in this command is too
    large for the database … ids go up to …'."""
    tea_community(store)
    code, out = _run(database_url, "--community", "tea", "--format", "json", option, day)
    assert code == 1
    assert f"{option} '{day}' is out of range: give a day from 1970-01-01 to 9997-12-31" in out


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_period_longer_than_one_report_measures_is_refused_or_shortened(
    store: Store, database_url: str, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each day of each group costs the report memory (a year of 10,000 groups: some 5 GB):
    beyond `MAX_SCOPE_DAYS` a period asked for is refused naming the longest, and the default
    period (from the first message) starts later, saying so. Here 40 group-days: 3 groups and
    the whole community, 10 days."""
    monkeypatch.setattr("hearthkeeper.analytics.report.MAX_SCOPE_DAYS", 40)
    tea_community(store)
    code, out = _run(database_url, "--community", "tea", "--from", "2026-03-01",
                     "--to", "2026-03-20")  # fmt: skip
    assert code == 1
    assert "20 days of 3 groups is more than one report measures" in out
    assert "at most 10 days, e.g. --from 2026-03-11" in out
    assert not (here / "report.html").exists()
    code, out = _run(database_url, "--community", "tea", "--to", "2026-03-20")
    assert code == 0, out
    assert "note: the report starts on 2026-03-11, not at the first message" in out
    assert "(2026-03-11 to 2026-03-20, " in out
    code, out = _run(database_url, "--community", "tea", "--from", "2026-03-11",
                     "--to", "2026-03-20")  # fmt: skip
    assert code == 0 and "note:" not in out


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("-o", "r.pdf"), "writes HTML (.html, .htm) or JSON (.json), not .pdf"),
        (("-o", "r.txt", "--format", "json"), "not .txt"),
        (("-o", "r.json", "--format", "html"), "names a JSON file but --format is html"),
    ],
)
def test_an_out_file_whose_extension_is_not_the_format_written_is_refused(
    store: Store, database_url: str, here: Path, args: tuple[str, ...], says: str
) -> None:
    tea_community(store)
    code, out = _run(database_url, "--community", "tea", "--from", "2026-03-01", *args)
    assert code == 1
    assert says in " ".join(out.split())
    assert not [p for p in here.iterdir() if p.name.startswith("r.")]  # nothing written


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_an_htm_out_file_gets_the_html_page(store: Store, database_url: str, here: Path) -> None:
    tea_community(store)
    code, out = _run(database_url, "--community", "tea", "--from", "2026-03-01", "-o", "r.htm")
    assert code == 0, out
    assert (here / "r.htm").read_text(encoding="utf-8").startswith("<!doctype html>")
