"""What a member or an operator does in the browser, in a few words each."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import quote

from playwright.sync_api import Locator, Page, expect

from tests.browser.live import LiveServer

T = TypeVar("T")
PATIENCE_SECONDS = 30  # as the pages' own waits (conftest.TIMEOUT_MS): only against a hang


def join_chat(page: Page, invite_url: str, nickname: str) -> None:
    """Open an invite link, choose a nickname, join, and wait until the chat is connected."""
    page.goto(invite_url)
    page.fill("input[name=nickname]", nickname)
    page.press("input[name=nickname]", "Enter")
    page.wait_for_url("**/chat/**")
    expect(page.locator("#status")).to_have_attribute("data-state", "online")


def say(page: Page, text: str) -> None:
    """Type `text` into the composer and send it."""
    page.fill("#composer textarea[name=text]", text)
    page.click("#composer button[type=submit]")
    expect(page.locator("#composer textarea[name=text]")).to_have_value("")


def messages(page: Page, text: str) -> Locator:
    """Members' and the bot's messages whose text contains `text`."""
    return page.locator("#messages .message[data-id]").filter(
        has=page.locator(".text", has_text=text)
    )


def bot_says(page: Page, text: str) -> Locator:
    """The bot's messages containing `text`."""
    return page.locator("#messages .message.bot").filter(has=page.locator(".text", has_text=text))


def sign_in(page: Page, server: LiveServer, path: str = "/console") -> None:
    """Sign in as the server's operator, coming from `path` (signed out: the sign-in page)."""
    page.goto(server.url + path)
    expect(page).to_have_url(f"{server.url}/console/sign-in?next=" + quote(path, safe=""))
    page.fill("input[name=username]", server.operator)
    page.fill("input[name=password]", server.password)
    page.click("form[action='/console/sign-in'] button[type=submit]")
    expect(page).to_have_url(server.url + path)


def eventually(check: Callable[[], T | None], what: str) -> T:
    """The first truthy answer of `check`, asked again until it gives one; fails saying
    `what` was awaited (the server works in the background, like it does for users)."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what} after {PATIENCE_SECONDS} s")
        time.sleep(0.05)
