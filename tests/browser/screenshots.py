"""The README's screenshots: a few members chatting in a skincare group, then the chat, the
console's overview and a member's page, at 1280×800.

    .venv/bin/python -m tests.browser.screenshots [--out docs/img]

writes chat.png, console-overview.png and console-member.png (the browser tests run it into
a temporary folder, so it keeps working).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from tests.browser.live import LiveServer, start_live_server
from tests.browser.pages import bot_says, eventually, join_chat, say

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
ZONE = "Asia/Shanghai"  # the template's community.timezone: chat times match the console's
FILES = ("chat.png", "console-overview.png", "console-member.png")
ADVERTISER = "北京-Momo-油皮"

READER = "杭州-小鹿-混油皮"  # the member whose browser is photographed
# (who, what they say): before the reader joins, then after. Everyone accepts the rules first.
EARLIER = [
    ("上海-阿花-敏感肌", "大家好～我是阿花，敏感肌，换季脸颊总是泛红，想学怎么修护屏障"),
    ("成都-糖糖-干皮", "打卡"),
    ("成都-糖糖-干皮", "今天的知识包讲防晒补涂，终于知道为什么下午脸会干了"),
    (ADVERTISER, "早上好"),
]
LATER = [
    (ADVERTISER, "加我微信 abc12345 低价代购大牌护肤品"),
    (READER, "请问团购怎么下单？"),
    ("成都-糖糖-干皮", "小鹿欢迎～接龙一般早上十点开，记得把群置顶"),
    (READER, "打卡"),
]
# Meanwhile in the second group: a check-in, a quarrel for the inbox, a question for staff.
SECOND = [
    ("广州-Coco-混干皮", "打卡"),
    ("深圳-阿杰-油皮", "早，今天试了新的洁面，清爽不紧绷"),
    ("广州-Coco-混干皮", "你有病吧，天天刷屏"),
    ("深圳-阿杰-油皮", "请问眼霜应该在精华之前还是之后用？"),
]
PUBLIC_URL = "https://hearth.example.org"  # shown in invite links instead of 127.0.0.1:port


def converse(server: LiveServer, page: Page) -> None:
    """Members chat through the carrier; the reader joins and speaks in the browser."""
    people: dict[str, str] = {}

    def speak(who: str, text: str, group: int = 0) -> None:
        if who not in people:
            people[who] = server.add_member(who, group)
            server.say(people[who], "同意", group)
        server.say(people[who], text, group)

    for who, text in EARLIER:
        speak(who, text)
    for who, text in SECOND:
        speak(who, text, 1)
    join_chat(page, server.invite_url(), READER)
    say(page, "同意")
    expect(bot_says(page, f"{READER} 已接受群规")).to_have_count(1)
    for who, text in LATER:
        if who == READER:
            say(page, text)
        else:
            speak(who, text)
        time.sleep(0.4)  # a conversation, not a burst: each answer lands after its line
    expect(bot_says(page, f"{READER} 打卡成功")).to_have_count(1)
    expect(bot_says(page, "这条消息不符合群规")).to_have_count(1)


def take(out: Path, browser: Browser | None = None) -> list[Path]:
    """Run a server, play the conversation and write the three screenshots into `out`, with
    `browser` (default: launch Debian's chromium)."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hearth-shots-") as tmp:
        server = start_live_server(Path(tmp) / "data", groups=2, public_url=PUBLIC_URL)
        try:
            if browser is not None:
                return _shoot(server, browser, out)
            with sync_playwright() as driver:
                launched = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                try:
                    return _shoot(server, launched, out)
                finally:
                    launched.close()
        finally:
            server.stop()


def _shoot(server: LiveServer, browser: Browser, out: Path) -> list[Path]:
    chat_context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id=ZONE)
    console_context = browser.new_context(viewport=VIEWPORT, locale="en", timezone_id=ZONE)
    try:
        return _pictures(server, chat_context.new_page(), console_context.new_page(), out)
    finally:
        chat_context.close()
        console_context.close()


def _pictures(server: LiveServer, chat: Page, console: Page, out: Path) -> list[Path]:
    converse(server, chat)
    chat.mouse.move(0, 0)  # no hover effects in the picture
    chat.screenshot(path=str(out / FILES[0]))

    store, community = server.store, server.community_id
    advertiser = eventually(lambda: store.search_members(community, "Momo"), "the advertiser")[0]
    base = f"{server.url}/console/c/{server.slug}"
    console.goto(base)
    console.fill("input[name=username]", server.operator)
    console.fill("input[name=password]", server.password)
    console.click("form[action='/console/sign-in'] button[type=submit]")
    expect(console).to_have_url(base)
    console.screenshot(path=str(out / FILES[1]))

    console.goto(f"{base}/members/{advertiser.member_id}")
    expect(console.locator("#strikes .strike-status")).to_have_text("live")
    console.screenshot(path=str(out / FILES[2]))
    return [out / name for name in FILES]


def main() -> None:
    parser = argparse.ArgumentParser(description="Take the README's screenshots.")
    parser.add_argument("--out", type=Path, default=Path("docs/img"), help="folder to write")
    args = parser.parse_args()
    for path in take(args.out):
        print(path)


if __name__ == "__main__":
    main()
