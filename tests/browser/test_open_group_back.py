"""Opening a group from the console's Groups page in a real browser, then going Back or
sending the form from a page shown before: a group is opened only from a page that lists
every group there is, so no second group is opened unseen."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import OpenPage
from tests.browser.live import LiveServer
from tests.browser.pages import sign_in

OPEN = "Open another web chat group"


def test_back_shows_the_group_just_opened_and_a_page_shown_before_opens_none(
    live_server: LiveServer, open_page: OpenPage
) -> None:
    page = open_page(locale="en")
    groups = f"/console/c/{live_server.slug}/groups"
    sign_in(page, live_server, groups)
    before = page.context.new_page()  # the same page, shown before the group is opened
    before.goto(live_server.url + groups)
    expect(before.locator("main table tbody tr")).to_have_count(1)

    page.get_by_role("button", name=OPEN).click()
    expect(page.get_by_role("status")).to_contain_text("A new web chat group is open.")
    page.go_back()  # console pages are not stored: Back asks the server again …
    expect(page.locator("main table tbody tr")).to_have_count(2)  # … and lists it
    expect(page.locator("main")).to_contain_text("颜学院护肤社 2群")

    before.get_by_role("button", name=OPEN).click()  # the form of the page shown before
    expect(before.locator("main")).to_contain_text("A group was opened since that page was shown")
    expect(before.locator("main table tbody tr")).to_have_count(2)
    names = [g.name for g in live_server.store.list_groups(live_server.community_id)]
    assert names == ["颜学院护肤社 1群", "颜学院护肤社 2群"]


def test_twenty_groups_are_opened_from_one_form(
    live_server: LiveServer, open_page: OpenPage
) -> None:
    """Replicating a matrix from the console took one click per group (and a reload of
    the page after each): the form opens as many as asked, numbered on, each with its link."""
    page = open_page(locale="en")
    groups = f"/console/c/{live_server.slug}/groups"
    sign_in(page, live_server, groups)
    page.fill("#open-count", "20")
    page.get_by_role("button", name=OPEN).click()
    expect(page.get_by_role("status")).to_contain_text(
        "The new web chat groups are open; their invite links are at the end of the list."
    )
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(21)
    expect(rows.nth(20)).to_contain_text("颜学院护肤社 21群")
    expect(rows.nth(20).locator("a[href*='/join/']")).to_have_count(1)
    names = [g.name for g in live_server.store.list_groups(live_server.community_id)]
    assert names == [f"颜学院护肤社 {n}群" for n in range(1, 22)]
