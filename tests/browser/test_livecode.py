"""A newcomer follows a live code's stable link (what scanning the poster's QR code opens) in
a real browser against a real server: they land on the join page of a group with room, join,
are welcomed, and the channel is credited with their arrival."""

from __future__ import annotations

from playwright.sync_api import expect

from hearthkeeper.capabilities.livecodes.records import ChannelKind
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.capabilities.livecodes.stats import channel_stats
from tests.browser.conftest import OpenPage, Screenshots
from tests.browser.live import LiveServer
from tests.browser.pages import bot_says, eventually, sign_in


def test_the_live_code_link_leads_a_newcomer_into_a_group_and_credits_the_channel(
    live_server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    store, community = live_server.store, live_server.community_id
    SqlLiveCodes.on(store).add_channel(community, "spring-poster", "春季海报", ChannelKind.POSTER,
                                       notes="", carrier="webchat", by="test",
                                       at=store.list_communities()[0].created_at)  # fmt: skip
    page = open_page()
    page.goto(f"{live_server.url}/go/spring-poster")
    page.wait_for_url(f"**/join/{live_server.invite_code(0)}?via=code%3Aspring-poster")
    expect(page.locator("input[name=source]")).to_have_value("code:spring-poster")
    page.fill("input[name=nickname]", "小鹿")
    page.press("input[name=nickname]", "Enter")
    page.wait_for_url("**/chat/**")
    expect(page.locator("#status")).to_have_attribute("data-state", "online")
    expect(bot_says(page, "欢迎 小鹿 加入颜学院护肤社")).to_have_count(1)
    shots.take(page, "joined-by-live-code")

    def credited() -> list[int]:
        return [s.arrived for s in channel_stats(store, community, store.list_communities()[0]
                                                 .created_at) if s.arrived]  # fmt: skip

    assert eventually(credited, "the arrival counted for the live code") == [1]


def test_the_console_checks_a_live_code_name_in_the_browser_without_a_script_error(
    live_server: LiveServer, open_page: OpenPage
) -> None:
    """The name field's pattern compiles in Chromium (which reads patterns with the `v`
    flag), so the browser itself refuses a name the server would refuse, before sending."""
    page = open_page(locale="en-GB")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, live_server, f"/console/c/{live_server.slug}/livecodes")
    name = page.locator("#new-livecode input[name=code]")
    for bad in ("Not A Slug", "poster-"):
        name.fill(bad)
        assert name.evaluate("e => e.validity.patternMismatch") is True, bad
    for good in ("p", "spring-poster-2"):
        name.fill(good)
        assert name.evaluate("e => e.checkValidity()") is True, good
    assert [e for e in errors if "regular expression" in e] == []
