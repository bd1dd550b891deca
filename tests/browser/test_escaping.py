"""Whatever members type is shown as text, never run: a nickname and a message written as
HTML, in the chat (theirs and another member's screen) and on the operator's console."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import OpenPage, Screenshots
from tests.browser.live import LiveServer
from tests.browser.pages import eventually, join_chat, messages, say, sign_in

NICKNAME = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>window.__pwned=1</script>"


def watch_dialogs(page: Page) -> list[str]:
    """The messages of every dialog (alert, confirm, prompt) the page opens; each dismissed."""
    opened: list[str] = []

    def dismiss(dialog: object) -> None:
        opened.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", dismiss)
    return opened


def assert_nothing_ran(page: Page, dialogs: list[str]) -> None:
    """No dialog opened, the script's global is not set and no <img src=x> made it in."""
    assert dialogs == []
    assert page.evaluate("typeof window.__pwned") == "undefined"
    expect(page.locator("img[src=x]")).to_have_count(0)
    expect(page.locator("script", has_text="__pwned")).to_have_count(0)


def test_html_in_a_nickname_and_a_message_is_shown_literally_in_the_chat(
    live_server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    other = open_page()
    other_dialogs = watch_dialogs(other)
    join_chat(other, live_server.invite_url(), "阿花")

    page = open_page()
    dialogs = watch_dialogs(page)
    join_chat(page, live_server.invite_url(), NICKNAME)
    say(page, "同意")
    say(page, SCRIPT)

    for screen in (page, other):
        posted = messages(screen, "window.__pwned")
        expect(posted).to_have_count(1)
        expect(posted.locator(".text")).to_have_text(SCRIPT)
        expect(posted.locator(".nick")).to_have_text(NICKNAME)
        expect(messages(screen, f"欢迎 {NICKNAME} 加入")).to_have_count(1)  # the bot's welcome
    shots.take(page, "chat")

    page.reload()  # the history comes from the server this time
    expect(page.locator("#status")).to_have_attribute("data-state", "online")
    expect(messages(page, "window.__pwned").locator(".text")).to_have_text(SCRIPT)
    page.goto(live_server.invite_url())  # the join page names the member already in
    expect(page.locator("main")).to_contain_text(f"你已在本群，昵称是 {NICKNAME}")  # zh-CN

    assert_nothing_ran(page, dialogs)
    assert_nothing_ran(other, other_dialogs)


def test_html_from_members_is_shown_literally_on_the_console(
    live_server: LiveServer, open_page: OpenPage
) -> None:
    member = live_server.add_member(NICKNAME)
    live_server.say(member, "同意")
    live_server.say(member, SCRIPT)
    store, community = live_server.store, live_server.community_id
    eventually(lambda: store.search_members(community, "onerror"), "the member in the directory")
    member_id = store.search_members(community, "onerror")[0].member_id
    eventually(lambda: [m for m in store.recent_messages(member_id, community) if m.text == SCRIPT],
               "the member's message in the store")  # fmt: skip

    page = open_page(locale="en")
    dialogs = watch_dialogs(page)
    base = f"/console/c/{live_server.slug}"
    sign_in(page, live_server, f"{base}/members")
    expect(page.locator(f"#members a[href='{base}/members/{member_id}']")).to_have_text(NICKNAME)

    page.click(f"#members a[href='{base}/members/{member_id}']")
    expect(page.locator("h1")).to_have_text(NICKNAME)
    expect(page.locator("#messages td.text", has_text="__pwned")).to_have_text(SCRIPT)
    expect(page).to_have_title(f"{NICKNAME} · 颜学院护肤社 · Hearthkeeper")

    page.goto(f"{live_server.url}{base}")  # the overview's live numbers and recent decisions
    expect(page.locator("h1")).to_contain_text("颜学院护肤社")
    assert_nothing_ran(page, dialogs)
