"""A paid membership in a real browser against a real server (the skincare template, zh-CN,
its `paid` threshold and half-year plan, with a 3-day grace): a stranger is refused with the
plan and, once they press Join with a nickname, their payment reference; staff record the
payment on the console's Billing page; the member presses Join again and is in the chat.
The server's clock then jumps (a `MovableClock`: the engine runs its scheduled work by it,
as `hearth serve` does by the wall clock) to the renewal reminder, which the member reads
once in the chat, and past the period's end and the grace, when the member's page shows the
removal, once. A second member, refunded within the window by staff, is removed at once and
cannot come back in. A newcomer to a paid community with a free trial reads so at the door, is
reminded the day before the trial ends and is removed when it ends unpaid."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.store.models import WebChatMessageRow
from tests.browser.conftest import OpenPage, Screenshots
from tests.browser.live import LiveServer, MovableClock, start_live_server
from tests.browser.pages import bot_says, sign_in

PLAN = "颜学院半年会员"
REFERENCE = re.compile(r"付款参考码 ([0-9A-Z]{4}-[0-9A-Z]{4})")


def with_grace(text: str) -> str:
    """The skincare template's plan with a 3-day grace after an unrenewed period."""
    line = "      renewal_reminder: 14d\n"
    assert line in text, "the skincare template's plan changed"
    return text.replace(line, line + "      grace: 3d\n")


def refused_with_a_reference(page: Page, server: LiveServer, nickname: str) -> str:
    """A stranger opens the join link (refused with the plan, no reference yet), presses Join
    with `nickname` (refused with their payment reference, the form kept); the reference."""
    page.goto(server.invite_url())
    admission = page.locator("#admission")
    expect(admission).to_contain_text(
        f"「颜学院护肤社」是付费社群：开通「{PLAN}」（299 元 / 6 个月）"
    )
    expect(admission).to_contain_text("先填写昵称并点“加入”，即可拿到你的付款参考码。")
    assert REFERENCE.search(admission.inner_text()) is None  # no code before a nickname
    page.fill("input[name=nickname]", nickname)
    page.click("#join-form button[type=submit]")
    expect(admission).to_contain_text("付款时请备注你的付款参考码")
    found = REFERENCE.search(admission.inner_text())
    assert found is not None
    expect(page.locator("#nickname")).to_have_value(nickname)  # the form stays for after paying
    return found.group(1)


def record_payment(staff: Page, code: str, receipt: str) -> None:
    """Staff record a payment of the half-year plan on the Billing page."""
    staff.fill("input[name=who]", code)
    staff.fill("input[name=receipt]", receipt)
    staff.click("form[action$='/billing/pay'] button[type=submit]")
    expect(staff.locator(".notice")).to_contain_text("Payment recorded")


def join_again(page: Page) -> None:
    """Press Join again on the kept form: in the chat, connected."""
    page.click("#join-form button[type=submit]")
    page.wait_for_url("**/chat/**")
    expect(page.locator("#status")).to_have_attribute("data-state", "online")


def period_end(server: LiveServer, nickname: str) -> datetime:
    """When `nickname`'s paid period ends (the store's instant)."""
    for sub in SqlBilling.on(server.store).subscriptions(server.community_id):
        member = server.store.get_member(sub.member_id)
        if member is not None and member.display_name == nickname:
            return sub.period_end
    raise AssertionError(f"{nickname} has no subscription")


def removal_kicks(server: LiveServer) -> int:
    """How many removals the server performed (each is one outbound kick)."""
    return len([i for i in server.store.outbox_items(limit=1000) if ":kick:" in i.key])


def test_a_membership_paid_in_the_console_reminded_removed_after_grace_and_refunded(
    tmp_path: Path, open_page: OpenPage, shots: Screenshots
) -> None:
    clock = MovableClock()
    server = start_live_server(tmp_path / "data", open_door=False, playbook=with_grace,
                               clock=clock)  # fmt: skip
    try:
        member, refunded = open_page(), open_page()
        code = refused_with_a_reference(member, server, "小美")
        other = refused_with_a_reference(refunded, server, "小鹿")
        assert code != other
        shots.take(member, "refused-with-reference")

        staff = open_page(locale="en")
        sign_in(staff, server, f"/console/c/{server.slug}/billing")
        record_payment(staff, code, "TB20261204001")
        record_payment(staff, other, "TB20261204002")
        expect(staff.locator("#subscriptions tbody tr")).to_have_count(2)
        expect(staff.locator("#figures")).to_contain_text("598.00 CNY")
        shots.take(staff, "billing")

        join_again(member)
        join_again(refunded)
        expect(bot_says(member, "欢迎 小美 加入颜学院护肤社")).to_have_count(1)

        # Refunded within the window: removed at once, and the door is shut again.
        row = staff.locator("#subscriptions tbody tr").filter(has_text="小鹿")
        asked: list[str] = []
        staff.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
        row.locator("button", has_text="Refund").click()
        expect(staff.locator(".notice")).to_contain_text("Refunded")
        assert "removed from every group" in asked[0], "a refund asks first"
        notice = refunded.locator("#notice")
        expect(notice).to_contain_text(f"你已被移出本群：「{PLAN}」已退款")
        expect(refunded.locator("#status")).to_have_attribute("data-state", "closed")
        shots.take(refunded, "refunded")
        refunded.goto(server.invite_url())
        refunded.click("#join-form button[type=submit]")
        expect(refunded.locator("#admission")).to_contain_text("付费社群")
        assert "/chat/" not in refunded.url

        # The renewal reminder, 14 days before the end: said once, with the reference.
        end = period_end(server, "小美")
        clock.set(end - timedelta(days=14) + timedelta(minutes=1))
        reminder = bot_says(member, f"你的「{PLAN}」将于")
        expect(reminder).to_have_count(1)
        expect(reminder).to_contain_text(code)
        expect(reminder).to_contain_text("续费 299 元 可再享 6 个月")
        shots.take(member, "reminded")
        clock.set(end - timedelta(days=13))
        server.wait_for_ticks()
        member.reload()  # the chat's history, from the server: still one reminder
        expect(member.locator("#status")).to_have_attribute("data-state", "online")
        expect(reminder).to_have_count(1)

        # The period ends unrenewed: in the grace the member stays; after it, removed once.
        clock.set(end + timedelta(days=1))
        server.wait_for_ticks()
        expect(member.locator("#notice")).to_be_hidden()
        assert removal_kicks(server) == 1  # only the refund's so far
        clock.set(end + timedelta(days=3) + timedelta(minutes=1))
        removed = member.locator("#notice")
        expect(removed).to_contain_text(f"你已被移出本群：「{PLAN}」已到期未续费")
        expect(member.locator("#status")).to_have_attribute("data-state", "closed")
        shots.take(member, "removed")
        clock.set(end + timedelta(days=5))
        server.wait_for_ticks()
        assert removal_kicks(server) == 2  # the refund's and this one: once each
        member.goto(server.invite_url())
        expect(member.locator("#admission")).to_contain_text(f"你的「{PLAN}」已于")
        expect(member.locator("#admission")).to_contain_text(code)
        rows = WebChatMessageRow
        with server.store.engine.connect() as db:
            said = [(text, to) for text, to in db.execute(
                select(rows.text, rows.visible_to).where(rows.user_id.is_(None)))
                if "」将于" in text]  # fmt: skip
        # one reminder, for 小美's eyes alone (her reference); none for the refunded 小鹿
        assert len(said) == 1 and "小美" in said[0][0] and said[0][1] is not None
    finally:
        server.stop()


def with_trial(text: str) -> str:
    """The skincare template's plan with a 3-day free trial and a 3-day grace."""
    line = "      renewal_reminder: 14d\n"
    assert line in text, "the skincare template's plan changed"
    return text.replace(line, line + "      trial: 3d\n      grace: 3d\n")


def test_a_trial_is_said_at_the_door_reminded_the_day_before_it_ends_and_ends_in_removal(
    tmp_path: Path, open_page: OpenPage, shots: Screenshots
) -> None:
    """A paid community with a 3-day trial and a reminder 14 days before the end: the join
    page was a bare nickname form, no reminder ever came (its moment fell before the trial
    began) and the newcomer was removed for a membership "not renewed" they never had. The
    plan's 3-day grace kept them 3 days past the end the reminder named; a trial has none."""
    clock = MovableClock()
    server = start_live_server(tmp_path / "data", open_door=False, playbook=with_trial,
                               clock=clock)  # fmt: skip
    try:
        member = open_page()
        member.goto(server.invite_url())
        offer = member.locator("#admission")
        expect(offer).to_contain_text("「颜学院护肤社」是付费社群：新成员可免费试用 3 天")
        expect(offer).to_contain_text(f"开通「{PLAN}」（299 元 / 6 个月）")
        shots.take(member, "trial-offer")
        member.fill("input[name=nickname]", "小美")
        join_again(member)  # the trial starts: in the chat
        expect(bot_says(member, "欢迎 小美 加入颜学院护肤社")).to_have_count(1)
        end = period_end(server, "小美")

        clock.set(end - timedelta(days=1) + timedelta(minutes=1))
        reminder = bot_says(member, f"你的「{PLAN}」免费试用将于")
        expect(reminder).to_have_count(1)
        expect(reminder).to_contain_text("开通 299 元 / 6 个月")
        expect(reminder).to_contain_text("付款参考码")
        shots.take(member, "trial-reminded")

        # when the reminder said: the plan's 3-day grace is for paid periods, not a trial
        clock.set(end + timedelta(minutes=1))
        removed = member.locator("#notice")
        expect(removed).to_contain_text(f"你已被移出本群：「{PLAN}」免费试用已结束，未开通会员")
        expect(member.locator("#status")).to_have_attribute("data-state", "closed")
    finally:
        server.stop()


def test_paying_in_a_free_trial_says_the_period_follows_the_trial(
    tmp_path: Path, open_page: OpenPage, shots: Screenshots
) -> None:
    """A member paid in the console during their 3-day trial: the page said 'the member's
    period starts now', while Until showed the plan's length after the trial's end."""
    server = start_live_server(tmp_path / "data", open_door=False, playbook=with_trial)
    try:
        member = open_page()
        member.goto(server.invite_url())
        member.fill("input[name=nickname]", "小美")
        join_again(member)  # in the trial
        trial_end = period_end(server, "小美")
        [sub] = SqlBilling.on(server.store).subscriptions(server.community_id)
        staff = open_page(locale="en")
        sign_in(staff, server, f"/console/c/{server.slug}/billing")
        record_payment(staff, f"member:{sub.member_id}", "TB-1")
        notice = staff.locator(".notice")
        expect(notice).to_contain_text("Payment recorded during the member's free trial: their "
                                       "paid period follows the trial, keeping its days")  # fmt: skip
        expect(notice).not_to_contain_text("starts now")
        shots.take(staff, "paid-in-trial")
        assert period_end(server, "小美") > trial_end + timedelta(days=180)
    finally:
        server.stop()
