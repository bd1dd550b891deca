"""`hearth alerts show` on a community's carriers as configured: where direct messages go,
and which recipients would never see the staff channel's alerts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthkeeper.apply import apply_playbook
from hearthkeeper.capabilities.alerts.decide import DIRECT_MESSAGES
from hearthkeeper.capabilities.health.weekly import alert_key, plan_weekly_report
from hearthkeeper.carriers.matrix.carrier import CAN as MATRIX_CAN
from hearthkeeper.carriers.onebot.carrier import CAN as QQ_CAN
from hearthkeeper.carriers.telegram.carrier import CAN as TELEGRAM_CAN
from hearthkeeper.carriers.webchat.perform import PERFORMS as WEBCHAT_CAN
from hearthkeeper.cli import app
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store
from hearthkeeper.store.records import NewStaffAlert
from tests.playbook_samples import MINIMAL

STAFF = "alerts:\n  staff_group: 员工群\n"
WITH_MATRIX = "structure:\n  carriers:\n    - kind: webchat\n    - kind: matrix\n"


def shown(store: Store, database_url: str, text: str) -> str:
    """`hearth alerts show` of a community applied from `text`, with a web chat member group
    and the staff channel 员工群."""
    community = apply_playbook(store, parse_playbook(text, "pb.yaml"), "test").community
    store.add_group(community.id, "1群", "webchat", "tea-1", 30)
    store.add_group(community.id, "员工群", "webchat", "tea-staff", 30)
    said = CliRunner().invoke(app, ["alerts", "show", "--community", community.slug],
                              env={"HEARTH_DATABASE_URL": database_url})  # fmt: skip
    assert said.exit_code == 0, said.output
    return said.output


def test_a_web_chat_only_community_is_told_no_direct_message_is_sent(
    store: Store, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It said 'Direct messages: on (Matrix has them; the web chat does not)' of a community
    with no Matrix at all."""
    monkeypatch.chdir(tmp_path)
    out = shown(store, database_url, MINIMAL + STAFF)
    assert ("Direct messages: on, but none is sent: the web chat has none (staff read alerts "
            "in the staff channel and the console's Inbox)") in out, out  # fmt: skip
    assert "Matrix" not in out


def test_a_community_with_matrix_is_told_they_go_there(
    store: Store, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = shown(store, database_url, MINIMAL + WITH_MATRIX + STAFF)
    assert "Direct messages: on, sent on Matrix (the web chat has none)" in out, out


def test_direct_messages_off_say_so(
    store: Store, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = shown(store, database_url, MINIMAL + WITH_MATRIX + STAFF + "  direct: false\n")
    assert "Direct messages: off (alerts.direct)" in out, out


def test_the_carriers_said_to_send_direct_messages_are_those_that_can() -> None:
    can = {"matrix": MATRIX_CAN, "telegram": TELEGRAM_CAN, "qq": QQ_CAN, "webchat": WEBCHAT_CAN}
    assert {kind: ActionKind.DIRECT in c for kind, c in can.items()} == DIRECT_MESSAGES


def test_a_recipient_outside_the_staff_channel_is_marked(
    store: Store, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mei monitors 1群 and receives alerts, but is not in 员工群: the alerts posted there never
    reach her, and `alerts show` listed her like Ann, who is in it."""
    monkeypatch.chdir(tmp_path)
    community = apply_playbook(store, parse_playbook(MINIMAL + STAFF, "pb.yaml"), "t").community
    members = store.add_group(community.id, "1群", "webchat", "tea-1", 30)
    channel = store.add_group(community.id, "员工群", "webchat", "tea-staff", 30)
    mei = store.member_for("webchat", "w-mei", "Mei")
    ann = store.member_for("webchat", "w-ann", "Ann")
    store.set_role(mei.id, members.id, "manager")
    store.set_role(ann.id, channel.id, "manager")
    said = CliRunner().invoke(app, ["alerts", "show", "--community", community.slug],
                              env={"HEARTH_DATABASE_URL": database_url})  # fmt: skip
    assert said.exit_code == 0, said.output
    lines = said.output.splitlines()
    [mei_line] = [line for line in lines if line.strip().startswith("Mei")]
    [ann_line] = [line for line in lines if line.strip().startswith("Ann")]
    assert mei_line.endswith("webchat:w-mei — not in the staff channel: add them to 员工群 to "
                             "see its alerts"), said.output  # fmt: skip
    assert ann_line.endswith("webchat:w-ann"), said.output


def test_it_says_when_the_weekly_report_went_last_and_when_the_next_is_due(
    store: Store, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It said when the next report would go by the playbook's day alone: not whether one
    ever went, nor that the one due last Monday was still waiting for a server to run it."""
    monkeypatch.chdir(tmp_path)
    out = shown(store, database_url, MINIMAL + STAFF)
    assert ("Weekly report: every Monday at 09:00 (Europe/London)\n"
            "  last: none sent yet\n  next: ") in out, out  # fmt: skip
    assert "not planned yet: `hearth serve` plans it when it runs this playbook" in out

    def again() -> str:
        said = CliRunner().invoke(app, ["alerts", "show", "--community", "tea"],
                                  env={"HEARTH_DATABASE_URL": database_url})  # fmt: skip
        assert said.exit_code == 0, said.output
        return said.output

    [community] = store.list_communities()
    pb = parse_playbook(MINIMAL + STAFF).playbook
    now = datetime.now(UTC)
    due = plan_weekly_report(store, community.id, pb, now)  # as a server does
    assert due is not None
    assert f"  next: {due:%Y-%m-%d} 09:00\n" in again()

    sent = datetime(2026, 11, 16, 9, 0, 12, tzinfo=UTC)  # London is on GMT in November
    store.add_staff_alerts([NewStaffAlert(
        key=alert_key(community.id, date(2026, 11, 15)), community_id=community.id,
        group_id=None, member_id=None, violation=None, handler="health", text="📊 …",
        reason="the weekly report", at=sent)])  # fmt: skip
    assert "  last: 2026-11-16 09:00, the week ending 2026-11-15\n" in again()

    # the one due last Monday, planned a week ago, has not run: no server since
    overdue = plan_weekly_report(store, community.id, pb, now - timedelta(days=7))
    assert overdue is not None and overdue <= now
    said = again()
    assert (f"  next: due since {overdue:%Y-%m-%d} 09:00: overdue, it goes when `hearth serve` "
            "runs\n") in said, said  # fmt: skip

    off = MINIMAL + STAFF + "  weekly_report: {enabled: false}\n"
    apply_playbook(store, parse_playbook(off, "pb.yaml"), "test")
    assert "Weekly report: off (alerts.weekly_report.enabled: false)" in again()
