"""Staff alerts through the engine with the fake carrier: who gets what, quiet hours holding
and releasing (once, across restarts), urgent alerts passing, carriers without DMs."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthkeeper.cli import app
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.carrier import Capabilities
from hearthkeeper.store import Store
from hearthkeeper.testing.fake_carrier import EVERYTHING, Performed
from tests.engine_setup import RULES, Community, community, playbook
from tests.playbook_samples import MINIMAL

INSULT = "你就是个傻逼"
QUIET = "alerts:\n  staff_group: staff\n  quiet_hours: 22:00-07:00\n"


def staffed(store: Store, clock: FrozenClock, alerts: str) -> Community:
    """A community whose staff room is `staff`: Mei (manager: receives alerts), Bob (partner:
    does not) and Ann (acquisition: does not), each in the staff room."""
    c = community(store, clock, playbook(alerts))
    c.engine.process(
        [c.events.join(u, name=u.title(), group="staff") for u in ("mei", "bob", "ann")]
    )
    c.engine.process([c.events.join("angry", group="g1")])
    staff = store.group_for_carrier("fake", "staff")
    assert staff is not None
    for user, role in (("mei", "manager"), ("bob", "partner"), ("ann", "acquisition")):
        store.set_role(c.member_id(user), staff.id, role)
    c.restart()
    return c


def sent(c: Community) -> list[Performed]:
    asyncio.run(c.engine.drain())
    return [p for p in c.carrier.performed if p.action.handler == "alerts"]


def test_an_alert_reaches_the_staff_room_and_each_recipient_by_direct_message(
    store: Store, store_clock: FrozenClock
) -> None:
    c = staffed(store, store_clock, "alerts:\n  staff_group: staff\n")
    c.engine.process([c.events.message("angry", INSULT)])
    got = sent(c)
    [room] = [p.action for p in got if p.action.kind is ActionKind.SEND]
    assert room.group == "staff" and room.text is not None
    assert room.text.startswith("@Mei\n⚠ Staff alert:") and "g1: angry" in room.text
    assert room.extra["mentions"] == ["mei"]
    assert [
        (p.action.member, p.action.carrier) for p in got if p.action.kind is ActionKind.DIRECT
    ] == [("mei", "fake")]
    # the console inbox keeps it as before
    assert len(store.staff_alerts(c.runtime.community_id)) == 1


def test_direct_messages_off_leave_the_alert_in_the_staff_room(
    store: Store, store_clock: FrozenClock
) -> None:
    """`alerts.direct: false`: staff who asked not to be written to privately get the alert
    in the staff room (and the inbox) only."""
    c = staffed(store, store_clock, "alerts:\n  staff_group: staff\n  direct: false\n")
    c.engine.process([c.events.message("angry", INSULT)])
    got = sent(c)
    assert [p.action.group for p in got if p.action.kind is ActionKind.SEND] == ["staff"]
    assert [p for p in got if p.action.kind is ActionKind.DIRECT] == []
    assert len(store.staff_alerts(c.runtime.community_id)) == 1


def test_recipients_name_the_roles_that_hear_alerts(store: Store, store_clock: FrozenClock) -> None:
    c = staffed(
        store, store_clock, "alerts:\n  recipients: [partner, acquisition]\n  direct: true\n"
    )
    c.engine.process([c.events.message("angry", INSULT)])
    got = sent(c)
    assert sorted(p.action.member or "" for p in got if p.action.kind is ActionKind.DIRECT) == [
        "ann",
        "bob",
    ]
    assert not [p for p in got if p.action.kind is ActionKind.SEND]  # no staff room named


def test_quiet_hours_hold_alerts_and_release_them_together_once(
    store: Store, store_clock: FrozenClock
) -> None:
    c = staffed(store, store_clock, QUIET)
    late = datetime(2026, 5, 1, 21, 30, tzinfo=UTC)  # 22:30 in London (summer time)
    c.engine.process([c.events.message("angry", INSULT, at=late)])
    c.engine.process([c.events.message("angry", "滚，傻逼", at=late.replace(hour=23))])
    store_clock.set(late.replace(hour=23, minute=5))
    c.engine.tick()
    assert sent(c) == []  # held: nobody is woken
    assert len(store.staff_alerts(c.runtime.community_id)) == 2  # but the inbox has both
    c.restart()
    store_clock.set(datetime(2026, 5, 2, 5, 59, tzinfo=UTC))  # 06:59 in London
    c.engine.tick()
    assert sent(c) == []
    store_clock.set(datetime(2026, 5, 2, 6, 0, tzinfo=UTC))  # 07:00: quiet hours end
    c.engine.tick()
    got = sent(c)
    [room] = [p.action for p in got if p.action.kind is ActionKind.SEND]
    assert room.text is not None and "2 staff alert(s) held during quiet hours" in room.text
    assert "1. " in room.text and "2. " in room.text
    assert [p.action.member for p in got if p.action.kind is ActionKind.DIRECT] == ["mei"]
    c.restart()  # as after a crash: nothing is sent twice
    c.engine.tick()
    assert sent(c) == []


def test_alerts_handled_in_the_console_while_held_are_left_out(
    store: Store, store_clock: FrozenClock
) -> None:
    c = staffed(store, store_clock, QUIET)
    c.engine.process(
        [c.events.message("angry", INSULT, at=datetime(2026, 5, 1, 21, 30, tzinfo=UTC))]
    )
    [alert] = store.staff_alerts(c.runtime.community_id)
    store.handle_alert(alert.id, "mei", datetime(2026, 5, 1, 22, 0, tzinfo=UTC))
    store_clock.set(datetime(2026, 5, 2, 6, 0, tzinfo=UTC))
    c.engine.tick()
    assert sent(c) == []


def test_urgent_alerts_pass_quiet_hours(store: Store, store_clock: FrozenClock) -> None:
    c = staffed(store, store_clock, QUIET + "  urgent: [insults, ban_evasion]\n")
    late = datetime(2026, 5, 1, 21, 30, tzinfo=UTC)
    c.engine.process([c.events.message("angry", INSULT, at=late)])
    assert sorted(p.action.kind for p in sent(c)) == [ActionKind.DIRECT, ActionKind.SEND]


def test_a_ban_evasion_alerts_staff_at_once_even_in_quiet_hours(
    store: Store, store_clock: FrozenClock
) -> None:
    c = staffed(store, store_clock, QUIET)
    late = datetime(2026, 5, 1, 21, 30, tzinfo=UTC)
    store.add_sanction(
        "blacklist", c.member_id("angry"), "spam", late, community_id=c.runtime.community_id
    )
    c.restart()
    c.engine.process([c.events.join("angry", group="g2", at=late.replace(minute=40))])
    got = {p.action.kind: p.action for p in sent(c)}
    assert sorted(got) == [ActionKind.DIRECT, ActionKind.SEND]
    assert "angry, who is blacklisted, came back into g2" in (got[ActionKind.DIRECT].text or "")


def test_a_carrier_without_direct_messages_passes_them_over(
    store: Store, store_clock: FrozenClock
) -> None:
    c = staffed(store, store_clock, "alerts:\n  staff_group: staff\n")
    c.carrier.capabilities = Capabilities(can=EVERYTHING - {ActionKind.DIRECT})
    c.engine.queue.attach(c.carrier)
    c.engine.process([c.events.message("angry", INSULT)])
    drained = asyncio.run(c.engine.drain())
    performed = [p.action.kind for p in c.carrier.performed if p.action.handler == "alerts"]
    assert performed == [ActionKind.SEND]  # the staff room only
    assert drained.failed == 0 and drained.retried == 0


def test_alerts_show_lists_the_held_alerts_at_the_communitys_time(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Before, an alert held through quiet hours 22:00-07:00 (London) was listed as released at
    '06:00 UTC': the end of quiet hours on another clock than the one they are written in."""
    monkeypatch.chdir(tmp_path)
    c = staffed(store, store_clock, QUIET)
    text = MINIMAL + RULES + QUIET
    store.add_playbook_version(c.runtime.community_id, text, {"community": {"timezone": "Europe/London"}},
                               "test")  # fmt: skip
    c.engine.process(
        [c.events.message("angry", INSULT, at=datetime(2026, 5, 1, 21, 30, tzinfo=UTC))]
    )
    shown = CliRunner().invoke(app, ["alerts", "show", "--community", c.runtime.slug],
                               env={"HEARTH_DATABASE_URL": database_url})  # fmt: skip
    assert shown.exit_code == 0, shown.output
    assert "Held until quiet hours end: 1 (times in Europe/London)" in shown.output, shown.output
    assert "  2026-05-02 07:00 — " in shown.output and "UTC" not in shown.output, shown.output
