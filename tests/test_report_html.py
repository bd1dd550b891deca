"""The HTML report: one file holding its data, chart library and script, loading nothing from
anywhere, with names from the chat kept as text."""

from __future__ import annotations

import json
import re

from hearthkeeper.analytics.report import build_report
from hearthkeeper.analytics.report_charts import chart_data
from hearthkeeper.analytics.report_html import render_html
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store
from tests.report_setup import NOW, tea_community

HOSTILE = '<script>alert("x")</script>'


def _block(page: str, block_id: str) -> object:
    found = re.search(
        rf'<script type="application/json" id="{block_id}">(.*?)</script>', page, re.S
    )
    assert found is not None, block_id
    return json.loads(found.group(1))


def test_the_page_holds_the_report_and_the_chart_data(store: Store) -> None:
    community = tea_community(store)
    report = build_report(store, community.id, now=NOW)
    page = render_html(report)
    charts = _block(page, "chart-data")
    assert charts == chart_data(report.to_json())
    assert isinstance(charts, dict)
    assert [s["label"] for s in charts["scopes"]] == [
        "Tea Friends (all groups)", "Tea 1", "Tea 2", "Tea 3",
    ]  # fmt: skip
    everyone = charts["scopes"][0]
    assert [d["messages"] for d in everyone["daily"]] == [1, 4, 1, 0]
    # The content ranking: the text post was followed by two messages within the hour, the
    # picture by one (tests/report_setup.py).
    assert [(k["kind"], k["engagement"]) for k in everyone["content"]] == [
        ("text", 2.0), ("picture", 1.0),
    ]  # fmt: skip
    # Health components drawn are the measured ones, named for people (no questions were
    # asked, so "response" is not measured and not drawn).
    names = [c["name"] for c in everyone["health"]["components"]]
    assert names[0] == "Activity" and "Response" not in names
    # The numbers a reader sees first, times in the community's zone (Asia/Shanghai).
    assert "<dt>Messages</dt><dd>6</dd>" in page
    assert "2026-03-01 23:59" in page and "2026-03-03 09:00" in page
    # The chart library and the drawing script are inside, and Chart.js's notice kept.
    assert "Chart.js v4" in page and "Released under the MIT License" in page
    assert "chartjs-chart-matrix" in page and "BUILDERS" in page


def test_the_page_loads_nothing_from_outside(store: Store) -> None:
    community = tea_community(store)
    page = render_html(build_report(store, community.id, now=NOW))
    assert re.search(r"<script[^>]*\bsrc=", page) is None
    assert re.search(r"<link\b", page) is None
    assert re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page) is None
    assert "url(" not in page and "@import" not in page
    assert "sourceMappingURL" not in page
    assert page.count("<script>") == 3  # Chart.js, the matrix plugin, charts.js


def test_names_from_the_chat_stay_text(store: Store, store_clock: FrozenClock) -> None:
    community = tea_community(store)
    store_clock.set(NOW)  # the group is opened today
    store.add_group(community.id, HOSTILE, "fake", "hostile")
    page = render_html(build_report(store, community.id, now=NOW))
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page  # in the groups table
    charts = _block(page, "chart-data")
    assert isinstance(charts, dict)
    # intact once parsed (groups are listed by name: `<script…` before `Tea 1`)
    assert HOSTILE in [scope["label"] for scope in charts["scopes"]]
