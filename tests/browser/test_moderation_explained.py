"""How the console explains a moderation decision, in a real browser: the moderation queue
says each rule once with the member's own words and the message around them, and the inbox
says which column is the notice staff were told and which the reason."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import OpenPage, Screenshots
from tests.browser.live import LiveServer
from tests.browser.pages import eventually, sign_in


def test_staff_read_each_decision_once_in_the_members_words(
    live_server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    seller = live_server.add_member("小鹿")
    rude = live_server.add_member("Bob")
    live_server.say(seller, "同意")
    live_server.say(rude, "同意")
    live_server.say(seller, "大家好，全新二手相机，一口价888，v我一下 abc12345")
    live_server.say(rude, "You are an IDIOT, seriously")
    store, community = live_server.store, live_server.community_id
    eventually(lambda: store.community_strikes(community), "the advert's strike")
    eventually(lambda: store.staff_alerts(community), "the insult's alert")

    page = open_page(locale="en")
    base = f"/console/c/{live_server.slug}"
    sign_in(page, live_server, f"{base}/moderation")
    why = page.locator("#live-strikes td.text")
    # the contact rule reads 'v我1下' (numerals as digits); staff read what the member wrote
    expect(why).to_have_text(
        "contact: 'v我一下' (WeChat offered by sound or symbol) — in \"大家好，全新二手相机，"
        "一口价888，v我一下 abc12345\"; the member's 1st strike"
    )
    shots.take(page, "moderation")

    page.goto(f"{live_server.url}{base}/inbox")
    alert = page.locator("#alerts tbody tr")
    expect(page.locator("#alerts thead")).to_contain_text("Staff were told")
    expect(alert.locator("td.text").nth(1)).to_have_text(
        "insults: 'IDIOT' (keyword) — in \"You are an IDIOT, seriously\""
    )
    shots.take(page, "inbox")
