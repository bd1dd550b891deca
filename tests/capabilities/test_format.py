"""Every moment members read is written one way (`format.when_text`): a poll's deadline read
`12月9日 周三 20:00` while an event at the same time read `12月9日（周三）20:00`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hearthkeeper.capabilities.activities.records import Event, EventStatus
from hearthkeeper.capabilities.activities.render import event_line
from hearthkeeper.capabilities.format import when_text
from hearthkeeper.capabilities.polls.records import Poll
from hearthkeeper.capabilities.polls.render import settings_text
from hearthkeeper.carriers.webchat.protocol import muted_frame
from hearthkeeper.playbook.positioning import Language

SHANGHAI = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)  # Wednesday 20:00 in Shanghai
NOW = AT - timedelta(days=2)


def _poll() -> Poll:
    return Poll(id=1, community_id=1, group_id=1, question="周末活动去哪", options=("爬山", "看展"),
                multiple=False, anonymous=False, deadline=AT, created_by=None, status="open",
                created_at=NOW, closed_at=None)  # fmt: skip


def _event() -> Event:
    return Event(id=3, community_id=1, activity_id=None, title="品鉴会", place=None, starts_at=AT,
                 capacity=None, price=None, currency="CNY", sign_up=True,
                 status=EventStatus.SCHEDULED, created_by="staff", created_at=NOW)  # fmt: skip


@pytest.mark.parametrize(
    ("language", "written"),
    [(Language.ZH_CN, "12月9日 周三 20:00"), (Language.EN, "Wed 9 Dec 20:00")],
)
def test_a_poll_an_event_and_a_mute_write_the_same_moment_the_same_way(
    language: Language, written: str
) -> None:
    assert when_text(AT, SHANGHAI, language) == written
    assert written in settings_text(_poll(), SHANGHAI, language)
    assert written in event_line(_event(), [], SHANGHAI, language)
    assert muted_frame(AT, "刷屏", SHANGHAI, language)["when"] == written


def test_english_names_days_and_months_whatever_the_server_s_locale() -> None:
    """Not strftime's %a and %b, which follow the locale the server runs in."""
    days = {when_text(AT + timedelta(days=n), UTC, Language.EN)[:3] for n in range(7)}
    assert days == {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
    months = [when_text(datetime(2027, m, 1, tzinfo=UTC), UTC, Language.EN).split()[2]
              for m in range(1, 13)]  # fmt: skip
    assert months == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                      "Nov", "Dec"]  # fmt: skip
