"""`hearth report` carries the matrix: its warnings and every group, in JSON and in the HTML
page, and docs/metrics.md names every field of it."""

from __future__ import annotations

import re
from pathlib import Path

from hearthkeeper.analytics.report import build_report
from hearthkeeper.analytics.report_html import render_html
from tests.capabilities.grid.generated import DEAD, FULL, NOW, Grid, name
from tests.capabilities.grid.test_generated import WARNINGS

DOCS = Path(__file__).resolve().parents[3] / "docs" / "metrics.md"


def test_the_report_has_the_matrix_and_its_warnings(grid: Grid) -> None:
    store, made = grid.store, grid.made
    report = build_report(store, made.community_id, now=NOW)
    matrix = report.to_json()["matrix"]

    assert [w["text"] for w in matrix["warnings"]] == WARNINGS
    groups = {g["name"]: g for g in matrix["groups"]}
    assert len(groups) == 50
    full = groups[name(FULL)]
    assert (full["members"], full["capacity"], full["fill"], full["stage"]) == (
        186, 200, 0.93, "mature")  # fmt: skip
    assert groups[name(DEAD)]["in_charge"] == [
        {"member_id": made.wang, "name": "Wang Fang", "assigned": False}]  # fmt: skip

    page = render_html(report)
    assert "Matrix of groups" in page
    assert "Orange 12 is dying: 2 messages this week vs 40/week" in page

    section = DOCS.read_text(encoding="utf-8").split("## Report format", 1)[1]
    named = {part.removesuffix("[]") for quoted in re.findall(r"`([^`]+)`", section)
             for part in quoted.split(".")}  # fmt: skip
    fields = (
        set(matrix)
        | set(matrix["groups"][0])
        | set(matrix["warnings"][0])
        | set(groups[name(DEAD)]["in_charge"][0])
    )
    assert sorted(fields - named) == []
