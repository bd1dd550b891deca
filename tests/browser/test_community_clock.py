"""Times on the community's clock, whatever the reader's: a member reading the web chat in
Los Angeles (an American browser) sees the Shanghai community's times, as its console shows
them, each page saying which zone. The chat showed the browser's own time ("05:10 PM") for a
message the console and the bot's posts put at 09:10 Shanghai time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.conftest import OpenPage, Screenshots
from tests.browser.live import LiveServer
from tests.browser.pages import join_chat, messages, say, sign_in

ZONE = "Asia/Shanghai"  # the skincare template's community.timezone
BROWSER_ZONE = "America/Los_Angeles"


def on_community_clock(at: str) -> datetime:
    return datetime.fromisoformat(at).astimezone(ZoneInfo(ZONE))


def test_the_chat_and_the_console_show_times_on_the_communitys_clock(
    live_server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    page = open_page(locale="en-US", timezone=BROWSER_ZONE)
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == BROWSER_ZONE
    join_chat(page, live_server.invite_url(), "Mei")
    say(page, "同意")
    say(page, "hello from far away")
    said = messages(page, "hello from far away").locator("time")
    expect(said).to_have_count(1)
    at = said.get_attribute("datetime")
    assert at is not None
    local = on_community_clock(at)
    expect(said).to_have_text(f"{local:%H:%M}")
    expect(said).to_have_attribute("title", f"{local:%Y-%m-%d %H:%M} {ZONE}")
    expect(page.locator("#zone")).to_have_text(f"时间按 {ZONE} 时区")  # a zh-CN community
    shots.take(page, "chat")

    console = open_page(locale="en-US", timezone=BROWSER_ZONE)
    sign_in(console, live_server, "/console/c/yan-academy-skincare/members")
    expect(console.locator("#console-zone")).to_have_text(
        f"Times in {ZONE} (the community's time zone)"
    )
    console.get_by_role("link", name="Mei", exact=True).click()
    row = console.locator("tr[data-message-id]").filter(has_text="hello from far away")
    # the same message, the same time, on the member's page
    expect(row.locator("time")).to_have_attribute("title", f"{local:%Y-%m-%d %H:%M} {ZONE}")
    shots.take(console, "member")
