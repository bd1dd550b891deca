"""Scheduled posts through the engine: once per firing, across restarts, within grace, and
across daylight-saving changes (on SQLite and PostgreSQL, with a frozen clock). The helpers
here are shared by the other `test_calendar_posting_*` modules."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hearthkeeper.assembly import runtime_for
from hearthkeeper.capabilities.calendar.posts import firing_key
from hearthkeeper.capabilities.calendar.records import PostRecord
from hearthkeeper.capabilities.calendar.repository import SqlPosts
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.engine import Engine
from hearthkeeper.store import Group, Store
from hearthkeeper.testing import EventBuilder, FakeCarrier
from tests.engine_setup import Community, playbook

DAILY = """\
calendar:
  posts:
    - id: morning
      schedule: every day 08:00
      content: {text: "Good morning, tea friends."}
"""


def calendar_community(store: Store, clock: FrozenClock, calendar: str = DAILY, *,
                       root: Path | None = None, groups: tuple[str, ...] = ("g1",)) -> Community:  # fmt: skip
    """A community whose groups (named as their carrier ids) the engine has seen once."""
    runtime = runtime_for(store, playbook(calendar), root)
    for name in groups:
        store.add_group(runtime.community_id, name, "fake", name)
    carrier = FakeCarrier("fake")
    engine = Engine(store, clock, [runtime], {"fake": carrier},
                    adopt_groups_into=runtime.community_id)  # fmt: skip
    c = Community(store, clock, carrier, runtime, engine, EventBuilder(clock.now()))
    c.engine.process([c.events.message("u1", "hello", group=g, at=clock.now()) for g in groups])
    return c


def group(c: Community, name: str = "g1") -> Group:
    found = c.store.group_for_carrier("fake", name)
    assert found is not None
    return found


def pending_firing(c: Community, post: str, at: datetime, name: str = "g1") -> bool:
    item = c.store.scheduled(firing_key(group(c, name).id, post, at))
    return item is not None and item.status == "pending"


def performed(c: Community) -> list[Action]:
    """What the carrier performed since the last look (the outbound queue drained first)."""
    asyncio.run(c.engine.drain())
    done = [p.action for p in c.carrier.performed]
    c.carrier.performed.clear()
    return done


def sends(c: Community) -> list[Action]:
    return [a for a in performed(c) if a.kind is ActionKind.SEND]


def alerts(c: Community) -> list[Action]:
    return [a for a in performed(c) if a.kind is ActionKind.ALERT_STAFF]


def records(c: Community, post: str = "morning") -> list[PostRecord]:
    return SqlPosts.on(c.store).post_records(c.runtime.community_id, post_id=post)


LONDON = ZoneInfo("Europe/London")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_a_daily_post_fires_once_a_day_even_when_ticked_twice_or_restarted(
    store: Store, store_clock: FrozenClock
) -> None:
    c = calendar_community(store, store_clock)  # 2026-05-01 10:00 in London
    first = utc(2026, 5, 2, 7)  # 08:00 BST
    assert pending_firing(c, "morning", first)
    store_clock.set(first)
    assert c.engine.tick() == 1
    assert c.engine.tick() == 0
    assert [a.text for a in sends(c)] == ["Good morning, tea friends."]
    c.restart()
    c.engine.process([c.events.message("u2", "hi", at=first)])  # plans again: same firing key
    assert c.engine.tick() == 0
    assert sends(c) == []
    assert pending_firing(c, "morning", first + timedelta(days=1))
    store_clock.set(first + timedelta(days=1))
    assert c.engine.tick() == 1
    assert [a.text for a in sends(c)] == ["Good morning, tea friends."]
    got = records(c)
    assert [(r.scheduled_for, r.status, r.group_id) for r in got] == [
        (first, "posted", group(c).id), (first + timedelta(days=1), "posted", group(c).id),
    ]  # fmt: skip
    assert all(r.content_kind == "text" and r.item_id is None for r in got)


def test_a_missed_firing_is_posted_within_grace_and_skipped_beyond_it(
    store: Store, store_clock: FrozenClock
) -> None:
    c = calendar_community(store, store_clock)
    store_clock.set(utc(2026, 5, 2, 7, 40))  # down at 08:00 BST, back 40 minutes later
    c.restart()
    assert c.engine.tick() == 1
    assert len(sends(c)) == 1
    store_clock.set(utc(2026, 5, 3, 9, 30))  # 2.5 hours late: beyond the 1h grace
    c.restart()
    assert c.engine.tick() == 1
    assert sends(c) == []
    store_clock.set(utc(2026, 5, 7, 7, 30))  # down for days: only the firing still in grace posts
    c.restart()
    assert c.engine.tick() == 2
    assert len(sends(c)) == 1
    assert [(r.scheduled_for, r.status, r.posted_at) for r in records(c)] == [
        (utc(2026, 5, 2, 7), "posted", utc(2026, 5, 2, 7, 40)),
        (utc(2026, 5, 3, 7), "skipped", None),
        (utc(2026, 5, 4, 7), "skipped", None),
        (utc(2026, 5, 7, 7), "posted", utc(2026, 5, 7, 7, 30)),
    ]
    assert pending_firing(c, "morning", utc(2026, 5, 8, 7))


@pytest.mark.parametrize(
    ("start", "offsets"),
    [
        pytest.param(utc(2026, 3, 27, 12), [0, 1, 1, 1], id="spring-forward-2026-03-29"),
        pytest.param(utc(2026, 10, 23, 12), [1, 0, 0, 0], id="fall-back-2026-10-25"),
    ],
)
def test_a_daily_post_fires_at_local_time_once_a_day_across_daylight_saving(
    store: Store, store_clock: FrozenClock, start: datetime, offsets: list[int]
) -> None:
    store_clock.set(start)
    c = calendar_community(store, store_clock)
    for _ in range(4 * 24):  # hourly ticks over four days
        store_clock.advance(timedelta(hours=1))
        c.engine.tick()
    assert len(sends(c)) == len(records(c)) == 4
    local = [r.scheduled_for.astimezone(LONDON) for r in records(c)]
    assert [(t.hour, t.minute) for t in local] == [(8, 0)] * 4
    days = [t.date() for t in local]
    assert days == [start.date() + timedelta(days=n) for n in range(1, 5)]
    assert [t.utcoffset() for t in local] == [timedelta(hours=h) for h in offsets]


def test_a_post_goes_only_to_its_named_groups(store: Store, store_clock: FrozenClock) -> None:
    calendar = """\
calendar:
  posts:
    - id: evening
      schedule: every day 20:00
      groups: [g2]
      content: {text: Evening tea?, kind: text}
"""
    c = calendar_community(store, store_clock, calendar, groups=("g1", "g2"))
    store_clock.set(utc(2026, 5, 1, 19))
    assert c.engine.tick() == 1
    assert [(a.group, a.text) for a in sends(c)] == [("g2", "Evening tea?")]
    assert not pending_firing(c, "evening", utc(2026, 5, 2, 19), "g1")
    assert pending_firing(c, "evening", utc(2026, 5, 2, 19), "g2")


def test_a_post_to_every_group_skips_groups_an_import_registered(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """An operator imported a WeChat group's history beside their web chat groups, then a
    post went to every group: `hearth posts` said "2 group(s) — 1 delivered, 1 queued" for
    ever, the imported group's copy waiting for a carrier that does not exist. The imported
    group is history only: the post goes to the live group, and is all delivered."""
    from typer.testing import CliRunner

    from hearthkeeper.capabilities.calendar.planning import plan_calendar, plan_group
    from hearthkeeper.cli import app

    monkeypatch.chdir(tmp_path)
    store_clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    c = calendar_community(store, store_clock)
    imported = store.add_group(c.runtime.community_id, "微信1群", "import:csv", "club/微信1群")
    older = store.add_group(c.runtime.community_id, "微信2群", "import:csv", "club/微信2群")
    at = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    with store.transaction() as tx:  # as a server starts
        plan_calendar(tx, c.runtime.community_id, c.runtime.playbook, store_clock.now())
        # planned by an earlier version, before imported groups were left out
        plan_group(tx, c.runtime.playbook, c.runtime.community_id, older.id, older.name, at)
    assert store.scheduled(firing_key(imported.id, "morning", at)) is None
    store_clock.set(datetime(2026, 3, 2, 8, 0, 30, tzinfo=UTC))
    c.engine.tick()
    assert [a.text for a in sends(c)] == ["Good morning, tea friends."]

    result = CliRunner().invoke(app, ["posts"], env={"HEARTH_DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    assert "morning: 1 group(s) — 1 delivered" in result.stdout, result.stdout


def test_a_post_queued_for_an_imported_group_before_they_were_left_out_ends_as_skipped(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A firing of an earlier version went to a group an import registered: its copy waited
    in the outbound queue for a carrier that does not exist, `hearth posts` said "1 queued"
    for ever, and the dead group's health counted it as a day of output (its score rose from
    13 to 19 when the morning post fired, nobody having said a word). When due, it ends as
    skipped with its reason, and it is no output."""
    from typer.testing import CliRunner

    from hearthkeeper.analytics import signals
    from hearthkeeper.analytics.health import health_score
    from hearthkeeper.capabilities.calendar.console import fired
    from hearthkeeper.cli import app

    monkeypatch.chdir(tmp_path)
    store_clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    c = calendar_community(store, store_clock)
    community = c.runtime.community_id
    dead = store.add_group(community, "微信1群", "import:csv", "club/微信1群")
    ann = store.member_for("import:csv", "club/ann", "Ann")
    spoke = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)  # its history ended two months ago
    store.join(ann.id, dead.id, at=spoke)
    store.record_message(dead.id, "e1", ann.id, "text", "大家新年好", spoke)
    store.rebuild_rollups([dead.id])
    at = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    store_clock.set(at)
    with store.transaction() as tx:  # as a firing claimed before df014e1 recorded it
        ref = SqlPosts.on(tx).claim_post(
            community, dead.id, "morning", at, item_id=None, content_kind="text", mode="post",
            status="posted", posted_at=at,
        )  # fmt: skip
        assert ref is not None
        send = Action(kind=ActionKind.SEND, carrier=dead.carrier, group=dead.carrier_group_id,
                      text="Good morning, tea friends.", key=f"calendar:post:{ref}")  # fmt: skip
        tx.enqueue(f"calendar:post:{ref}", dead.carrier, send.to_json(), send.priority,
                   group_id=dead.id, at=at)  # fmt: skip

    zone = ZoneInfo("UTC")
    data = signals.load(store, community, [dead.id], at.date(), zone)
    scope = {dead.id}
    score = health_score(signals.health_inputs(data, scope, dead.name, dead.id,
                                               signals.member_facts(data, scope)))  # fmt: skip
    assert score.score == 13  # activity, trend and output 0/100; retention 100/100
    output = next(p for p in score.components if p.key == "output")
    assert output.explanation == "Output: staff or scheduled posts on 0 of the last 7 days " \
        "(target 5) — 0/100"  # fmt: skip

    store_clock.set(at + timedelta(seconds=30))
    assert sends(c) == []
    (item,) = [i for i in store.outbox_items() if i.key == f"calendar:post:{ref}"]
    assert item.status == "skipped"
    assert item.last_error == "no carrier serves an imported group (history only)"
    store_clock.set(at + timedelta(hours=1))
    asyncio.run(c.engine.drain())  # not tried again
    assert store.outbox_statuses([f"calendar:post:{ref}"]) == {f"calendar:post:{ref}": "skipped"}

    (shown,) = fired(store, community)  # the console's Calendar page
    assert shown.state == "not sent (no carrier serves an imported group)"
    result = CliRunner().invoke(app, ["posts"], env={"HEARTH_DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    assert "morning: 1 group(s) — 1 skipped (no carrier serves an imported group)" in \
        result.stdout, result.stdout  # fmt: skip


def test_hearth_posts_takes_the_community_by_its_name_as_groups_open_and_grid_do(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """`hearth grid show --community 'Tea Friends'` and `hearth groups open 'Tea Friends'`
    take the name an operator knows; `hearth posts --community 'Tea Friends'` said "say which
    community with --community (there are: tea)" when there were two."""
    from typer.testing import CliRunner

    from hearthkeeper.cli import app

    monkeypatch.chdir(tmp_path)
    store_clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    c = calendar_community(store, store_clock)
    store.ensure_community("chess", "Chess Club")
    community = next(x for x in store.list_communities() if x.id == c.runtime.community_id)
    store_clock.set(datetime(2026, 3, 2, 8, 0, 30, tzinfo=UTC))
    c.engine.tick()
    assert len(sends(c)) == 1

    def posts(name: str) -> tuple[int, str]:
        result = CliRunner().invoke(app, ["posts", "--community", name],
                                    env={"HEARTH_DATABASE_URL": database_url})  # fmt: skip
        return result.exit_code, " ".join(result.output.split())

    for name in (community.slug, community.name, f" {community.name.upper()} "):
        code, said = posts(name)
        assert code == 0, said
        assert "morning: 1 group(s) — 1 delivered" in said, said
    code, said = posts("Go Club")
    assert code == 1
    assert "no community 'Go Club' (there are: " in said, said
    assert "chess (Chess Club)" in said and f"{community.slug} ({community.name})" in said


def test_a_closed_group_hears_no_posts_and_hears_them_again_once_reopened(
    store: Store, store_clock: FrozenClock
) -> None:
    """An operator closed a dying group (`hearth groups close`): the morning post still went
    there every day, to members told to carry on elsewhere. A closed group hears nothing;
    its post's next firing is kept, so it is posted there again once the group is reopened."""
    c = calendar_community(store, store_clock, groups=("g1", "g2"))
    store.close_group(group(c, "g2").id, "ops")
    first = utc(2026, 5, 2, 7)
    store_clock.set(first)
    c.engine.tick()
    assert [a.group for a in sends(c)] == ["g1"]
    assert [r.group_id for r in records(c)] == [group(c, "g1").id]  # nothing claimed in g2
    assert pending_firing(c, "morning", first + timedelta(days=1), "g2")
    store.reopen_group(group(c, "g2").id)
    store_clock.set(first + timedelta(days=1))
    c.engine.tick()
    assert sorted(a.group or "" for a in sends(c)) == ["g1", "g2"]


def test_an_inline_posts_kind_is_what_its_engagement_is_counted_under(
    store: Store, store_clock: FrozenClock
) -> None:
    """`calendar.posts[].content.kind` for inline text: an operator measuring which kind of
    content spreads (seed 003) marks a post of a link as `link`, and the post is recorded so
    (the report's engagement by kind reads it), not as text."""
    calendar = DAILY.replace('content: {text: "Good morning, tea friends."}',
                             "content: {text: 'Today: https://tea.example/oolong', kind: link}")  # fmt: skip
    c = calendar_community(store, store_clock, calendar)
    store_clock.set(utc(2026, 5, 2, 7))  # 08:00 BST
    assert c.engine.tick() == 1
    assert [a.text for a in sends(c)] == ["Today: https://tea.example/oolong"]
    [posted] = records(c, "morning")
    assert posted.content_kind == "link"


def test_the_latest_firings_are_one_line_each_however_many_groups_they_went_to(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """The console's Calendar page listed the latest 50 firings per group: on a matrix of 100
    groups that was half of this morning's post, nothing of the days before, every group's
    line alike; and it (with `hearth posts`) read every firing ever recorded to show them."""
    from typer.testing import CliRunner

    from hearthkeeper.capabilities.calendar.console import fired
    from hearthkeeper.cli import app

    monkeypatch.chdir(tmp_path)
    store_clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    c = calendar_community(store, store_clock, groups=("g1", "g2", "g3"))
    for day in range(4):
        store_clock.set(datetime(2026, 3, 2 + day, 8, 0, 30, tzinfo=UTC))
        c.engine.tick()
        performed(c)
    community = c.runtime.community_id
    assert len(SqlPosts.on(store).post_records(community)) == 12  # 4 mornings × 3 groups
    shown = fired(store, community, limit=2, playbook=c.runtime.playbook)
    assert [(f.scheduled_for.day, f.group, f.state) for f in shown] == [
        (5, "3 groups", "3 delivered"), (4, "3 groups", "3 delivered")]  # fmt: skip
    assert shown[0].groups == ["g1", "g2", "g3"]
    # an inline post's Item is its first words, not its kind ("text")
    assert shown[0].item == "Good morning, tea friends."
    result = CliRunner().invoke(app, ["posts", "--limit", "2"],
                                env={"HEARTH_DATABASE_URL": database_url})  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if "morning:" in line]
    assert lines == ["2026-03-04 08:00  morning: 3 group(s) — 3 delivered",
                     "2026-03-05 08:00  morning: 3 group(s) — 3 delivered"]  # fmt: skip


def test_the_items_a_library_post_used_are_read_for_every_group_at_once(
    store: Store, store_clock: FrozenClock
) -> None:
    """The console's Calendar page counted a library's items left with one query per group
    (198 for a matrix of 99 groups and one library post); now one, the same counts."""
    c = calendar_community(store, store_clock, groups=("g1", "g2", "g3"))
    posts, community, at = SqlPosts.on(store), c.runtime.community_id, store_clock.now()
    for name, items in (("g1", ["01", "02"]), ("g2", ["01"])):
        for day, item in enumerate(items):
            posts.claim_post(community, group(c, name).id, "tips", at + timedelta(days=day),
                             item_id=item, content_kind="text", mode="auto", status="posted",
                             posted_at=at)  # fmt: skip
    posts.claim_post(community, group(c, "g3").id, "tips", at, item_id="09", content_kind="text",
                     mode="auto", status="skipped", posted_at=None)  # fmt: skip
    posts.claim_post(community, group(c, "g3").id, "other", at, item_id="01",
                     content_kind="text", mode="auto", status="posted", posted_at=at)  # fmt: skip
    used = posts.posted_items_by_group(community, "tips")
    assert used == {group(c, "g1").id: {"01", "02"}, group(c, "g2").id: {"01"}}
    assert all(used.get(group(c, n).id, set()) == set(posts.posted_items(group(c, n).id, "tips"))
               for n in ("g1", "g2", "g3"))  # fmt: skip


def test_hearth_posts_names_the_groups_a_firing_has_not_reached(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """An operator of forty groups asked where this morning's post had not arrived: `hearth
    posts` said "3 group(s) — 1 cancelled, 2 queued" and named none of them (the console only
    on hovering). Each state but delivered now names its groups."""
    from typer.testing import CliRunner

    from hearthkeeper.cli import app

    monkeypatch.chdir(tmp_path)
    store_clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    c = calendar_community(store, store_clock, groups=("g1", "g2", "g3"))
    with store.transaction() as tx:  # staff called it off in g2 (/skip)
        SqlPosts.on(tx).claim_post(
            c.runtime.community_id, group(c, "g2").id, "morning",
            datetime(2026, 3, 2, 8, 0, tzinfo=UTC), item_id=None, content_kind="text",
            mode="post", status="cancelled", posted_at=None,
        )  # fmt: skip
    store_clock.set(datetime(2026, 3, 2, 8, 0, 30, tzinfo=UTC))
    c.engine.tick()  # queued in g1 and g3, not performed yet

    def posts() -> str:
        result = CliRunner().invoke(app, ["posts"], env={"HEARTH_DATABASE_URL": database_url})
        assert result.exit_code == 0, result.output
        return result.stdout

    said = posts()
    assert "morning: 3 group(s) — 1 cancelled, 2 queued" in said, said
    assert "    cancelled: g2\n" in said and "    queued: 2 groups (g1, g3)\n" in said, said
    performed(c)
    said = posts()
    assert "morning: 3 group(s) — 1 cancelled, 2 delivered" in said, said
    assert "delivered:" not in said and "    cancelled: g2\n" in said, said
