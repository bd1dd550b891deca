"""The console's health dashboard: behind sign-in, the report's numbers live from the store,
one group or the whole community, chart data as inert JSON the page's script draws."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from hearthkeeper.analytics.report import build_report
from hearthkeeper.web.assets import STATIC
from hearthkeeper.web.auth import SESSION_COOKIE, new_token, token_hash
from tests.console_setup import BASE, SCRIPT, Console

_DATA = re.compile(r'<script type="application/json" id="chart-data">(.*?)</script>', re.S)


def _charts(page: str) -> dict[str, Any]:
    found = _DATA.search(page)
    assert found is not None, "the page carries its chart data"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_a_stranger_is_sent_to_sign_in(console: Console) -> None:
    answer = TestClient(console.client.app).get(f"{BASE}/health", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/sign-in?next=" + f"{BASE}/health".replace(
        "/", "%2F"
    )


def test_the_dashboard_shows_todays_activity_and_loads_the_chart_script(console: Console) -> None:
    page = console.get("/health")
    assert page.status_code == 200
    text = page.text
    assert 'aria-current="page">Health' in text  # the nav entry is marked
    for script in ("console/charts.js", "vendor/chart.umd.min.js", "console/console.js"):
        # named by a version of its content: a browser holding an older copy fetches it anew
        version = hashlib.sha256((STATIC / script).read_bytes()).hexdigest()[:10]
        assert f'<script src="/static/{script}?v={version}" defer></script>' in text
    # served to be kept for good at that address, and checked again at the bare one
    client = console.client
    drawn = hashlib.sha256((STATIC / "console/charts.js").read_bytes()).hexdigest()[:10]
    served = client.get(f"/static/console/charts.js?v={drawn}")
    assert served.content == (STATIC / "console/charts.js").read_bytes()
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert client.get("/static/console/charts.js").headers["cache-control"] == "no-cache"
    charts = _charts(text)
    everyone = charts["scopes"][0]
    assert everyone["key"] == "all" and charts["selected"] == "all"
    today = everyone["daily"][-1]
    # 同意, the introduction and the question, by mei; the two ads and the insult were
    # deleted by moderation: counted nowhere, spam and angry spoke not.
    assert (today["messages"], today["active_members"]) == (3, 1)
    assert "3 messages, 1 member spoke" in text, "one member: no plural"
    assert "1 members" not in text
    for kind in ("activity", "segments", "cohorts", "health", "content"):
        assert f'data-chart="{kind}"' in text
    # Nothing inline that the console's policy would refuse to run.
    assert re.search(r"<script>(?!</)", text) is None


def test_one_group_is_shown_with_its_own_numbers(console: Console) -> None:
    page = console.get("/health", scope=f"g{console.group_id}", days="30")
    assert page.status_code == 200
    charts = _charts(page.text)
    assert [s["key"] for s in charts["scopes"]] == ["all", f"g{console.group_id}"]
    assert charts["selected"] == f"g{console.group_id}"
    assert charts["scopes"][1]["label"] == "颜学院护肤社 1群"
    assert 'option value="30" selected' in page.text


def test_an_unknown_scope_or_period_falls_back_and_names_are_inert(console: Console) -> None:
    page = console.get("/health", scope="g999", days="7")
    assert page.status_code == 200
    assert _charts(page.text)["selected"] == "all"
    assert 'option value="90" selected' in page.text
    assert SCRIPT not in page.text  # member names never reach the page as markup


def test_an_unknown_community_is_a_404_in_the_layout(console: Console) -> None:
    answer = console.client.get("/console/c/nope/health")
    assert answer.status_code == 404
    assert "There is no community" in answer.text


def test_a_second_load_reads_no_rollups_and_new_messages_show(console: Console) -> None:
    heavy: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "activity_days" in statement or "group_day_kinds" in statement:
            heavy.append(statement)

    event.listen(console.store.engine, "before_cursor_execute", seen)
    try:
        first = _charts(console.get("/health").text)
        assert heavy, "the first load builds the report from the rollups"
        heavy.clear()
        again = _charts(console.get("/health").text)
        assert heavy == [], "nothing changed: the page reuses the report it built"
        assert again == first
        console.engine.process([console.events.message("mei", "还有人在吗", name="美美")])
        later = _charts(console.get("/health").text)
        assert heavy, "a new message: the report is built again"
    finally:
        event.remove(console.store.engine, "before_cursor_execute", seen)
    today = later["scopes"][0]["daily"][-1]
    assert today["messages"] == first["scopes"][0]["daily"][-1]["messages"] + 1


def test_a_period_longer_than_one_dashboard_measures_is_shortened_saying_so(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each day of each group costs the report memory: with more groups than a period allows
    (`MAX_SCOPE_DAYS`, made small here), the dashboard shows fewer days and says why."""
    groups = len(console.store.list_groups(console.community_id))
    monkeypatch.setattr("hearthkeeper.analytics.report.MAX_SCOPE_DAYS", 4 * (groups + 1))
    page = console.get("/health", days="30")
    assert page.status_code == 200
    assert f"Shorter than chosen: with {groups} groups, one dashboard measures at most 4 days" in (
        page.text
    )
    monkeypatch.setattr("hearthkeeper.analytics.report.MAX_SCOPE_DAYS", 30 * (groups + 1))
    assert "Shorter than chosen" not in console.get("/health", days="30").text


def test_history_older_than_a_year_is_shown_with_all_history(console: Console) -> None:
    """A community whose history was imported (`hearth import`) and ended over a year ago
    showed 0 messages and "First message —" for every period offered, and nothing said
    where its history was: the page says so and offers all its history."""
    console.clock.advance(timedelta(days=400))
    operator = console.store.add_operator("bea", "unused")
    token = new_token()
    console.store.create_session(operator.id, token_hash(token), new_token(),
                                 console.clock.now() + timedelta(hours=1))  # fmt: skip
    console.client.cookies.set(SESSION_COOKIE, token)
    page = console.get("/health")
    assert page.status_code == 200
    assert "No message in these days: the history runs from" in page.text
    assert 'href="/console/c/' in page.text and "days=all" in page.text
    everything = console.get("/health", days="all")
    assert everything.status_code == 200
    assert '<option value="all" selected>all history</option>' in everything.text
    assert "No message in these days" not in everything.text
    assert "3 messages, 1 member spoke" in everything.text


def test_the_response_line_says_what_the_faq_answered_as_the_report_does(
    console: Console,
) -> None:
    """A member's question the FAQ answered is not shown as one left waiting for staff: the
    group's response line says the FAQ answered it, in the words of the report's JSON."""
    console.engine.process([console.events.message("lin", "请问团购怎么下单？", name="小林")])
    asyncio.run(console.engine.drain())
    page = console.get("/health", scope=f"g{console.group_id}", days="30")
    assert page.status_code == 200
    line = ("Response: 0 of 2 questions answered by a person in the last 28 days; the FAQ "
            "answered 1 automatically, 1 unanswered — 0/100")  # fmt: skip
    assert line in page.text
    today = console.clock.now().date()
    report = build_report(console.store, console.community_id, now=console.clock.now(),
                          start=today - timedelta(days=29), end=today).to_json()  # fmt: skip
    [group] = report["groups"]
    [response] = [c for c in group["health"]["components"] if c["key"] == "response"]
    assert response["explanation"] == line
    assert group["metrics"]["total"]["faq_answered"] == 1


def test_pages_read_one_playbook_version_however_often_it_was_edited(console: Console) -> None:
    """The Health and Matrix pages read every stored playbook version's whole content (about
    12 KB each) to date the scheduled posts, on each load: the more an operator had edited
    the playbook, the slower both pages. They read the latest version alone now."""
    store, community_id = console.store, console.community_id
    latest = store.latest_playbook_version(community_id)
    assert latest is not None and latest.content["calendar"]["posts"]
    for n in range(30):
        store.add_playbook_version(community_id, f"{latest.source_text}# edit {n}\n",
                                   latest.content, "operator:li")  # fmt: skip
    reads: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FROM playbook_versions" in statement:
            reads.append(" ".join(statement.split()))

    event.listen(console.store.engine, "before_cursor_execute", seen)
    try:
        for page in ("/health", "/matrix"):
            reads.clear()
            assert console.get(page).status_code == 200
            assert reads, f"{page} reads the playbook"
            unbounded = [r for r in reads if "LIMIT" not in r and ".id =" not in r]
            assert unbounded == [], f"{page} reads every version: {unbounded}"
    finally:
        event.remove(console.store.engine, "before_cursor_execute", seen)
