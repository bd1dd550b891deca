"""Every whole percentage an operator reads rounds half up, as by hand and as the health score,
the Billing page and the report do: the same share reads the same on every page."""

from __future__ import annotations

import re
from pathlib import Path

from hearthkeeper.capabilities.activities.cli import _pct
from hearthkeeper.capabilities.crisis.render import percent as crisis_percent
from hearthkeeper.text.counts import percent
from hearthkeeper.web.templates import templates

CONSOLE = Path(__file__).resolve().parents[1] / "src" / "hearthkeeper" / "web" / "templates"


def test_a_half_percent_rounds_up() -> None:
    # 1 of 8 came: 12.5% ("12%" to even); 57 of 200 full: 28.5% (0.285 is held as 0.28499…)
    assert [percent(s) for s in (0.125, 0.285, 0.005, 0.0, 1.0, 0.5, 2 / 3)] == [
        "13%", "29%", "1%", "0%", "100%", "50%", "67%",
    ]  # fmt: skip


def test_the_console_the_events_cli_and_crisis_texts_say_the_same() -> None:
    page = templates.env.from_string("{{ 0.125|percent }} {{ 0.285|percent }}")
    assert page.render() == "13% 29%"  # events' attendance, the matrix's fill, crisis bars
    assert _pct(0.125) == "13%"  # `hearth events list`: "attended 1/8 (13%)"
    assert crisis_percent(0.125) == "13%"  # the crisis alert's bar


def test_no_console_page_rounds_a_percentage_to_even() -> None:
    """`|round` and `"%.0f"` round halves to even: a page using them says 12% where the
    others say 13%."""
    to_even = re.compile(r"\*\s*100\)\|round(\|int)?\s*}}\s*%|\"%\.0f\"\|format\([^)]*\* 100\)")
    found = [f"{p.relative_to(CONSOLE)}: {m.group(0)}"
             for p in sorted(CONSOLE.rglob("*.html"))
             for m in to_even.finditer(p.read_text(encoding="utf-8"))]  # fmt: skip
    assert found == []
