"""A closed group in the report and on the console's Health page reads as closed: its health
was shown as a bare 0 ("Tea 3: health 0/100", first among the lowest scores), as a dead group
reads, though the heat-death warnings already leave it out."""

from __future__ import annotations

from hearthkeeper.analytics.report import build_report
from hearthkeeper.analytics.report_html import render_html
from hearthkeeper.store import Store
from hearthkeeper.web.console.health import by_health
from tests.console_setup import Console
from tests.report_setup import NOW, tea_community


def _closed_tea_3(store: Store) -> int:
    community = tea_community(store)
    [tea3] = [g for g in store.list_groups(community.id) if g.name == "Tea 3"]
    store.close_group(tea3.id, "ops")
    return community.id


def test_the_report_s_group_table_says_a_closed_group_is_closed(store: Store) -> None:
    community_id = _closed_tea_3(store)
    report = build_report(store, community_id, now=NOW)
    page = render_html(report)
    table = page.split('id="groups-title"')[1].split("</table>")[0]
    row = table.split("<td>Tea 3")[1].split("</tr>")[0]
    assert row.startswith(' <span class="muted small">closed 20')
    assert row.rstrip().endswith('<td class="num">closed</td>')
    details = page.split("<strong>Tea 3</strong>: ")[1].split("</summary>")[0]
    assert (
        details.startswith("closed 20") and " by ops (<code>hearth groups close</code>)" in details
    )
    assert "no heat-death warning about it; its health, as if open, 0/100" in details
    assert "health 0/100" not in page.split('id="groups-title"')[1].split("</section>")[0]
    # the open groups read as before
    assert "<strong>Tea 2</strong>: health 76/100" in page
    [tea3] = [g for g in report.to_json()["groups"] if g["name"] == "Tea 3"]
    assert tea3["closed"]["by"] == "ops" and tea3["closed"]["at"].startswith("20")
    assert all(g["closed"] is None for g in report.to_json()["groups"] if g["name"] != "Tea 3")


def test_the_health_page_lists_a_closed_group_last_as_closed(store: Store) -> None:
    """ "Health by group" puts the lowest score first, the groups that need the operator: the
    closed group's 0 put it at the top."""
    community_id = _closed_tea_3(store)
    groups = build_report(store, community_id, now=NOW).to_json()["groups"]
    assert [g["name"] for g in by_health(groups)] == ["Tea 2", "Tea 1", "Tea 3"]


def test_the_console_health_page_says_closed(console: Console) -> None:
    console.post("/groups")
    _, two = console.store.list_groups(console.community_id)
    assert console.post("/groups/close", {"group_id": str(two.id)}).status_code == 303
    page = console.get("/health").text
    summary = page.split(f'<summary data-group-id="{two.id}">')[1].split("</summary>")[0]
    assert "closed by console:ann: no heat-death warning about it" in summary
    assert "new — not enough data yet" not in summary
