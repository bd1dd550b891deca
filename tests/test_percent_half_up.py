"""Every whole percentage an operator reads rounds half up, as by hand and as the health score,
the Billing page and the report do: the same share reads the same on every page."""

from __future__ import annotations

import re
from pathlib import Path

from hearthkeeper.capabilities.activities.cli import _pct
from hearthkeeper.capabilities.crisis.decide import Counts
from hearthkeeper.capabilities.crisis.render import percent as crisis_percent
from hearthkeeper.capabilities.crisis.repository import SqlCrisis
from hearthkeeper.text.counts import percent
from hearthkeeper.web.templates import templates
from tests.console_setup import Console

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
    """`|round`, `|round(1)` and `"%.0f"` round halves to even: a page using them says 12%
    where the others say 13% (the crisis page's usual share used `|round(1)`)."""
    to_even = re.compile(
        r"\*\s*100\)\|round(\(\d*\))?(\|int)?\s*}}\s*%|\"%\.[01]f\"\|format\([^)]*\* 100\)"
    )
    found = [f"{p.relative_to(CONSOLE)}: {m.group(0)}"
             for p in sorted(CONSOLE.rglob("*.html"))
             for m in to_even.finditer(p.read_text(encoding="utf-8"))]  # fmt: skip
    assert found == []


def test_the_crisis_pages_usual_share_rounds_its_decimal_up(console: Console) -> None:
    """The crisis page said the group's usual share with `|round(1)` (to even): 12.25% read
    "12.2%"; to one decimal half up it reads "12.3%", as by hand (and 1.25% "1.3%")."""
    now = console.clock.now()
    crisis = SqlCrisis.on(console.store)
    for n, baseline in enumerate((0.1225, 0.0125)):
        crisis.open(console.community_id, console.group_id, now, now, Counts(20, 8, 5),
                    baseline, 0.375, f"crisis:test-{n}")  # fmt: skip
    page = console.get("/crisis").text
    assert "the bar was 38%, the group's usual share 12.3%." in page
    assert "the bar was 38%, the group's usual share 1.3%." in page
    assert "12.2%" not in page and "1.2%" not in page


def test_a_single_choice_s_shares_add_up_to_100() -> None:
    from hearthkeeper.text.counts import half_up_share, whole_shares

    assert whole_shares([1, 1, 1]) == [34, 33, 33]  # half up: 3 × 33 = 99
    assert whole_shares([1, 7, 0]) == [12, 88, 0]  # half up: 13 + 88 = 101
    assert whole_shares([7, 1]) == [88, 12]  # the same counts in the other order
    assert whole_shares([0, 0]) == [0, 0]
    for counts in ([2, 2, 2, 1], [1] * 7, [3, 3, 1, 1, 1], [1, 2, 3, 4, 5, 6], [999, 1, 1]):
        assert sum(whole_shares(counts)) == 100, counts
    assert [half_up_share(c, 8) for c in (1, 3, 4, 8)] == [13, 38, 50, 100]
