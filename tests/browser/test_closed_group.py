"""A web chat group closed while a member is in it, in a real browser: the page open at that
moment says at once that the member can no longer post, why, and where the group's members
carry on (a link that opens it); once the group is reopened the same page writes again."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from hearthkeeper.carriers.closing import close_group, reopen_group
from hearthkeeper.clock import SystemClock
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Group
from tests.browser.conftest import OpenPage
from tests.browser.live import LiveServer, start_live_server
from tests.browser.pages import bot_says, join_chat, messages, say, sign_in

CLOSED = "颜学院护肤社 1群已关闭，成员不能再在这里发言。成员们移步「颜学院护肤社 2群」继续交流。"


def test_a_member_of_a_closed_group_reads_where_to_go_and_cannot_post(
    tmp_path: Path, open_page: OpenPage
) -> None:
    server: LiveServer = start_live_server(tmp_path / "data", groups=2)
    try:
        member = open_page()
        join_chat(member, server.invite_url(0), "小满")
        say(member, "同意")  # the group's rules, accepted
        expect(member.locator("#messages .message.own", has_text="同意")).to_have_count(1)

        first, second = server.groups()
        close_group(server.store, first, "ops", SystemClock().now(), into=second,
                    site=server.url, language=Language.ZH_CN)  # fmt: skip
        # the page open at the closing shows it at once, the box to write in turned off
        notice = member.locator("#notice")
        expect(notice).to_have_text(f"{CLOSED} 颜学院护肤社 2群")
        expect(member.locator("#composer textarea[name=text]")).to_be_disabled()
        expect(bot_says(member, "本群已关闭，请移步「颜学院护肤社 2群」")).to_have_count(1)

        member.reload()  # opened again: the line is there from the start
        expect(notice).to_have_text(f"{CLOSED} 颜学院护肤社 2群")
        expect(member.locator("#composer button[type=submit]")).to_be_disabled()
        link = notice.get_by_role("link", name="颜学院护肤社 2群")
        expect(link).to_have_attribute("href", f"/join/{server.invite_code(1)}")
        link.click()
        member.wait_for_url(f"**/join/{server.invite_code(1)}")

        member.goto(f"{server.url}/chat/{server.invite_code(0)}")
        expect(member.locator("#status")).to_have_attribute("data-state", "online")
        reopen_group(server.store, first, "ops")  # the open page shows it at once
        expect(notice).to_be_hidden()
        expect(member.locator("#composer textarea[name=text]")).to_be_enabled()
        say(member, "又开了")
        expect(messages(member, "又开了")).to_have_count(1)
    finally:
        server.stop()


def test_closing_again_from_the_groups_page_says_telegram_is_asked_again(
    tmp_path: Path, open_page: OpenPage
) -> None:
    """Garden was closed, and Telegram refused to stop its members posting (the bot no admin:
    `group.close.failed`). Once the bot has the right, the operator closes it again from the
    Groups page: the page says Telegram is asked again (it said only "The group is closed")."""
    server: LiveServer = start_live_server(tmp_path / "data", groups=1)
    try:
        store = server.store
        garden = _closed_but_refused_by_telegram(server)
        page = open_page(locale="en-GB")
        sign_in(page, server, f"/console/c/{server.slug}/groups")
        page.fill("#close-group", "Garden")
        page.get_by_role("button", name="Close the group").click()
        expect(page.locator("p.notice")).to_have_text(
            "The group was closed already; Telegram is asked again to stop members posting. "
            "If the bot still lacks the right, the Inbox's alerts say so."
        )
        [again] = store.audit_entries(server.community_id, target=f"group {garden.id}", limit=1)
        assert again.action == "group.close.again" and again.actor.startswith("console:")
    finally:
        server.stop()


def test_closing_again_from_the_matrix_page_says_telegram_is_asked_again(
    tmp_path: Path, open_page: OpenPage
) -> None:
    """The same from the Matrix page: Garden's line says Telegram refused to stop members
    posting, and its Close again (beside Reopen; the line offered only Reopen) comes back to
    the Matrix page saying Telegram is asked again, the line no longer saying it refused."""
    server: LiveServer = start_live_server(tmp_path / "data", groups=1)
    try:
        store = server.store
        garden = _closed_but_refused_by_telegram(server)
        page = open_page(locale="en-GB")
        sign_in(page, server, f"/console/c/{server.slug}/matrix")
        line = page.locator(f'#matrix tr[data-group-id="{garden.id}"]')
        expect(line.locator(".close-refused")).to_have_text(
            "Telegram refused to stop members posting."
        )
        expect(line.get_by_role("button", name="Reopen Garden")).to_be_visible()
        line.get_by_role("button", name="Close Garden again: ask Telegram again").click()
        page.wait_for_url("**/matrix?done=group-asked-again-telegram")
        expect(page.locator("p.notice")).to_have_text(
            "The group was closed already; Telegram is asked again to stop members posting. "
            "If the bot still lacks the right, the Inbox's alerts say so."
        )
        expect(line.locator(".close-refused")).to_have_count(0)
        expect(line.get_by_role("button", name="Reopen Garden")).to_be_visible()
        [again] = store.audit_entries(server.community_id, target=f"group {garden.id}", limit=1)
        assert again.action == "group.close.again" and again.actor.startswith("console:")
    finally:
        server.stop()


def _closed_but_refused_by_telegram(server: LiveServer) -> Group:
    """Garden, a Telegram group closed while the bot could not stop its members posting
    (`group.close.failed`, the bot no admin)."""
    store = server.store
    garden = store.add_group(server.community_id, "Garden", "telegram", "-1000000000001")
    close_group(store, garden, "ops", SystemClock().now(), into=None, site=server.url,
                language=Language.EN)  # fmt: skip
    store.audit("hearthkeeper", "group.close.failed", server.community_id,
                target=f"group {garden.id}")  # fmt: skip
    return garden
