"""What a new operator (and a new member) meets, in a real browser: a group too new to measure
says so on the health dashboard (not 0/100, no heat-death warning); the door page keeps a
code that was refused in its field, with the verdict beside it; a join form sent again
after it expired keeps the nickname and the answers."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import OpenPage, Screenshots
from tests.browser.live import LiveServer, start_live_server
from tests.browser.pages import eventually, sign_in
from tests.browser.test_joining import by_application

NEW = "new — not enough data yet"


def test_a_brand_new_group_says_it_is_new_not_dead(
    live_server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    page = open_page(locale="en")
    sign_in(page, live_server, f"/console/c/{live_server.slug}/health")
    [group] = live_server.groups()
    summary = page.locator(f".health-group summary[data-group-id='{group.id}']")
    expect(summary).to_contain_text(NEW)
    expect(summary).not_to_contain_text("/100")
    expect(page.locator(".heat-warning")).to_have_count(0)
    expect(page.locator("#heat-title + p")).to_contain_text("No warning")
    expect(page.locator("#too-new")).to_contain_text("this community")  # no message at all
    shots.take(page, "community")

    page.goto(f"{live_server.url}/console/c/{live_server.slug}/health?scope=g{group.id}")
    expect(page.locator("#health-score")).to_have_text(NEW)
    shots.take(page, "group")
    page.goto(f"{live_server.url}/console/c/{live_server.slug}/matrix")
    expect(page.locator(f"tr[data-group-id='{group.id}'] .health")).to_have_text("new")
    expect(page.locator(f"tr[data-group-id='{group.id}']")).not_to_have_attribute(
        "data-warnings", re.compile(".")
    )
    page.goto(f"{live_server.url}/console/c/{live_server.slug}/health?scope=g{group.id}")

    # Once a member talks, the group is measured like any other.
    member = live_server.add_member("小鹿")
    live_server.say(member, "同意")  # the rules accepted: what is posted before is deleted
    live_server.say(member, "大家好")
    eventually(lambda: live_server.store.live_numbers(live_server.community_id,
                                                      group.created_at).messages >= 1,
               "the message in the store")  # fmt: skip
    page.reload()
    expect(page.locator("#health-score")).to_have_text(re.compile(r"^\d+$"))
    expect(page.locator("#too-new")).to_have_count(0)


def test_the_door_keeps_a_refused_code_in_its_field_with_the_verdict_beside_it(
    live_server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    page = open_page(locale="en")
    sign_in(page, live_server, f"/console/c/{live_server.slug}/door")
    page.fill("#door-code", "abcd-1234")
    page.click("form.stack button[type=submit]")
    expect(page).to_have_url(re.compile(r"/door$"))  # a POST: the check-in is no link
    field = page.locator("#door-code")
    expect(field).to_have_value("ABCD-1234")  # what was typed, to correct rather than retype
    expect(field).to_have_attribute("aria-describedby", "verdict")
    expect(page.locator("form.stack #verdict")).to_have_text("Unknown code")  # by the field
    shots.take(page, "unknown")

    page.fill("#door-code", "no/such?code")  # not a code's shape at all: still the door page
    page.click("form.stack button[type=submit]")
    expect(page.locator("form.stack #verdict")).to_have_text("Unknown code")
    expect(page.locator("#door-code")).to_have_value("nosuchcode")


def test_a_join_form_that_expired_keeps_the_nickname_and_the_answers(
    tmp_path: Path, open_page: OpenPage, shots: Screenshots
) -> None:
    server = start_live_server(tmp_path / "data", open_door=False, playbook=by_application)
    try:
        page = open_page()
        page.goto(server.invite_url())
        page.fill("#nickname", "小鹿")
        page.fill("#answer_1", "混油皮")
        page.fill("#answer_2", "T 区出油，两颊干")
        # the form's double-submit cookie is gone (the browser was closed, cookies cleared)
        page.context.clear_cookies(name="hearth_join")
        page.click("#join-form button[type=submit]")
        expect(page.locator("#join-error")).to_be_visible()
        expect(page.locator("#nickname")).to_have_value("小鹿")
        expect(page.locator("#answer_1")).to_have_value("混油皮")
        expect(page.locator("#answer_2")).to_have_value("T 区出油，两颊干")
        # the questions are asked again as a note: the door has not refused anything
        expect(page.locator("#admission")).to_have_class("note")
        shots.take(page, "expired")

        page.click("#join-form button[type=submit]")  # the same answers, sent again
        expect(page.locator("#admission")).to_contain_text("你的申请正在等待审核")
    finally:
        server.stop()


def test_the_first_page_leads_to_each_communitys_pages_and_says_how_members_come(
    live_server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    """The console's first page linked only to each community's overview: its groups,
    members, playbook and empty inbox were figures to read, with no way onward, and a
    community nobody had joined did not say how people come in."""
    page = open_page(locale="en")
    sign_in(page, live_server, "/console")
    base = f"/console/c/{live_server.slug}"
    card = page.locator(f"li.card[data-community='{live_server.slug}']")
    for label, path in (("Groups", "/groups"), ("Members", "/members"),
                        ("Playbook", "/playbook"), ("Inbox", "/inbox")):  # fmt: skip
        fact = card.locator(".facts div", has=page.locator("dt", has_text=label))
        expect(fact.locator("dd a")).to_have_attribute("href", base + path)
    for label in ("Health", "Moderation", "Billing", "Calendar"):
        expect(card.locator("nav.card-links a", has_text=label)).to_have_attribute(
            "href", f"{base}/{label.lower()}"
        )
    expect(card.locator("p.next")).to_contain_text("Nobody has joined yet")
    shots.take(page, "communities")
    card.locator("nav.card-links a", has_text="Members").click()
    expect(page.locator("main p.empty")).to_contain_text("Each group's invite link is on Groups")
    page.locator("main p.empty a", has_text="Groups").click()  # and on to the links
    expect(page).to_have_url(live_server.url + base + "/groups")
    expect(page.locator("main")).to_contain_text(live_server.invite_url())
    page.goto(live_server.url + "/console")
    card.locator("p.next a", has_text="Groups").click()
    expect(page).to_have_url(live_server.url + base + "/groups")

    live_server.add_member("小鹿")
    eventually(lambda: live_server.store.count_members(live_server.community_id), "a member")
    page.goto(live_server.url + "/console")
    expect(card.locator(".facts div", has=page.locator("dt", has_text="Members"))).to_contain_text(
        "1"
    )
    expect(card.locator("p.next")).to_have_count(0)


def test_a_members_name_as_the_payer_is_answered_with_their_id_which_their_page_shows(
    live_server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    """Record a payment's Who refused a member's name saying a member's id is 'on the
    console's member pages', which showed none: the refusal now names the member:ID, the
    member page shows it, the carrier's id as `hearth staff set` takes it, and how to make
    them staff (the console has no form for it)."""
    user = live_server.add_member("小鹿")
    store = live_server.store
    member = eventually(lambda: store.find_member("webchat", user), "the member in the store")
    eventually(lambda: store.count_members(live_server.community_id), "the member seated")
    page = open_page(locale="en")
    base = f"/console/c/{live_server.slug}"
    sign_in(page, live_server, base + "/billing")
    page.fill("input[name=who]", "小鹿")
    page.fill("input[name=receipt]", "TB-1")
    page.click(f"form[action='{base}/billing/pay'] button[type=submit]")
    expect(page.locator("main")).to_contain_text(
        f"'小鹿' is a name, not a payment reference (XXXX-XXXX), member:ID or CARRIER:USER_ID:"
        f" write member:{member.id} (小鹿)"
    )
    shots.take(page, "refused")

    store.set_role(member.id, live_server.groups()[0].id, "secretary")
    page.goto(f"{live_server.url}{base}/members/{member.id}")
    expect(page.locator("#stays")).to_contain_text("群秘书 (secretary)")  # the playbook's title
    expect(page.locator("#member-id")).to_have_text(f"member:{member.id}")
    expect(page.locator(".identity")).to_have_text(f"webchat:{user}")
    hint = page.locator("#staff-hint")
    expect(hint).to_contain_text(
        f"hearth staff set webchat:{user} ROLE --community {live_server.slug}"
    )
    expect(hint).to_contain_text("secretary (群秘书)")
    shots.take(page, "member")

    page.goto(f"{live_server.url}{base}/billing")
    page.fill("input[name=who]", f"member:{member.id}")
    page.fill("input[name=receipt]", "TB-1")
    page.click(f"form[action='{base}/billing/pay'] button[type=submit]")
    expect(page.locator("#subscriptions")).to_contain_text("小鹿")
