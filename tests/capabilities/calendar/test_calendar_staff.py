"""Staff manage the group's calendar in the chat: `/calendar` lists the next firings in the
community's time, `/skip` calls off a post's next firing in the group (it stays off across
restarts and planning again; the one after it still goes out), and members without
`manage_calendar` are refused; `/postnow` sends the next firing now and not again at its time
(on SQLite and PostgreSQL, with a frozen clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.calendar.console import fired
from hearthkeeper.capabilities.calendar.staff import Upcoming, render_agenda, upcoming
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Store
from tests.capabilities.calendar.test_calendar_posting import (
    calendar_community,
    group,
    performed,
    records,
    sends,
)
from tests.engine_setup import Community, playbook

FIRST = datetime(2026, 5, 2, 7, tzinfo=UTC)  # Sat 2 May, 08:00 in London
SECOND = FIRST + timedelta(days=1)

TWO_POSTS = """\
calendar:
  posts:
    - id: morning
      schedule: every day 08:00
      content: {text: "Good morning, tea friends."}
    - id: guest-talk
      schedule: every saturday 20:00
      content: {text: "Tonight: our guest speaker on oolong."}
  live_sessions:
    - id: tasting
      title: Spring tasting
      speaker: Ann
      schedule: every sunday 19:30
      duration: 1h
"""


def said(c: Community, user: str, text: str) -> list[str]:
    """What the bot answered `user` in g1 (the outbound queue drained); "boss" shows as Boss."""
    name = "Boss" if user == "boss" else None
    c.engine.process([c.events.message(user, text, name=name, at=c.clock.now())])
    return [a.text or "" for a in performed(c) if a.kind is ActionKind.REPLY]


def with_manager(store: Store, clock: FrozenClock, calendar: str = TWO_POSTS,
                 groups: tuple[str, ...] = ("g1",)) -> Community:  # fmt: skip
    """The default roles: the manager has `manage_calendar`; "u1" is a member."""
    c = calendar_community(store, clock, calendar, groups=groups)
    boss = store.member_for("fake", "boss", "Boss").id
    for name in groups:
        store.join(boss, group(c, name).id, role="manager")
    return c


def only_the_second_goes_out_after_a_restart(c: Community, clock: FrozenClock) -> None:
    """A new engine (nothing in memory) plans every group again: the first firing, skipped or
    sent already, does not go out; the second does."""
    c.restart()
    c.engine.process([c.events.message("u1", "hello", at=clock.now())])
    clock.set(FIRST)
    c.engine.tick()
    assert sends(c) == []
    clock.set(SECOND)
    c.engine.tick()
    assert [a.text for a in sends(c)] == ["Good morning, tea friends."]


def test_a_skipped_post_is_not_sent_after_a_restart_and_replanning_and_the_next_one_is(
    store: Store, store_clock: FrozenClock
) -> None:
    c = with_manager(store, store_clock)
    [answer] = said(c, "boss", "/skip morning")
    assert answer == ("⏭ Skipped 'morning' on Sat 2 May 08:00: it will not be sent. "
                      "Next: Sun 3 May 08:00.")  # fmt: skip
    [again] = said(c, "boss", "/skip morning")
    assert again == "'morning' on Sat 2 May 08:00 is already skipped (by Boss)."

    only_the_second_goes_out_after_a_restart(c, store_clock)

    got = [(r.scheduled_for, r.status, r.cancelled_by) for r in records(c)]
    assert got == [(FIRST, "cancelled", "Boss (fake:boss)"), (SECOND, "posted", None)]
    [shown] = [f for f in fired(store, c.runtime.community_id) if f.scheduled_for == FIRST]
    assert (shown.state, shown.cancelled) == ("cancelled", [("g1", "Boss (fake:boss)")])
    entries = store.audit_entries(c.runtime.community_id, target="post morning")
    assert [(e.actor, e.action) for e in entries] == [("chat:Boss (fake:boss)", "calendar.skip")]


def test_a_skip_in_one_group_leaves_the_other_groups_post(
    store: Store, store_clock: FrozenClock
) -> None:
    c = with_manager(store, store_clock, groups=("g1", "g2"))
    c.engine.process([c.events.message("boss", "/跳过 morning", name="Bo\u200bss\u202e",
                                       at=store_clock.now())])  # in g1  # fmt: skip
    store_clock.set(FIRST)
    c.engine.tick()
    assert [(a.group, a.text) for a in sends(c)] == [("g2", "Good morning, tea friends.")]
    # who skipped is named to the group by /calendar: without invisible or reordering characters
    assert [r.cancelled_by for r in records(c)] == ["Boss (fake:boss)", None]


def test_a_staff_member_with_the_longest_name_can_skip_and_post_now(
    store: Store, store_clock: FrozenClock
) -> None:
    # "chat:<200-character name> (fake:boss)" is longer than the audit log's actor column:
    # on PostgreSQL the batch failed (no skip, no reply) and the post went out anyway
    c = with_manager(store, store_clock)
    name = "长" * 200
    c.engine.process([c.events.message("boss", "/skip morning", name=name, at=store_clock.now())])
    c.engine.process([c.events.message("boss", "/postnow guest-talk", name=name,
                                       at=store_clock.now())])  # fmt: skip
    replies = [a.text or "" for a in performed(c) if a.kind is ActionKind.REPLY]
    assert replies[0].startswith("⏭ Skipped 'morning' on Sat 2 May 08:00")
    assert len(replies) == 2
    [skipped] = [r for r in records(c) if r.post_id == "morning"]
    shown = "长" * 63 + "…"  # a name is kept and shown as one line of at most 64 characters
    assert skipped.cancelled_by == f"{shown} (fake:boss)"
    actors = [e.actor for e in store.audit_entries(c.runtime.community_id)
              if e.action.startswith("calendar.")]  # fmt: skip
    assert len(actors) == 2 and all(a == f"chat:{shown} (fake:boss)" for a in actors), actors
    store_clock.set(FIRST)
    c.engine.tick()
    assert sends(c) == []


def test_calendar_names_who_skipped_by_their_whole_name_however_it_is_written(
    store: Store, store_clock: FrozenClock
) -> None:
    """The name was parsed back out of "Name (carrier:user)": a name long enough to be cut to
    its column had lost that suffix, and its own " (" was taken for it ("Ann (tea) 长长…" was
    shown as "Ann"). A name that itself reads "(x:y)" is shown whole too."""
    c = with_manager(store, store_clock)
    long = "Ann (tea:club) " + "长" * 200
    for post, name in (("guest-talk", long), ("morning", "Bo (fake:x)")):
        c.engine.process([c.events.message("boss", f"/skip {post}", name=name,
                                           at=store_clock.now())])  # fmt: skip
    performed(c)
    [listing] = said(c, "boss", "/calendar")
    shown = long[:63] + "…"  # a name is kept and shown as one line of at most 64 characters
    assert f"guest-talk — ⏭ skipped by {shown}" in listing, listing
    assert "morning — ⏭ skipped by Bo (fake:x)" in listing, listing
    [again] = said(c, "boss", "/skip guest-talk")
    assert f"by {shown}" in again, again


def test_a_member_without_manage_calendar_is_refused_and_the_post_goes_out(
    store: Store, store_clock: FrozenClock
) -> None:
    c = with_manager(store, store_clock)
    assert said(c, "u1", "/skip morning") == ["u1, only Creator, Manager can use '/skip'."]
    assert said(c, "u1", "/calendar") == ["u1, only Creator, Manager can use '/calendar'."]
    store_clock.set(FIRST)
    c.engine.tick()
    assert [a.text for a in sends(c)] == ["Good morning, tea friends."]


def test_calendar_lists_the_next_days_in_local_time_with_what_was_skipped(
    store: Store, store_clock: FrozenClock
) -> None:
    c = with_manager(store, store_clock)  # Fri 1 May, 10:00 in London
    said(c, "boss", "/skip guest-talk")
    [listing] = said(c, "boss", "/calendar")
    assert listing.splitlines() == [
        "Next 3 day(s) in g1 (Europe/London time):",
        "Sat 2 May 08:00  morning — Good morning, tea friends.",
        "Sat 2 May 20:00  guest-talk — ⏭ skipped by Boss",
        "Sun 3 May 08:00  morning — Good morning, tea friends.",
        "Sun 3 May 19:30  tasting — live: Spring tasting (Ann)",
        "Mon 4 May 08:00  morning — Good morning, tea friends.",
        "To skip a post's next firing: /skip <id>",
    ]
    [one_day] = said(c, "boss", "/排期 1")
    assert one_day.splitlines()[1:-1] == ["Sat 2 May 08:00  morning — Good morning, tea friends."]
    usage = "Usage: /calendar [days] (1 to 14; without: 3)"
    for odd in ("99", "0", "0100", "²", "x"):
        assert said(c, "boss", f"/calendar {odd}") == [usage], odd


def test_skipping_something_unknown_or_nothing_lists_what_can_be_skipped(
    store: Store, store_clock: FrozenClock
) -> None:
    c = with_manager(store, store_clock)
    can = "Posts planned here: morning (Sat 2 May 08:00), guest-talk (Sat 2 May 20:00)."
    assert said(c, "boss", "/skip tasting") == [
        f"No scheduled post 'tasting' is planned in this group. {can}"
    ]
    assert said(c, "boss", "/skip") == [
        f"Usage: /skip <post id> (its next firing in this group is not sent). {can}"
    ]
    [hidden] = said(c, "boss", "/skip guest\u202e-talk-x")  # a text-direction override
    assert hidden.startswith("No scheduled post 'guest-talk-x' is planned")
    [wide] = said(c, "boss", "/skip ＧＵＥＳＴ-ｔａｌｋ")  # a Chinese keyboard's full-width letters
    assert wide.startswith("⏭ Skipped 'guest-talk' on Sat 2 May 20:00")
    store_clock.set(FIRST + timedelta(minutes=1))  # this morning's has gone: tomorrow's is next
    c.engine.tick()
    assert said(c, "boss", "/skip morning")[0].startswith("⏭ Skipped 'morning' on Sun 3 May")


def test_the_listing_in_chinese_names_local_days_and_times() -> None:
    """`/日程` in a Chinese community in Asia/Shanghai: 5月2日 周六, the zone named."""
    pb = playbook(TWO_POSTS)
    zone = ZoneInfo("Asia/Shanghai")
    pb = pb.model_copy(update={"community": pb.community.model_copy(
        update={"language": Language.ZH_CN, "timezone": "Asia/Shanghai"})})  # fmt: skip
    start = datetime(2026, 5, 1, 16, tzinfo=UTC)  # Sat 2 May, midnight in Shanghai
    lines = upcoming(pb, "g1", start, start + timedelta(days=1), {})
    assert [(u.series, u.at) for u in lines] == [
        ("morning", datetime(2026, 5, 2, 0, tzinfo=UTC)),
        ("guest-talk", datetime(2026, 5, 2, 12, tzinfo=UTC)),
    ]
    text = render_agenda(lines, "g1", 1, zone, Language.ZH_CN)
    assert text.splitlines() == [
        "「g1」接下来 1 天的排期（Asia/Shanghai 时间）：",
        "5月2日 周六 08:00  morning — Good morning, tea friends.",
        "5月2日 周六 20:00  guest-talk — Tonight: our guest speaker on oolong.",
        "跳过某条内容的下一次发送：/跳过 内容ID",
    ]
    skipped = [Upcoming(lines[0].at, "morning", "…", "小美")]
    assert "⏭ 已跳过（小美）" in render_agenda(skipped, "g1", 1, zone, Language.ZH_CN)


def test_postnow_sends_the_next_firing_now_and_not_again_at_its_time(
    store: Store, store_clock: FrozenClock
) -> None:
    c = with_manager(store, store_clock)
    c.engine.process([c.events.message("boss", "/postnow morning", name="Boss",
                                       at=store_clock.now())])  # fmt: skip
    done = performed(c)
    assert sorted((a.kind, a.group, a.text) for a in done) == [
        (ActionKind.REPLY, "g1",
         "✅ Sent 'morning' now instead of on Sat 2 May 08:00. Next: Sun 3 May 08:00."),
        (ActionKind.SEND, "g1", "Good morning, tea friends."),
    ]  # fmt: skip
    assert said(c, "boss", "/立即发送 morning") == [
        "'morning' on Sat 2 May 08:00 has gone out already."
    ]
    only_the_second_goes_out_after_a_restart(c, store_clock)
    got = [(r.scheduled_for, r.status, r.posted_at) for r in records(c)]
    assert got == [(FIRST, "posted", datetime(2026, 5, 1, 9, tzinfo=UTC)),
                   (SECOND, "posted", SECOND)]  # fmt: skip


def test_postnow_takes_the_next_library_item_and_the_next_firing_the_one_after(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    folder = tmp_path / "content" / "tips"
    folder.mkdir(parents=True)
    (folder / "01-water.md").write_text("---\norder: 1\n---\n# Water\nUse soft water.\n")
    (folder / "02-cups.md").write_text("---\norder: 2\n---\nWarm the cups first.\n")
    tips = ("calendar:\n  posts:\n    - id: tips\n      schedule: every day 08:00\n"
            "      content: {library: content/tips, order: next}\n")  # fmt: skip
    c = calendar_community(store, store_clock, tips, root=tmp_path)
    store.join(store.member_for("fake", "boss", "Boss").id, group(c).id, role="manager")
    c.engine.process([c.events.message("boss", "/postnow tips", at=store_clock.now())])
    [now] = sends(c)
    assert now.text is not None and "Use soft water." in now.text
    store_clock.set(FIRST)
    c.engine.tick()
    assert sends(c) == []
    store_clock.set(SECOND)
    c.engine.tick()
    [then] = sends(c)
    assert then.text is not None and "Warm the cups first." in then.text


def test_postnow_of_an_item_too_long_to_post_sends_nothing_and_says_which_file(
    store: Store, store_clock: FrozenClock, tmp_path: Path
) -> None:
    folder = tmp_path / "content" / "tips"
    folder.mkdir(parents=True)
    (folder / "01-book.md").write_text("# A book\n\n" + "**a** " * 2_000)
    tips = ("calendar:\n  posts:\n    - id: tips\n      schedule: every day 08:00\n"
            "      content: {library: content/tips, order: next}\n")  # fmt: skip
    c = calendar_community(store, store_clock, tips, root=tmp_path)
    store.join(store.member_for("fake", "boss", "Boss").id, group(c).id, role="manager")
    c.engine.process([c.events.message("boss", "/postnow tips", at=store_clock.now())])
    done = performed(c)
    assert [a for a in done if a.kind is ActionKind.SEND] == []
    [answer] = [a.text or "" for a in done if a.kind is ActionKind.REPLY]
    assert "content/tips/01-book.md" in answer and "12,009 characters" in answer
    assert records(c, "tips") == []  # not claimed: it still goes out once shortened


REMIND_ROLES = """\
structure:
  roles:
    planner: {title: Planner, permissions: [manage_calendar]}
    editor: {title: Editor, permissions: [manage_calendar, post]}
calendar:
  posts:
    - id: weekly-best
      schedule: every day 08:00
      mode: remind
      content: {text: This week's best brews are in!}
"""


def test_a_post_staff_confirm_is_sent_now_only_by_roles_that_may_post(
    store: Store, store_clock: FrozenClock
) -> None:
    c = calendar_community(store, store_clock, REMIND_ROLES)
    store.join(store.member_for("fake", "plan", "Pat").id, group(c).id, role="planner")
    store.join(store.member_for("fake", "edit", "Eve").id, group(c).id, role="editor")
    assert said(c, "plan", "/postnow weekly-best") == [
        "'weekly-best' waits for staff to confirm it; only Editor can send it now."
    ]
    c.engine.process([c.events.message("edit", "/postnow weekly-best", at=store_clock.now())])
    [sent] = sends(c)
    assert sent.text == "This week's best brews are in!"
    assert [r.status for r in records(c, "weekly-best")] == ["confirmed"]
    store_clock.set(FIRST)
    c.engine.tick()
    assert performed(c) == []  # no reminder for the firing sent already
