"""The matrix of groups in a real browser against a real server: a group over its
capacity override and a manager over the playbook's limit are warned of, the matrix sorts,
a manager is put in charge of another group, a group is closed, one poll is started in every
open group at once, and a group's own welcome greets a newcomer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from hearthkeeper.capabilities.polls.repository import SqlPolls
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

    # the staff are named once above the table, not in a select on every row
    expect(page.locator("#matrix-staff summary")).to_have_text("Staff who may be put in charge: 1")
    expect(page.locator("#matrix select")).to_have_count(0)
    row = page.locator(f"#matrix tr[data-group-id='{third.id}']")
    row.get_by_role("link", name=f"Put staff in charge of {third.name}…").click()
    row.locator("select[name=member_id]").select_option(label="李秘书")  # fetched into the row
    expect(page.locator("#matrix select")).to_have_count(1)
    row.locator("button[value=assign]").click()
    expect(page.locator(".notice")).to_have_text(  # 李秘书 is in the first two groups only
        "Put in charge of the group. They are not in it yet: they can look after it once they "
        "join it (send them its invite link from the Groups page), and their staff role "
        "follows them there."
    )
    row = page.locator(f"#matrix tr[data-group-id='{third.id}']")
    expect(row.locator(".keepers")).to_contain_text("李秘书")
    expect(row.locator(".keepers")).not_to_contain_text("(role)")
    expect(warnings.filter(has_text="李秘书 is in charge of 3 groups")).to_be_visible()
    shots.take(page, "assigned")
    [entry] = [e for e in store.audit_entries(server.community_id) if e.action == "group.assign"]
    assert entry.target == f"group {third.id}"

    # a row's Close… fetches its form into the row: the group's members go on in another
    row = page.locator(f"#matrix tr[data-group-id='{third.id}']")
    row.get_by_role("link", name=f"Close {third.name}…").click()
    row.get_by_label("Its members carry on in (optional)").fill(second.name)
    row.get_by_role("button", name=f"Close {third.name}").click()
    expect(page.locator(".notice")).to_contain_text("The group is closed")
    expect(row.get_by_role("button", name=f"Reopen {third.name}")).to_be_visible()
    closed = store.get_group(third.id)
    assert closed is not None and closed.closed_into == second.id
    shots.take(page, "closed")

    # one poll in every group shown, from the form under the table: shown first, then started
    # by the running engine in the open groups; the closed one is named as not reached
    page.get_by_label("Every group shown (3)").check()
    page.get_by_label("Poll", exact=True).fill("下周分享会主题 | 防晒 | 修护")
    page.get_by_role("button", name="Start a poll…").click()
    expect(page.locator("#across-plan")).to_contain_text(
        f"in 2 groups: {first.name}, {second.name}.")  # fmt: skip
    expect(page.locator(".across-missed")).to_have_text(f"{third.name}: closed")
    page.get_by_role("button", name="Start it in 2 groups").click()
    expect(page.locator("#across-done")).to_contain_text(
        "Started the poll “下周分享会主题” in 2 groups.")  # fmt: skip
    shots.take(page, "across")
    polls = SqlPolls.on(store)
    eventually(lambda: all(polls.current(g.id) is not None for g in (first, second)),
               "the engine started the poll in both open groups")  # fmt: skip
    assert polls.current(third.id) is None

    newcomer = open_page()
    join_chat(newcomer, server.invite_url(1), "小红")
    expect(bot_says(newcomer, "欢迎 小红 来到二号群！每周三晚上有导师答疑。")).to_be_visible()


def _history(path: Path, now: datetime) -> None:
    """Fifteen WeChat groups' last 60 days as the generic CSV: two steady, one that fell
    silent a week ago, one and eleven old groups silent for 40 days."""
    rows = ["timestamp,group,sender,text"]
    for back in range(1, 61):
        at = (now - timedelta(days=back)).strftime("%Y-%m-%dT%H:%M:%SZ")
        talking = ["微信1群", "微信4群"] + (["微信2群"] if back > 7 else [])
        talking += ["微信3群", *(f"旧群{k}" for k in range(1, 12))] if back > 40 else []
        for group in talking:
            rows += [f"{at},{group},{group}-u{n},早上好 {back}-{n}" for n in range(6)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_the_operator_narrows_a_large_matrix_to_the_dying_groups_and_finds_one_by_name(
    tmp_path: Path, open_page: OpenPage, shots: Screenshots
) -> None:
    """At hundreds of groups the matrix was one long table: the dying were found only by
    sorting and scrolling, a group only by the browser's search. The stage links narrow it
    (with how many groups each stage has), the search finds a group by name, and sorting
    keeps the narrowing."""
    from hearthkeeper import importers

    server = start_live_server(tmp_path / "data", groups=3)
    try:
        csv = tmp_path / "wechat.csv"
        _history(csv, datetime.now(UTC))
        source = importers.open_source("csv", csv, importers.ImportOptions())
        importers.import_source(server.store, source, community=server.slug)

        page = open_page(locale="en-GB")
        sign_in(page, server, f"/console/c/{server.slug}/matrix")
        rows = page.locator("#matrix tbody tr")
        expect(rows).to_have_count(18)
        # thirteen warnings would push the table off the screen: they are folded
        expect(page.locator("#warnings-all summary")).to_have_text(
            "Show all 13 warnings (13 dying) — or narrow the table below to a stage"
        )
        expect(page.locator("#matrix-warnings")).not_to_be_visible()
        stages = page.locator("#stage-filter")
        expect(stages.locator("a[data-stage=dying]")).to_have_text("dying 13")
        expect(stages.locator("a[data-stage=new]")).to_have_text("new 3")
        expect(stages.locator("a[data-stage=mature]")).to_have_text("mature 2")

        stages.locator("a[data-stage=dying]").click()
        expect(rows).to_have_count(13)
        page.fill("#matrix-q", "微信")  # the search keeps the stage
        page.click("#matrix-find button[type=submit]")
        expect(rows.locator(".group-name")).to_have_text(["微信2群 ⚠", "微信3群 ⚠"])
        expect(page.locator("#matrix-shown")).to_contain_text(
            "2 of 18 groups shown · stage dying · “微信”"
        )
        expect(page.locator("#matrix-warnings li")).to_have_count(2)
        shots.take(page, "dying")
        # the page is by name (2群 before 10群); the Group column's link turns it round, and
        # sorting keeps the stage
        page.click("#matrix thead a[data-sort=name]")
        expect(rows.locator(".group-name")).to_have_text(["微信3群 ⚠", "微信2群 ⚠"])

        page.locator("#stage-filter a", has_text="All").click()
        expect(rows).to_have_count(4)  # every stage, still "微信"
        page.fill("#matrix-q", "4群")
        page.click("#matrix-find button[type=submit]")
        expect(rows.locator(".group-name")).to_have_text(["微信4群"])
        page.fill("#matrix-q", "99群")
        page.click("#matrix-find button[type=submit]")
        expect(page.locator("#matrix-none")).to_have_text(
            "No group whose name or carrier id holds “99群”."
        )
    finally:
        server.stop()


def test_the_health_page_compares_groups_lowest_score_first(
    tmp_path: Path, open_page: OpenPage, shots: Screenshots
) -> None:
    """ "Health by group" listed the groups by name: on a matrix of 150 new web chat groups
    and 90 imported ones, the dying came after 150 lines of "new — not enough data yet".
    The lowest score comes first, then the new groups."""
    from hearthkeeper import importers

    server = start_live_server(tmp_path / "data", groups=2)
    try:
        csv = tmp_path / "wechat.csv"
        _history(csv, datetime.now(UTC))
        source = importers.open_source("csv", csv, importers.ImportOptions())
        importers.import_source(server.store, source, community=server.slug)

        page = open_page(locale="en-GB")
        sign_in(page, server, f"/console/c/{server.slug}/health")
        summaries = page.locator(".health-group summary")
        expect(summaries).to_have_count(17)
        names = [s.split(":")[0] for s in summaries.all_inner_texts()]
        scores = [int(t.split(": ")[1].split("/")[0]) for t in summaries.all_inner_texts()[:15]]
        assert scores == sorted(scores), scores
        assert names[0].startswith("旧群") or names[0] == "微信3群", names
        assert set(names[13:15]) == {"微信1群", "微信4群"}, names
        expect(summaries.nth(15)).to_contain_text("new — not enough data yet")
        expect(summaries.nth(16)).to_contain_text("new — not enough data yet")
        shots.take(page, "health-by-group")
    finally:
        server.stop()


def test_the_groups_page_finds_a_group_by_its_name_or_carrier_id(
    tmp_path: Path, open_page: OpenPage
) -> None:
    """The Groups page listed every group in one table with no search (the matrix page has
    one): among hundreds of web chat and imported groups, an invite link was found only by
    the browser's own search. 'Find a group' narrows it as the matrix's does."""
    from hearthkeeper import importers

    server = start_live_server(tmp_path / "data", groups=3)
    try:
        csv = tmp_path / "wechat.csv"
        at = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
        rows = ["timestamp,group,sender,text"]
        rows += [f"{at},微信{k}群,u{k},早上好" for k in (1, 2, 12)]
        csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
        source = importers.open_source("csv", csv, importers.ImportOptions())
        importers.import_source(server.store, source, community=server.slug)

        page = open_page(locale="en-GB")
        sign_in(page, server, f"/console/c/{server.slug}/groups")
        groups = page.locator("#groups tbody tr")
        expect(groups).to_have_count(6)
        page.fill("#groups-q", "２群")  # full width, as a Chinese keyboard may type it
        page.click("#groups-find button[type=submit]")
        expect(groups.locator("td:first-child")).to_have_text(  # by name, 2 before 12
            ["微信2群", "微信12群", "颜学院护肤社 2群"]
        )
        expect(page.locator("#groups-shown")).to_contain_text("3 of 6 groups shown · “２群”")
        expect(page.locator("#groups-q")).to_have_value("２群")
        page.fill("#groups-q", f"{server.slug}/微信1")  # an imported group's carrier id
        page.click("#groups-find button[type=submit]")
        expect(groups.locator("td:first-child")).to_have_text(["微信1群", "微信12群"])
        page.fill("#groups-q", "99群")
        page.click("#groups-find button[type=submit]")
        expect(page.locator("#groups-none")).to_have_text(
            "No group whose name or carrier id holds “99群”."
        )
        page.locator("#groups-shown a", has_text="show every group").click()
        expect(groups).to_have_count(6)
    finally:
        server.stop()


def test_the_members_page_keeps_one_group_s_members(tmp_path: Path, open_page: OpenPage) -> None:
    """The Members page listed the whole community (name and tag only): among hundreds of
    groups, who was in one of them could not be asked. The group filter keeps those who
    ever stayed or spoke there, and the name search keeps it."""
    from hearthkeeper import importers

    server = start_live_server(tmp_path / "data", groups=3)
    try:
        csv = tmp_path / "wechat.csv"
        at = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
        said = [("微信1群", "阿花"), ("微信1群", "小李"), ("微信2群", "小李"), ("微信2群", "老王")]
        rows = ["timestamp,group,sender,text"] + [f"{at},{g},{who},早上好" for g, who in said]
        csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
        source = importers.open_source("csv", csv, importers.ImportOptions())
        importers.import_source(server.store, source, community=server.slug)

        page = open_page(locale="en-GB")
        sign_in(page, server, f"/console/c/{server.slug}/members")
        names = page.locator("#members tbody tr td:first-child")
        expect(names).to_have_count(3)
        page.select_option("#group", label="微信2群")
        page.click("form.search button[type=submit]")
        expect(names).to_have_text(["小李", "老王"])
        expect(page.locator("#members-group")).to_have_text(
            "2 members who were ever in 微信2群 (stayed or spoke there)"
        )
        expect(page.locator("#group option:checked")).to_have_text("微信2群")
        page.fill("#q", "王")  # the name search keeps the group
        page.click("form.search button[type=submit]")
        expect(names).to_have_text(["老王"])
        page.fill("#q", "阿花")
        page.click("form.search button[type=submit]")
        expect(page.locator("p.empty")).to_have_text("Nobody matches the name “阿花” in 微信2群.")
    finally:
        server.stop()
