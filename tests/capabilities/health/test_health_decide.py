"""The key-member watch's pure parts, without a database: when the next watch runs and which
silent key members staff hear of, under which key."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hearthkeeper.analytics.segments import Placed, Segment
from hearthkeeper.analytics.vitals import SilentKey
from hearthkeeper.capabilities.health.watch import HealthWatch, Silent, alerts, next_watch
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Group

LONDON = ZoneInfo("Europe/London")
GROUP = Group(id=2, community_id=1, name="Tea 1", carrier="fake", carrier_group_id="tea-1",
              capacity=None, created_at=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip


def _silent(member_id: int, last: date | None) -> SilentKey:
    placed = Placed(member_id=member_id, segment=Segment.SILENT, last_active=last,
                    silent_days=None if last is None else 9, active_days_28=0, key=True)  # fmt: skip
    return SilentKey(placed=placed, name=f"member {member_id}", group_id=GROUP.id)


def test_the_next_watch_is_today_until_half_past_nine_community_time() -> None:
    assert next_watch(LONDON, datetime(2026, 5, 2, 8, 29, tzinfo=UTC)) == date(2026, 5, 2)
    assert next_watch(LONDON, datetime(2026, 5, 2, 8, 30, tzinfo=UTC)) == date(2026, 5, 3)
    assert HealthWatch.from_payload({"day": "2026-05-03"}) == HealthWatch(day=date(2026, 5, 3))


def test_each_silence_spell_alerts_staff_in_the_group_last_active_in() -> None:
    found = alerts(Language.EN, 1, [
        Silent(_silent(5, date(2026, 4, 20)), GROUP, "lin"),
        Silent(_silent(6, date(2026, 4, 21)), None, None),  # the group is gone
        Silent(_silent(7, None), GROUP, None),  # never posted: no spell to name
    ])  # fmt: skip
    [alert] = found
    assert (alert.kind, alert.group, alert.member) == (ActionKind.ALERT_STAFF, "tea-1", "lin")
    assert alert.key == "health:silent:1:5:2026-04-20"
    assert alert.text is not None and alert.text.startswith(
        "Key member member 5 has been silent since 2026-04-20 (9 days)")  # fmt: skip
