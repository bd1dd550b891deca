"""A member of a zh-CN community (the skincare template) reads the web chat in Chinese, in
a real browser: the join page, the chat page and its script's words, and a mute notice."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
from hearthkeeper.engine.actions import Action, ActionKind
from tests.browser.conftest import OpenPage, Screenshots
from tests.browser.live import LiveServer
from tests.browser.pages import bot_says, join_chat, say


def test_a_member_of_a_chinese_community_reads_the_chat_in_chinese(
    live_server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    page = open_page(locale="en-US")  # the community's language wins over the browser's
    page.goto(live_server.invite_url())
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("#seats")).to_contain_text("个位置")
    expect(page.locator("label[for=nickname]")).to_have_text("你在群里的昵称")
    expect(page.locator("#join-form button")).to_have_text("加入")
    shots.take(page, "join")

    join_chat(page, live_server.invite_url(), "小鹿")
    expect(page.locator("#status")).to_have_text("已连接")
    expect(page.locator("#member-count")).to_have_text("1 位成员")
    expect(page.locator("#composer textarea")).to_have_attribute("placeholder", "输入消息")
    expect(page.locator("#composer button[type=submit]")).to_have_text("发送")
    welcome = bot_says(page, "欢迎 小鹿")
    expect(welcome.locator(".badge")).to_have_text("机器人")
    expect(welcome.locator(".reply-button")).to_have_text("回复")
    say(page, "同意")

    chat = live_server.host.carrier(WebChatCarrier)
    group = live_server.groups()[0]
    [seated] = chat.platform.seated(group.id)
    mute = Action(kind=ActionKind.MUTE, carrier="webchat", group=group.carrier_group_id,
                  member=seated.user_id, duration=timedelta(minutes=10),
                  reason="刷屏")  # fmt: skip
    live_server.call(chat.perform(mute, "mute-1"))
    expect(page.locator("#notice")).to_contain_text("你被禁言至")
    # on the community's clock, as a refused post (and every date members read) writes it;
    # not the browser's
    expect(page.locator("#notice")).to_contain_text(
        re.compile(r"禁言至 \d{1,2}月\d{1,2}日 周[一二三四五六日] \d\d:\d\d")
    )
    expect(page.locator("#notice")).to_contain_text("刷屏")
    expect(page.locator("body")).not_to_contain_text("connected")
    shots.take(page, "muted")
