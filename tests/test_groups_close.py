"""`hearth groups close` and `hearth groups reopen`, on SQLite and PostgreSQL: a closed group
is stored with when and by whom, takes no newcomers (the shared room count, live codes, the
web chat's overflow), is shown as closed on the matrix and warned of no more; closed into
another group, its members get a last post naming that group and its link; reopening undoes
it; the last open group, an unknown group, and closing into a closed or full group are
refused with a message saying why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner, Result

from hearthkeeper.capabilities.grid.decide import GroupLine, matrix_warnings
from hearthkeeper.capabilities.grid.load import load_matrix
from hearthkeeper.capabilities.grid.stage import Pulse, Stage
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.cli import app
from hearthkeeper.clock import FrozenClock
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Group, Store
from hearthkeeper.store.rooms import SqlRooms
from tests.playbook_samples import MINIMAL
from tests.serve_setup import served_community


@pytest.fixture
def community_id(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Tea Friends with three web chat groups, as `hearth groups open` leaves it."""
    monkeypatch.chdir(tmp_path)
    return served_community(store, MINIMAL)


def _hearth(database_url: str, *args: str) -> Result:
    return CliRunner().invoke(app, ["groups", *args], env={"HEARTH_DATABASE_URL": database_url,
                                                          "HEARTH_PUBLIC_URL": ""})  # fmt: skip


def _opened(database_url: str, count: int) -> None:
    result = _hearth(database_url, "open", "tea", "--count", str(count))
    assert result.exit_code == 0, result.output


def _group(store: Store, community_id: int, name: str) -> Group:
    [found] = store.groups_called(community_id, name)
    return found


def _said(result: Result) -> str:
    return " ".join(result.stderr.split())


def test_closing_stores_when_and_by_whom_and_reopening_undoes_it(
    store: Store, community_id: int, database_url: str
) -> None:
    _opened(database_url, 2)
    closed = _hearth(database_url, "close", "Tea Friends #2", "--as", "ops")
    assert closed.exit_code == 0, closed.output
    assert "closed Tea Friends #2 (webchat tea-2)" in closed.stdout
    group = _group(store, community_id, "Tea Friends #2")
    assert group.closed and group.closed_by == "ops" and group.closed_at is not None
    assert not _group(store, community_id, "Tea Friends #1").closed
    log = [(e.action, e.actor) for e in store.audit_log(community_id, limit=5)]
    assert ("group.close", "ops") in log

    again = _hearth(database_url, "close", "tea-2")
    assert again.exit_code == 1
    assert "Tea Friends #2 is closed already" in _said(again)

    reopened = _hearth(database_url, "reopen", "Tea Friends #2", "--as", "ops")
    assert reopened.exit_code == 0, reopened.output
    group = _group(store, community_id, "Tea Friends #2")
    assert not group.closed and group.closed_by is None and group.closed_at is None
    assert ("group.reopen", "ops") in [(e.action, e.actor)
                                       for e in store.audit_log(community_id, limit=5)]  # fmt: skip
    not_closed = _hearth(database_url, "reopen", "Tea Friends #2")
    assert not_closed.exit_code == 1 and "Tea Friends #2 is not closed" in _said(not_closed)


def test_a_closed_group_takes_no_newcomers_by_link_live_code_or_overflow(
    store: Store, store_clock: FrozenClock, community_id: int, database_url: str
) -> None:
    _opened(database_url, 2)
    two = _group(store, community_id, "Tea Friends #2")
    now = store_clock.now()
    before = [load.group_id for load in SqlRooms.on(store).loads(community_id, "webchat", now)]
    assert two.id in before
    assert _hearth(database_url, "close", "Tea Friends #2").exit_code == 0
    rooms = [load.group_id for load in SqlRooms.on(store).loads(community_id, "webchat", now)]
    assert two.id not in rooms and len(rooms) == 2
    routed = SqlLiveCodes.on(store).loads(community_id, "webchat", now, now - timedelta(hours=1))
    assert two.id not in [load.group_id for load in routed]
    assert not [g for g in store.list_groups(community_id) if g.id == two.id and not g.closed]
    assert len(store.list_groups(community_id)) == 3  # its history stays


def test_closing_into_another_group_posts_where_to_go_with_its_link(
    store: Store, community_id: int, database_url: str
) -> None:
    _opened(database_url, 2)
    closed = _hearth(database_url, "close", "Tea Friends #3", "--into", "Tea Friends #1")
    assert closed.exit_code == 0, closed.output
    three = _group(store, community_id, "Tea Friends #3")
    one = _group(store, community_id, "Tea Friends #1")
    assert three.closed_into == one.id
    [item] = [i for i in store.outbox_items()
              if i.group_id == three.id and i.action["kind"] == "send"]  # fmt: skip
    text = item.action["text"]
    assert text.startswith("This group is closed. Please carry on in Tea Friends #1: ")
    assert "/join/" in text
    assert "last post queued in it: This group is closed." in " ".join(closed.stdout.split())


def test_closing_into_a_group_with_room_for_some_of_its_members_says_how_many_have_none(
    store: Store, community_id: int, database_url: str
) -> None:
    """Merging a group of 4 into one with 2 places left was taken without a word: the
    operator learnt it from members finding the group full."""
    _opened(database_url, 2)
    small = store.add_group(community_id, "Tea Corner", "webchat", "tea-corner", capacity=3)
    store.join(store.member_for("webchat", "w-amy", "Amy").id, small.id)
    three = _group(store, community_id, "Tea Friends #3")
    for n in range(4):
        store.join(store.member_for("webchat", f"w-{n}", f"M{n}").id, three.id)
    closed = _hearth(database_url, "close", "Tea Friends #3", "--into", "Tea Corner")
    assert closed.exit_code == 0, closed.output
    assert _group(store, community_id, "Tea Friends #3").closed
    assert ("note: Tea Corner has no room for 2 of its members: once it is full, its join page "
            "offers the rest another group with room") in _said(closed)  # fmt: skip
    two = _group(store, community_id, "Tea Friends #2")
    store.join(store.member_for("webchat", "w-bob", "Bob").id, two.id)
    roomy = _hearth(database_url, "close", "Tea Friends #2", "--into", "Tea Friends #1")
    assert roomy.exit_code == 0 and "no room" not in _said(roomy)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
@pytest.mark.parametrize("args, said", [
    (("close", "Tea Friends #9"), "there is no group 'Tea Friends #9' (by name or carrier id); "
                                   "did you mean 'Tea Friends #1'?"),
    (("close", "Tea Friends #1", "--community", "coffee"), "no community 'coffee' (there are: tea (Tea Friends))"),
])  # fmt: skip
def test_an_unknown_group_or_community_is_named_with_the_nearest(
    store: Store, community_id: int, database_url: str, args: tuple[str, ...], said: str
) -> None:
    result = _hearth(database_url, *args)
    assert result.exit_code == 1
    assert said in _said(result)
    assert not any(g.closed for g in store.list_groups(community_id))


def test_a_pasted_page_as_a_group_or_community_is_not_printed_back_whole(
    store: Store, community_id: int, database_url: str
) -> None:
    """`hearth groups close` given 100,000 characters (a paste gone wrong) printed all of
    them back in its refusal, the same for `--community`."""
    pasted = "Tea Friends " + "x" * 100_000
    for args, start in (((pasted,), "there is no group 'Tea Friends xxx"),
                        (("Tea Friends #1", "--community", pasted), "no community 'Tea F")):  # fmt: skip
        result = _hearth(database_url, "close", *args)
        assert result.exit_code == 1
        said = _said(result)
        assert said.startswith(f"error: {start}") and "… (100,012 characters)" in said, said[:300]
        assert len(said) < 500, said[:300]
    assert not any(g.closed for g in store.list_groups(community_id))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_the_last_open_group_and_closing_into_a_closed_or_full_group_are_refused(
    store: Store, community_id: int, database_url: str
) -> None:
    last = _hearth(database_url, "close", "Tea Friends #1")
    assert last.exit_code == 1
    assert "Tea Friends #1 is the community's last open group" in _said(last)
    _opened(database_url, 2)
    assert _hearth(database_url, "close", "Tea Friends #2").exit_code == 0
    into_closed = _hearth(database_url, "close", "Tea Friends #3", "--into", "Tea Friends #2")
    assert into_closed.exit_code == 1
    assert "Tea Friends #2 is closed too" in _said(into_closed)
    small = store.add_group(community_id, "Tea Corner", "webchat", "tea-corner", capacity=1)
    store.join(store.member_for("webchat", "w-amy", "Amy").id, small.id)
    into_full = _hearth(database_url, "close", "Tea Friends #3", "--into", "Tea Corner")
    assert into_full.exit_code == 1
    assert "Tea Corner is full (1 of 1 members" in _said(into_full)
    assert not _group(store, community_id, "Tea Friends #3").closed
    assert not [i for i in store.outbox_items() if i.action["kind"] == "send"]  # nothing said


def _line(group_id: int, name: str, *, closed: bool) -> GroupLine:
    dying = Pulse(age_days=90, members=30, weekly_messages=(0, 20, 20, 20, 20))
    return GroupLine(group_id=group_id, name=name, carrier="webchat", carrier_group_id=name,
                     members=30, capacity=30, pulse=dying, speakers_7d=0, top_messages_28d=0,
                     health=10, closed=closed)  # fmt: skip


def test_a_closed_group_is_shown_closed_and_warned_of_no_more(
    store: Store, store_clock: FrozenClock, community_id: int, database_url: str
) -> None:
    playbook = parse_playbook(MINIMAL).playbook
    lines = [_line(1, "Tea Friends #1", closed=False), _line(2, "Tea Friends #2", closed=True)]
    assert lines[0].stage is Stage.DYING and lines[1].stage is Stage.CLOSED
    warned = {(w.kind.value, w.group_id) for w in matrix_warnings(lines, playbook)}
    assert ("dying", 1) in warned and ("capacity", 1) in warned
    assert not [w for w in warned if w[1] == 2]
    dying = next(w for w in matrix_warnings(lines, playbook) if w.kind.value == "dying")
    assert 'hearth groups close "Tea Friends #1" --into OTHER' in dying.text()

    _opened(database_url, 1)
    assert _hearth(database_url, "close", "Tea Friends #2").exit_code == 0
    matrix = load_matrix(store, community_id, playbook, ZoneInfo("UTC"),
                         datetime(2026, 5, 1, 9, 0, tzinfo=UTC))  # fmt: skip
    assert [(line.name, line.stage) for line in matrix.lines][1] == ("Tea Friends #2",
                                                                     Stage.CLOSED)  # fmt: skip


def test_a_group_typed_in_full_width_is_pointed_to_itself_not_a_neighbour(
    store: Store, community_id: int, database_url: str
) -> None:
    """'Tea Friends #１' typed with a Chinese input method's full-width digit: the refusal
    suggested 'Tea Friends #4', a different group an operator following the hint would
    have closed. The group the name folds to (width, case, spaces) is the one suggested."""
    _opened(database_url, 4)
    for typed in ("Tea Friends #１", "Tea Friends ＃1", "tea friends #1", "Tea  Friends #1"):
        result = _hearth(database_url, "close", typed)
        assert result.exit_code == 1
        assert f"there is no group {' '.join(typed.split())!r} (by name or carrier id); did " \
               "you mean 'Tea Friends #1'?" in _said(result)  # fmt: skip
    assert not any(g.closed for g in store.list_groups(community_id))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_closing_into_an_imported_group_is_refused(
    store: Store, community_id: int, database_url: str
) -> None:
    """`--into` a group an import registered (history only, no carrier serves it): Tea
    Friends 2群 was closed and its members told 'Please carry on in Old WeChat group.', a
    group nobody can join. Refused, saying why; the group stays open."""
    _opened(database_url, 2)
    store.add_group(community_id, "Old WeChat group", "import:wechat", "wx-1")
    result = _hearth(database_url, "close", "Tea Friends #2", "--into", "Old WeChat group")
    assert result.exit_code == 1
    assert ("Old WeChat group was imported (history only, no carrier serves it): send the "
            "members of Tea Friends #2 to an open group") in _said(result)  # fmt: skip
    assert not _group(store, community_id, "Tea Friends #2").closed
    assert [i for i in store.outbox_items() if "group.close" in i.key] == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_closing_and_reopening_an_imported_group_says_what_it_does_there(
    store: Store, community_id: int, database_url: str
) -> None:
    """A brand closes an old WeChat group whose history it imported (the matrix called it dying)
    into a web chat group, then reopens it: it was told the group 'takes newcomers and gets
    scheduled posts again' (an import's history never did either), and nothing said its
    members were not told where to go."""
    _opened(database_url, 2)
    store.add_group(community_id, "Old WeChat group", "import:wechat", "wx-1")
    closed = _hearth(database_url, "close", "Old WeChat group", "--into", "Tea Friends #2")
    said = " ".join(closed.output.split())
    assert closed.exit_code == 0, said
    assert "an imported history no carrier serves: the matrix and alerts stop warning of it" in said
    assert ("its members were not told of Tea Friends #2: no carrier serves it, so say it in the "
            "chat yourself") in said  # fmt: skip
    assert "takes no newcomers and gets no scheduled posts" not in said
    reopened = _hearth(database_url, "reopen", "Old WeChat group")
    said = " ".join(reopened.output.split())
    assert reopened.exit_code == 0, said
    assert "reopened Old WeChat group: an imported history, counted and warned of again" in said
    assert "gets scheduled posts again" not in said and "takes newcomers" not in said


def test_closing_a_matrix_room_asks_the_bot_to_silence_members_and_reopening_to_give_back(
    store: Store, community_id: int, database_url: str
) -> None:
    """A Matrix room closed: besides the last post, its carrier is asked to stop members
    posting (CLOSE: the room's power levels); reopened, to give back what it took (REOPEN).
    Nothing is asked of the web chat group its members were sent to."""
    [room] = store.adopt_groups(community_id, [("matrix", "!tea:hs")])
    closed = _hearth(database_url, "close", "!tea:hs", "--into", "Tea Friends #1")
    assert closed.exit_code == 0, closed.output
    queued = [(i.action["kind"], i.carrier, i.action["group"]) for i in store.outbox_items()
              if i.group_id == room.id]  # fmt: skip
    assert sorted(queued) == [("close", "matrix", "!tea:hs"), ("send", "matrix", "!tea:hs")]
    reopened = _hearth(database_url, "reopen", "!tea:hs")
    assert reopened.exit_code == 0, reopened.output
    kinds = [i.action["kind"] for i in store.outbox_items() if i.group_id == room.id]
    assert sorted(kinds) == ["close", "reopen", "send"]
    webchat = [i.action["kind"] for i in store.outbox_items() if i.carrier == "webchat"]
    assert webchat == []


def test_staff_told_to_close_again_get_the_community_when_another_has_that_group_name(
    store: Store, store_clock: FrozenClock, community_id: int, database_url: str
) -> None:
    """The command in staff's alert ("close it again (hearth groups close Tea Friends #2)")
    was refused when another community has a group of that name: it now says which."""
    from hearthkeeper.engine.actions import Action
    from hearthkeeper.engine.carrier import CarrierError
    from hearthkeeper.engine.not_closed import not_closed

    _opened(database_url, 2)
    go = store.ensure_community("go", "Go Club")
    store.add_group(go.id, "Tea Friends #2", "webchat", "go-2")
    closed = _hearth(database_url, "close", "--community", "tea", "Tea Friends #2")
    assert closed.exit_code == 0, closed.output
    two = _group(store, community_id, "Tea Friends #2")
    [item] = [i for i in store.outbox_items() if i.group_id == two.id and i.key.endswith(":lock")]
    refused = CarrierError("the bot may not", retry=False)
    not_closed(store, item, Action.from_json(item.action), refused, store_clock.now())
    [alert] = store.staff_alerts(community_id)
    command = "hearth groups close --community tea 'Tea Friends #2'"
    assert f"close it again ({command})" in alert.text
    again = _hearth(database_url, *command.removeprefix("hearth groups ").split(" ", 3)[:3],
                    "Tea Friends #2")  # fmt: skip
    assert again.exit_code == 0, again.output  # the command as staff read it does close it
