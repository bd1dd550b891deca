"""A scheduled post written in Markdown, in a real browser against a real server: the member
reads it formatted — a heading, bold, italic, a list, a link that opens the address — where
the page showed its asterisks and brackets. Nothing in a post runs (a `javascript:` link is
no link, HTML is its characters), and a member's own `**text**` is shown as typed."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from hearthkeeper.capabilities.calendar.content import PostContent
from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.playbook.output import ScheduledPost
from tests.browser.conftest import OpenPage, Screenshots
from tests.browser.live import start_live_server
from tests.browser.pages import bot_says, join_chat, say
from tests.browser.test_escaping import assert_nothing_ran, watch_dialogs

POST = ScheduledPost.model_validate(
    {"id": "tips", "schedule": "every day 08:00", "content": {"library": "tips"}}
)
TEXT = """# 两分钟知识包
**防晒**要涂*够*，详见 [护肤指南](https://example.com/guide)

- 早上出门前涂
- 每两小时补一次

[点我](javascript:alert(1)) <img src=x onerror=alert(1)>"""


def test_a_scheduled_posts_markdown_is_shown_formatted_and_nothing_in_it_runs(
    tmp_path: Path, open_page: OpenPage, shots: Screenshots
) -> None:
    server = start_live_server(tmp_path / "data")
    try:
        page = open_page()
        dialogs = watch_dialogs(page)
        join_chat(page, server.invite_url(), "小美")
        group = server.groups()[0]
        content = PostContent(TEXT, "text", "tips.md")
        action = Action(kind=ActionKind.SEND, carrier="webchat", group=group.carrier_group_id,
                        text=content.text, handler="calendar", extra=content.extra(POST, 1))  # fmt: skip
        server.call(server.host.carrier(WebChatCarrier).perform(action, "calendar:tips:1"))
        say(page, "同意")  # the community's rules, accepted before speaking
        say(page, "**我的**重点")

        for _ in range(2):  # as it arrives, then from the history after a reload
            post = bot_says(page, "防晒")
            expect(post).to_have_count(1)
            shown = post.locator(".text")
            expect(shown.locator(".heading")).to_have_text("两分钟知识包")
            expect(shown.locator("strong")).to_have_text("防晒")
            expect(shown.locator("em")).to_have_text("够")
            expect(shown.locator("li")).to_have_text(["早上出门前涂", "每两小时补一次"])
            link = shown.locator("a")
            expect(link).to_have_count(1)
            expect(link).to_have_text("护肤指南")
            expect(link).to_have_attribute("href", "https://example.com/guide")
            expect(link).to_have_attribute("target", "_blank")
            text = shown.inner_text()
            assert "**" not in text and "](" not in text.replace("](javascript", "")
            assert "#" not in text
            assert "<img src=x onerror=alert(1)>" in text, "HTML in a post is its characters"
            mine = page.locator("#messages .message:not(.bot)").filter(has_text="我的")
            expect(mine.locator(".text")).to_have_text("**我的**重点")
            expect(mine.locator("strong")).to_have_count(0)
            assert_nothing_ran(page, dialogs)
            shots.take(page, "formatted-post")
            page.reload()
            expect(page.locator("#status")).to_have_attribute("data-state", "online")
    finally:
        server.stop()
