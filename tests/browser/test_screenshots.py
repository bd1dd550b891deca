"""The README's screenshots (tests/browser/screenshots.py) can still be taken."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser

from tests.browser import screenshots


def test_the_readme_screenshots_can_be_taken(tmp_path: Path, browser: Browser) -> None:
    """`python -m tests.browser.screenshots` (docs/img) still runs against today's pages."""
    taken = screenshots.take(tmp_path, browser)
    assert [p.name for p in taken] == ["chat.png", "console-overview.png", "console-member.png"]
    for path in taken:
        with Image.open(path) as image:
            assert image.size == (1280, 800), path.name
