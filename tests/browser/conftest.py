"""Browser tests: Debian's chromium driven headless by Playwright against a live server.

Everything here is marked `browser`. Chromium is launched once per session; each test gets
fresh browser contexts (`open_page`), a live server of its own (`live_server`) and a place for
screenshots (`shots`: test-artifacts/screenshots/<test>-<step>.png). When a test fails, every
page it still has open is screenshotted too (`<test>-failed-<n>.png`).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.browser.live import LiveServer, start_live_server

CHROMIUM = "/usr/bin/chromium"
MISSING = "install Debian's chromium (apt-get install chromium) to run the browser tests"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# How long a page may take to load, an element to appear, a condition to hold (Playwright's
# actions and `expect`, which would otherwise give up after 5 s): a guard against a hang, not
# a measure of speed. At a load of 20 on 2 cores a first page took over 10 s to load.
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)
HERE = Path(__file__).parent

_FAILED = pytest.StashKey[bool]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser `browser` (run them alone: `pytest -m browser`)
    and run them last: Playwright's sync API keeps an event loop marked as running in the
    main thread while it is started, which would break `asyncio.run` in the tests after."""
    ours = [item for item in items if HERE in item.path.parents]
    for item in ours:
        item.add_marker(pytest.mark.browser)
    items[:] = [item for item in items if HERE not in item.path.parents] + ours


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember whether a test's call failed, for the failure screenshots."""
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_FAILED] = True
    return report


def find_chromium() -> str:
    """Debian's chromium; fails under CI (where it must be installed), else skips."""
    path = CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} not found (CI is set): {MISSING}")
        pytest.skip(MISSING)
    return path


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver, once per session."""
    find_chromium()
    driver = sync_playwright().start()
    try:
        yield driver
    finally:
        driver.stop()


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless chromium for the whole session."""
    launched = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
    try:
        yield launched
    finally:
        launched.close()


class Screenshots:
    """Screenshots of one test: test-artifacts/screenshots/<test>-<step>.png."""

    def __init__(self, folder: Path, test: str) -> None:
        self.folder = folder
        self.test = re.sub(r"[^A-Za-z0-9_.-]+", "-", test).strip("-")

    def path(self, step: str) -> Path:
        """Where the screenshot of `step` goes."""
        return self.folder / f"{self.test}-{step}.png"

    def take(self, page: Page, step: str, *, full_page: bool = True) -> Path:
        """Screenshot `page` as `step`."""
        where = self.path(step)
        page.screenshot(path=str(where), full_page=full_page)
        return where


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Screenshots:
    """Where this test's screenshots go (the folder is created here)."""
    folder = request.config.rootpath / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return Screenshots(folder, request.node.name)


OpenPage = Callable[..., Page]


@pytest.fixture
def open_page(
    browser: Browser, shots: Screenshots, request: pytest.FixtureRequest
) -> Iterator[OpenPage]:
    """`open_page(locale="zh-CN")`: a page in a fresh context (its own cookies), 1280×800,
    on the machine's time zone unless `timezone` names one. Every page still open is
    screenshotted if the test fails."""
    contexts: list[BrowserContext] = []

    def new(*, locale: str = "zh-CN", width: int = 1280, height: int = 800,
            timezone: str | None = None) -> Page:  # fmt: skip
        context = browser.new_context(locale=locale, viewport={"width": width, "height": height},
                                      timezone_id=timezone)  # fmt: skip
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    try:
        yield new
    finally:
        if request.node.stash.get(_FAILED, False):
            pages = [p for c in contexts for p in c.pages if not p.is_closed()]
            for n, page in enumerate(pages, start=1):
                try:
                    shots.take(page, f"failed-{n}")
                except Exception as exc:  # a crashed page must not hide the test's own failure
                    print(f"could not screenshot page {n} ({page.url}) of the failed test: {exc}")
        for context in contexts:
            context.close()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A real server on 127.0.0.1 (a free port) for this test: SQLite, the skincare template,
    web chat groups and an operator; the simulator is off."""
    server = start_live_server(tmp_path / "data")
    try:
        yield server
    finally:
        server.stop()
