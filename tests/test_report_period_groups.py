"""A report of a past period: the groups in it are those that existed then, and the matrix
judges them as of the period's end, as the heat-death warnings do (on both databases)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hearthkeeper.analytics.report import build_report
from hearthkeeper.analytics.report_html import render_html
from hearthkeeper.apply import apply_playbook
from hearthkeeper.clock import FrozenClock
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import NewMessage, Store
from tests.playbook_samples import MINIMAL

NOW = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)


def _community(store: Store, clock: FrozenClock) -> int:
    """Tea 1 and Tea 2 talk every day from 1 September to 14 November; Tea 3 only in
    September; "Web chat" is opened on 7 December, after both periods below."""
    clock.set(datetime(2026, 9, 1, 8, 0, tzinfo=UTC))
    community = apply_playbook(store, parse_playbook(MINIMAL), "test").community
    groups = [store.add_group(community.id, f"Tea {n}", "fake", f"tea-{n}") for n in (1, 2, 3)]
    alice = store.member_for("fake", "alice", "Alice").id
    for group in groups:
        store.join(alice, group.id, at=clock.now())
    last = {"Tea 1": date(2026, 11, 14), "Tea 2": date(2026, 11, 14), "Tea 3": date(2026, 9, 30)}
    messages = []
    for group in groups:
        day = date(2026, 9, 1)
        while day <= last[group.name]:
            at = datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)
            messages.append(NewMessage(group.id, f"{group.id}-{day}", alice, "text", "hi", at))
            day += timedelta(days=1)
    store.record_messages_bulk(messages)
    clock.set(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    web = store.add_group(community.id, "Web chat", "web", "web-1")
    store.rebuild_rollups([g.id for g in groups] + [web.id])
    clock.set(NOW)
    return community.id


def test_a_group_opened_after_the_period_is_not_in_its_report(
    store: Store, store_clock: FrozenClock
) -> None:
    community_id = _community(store, store_clock)
    report = build_report(store, community_id, now=NOW, start=date(2026, 10, 1),
                          end=date(2026, 10, 31))  # fmt: skip
    data = report.to_json()

    assert [g["name"] for g in data["groups"]] == ["Tea 1", "Tea 2", "Tea 3"]
    assert [g["name"] for g in data["matrix"]["groups"]] == ["Tea 1", "Tea 2", "Tea 3"]
    assert "Web chat" not in render_html(report)
    before_matrix = render_html(report).split('id="matrix-title"')[0]
    assert "Web chat" not in before_matrix  # nor its "No output in the last 35 days"
    assert "<dt>Groups</dt><dd>3</dd>" in before_matrix
    # today's report has it (opened 13 days ago, not one message yet)
    today = build_report(store, community_id, now=NOW, start=date(2026, 12, 1))
    assert "Web chat" in [g["name"] for g in today.to_json()["groups"]]


def test_the_matrix_of_a_past_period_is_as_of_its_end(
    store: Store, store_clock: FrozenClock
) -> None:
    community_id = _community(store, store_clock)
    report = build_report(store, community_id, now=NOW, start=date(2026, 11, 1),
                          end=date(2026, 11, 15))  # fmt: skip
    data = report.to_json()

    warned = [g["name"] for g in data["groups"] if g["heat"]["warning"]]
    assert warned == ["Tea 3"]
    matrix = data["matrix"]
    assert matrix["as_of"] == "2026-11-15"
    stages = {g["name"]: g["stage"] for g in matrix["groups"]}
    assert stages == {"Tea 1": "mature", "Tea 2": "mature", "Tea 3": "dying"}
    assert [w["text"].split(" is ")[0] for w in matrix["warnings"]
            if w["kind"] == "dying"] == ["Tea 3"]  # fmt: skip
    page = render_html(report)
    assert "as of 2026-11-15" in page
    # its box is headed by what decides it, not by its first reason ("No output in the last…")
    assert (
        '<summary><h3>Tea 3</h3> <span class="muted">No message in the last 28 days '
        "(the last on 2026-09-30), with 1 member in it.</span></summary>"
    ) in page
    # today, five weeks after their last message, all three are dying
    today = build_report(store, community_id, now=NOW, start=date(2026, 12, 1))
    assert {g["stage"] for g in today.to_json()["matrix"]["groups"]
            if g["name"].startswith("Tea")} == {"dying"}  # fmt: skip
