"""The health dashboard and the HTML report in a real browser: the charts draw (a canvas of
real size for each chart with data), nothing complains in the console, the report needs no
network when opened from disk; screenshots of both."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Page, Request, Route, expect

from hearthkeeper.analytics.report import build_report
from hearthkeeper.analytics.report_html import render_html
from hearthkeeper.capabilities.calendar.repository import SqlPosts
from tests.browser.conftest import OpenPage, Screenshots
from tests.browser.live import LiveServer
from tests.browser.pages import eventually, sign_in

CHARTS = ("activity", "segments", "cohorts", "health", "content")


def _chatter(server: LiveServer) -> None:
    """A scheduled post went out a few minutes ago in the first group; members talk after it."""
    posted = datetime.now(UTC) - timedelta(minutes=5)
    posts = SqlPosts.on(server.store)
    posts.claim_post(server.community_id, server.groups()[0].id, "morning-pack", posted,
                     item_id=None, content_kind="text", mode="auto", status="posted",
                     posted_at=posted)  # fmt: skip
    deer = server.add_member("小鹿")
    flower = server.add_member("阿花")
    server.say(deer, "同意")
    server.say(deer, "大家好，我是小鹿，混油皮")
    server.say(flower, "同意")
    server.say(flower, "早上好～今天的知识包讲防晒补涂")
    server.say(deer, "打卡")
    store, community = server.store, server.community_id
    since = datetime.now(UTC) - timedelta(days=1)
    eventually(lambda: store.live_numbers(community, since).messages >= 5,
               "the members' messages in the store")  # fmt: skip


def _watch(page: Page) -> list[str]:
    """Collect console errors and uncaught exceptions of `page`."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"{message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    return problems


def _drawn(page: Page) -> dict[str, tuple[str | None, float, float]]:
    """Per chart: whether it drew, and its canvas's size on the page."""
    found: dict[str, tuple[str | None, float, float]] = {}
    for kind in CHARTS:
        figure = page.locator(f"[data-chart='{kind}']")
        expect(figure).to_have_attribute("data-drawn", re.compile("true|empty"))
        state = figure.get_attribute("data-drawn")
        box = figure.locator("canvas").bounding_box() if state == "true" else None
        found[kind] = (state, box["width"] if box else 0.0, box["height"] if box else 0.0)
    return found


def _check_charts(page: Page) -> None:
    """Every chart drew on a canvas of real size."""
    for kind, (state, width, height) in _drawn(page).items():
        assert state == "true", f"the {kind} chart did not draw"
        assert width > 100 and height > 100, (kind, width, height)
        expect(page.locator(f"[data-chart='{kind}'] .chart-empty")).to_be_hidden()


def test_the_dashboard_draws_its_charts(
    live_server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    _chatter(live_server)
    page = open_page(locale="en")
    problems = _watch(page)
    base = f"/console/c/{live_server.slug}"
    sign_in(page, live_server, base)
    page.click(f"nav a[href='{base}/health']")
    expect(page.locator("h1")).to_have_text("Health")
    _check_charts(page)
    shots.take(page, "dashboard")

    group = live_server.groups()[0]
    page.select_option("#chart-scope", f"g{group.id}")  # the page reloads with the group
    expect(page).to_have_url(re.compile(rf"/health\?scope=g{group.id}&days=90$"))
    expect(page.locator("#chart-scope-label")).to_have_text(group.name)
    _check_charts(page)
    shots.take(page, "dashboard-group")
    assert problems == []


def test_the_html_report_opens_from_disk_without_network(
    live_server: LiveServer, open_page: OpenPage, shots: Screenshots, tmp_path: Path
) -> None:
    _chatter(live_server)
    report = build_report(live_server.store, live_server.community_id, now=datetime.now(UTC))
    target = tmp_path / "report.html"
    target.write_text(render_html(report), encoding="utf-8")

    page = open_page(locale="en")
    problems = _watch(page)
    outside: list[str] = []

    def refuse(route: Route, request: Request) -> None:
        if request.url.startswith("file://"):
            route.continue_()
        else:
            outside.append(request.url)
            route.abort()

    page.route("**/*", refuse)
    page.goto(target.as_uri())
    expect(page.locator("h1")).to_have_text("颜学院护肤社")
    _check_charts(page)
    shots.take(page, "report")

    group = live_server.groups()[0]
    page.select_option("#chart-scope", f"g{group.id}")  # switches in the page, no server
    _check_charts(page)
    assert outside == [] and problems == []


def test_a_question_the_faq_answered_reads_so_on_the_dashboard(
    live_server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    """A member's question the running server's FAQ answered: the group's response line says
    the FAQ answered it, not that it waits for staff."""
    deer = live_server.add_member("小鹿")
    live_server.say(deer, "同意")  # the group's rules first
    live_server.say(deer, "请问团购怎么下单？")
    store, group = live_server.store, live_server.groups()[0]
    # The report's days are the community's (Asia/Shanghai): a day either side of today's
    # UTC date holds the local day whatever the hour the test runs (from 16:00 UTC it is
    # tomorrow in Shanghai).
    today = datetime.now(UTC).date()

    def faq_answered() -> int:
        made = build_report(store, live_server.community_id, now=datetime.now(UTC),
                            start=today - timedelta(days=1), end=today + timedelta(days=1))  # fmt: skip
        return int(made.to_json()["overall"]["metrics"]["total"]["faq_answered"])

    eventually(lambda: faq_answered() == 1, "the FAQ's answer sent")
    page = open_page(locale="en")
    sign_in(page, live_server, f"/console/c/{live_server.slug}")
    page.goto(f"{live_server.url}/console/c/{live_server.slug}/health?scope=g{group.id}")
    line = page.locator(".health-group li", has_text="Response:")
    expect(line).to_contain_text(
        "Response: 0 of 1 questions answered by a person in the last 28 days; the FAQ "
        "answered 1 automatically, none left unanswered — 0/100"
    )
    shots.take(page, "faq-answered")
