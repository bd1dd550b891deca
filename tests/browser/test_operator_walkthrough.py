"""What a brand-new operator trips over walking the console, in a real browser: pages that
must fit a phone's width without scrolling sideways, and a member's page that must say which
of their messages were already deleted (and by whom)."""

from __future__ import annotations

import re

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
    # The "Put in charge" form comes into the row when asked, its label for screen readers only.
    page.locator("#matrix a.charge-open").click()
    expect(page.locator("#matrix form.charge select")).to_have_count(1)
    expect(page.get_by_label(f"Put in charge of {live_server.groups()[0].name}")).to_be_visible()
    expect(page.locator("main")).to_contain_text("(1 group).")  # not "1 groups"
    shots.take(page, "matrix")
    assert _page_width(page) <= PHONE["width"], "the matrix page scrolls sideways on a phone"

    page.goto(f"{live_server.url}{base}/playbook")
    expect(page.locator("textarea#text")).to_be_visible()
    shots.take(page, "playbook")
    assert _page_width(page) <= PHONE["width"], "the playbook page scrolls sideways on a phone"


def test_a_member_page_says_which_messages_were_deleted_already(
    live_server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    deer = live_server.add_member("小鹿")
    live_server.say(deer, "同意")
    live_server.say(deer, "大家好，我是干皮")
    live_server.say(deer, "加我微信 abc12345 低价代购")
    store, community = live_server.store, live_server.community_id
    member = store.find_member("webchat", deer)
    assert member is not None
    eventually(lambda: store.community_strikes(community), "the advert's strike")

    page = open_page(locale="en")
    sign_in(page, live_server, f"/console/c/{live_server.slug}/members/{member.id}")
    removed = page.locator("#messages tr[data-message-id]").filter(has_text="abc12345")
    expect(removed.locator(".message-deleted")).to_have_text("deleted by moderation")
    kept = page.locator("#messages tr[data-message-id]").filter(has_text="大家好，我是干皮")
    expect(kept).to_have_count(1)
    expect(kept.locator(".message-deleted")).to_have_count(0)
    shots.take(page, "member")


def test_the_codes_and_applications_pages_say_who_may_join_in_words(
    live_server: LiveServer, open_page: OpenPage
) -> None:
    page = open_page(locale="en")
    base = f"/console/c/{live_server.slug}"
    sign_in(page, live_server, f"{base}/codes")
    said = "Who may join: everyone not blacklisted (joining.threshold.kind: open)."
    expect(page.locator("main p.muted").first).to_have_text(re.compile("^" + re.escape(said)))
    page.goto(f"{live_server.url}{base}/applications")  # was "This community admits by open."
    expect(page.locator("main p.muted").first).to_have_text(re.compile("^" + re.escape(said)))


def test_the_groups_page_names_the_playbook_field_a_new_group_is_named_by(
    live_server: LiveServer, open_page: OpenPage
) -> None:
    page = open_page(locale="en")
    sign_in(page, live_server, f"/console/c/{live_server.slug}/groups")
    # The field as the operator writes it in the playbook (was `replication.naming`, a name
    # only the code uses).
    expect(page.locator("main")).to_contain_text("Named by the playbook's copy.naming")
    page.get_by_role("button", name="Open another web chat group").click()
    expect(page.locator("main table tbody tr")).to_have_count(2)
    expect(page.locator("main")).to_contain_text("颜学院护肤社 2群")  # copy.naming: {name} {n}群


def _fields_in_one_column(page: Page, form: str) -> None:
    """Each field of `form` starts at the same left edge, below its label's text."""
    labels = page.locator(f"{form} label")
    lefts = set()
    for n in range(labels.count()):
        label = labels.nth(n)
        field = label.locator("input:not([type=hidden]), select").first
        box, held = label.bounding_box(), field.bounding_box()
        assert box is not None and held is not None
        assert held["y"] > box["y"] + 5, f"{label.inner_text()!r}: the field is beside its label"
        lefts.add(round(held["x"]))
    assert len(lefts) == 1, f"{form}: fields start at {sorted(lefts)}, not in one column"


def test_forms_of_several_fields_put_each_field_under_its_label_on_a_phone(
    live_server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    page = open_page(locale="en", **PHONE)
    base = f"/console/c/{live_server.slug}"
    sign_in(page, live_server, f"{base}/events")
    _fields_in_one_column(page, "form[action$='/events/create']")
    _fields_in_one_column(page, "form[action$='/events/pay']")
    shots.take(page, "events")
    page.goto(f"{live_server.url}{base}/livecodes")
    _fields_in_one_column(page, "#new-livecode")
    shots.take(page, "livecodes")


def test_cancelling_an_event_asks_first_and_a_no_changes_nothing(
    live_server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    page = open_page(locale="en")
    sign_in(page, live_server, f"/console/c/{live_server.slug}/events")
    form = page.locator("form[action$='/events/create']")
    form.locator("input[name=title]").fill("Tea tasting")
    form.locator("input[name=at]").fill("2031-05-01T19:00")
    form.locator("button[type=submit]").click()
    row = page.locator("#events tbody tr").filter(has_text="Tea tasting")
    expect(row).to_have_count(1)

    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    row.get_by_role("button", name="Cancel").click()
    eventually(lambda: asked, "the question")
    assert asked[0].startswith("Cancel Tea tasting (Thu 2031-05-01 19:00)?"), asked
    page.reload()  # a click answered "no" sent nothing
    expect(row.locator(".tag", has_text="cancelled")).to_have_count(0)

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Cancel").click()
    expect(row.locator(".tag", has_text="cancelled")).to_have_count(1)
    shots.take(page, "cancelled")


def test_the_events_table_shows_each_event_and_its_cancel_button_on_a_laptop(
    live_server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    """At 1280 px the events table kept its numbers on one line each and squeezed the event's
    name to a couple of characters a line, and its Cancel button and last columns sat past the
    table's edge (scrolled to sideways)."""
    page = open_page(locale="en", width=1280, height=800)
    sign_in(page, live_server, f"/console/c/{live_server.slug}/events")
    row = page.locator("#events tbody tr").first
    expect(row).to_contain_text("沙龙")
    title = row.locator("td").nth(2).bounding_box()
    assert title is not None and title["width"] >= 150, title
    cancel = row.get_by_role("button", name="Cancel").bounding_box()
    frame = page.locator("#events").locator("xpath=..").bounding_box()
    assert cancel is not None and frame is not None
    assert cancel["x"] + cancel["width"] <= frame["x"] + frame["width"], (cancel, frame)
    wide = page.evaluate("(() => { const w = document.querySelector('#events').parentElement;"
                         " return [w.scrollWidth, w.clientWidth]; })()")  # fmt: skip
    assert wide[0] <= wide[1], f"the table is {wide[0]} px wide in a {wide[1]} px frame"
    shots.take(page, "events-laptop")
