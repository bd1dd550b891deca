"""The matrix of groups in a real browser against a real server: a group over its
capacity override and a manager over the playbook's limit are warned of, the matrix sorts,
a manager is put in charge of another group, and a group's own welcome greets a newcomer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
from tests.browser.conftest import OpenPage, Screenshots
from tests.browser.live import LiveServer, start_live_server
from tests.browser.pages import bot_says, eventually, join_chat, sign_in

OVERRIDES = """
groups:
  yan-academy-skincare-1:
    capacity: 5
  yan-academy-skincare-2:
    welcome: "欢迎 {nickname} 来到二号群！每周三晚上有导师答疑。"
"""


def with_overrides(text: str) -> str:
    """The skincare template: one manager may look after one group; two groups overridden."""
    text = text.replace("max_groups_per_manager: 5", "max_groups_per_manager: 1", 1)
    return text + OVERRIDES


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    running = start_live_server(tmp_path / "data", groups=3, playbook=with_overrides)
    try:
        yield running
    finally:
        running.stop()


def test_the_matrix_warns_sorts_and_puts_a_manager_in_charge(
    server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    first, second, third = server.groups()
    assert first.capacity == 5, "the override is written onto the group at start"
    for n in range(4):
        server.add_member(f"成员{n}")
    li = server.add_member("李秘书")
    server.call(server.host.carrier(WebChatCarrier).join(second.id, li))
    store = server.store
    eventually(lambda: store.group_member_counts(server.community_id) == {
        first.id: 5, second.id: 1, third.id: 0}, "the members recorded by the engine")  # fmt: skip
    member = store.find_member("webchat", li)
    assert member is not None
    with store.transaction() as tx:  # `hearth staff set` does this in every group they are in
        for group in (first.id, second.id):
            tx.set_role(member.id, group, "secretary")

    page = open_page(locale="en-GB")
    sign_in(page, server, f"/console/c/{server.slug}/matrix")
    warnings = page.locator("#matrix-warnings li")
    expect(warnings.filter(has_text=f"{first.name} holds 5 of 5 members (100%)")).to_be_visible()
    expect(warnings.filter(has_text="李秘书 is in charge of 2 groups")).to_contain_text(
        "copy.max_groups_per_manager is 1: hand 1 of them to another manager"
    )
    rows = page.locator("#matrix tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0).locator(".override")).to_contain_text("capacity")
    expect(rows.nth(1).locator(".keepers")).to_contain_text("李秘书 (role)")
    shots.take(page, "warnings")

    page.click("#matrix thead a[data-sort=members]")  # largest first
    expect(rows.nth(0)).to_have_attribute("data-group-id", str(first.id))
    expect(rows.nth(2)).to_have_attribute("data-group-id", str(third.id))
    page.click("#matrix thead a[data-sort=members]")  # and back
    expect(rows.nth(0)).to_have_attribute("data-group-id", str(third.id))

    row = page.locator(f"#matrix tr[data-group-id='{third.id}']")
    row.locator("select[name=member_id]").select_option(label="李秘书")
    row.locator("button[value=assign]").click()
    expect(page.locator(".notice")).to_have_text("Put in charge of the group.")
    row = page.locator(f"#matrix tr[data-group-id='{third.id}']")
    expect(row.locator(".keepers")).to_contain_text("李秘书")
    expect(row.locator(".keepers")).not_to_contain_text("(role)")
    expect(warnings.filter(has_text="李秘书 is in charge of 3 groups")).to_be_visible()
    shots.take(page, "assigned")
    [entry] = [e for e in store.audit_entries(server.community_id) if e.action == "group.assign"]
    assert entry.target == f"group {third.id}"

    newcomer = open_page()
    join_chat(newcomer, server.invite_url(1), "小红")
    expect(bot_says(newcomer, "欢迎 小红 来到二号群！每周三晚上有导师答疑。")).to_be_visible()
