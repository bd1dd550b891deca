"""An applicant in a real browser: the join page asks the community's questions (in its
language), the application waits, staff approve it in the console, and the applicant, back
on the join page, is in the group."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import OpenPage, Screenshots
from tests.browser.live import LiveServer, start_live_server
from tests.browser.pages import eventually, sign_in

QUESTIONS = ("你的肤质是？", "你最想解决的皮肤问题？")


def by_application(text: str) -> str:
    """The skincare template admitting by application with two questions."""
    start, end = text.index("  threshold:\n"), text.index("  ceremony:\n")
    asked = "".join(f"      - {q}\n" for q in QUESTIONS)
    return (
        text[:start] + f"  threshold:\n    kind: application\n    questions:\n{asked}" + text[end:]
    )


def test_an_applicant_answers_staff_approve_and_the_applicant_gets_in(
    tmp_path: Path, open_page: OpenPage, shots: Screenshots
) -> None:
    server: LiveServer = start_live_server(tmp_path / "data", open_door=False,
                                           playbook=by_application)  # fmt: skip
    try:
        applicant = open_page()
        applicant.goto(server.invite_url())
        expect(applicant.locator("#admission")).to_contain_text("加入前请回答以下问题")
        applicant.fill("input[name=nickname]", "小鹿")
        applicant.fill("#answer_1", "混油皮")
        applicant.fill("#answer_2", "毛孔粗大")
        applicant.click("#join-form button[type=submit]")
        expect(applicant.locator("#admission")).to_contain_text("你的申请正在等待审核")
        expect(applicant.locator("#nickname")).to_have_count(0)
        shots.take(applicant, "pending")

        staff = open_page()
        sign_in(staff, server, f"/console/c/{server.slug}/applications")
        pending = staff.locator("#pending li").filter(has_text="小鹿")
        expect(pending).to_contain_text("毛孔粗大")
        shots.take(staff, "review")
        pending.locator("button", has_text="Approve").click()
        expect(staff.locator(".notice")).to_contain_text("Application approved")
        expect(staff.locator("#reviewed")).to_contain_text("console:operator")

        # The server seats the approved applicant; back on the join page, they are in.
        def seated() -> bool:
            applicant.goto(server.invite_url())
            return applicant.locator("#open-chat").count() == 1

        eventually(seated, "the approved applicant to be seated")
        applicant.click("#open-chat")
        applicant.wait_for_url("**/chat/**")
        expect(applicant.locator("#status")).to_have_attribute("data-state", "online")
        shots.take(applicant, "in")
    finally:
        server.stop()
