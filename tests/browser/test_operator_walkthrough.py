"""What a brand-new operator trips over walking the console, in a real browser: pages that
must fit a phone's width without scrolling sideways, and a member's page that must say which
of their messages were already deleted."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import OpenPage, Screenshots
from tests.browser.live import LiveServer
from tests.browser.pages import eventually, sign_in

PHONE = {"width": 375, "height": 812}


def _page_width(page: Page) -> int:
    """How wide the page is laid out: wider than the window means it scrolls sideways."""
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width


def test_the_matrix_and_the_playbook_pages_fit_a_phone(
    live_server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    secretary = live_server.add_member("李秘书")
    store = live_server.store
    eventually(lambda: store.find_member("webchat", secretary), "the member recorded")
    member = store.find_member("webchat", secretary)
    assert member is not None
    store.set_role(member.id, live_server.groups()[0].id, "secretary")  # `hearth staff set`

    page = open_page(locale="en", **PHONE)
    base = f"/console/c/{live_server.slug}"
    sign_in(page, live_server, f"{base}/matrix")
    # The "Put in charge" form is there, with its label for screen readers only.
    expect(page.locator("#matrix form.charge select")).to_have_count(1)
    expect(page.locator("main")).to_contain_text("(1 group).")  # not "1 groups"
    shots.take(page, "matrix")
    assert _page_width(page) <= PHONE["width"], "the matrix page scrolls sideways on a phone"

    page.goto(f"{live_server.url}{base}/playbook")
    expect(page.locator("textarea#text")).to_be_visible()
    shots.take(page, "playbook")
    assert _page_width(page) <= PHONE["width"], "the playbook page scrolls sideways on a phone"
