"""A member who opens the chat in more places than a server keeps for one member, in a real
browser: the page opened first is closed and says why (the chat is open in too many other
tabs or devices), and stays so rather than reconnecting (which would close another)."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from playwright.sync_api import expect
from websockets.sync.client import connect

from hearthkeeper.carriers.webchat.hub import MOST_PER_MEMBER
from tests.browser.conftest import OpenPage
from tests.browser.live import LiveServer, start_live_server
from tests.browser.pages import join_chat

TOO_MANY = "这个聊天在太多其他标签页或设备上打开了；刷新页面即可在这里继续使用。"


def test_the_first_tab_says_the_chat_is_open_in_too_many_places(
    tmp_path: Path, open_page: OpenPage
) -> None:
    server: LiveServer = start_live_server(tmp_path / "data", groups=1)
    try:
        member = open_page()
        join_chat(member, server.invite_url(0), "小满")
        status = member.locator("#status")
        expect(status).to_have_attribute("data-state", "online")
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in member.context.cookies())
        code = server.invite_code(0)
        ws_url = f"{server.url.replace('http', 'ws', 1)}/chat/{code}/ws"
        with ExitStack() as tabs:
            for _ in range(MOST_PER_MEMBER):  # as other tabs would open them
                socket = tabs.enter_context(connect(ws_url, additional_headers={"Cookie": cookie}))
                socket.recv()  # the hello: it is in
            expect(status).to_have_text(TOO_MANY)
            expect(status).to_have_attribute("data-state", "closed")
    finally:
        server.stop()
