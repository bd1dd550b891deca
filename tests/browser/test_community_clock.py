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


def test_a_browser_without_the_communitys_zone_names_utc_where_it_shows_utc(
    live_server: LiveServer, open_page: OpenPage
) -> None:
    """A browser whose time zone data lacks the community's zone (an older one, as some
    in-app browsers are: Europe/Kyiv is a 2022 name) showed UTC times titled '… Asia/Shanghai'
    under the header 'Times in Asia/Shanghai'. Such a browser is made here by refusing the
    zone as an old one does (RangeError)."""
    page = open_page(locale="en-US", timezone=BROWSER_ZONE)
    refusing = """(() => {
      const Real = Intl.DateTimeFormat;
      Intl.DateTimeFormat = function (locales, options) {
        if (options && options.timeZone === "ZONE") throw new RangeError("Invalid time zone");
        return new Real(locales, options);
      };
      Intl.DateTimeFormat.prototype = Real.prototype;
    })();"""
    page.add_init_script(refusing.replace("ZONE", ZONE))
    join_chat(page, live_server.invite_url(), "Lin")
    say(page, "同意")
    say(page, "old phone here")
    said = messages(page, "old phone here").locator("time")
    expect(said).to_have_count(1)
    at = said.get_attribute("datetime")
    assert at is not None
    utc = datetime.fromisoformat(at).astimezone(ZoneInfo("UTC"))
    expect(said).to_have_text(f"{utc:%H:%M}")
    expect(said).to_have_attribute("title", f"{utc:%Y-%m-%d %H:%M} UTC")
    expect(page.locator("#zone")).to_have_text("时间按 UTC 时区")
