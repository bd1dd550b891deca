"""The operator's side in a real browser: signing in, finding a member who broke a rule,
pardoning the strike; the overview, inbox and playbook pages render."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import OpenPage, Screenshots
from tests.browser.live import LiveServer
from tests.browser.pages import eventually, sign_in


def test_signed_out_visitors_land_on_the_sign_in_page(
    live_server: LiveServer, open_page: OpenPage
) -> None:
    page = open_page(locale="en")
    members = f"/console/c/{live_server.slug}/members"
    page.goto(live_server.url + members)
    expect(page).to_have_url(f"{live_server.url}/console/sign-in?next=%2Fconsole%2Fc%2F"
                             f"{live_server.slug}%2Fmembers")  # fmt: skip
    page.fill("input[name=username]", live_server.operator)
    page.fill("input[name=password]", "not the password")
    page.click("form[action='/console/sign-in'] button[type=submit]")
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")

    page.fill("input[name=password]", live_server.password)
    page.click("form[action='/console/sign-in'] button[type=submit]")
    expect(page).to_have_url(live_server.url + members)  # back where they were going
    expect(page.locator("h1")).to_contain_text("Members")


def test_an_operator_finds_a_member_and_pardons_their_strike(
    live_server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    deer = live_server.add_member("小鹿")
    live_server.say(deer, "同意")
    live_server.say(deer, "加我微信 abc12345 低价代购")
    flower = live_server.add_member("阿花")
    live_server.say(flower, "同意")
    live_server.say(flower, "你有病吧")  # an insult: the template alerts staff, punishes nobody
    live_server.say(flower, "请问眼霜应该在精华之前还是之后用？")  # no FAQ entry: queued for staff
    store, community = live_server.store, live_server.community_id
    eventually(lambda: store.community_strikes(community), "the advert's strike")
    eventually(lambda: store.staff_alerts(community), "the insult's staff alert")

    page = open_page(locale="en")
    base = f"/console/c/{live_server.slug}"
    sign_in(page, live_server, base)
    expect(page.locator("main")).to_contain_text("颜学院护肤社")
    shots.take(page, "overview")

    page.click(f"nav a[href='{base}/members']")
    page.fill("input[name=q]", "小鹿")
    page.click("form[role=search] button[type=submit]")
    expect(page.locator("#members tbody tr")).to_have_count(1)
    page.click("#members a:text-is('小鹿')")
    expect(page.locator("h1")).to_have_text("小鹿")

    row = page.locator("#strikes tr[data-strike-id]")
    expect(row).to_have_count(1)
    expect(row.locator(".strike-status")).to_have_text("live")
    expect(row).to_contain_text("advertising")
    shots.take(page, "member")

    row.get_by_role("button", name="Pardon").click()
    expect(page.locator("#strikes tr[data-strike-id] .strike-status")).to_have_text("pardoned")
    expect(page.locator("#strikes tr[data-strike-id]").get_by_role("button")).to_have_count(0)
    strike = store.community_strikes(community)[0]
    assert strike.pardoned_at is not None
    assert strike.pardoned_by == f"console:{live_server.operator}"

    page.click(f"nav a[href='{base}/inbox']")
    expect(page.locator("#alerts")).to_contain_text("你有病吧")
    expect(page.locator("#questions")).to_contain_text("眼霜应该在精华之前还是之后用")
    shots.take(page, "inbox")

    page.click(f"nav a[href='{base}/playbook']")
    expect(page.locator("main")).to_contain_text("yan-academy-skincare")
    shots.take(page, "playbook")
