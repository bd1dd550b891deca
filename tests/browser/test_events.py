"""An offline event in a real browser against a real server: the skincare salon (one place
here) — a member signs up in the chat and lands on the waitlist, moves up when the first one
cancels and is told with their ticket, is reminded once across a server restart, shows the
ticket's QR code at the door where staff check it in on a phone-sized console page (a reused
code says so), and the events page shows the attendance rate."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import OpenPage, Screenshots
from tests.browser.live import LiveServer, MovableClock, start_live_server
from tests.browser.pages import bot_says, eventually, join_chat, say, sign_in

SALON = datetime(2027, 3, 13, 6, 0, tzinfo=UTC)  # second Saturday of March, 14:00 Shanghai


def one_place(text: str) -> str:
    return text.replace("    capacity: 20\n    price: 0\n", "    capacity: 1\n", 1)


def reminders(server: LiveServer) -> int:
    items = server.store.outbox_items(limit=10_000)
    return sum(1 for i in items if "活动提醒" in str(i.action.get("text", "")))


@pytest.fixture
def clock() -> MovableClock:
    moved = MovableClock()
    moved.set(SALON - timedelta(days=10))
    return moved


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_sign_up_waitlist_reminder_once_across_a_restart_door_and_attendance(
    data_dir: Path, clock: MovableClock, open_page: OpenPage, shots: Screenshots
) -> None:
    server = start_live_server(data_dir, playbook=one_place, clock=clock)
    try:
        bo, _ = server.seat_member("阿波")
        server.say(bo, "同意")
        server.say(bo, "/报名")  # bo takes the one place
        ann = open_page()
        join_chat(ann, server.invite_url(), "安安")
        say(ann, "同意")
        say(ann, "/活动")
        expect(bot_says(ann, "近期线下活动")).to_contain_text("线下肤质检测沙龙")
        say(ann, "/报名 沙龙")
        expect(bot_says(ann, "候补名单第 1 位")).to_be_visible()
        shots.take(ann, "waitlisted")
        server.say(bo, "/不去了")
        promoted = bot_says(ann, "你从候补转为正式报名")
        expect(promoted).to_contain_text("/ticket/")
        expect(promoted).to_contain_text("仅你可见")  # her door code: shown to her alone
        shots.take(ann, "promoted-only-you")
        found = re.search(r"/ticket/([0-9A-Z]{8})", promoted.inner_text())
        assert found is not None
        code = found[1]

        clock.set(SALON - timedelta(hours=24) + timedelta(minutes=1))
        server.wait_for_ticks()
        expect(bot_says(ann, "活动提醒")).to_contain_text("安安")
        assert eventually(lambda: reminders(server), "the reminder") == 1
    finally:
        server.stop()

    server = start_live_server(data_dir, playbook=one_place, clock=clock)  # the same database
    try:
        clock.set(SALON - timedelta(hours=23))
        server.wait_for_ticks()
        assert reminders(server) == 1  # not said again after the restart

        ticket = open_page(width=390, height=844)
        ticket.goto(f"{server.url}/ticket/{code}")
        expect(ticket.locator("#qr svg")).to_be_visible()
        expect(ticket.locator("#name")).to_have_text("安安")
        shots.take(ticket, "ticket")

        clock.set(SALON - timedelta(minutes=15))
        door = open_page(locale="en-GB", width=390, height=844)
        sign_in(door, server, f"/console/c/{server.slug}/door/{code}")  # the QR's link
        expect(door.locator("#who")).to_have_text("安安")  # shown; not in until the tap
        shots.take(door, "scanned")
        door.click("#let-in")
        expect(door.locator("#verdict")).to_have_text("Welcome in")
        expect(door.locator("#who")).to_have_text("安安")
        shots.take(door, "checked-in")
        door.fill("input[name=code]", f"{code[:4]}-{code[4:]}".lower())  # typed, again
        door.click("form.stack button[type=submit]")
        expect(door.locator("#verdict")).to_have_text("Code used already")

        door.goto(f"{server.url}/console/c/{server.slug}/events")
        expect(door.locator("#events td.attended").first).to_have_text("1/1 (100%)")
        shots.take(door, "events")
    finally:
        server.stop()


def priced_salon(text: str) -> str:
    return text.replace("    capacity: 20\n    price: 0\n", "    capacity: 1\n    price: 50\n", 1)


def test_staff_see_who_signed_up_and_record_a_fee_for_the_one_they_read_there(
    data_dir: Path, clock: MovableClock, open_page: OpenPage, shots: Screenshots
) -> None:
    """The Events page gave counts only: staff could not see who held the places or waited,
    nor whom to record a fee for without the member quoting their payment reference."""
    server = start_live_server(data_dir, playbook=priced_salon, clock=clock)
    try:
        bo, _ = server.seat_member("阿波")
        server.say(bo, "同意")
        server.say(bo, "/报名")  # bo holds the one place, unpaid
        ann, _ = server.seat_member("安安")
        server.say(ann, "同意")
        server.say(ann, "/报名")  # ann waits
        page = open_page(locale="en-GB")
        sign_in(page, server, f"/console/c/{server.slug}/events")
        page.click("summary:has-text('Sign-ups of 线下肤质检测沙龙 (2)')")
        rows = page.locator("tr.signups tbody tr")
        expect(rows.nth(0)).to_contain_text("阿波")
        expect(rows.nth(0)).to_contain_text("unpaid")
        expect(rows.nth(1)).to_contain_text("安安")
        expect(rows.nth(1)).to_contain_text("waitlisted #1")
        shots.take(page, "signups")
        who = rows.nth(0).locator("code", has_text="member:").inner_text()
        assert re.fullmatch(r"member:\d+", who), who
        event_id = page.locator("#events tbody tr").first.locator("td").first.inner_text()
        page.fill("input[name=event]", event_id)
        page.fill("input[name=who]", who)
        page.fill("input[name=receipt]", "WX-1")
        page.click("button:text('Record fee')")
        page.click("summary:has-text('Sign-ups of 线下肤质检测沙龙')")
        expect(page.locator("tr.signups tbody tr").nth(0)).to_contain_text("confirmed, paid (order")
    finally:
        server.stop()
