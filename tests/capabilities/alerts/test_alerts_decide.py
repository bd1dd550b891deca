"""Quiet hours, urgency and keys: pure."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.alerts.decide import derived, is_urgent, quiet_until
from hearthkeeper.engine.actions import Action, ActionKind
from tests.engine_setup import playbook

LONDON = ZoneInfo("Europe/London")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_quiet_hours_across_midnight_end_the_next_morning() -> None:
    at = datetime(2026, 5, 1, 14, 30, tzinfo=UTC)  # 22:30 in Shanghai
    assert quiet_until(at, "22:00-07:00", SHANGHAI) == datetime(2026, 5, 2, 7, 0, tzinfo=SHANGHAI)
    early = datetime(2026, 5, 1, 22, 0, tzinfo=UTC)  # 06:00 on the 2nd in Shanghai
    assert quiet_until(early, "22:00-07:00", SHANGHAI) == datetime(
        2026, 5, 2, 7, 0, tzinfo=SHANGHAI
    )
    assert quiet_until(datetime(2026, 5, 1, 4, 0, tzinfo=UTC), "22:00-07:00", SHANGHAI) is None


def test_quiet_hours_within_a_day_and_none() -> None:
    noon = datetime(2026, 5, 1, 11, 0, tzinfo=UTC)  # 12:00 in London (summer time)
    assert quiet_until(noon, "12:00-14:00", LONDON) == datetime(2026, 5, 1, 14, 0, tzinfo=LONDON)
    assert quiet_until(noon, "14:00-16:00", LONDON) is None
    assert quiet_until(noon, None, LONDON) is None
    assert quiet_until(noon, "12:00-12:00", LONDON) is None


def test_quiet_hours_end_at_local_time_across_a_clock_change() -> None:
    # the night British summer time starts (29 March 2026): 07:00 local is 06:00 UTC
    night = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    end = quiet_until(night, "22:00-07:00", LONDON)
    assert end is not None and end.astimezone(UTC) == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)


def test_urgent_by_source_mark_violation_or_handler() -> None:
    pb = playbook("alerts:\n  urgent: [insults]\n")
    alert = Action(kind=ActionKind.ALERT_STAFF, carrier="fake", group="g1", handler="faq")
    assert not is_urgent(alert, pb)
    assert is_urgent(Action(kind=ActionKind.ALERT_STAFF, carrier="f", violation="insults"), pb)
    assert is_urgent(Action(kind=ActionKind.ALERT_STAFF, carrier="f", extra={"urgent": True}), pb)
    default = playbook()
    assert is_urgent(Action(kind=ActionKind.ALERT_STAFF, carrier="f", handler="crisis"), default)


def test_delivery_keys_are_stable_and_fit_the_outbox() -> None:
    assert derived("abc", "staff") == "abc>staff"
    long = derived("x" * 190, "dm:matrix:12")
    assert len(long) < 200 and long == derived("x" * 190, "dm:matrix:12")
