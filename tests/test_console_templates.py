"""How the console writes times: in the community's zone, and as people say durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hearthkeeper.web.templates import ago, local, span, templates

NOON_UTC = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def test_times_are_shown_in_the_community_time_zone() -> None:
    assert local(NOON_UTC, "Asia/Shanghai") == "2026-05-01 20:00"
    assert local(NOON_UTC, "Europe/London") == "2026-05-01 13:00"  # summer time
    assert local(NOON_UTC, "Not/AZone") == "2026-05-01 12:00"  # unknown: UTC, not an error
    assert local(NOON_UTC, "Asia/Shanghai", "%H:%M") == "20:00"
    assert local(None, "Asia/Shanghai") == "—"


def test_relative_times_read_naturally() -> None:
    assert ago(NOON_UTC - timedelta(seconds=10), NOON_UTC) == "just now"
    assert ago(NOON_UTC - timedelta(minutes=3), NOON_UTC) == "3 min ago"
    assert ago(NOON_UTC - timedelta(hours=2, minutes=5), NOON_UTC) == "2 h 5 min ago"
    assert ago(NOON_UTC - timedelta(days=1, hours=3), NOON_UTC) == "1 day ago"
    assert ago(NOON_UTC - timedelta(days=9), NOON_UTC) == "9 days ago"
    assert ago(NOON_UTC + timedelta(hours=2), NOON_UTC) == "in 2 h"
    assert span(timedelta(seconds=45)) == "45 s"


def test_a_count_of_one_takes_the_singular() -> None:
    render = templates.env.from_string(
        '{{ n|counted("message") }}, {{ n|counted("reply", "replies") }}'
    ).render
    assert render(n=1) == "1 message, 1 reply"
    assert render(n=0) == "0 messages, 0 replies"
    assert render(n=3) == "3 messages, 3 replies"


def test_templates_escape_member_text_and_use_the_page_clock() -> None:
    page = templates.env.from_string("{{ name }} {{ at|ago }}").render(
        name="<script>alert(1)</script>", at=NOON_UTC - timedelta(minutes=5), now=NOON_UTC
    )
    assert page == "&lt;script&gt;alert(1)&lt;/script&gt; 5 min ago"
