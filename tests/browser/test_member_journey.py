"""A newcomer's first minutes in a web chat group run by the skincare template, in a real
browser: the invite link, a nickname, the welcome and the rules, accepting them, an
advertisement taken down with a warning, a check-in with its streak. And what another member
sees of it, live."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import OpenPage, Screenshots
from tests.browser.live import LiveServer
from tests.browser.pages import bot_says, eventually, join_chat, messages, say

MENTIONS_ME = re.compile(r"\bmention\b")  # the class of messages that @-mention the viewer
ADVERT = "加我微信 abc12345 低价代购"  # `hearth moderate`: advertising + contact, strike 1
# Remember the text of every message that appears in #messages, however briefly.
SEEN = """() => {
  window.__seen = [];
  new MutationObserver((changes) => changes.forEach((change) => change.addedNodes.forEach(
    (node) => { const text = node.querySelector && node.querySelector(".text");
                if (text) window.__seen.push(text.textContent); }))
  ).observe(document.getElementById("messages"), {childList: true});
}"""


def test_a_newcomer_is_welcomed_warned_about_an_advert_and_checks_in(
    live_server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    page = open_page()
    join_chat(page, live_server.invite_url(), "小鹿")

    welcome = bot_says(page, "欢迎 小鹿 加入颜学院护肤社")
    expect(welcome).to_have_count(1)
    expect(welcome).to_contain_text("本群只聊护肤、健康和生活")  # the first rule
    expect(welcome).to_have_class(MENTIONS_ME)  # addressed to the newcomer
    expect(bot_says(page, "同意")).not_to_have_count(0)  # asked to accept the rules

    say(page, "同意")
    expect(bot_says(page, "小鹿 已接受群规")).to_have_count(1)

    say(page, ADVERT)
    warning = bot_says(page, "这条消息不符合群规，已删除")
    expect(warning).to_have_count(1)
    expect(warning).to_have_class(MENTIONS_ME)
    expect(messages(page, "abc12345")).to_have_count(0)

    say(page, "打卡")
    expect(bot_says(page, "小鹿 打卡成功")).to_contain_text("已连续打卡 1 天")
    shots.take(page, "chat")

    store = live_server.store
    member = eventually(lambda: store.search_members(live_server.community_id, "小鹿"),
                        "the newcomer in the member directory")[0]  # fmt: skip
    strikes = store.community_strikes(live_server.community_id)
    assert [(s.member_id, s.violation) for s in strikes] == [(member.member_id, "advertising")]


def test_another_member_sees_a_message_arrive_and_vanish_when_it_is_deleted(
    live_server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    watcher, poster = open_page(), open_page()
    join_chat(watcher, live_server.invite_url(), "阿花")
    say(watcher, "同意")
    join_chat(poster, live_server.invite_url(), "小鹿")
    say(poster, "同意")
    expect(bot_says(watcher, "小鹿 已接受群规")).to_have_count(1)

    say(poster, "大家早上好，今天也要记得防晒")
    expect(messages(watcher, "今天也要记得防晒")).to_have_count(1)
    expect(messages(watcher, "今天也要记得防晒").locator(".nick")).to_have_text("小鹿")

    # An advertisement reaches the others' screens, then moderation takes it down for all.
    watcher.evaluate(SEEN)
    say(poster, ADVERT)
    expect(bot_says(watcher, "这条消息不符合群规，已删除")).to_have_count(1)
    expect(messages(watcher, "abc12345")).to_have_count(0)
    assert ADVERT in watcher.evaluate("window.__seen"), "the advert never reached the watcher"
    expect(messages(watcher, "今天也要记得防晒")).to_have_count(1)
    shots.take(watcher, "watcher")


def test_a_newcomer_asked_for_a_nickname_in_the_format_can_change_it_in_the_web_chat(
    live_server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    """The welcome asks for a nickname like 杭州-小鹿-混油皮, and the web chat had no way to
    change one: the invite link again said only 'you are in this group as 小鹿'."""
    page = open_page()
    join_chat(page, live_server.invite_url(), "小鹿")
    expect(bot_says(page, "城市-昵称-肤质")).not_to_have_count(0)  # asked to rename
    page.click("#rename")
    expect(page.locator("#rename-form label[for=nickname]")).to_have_text("修改你在群里的昵称")
    expect(page.locator("#nickname")).to_have_value("小鹿")
    page.fill("#nickname", "杭州-小鹿-混油皮")
    shots.take(page, "rename")
    page.click("#rename-form button[type=submit]")
    page.wait_for_url("**/chat/**")
    expect(page.locator("#status")).to_have_attribute("data-state", "online")
    say(page, "同意")
    mine = page.locator("#messages .message[data-id]:not(.bot)").filter(has_text="同意")
    expect(mine.locator(".nick")).to_have_text("杭州-小鹿-混油皮")
    expect(bot_says(page, "杭州-小鹿-混油皮")).not_to_have_count(0)  # thanked by the new name
