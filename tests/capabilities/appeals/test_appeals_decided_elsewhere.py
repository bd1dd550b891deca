"""Appeals decided from the command line (`hearth appeals`) and the REST API, the way the
console's inbox decides them: the member told once, audited, a pardon teaching ham and
lifting the mute; a second decision — from another screen at the same moment too — refused
readably, nothing sent twice."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from hearthkeeper.capabilities.appeals import bans, decisions
from hearthkeeper.capabilities.appeals.repository import SqlAppeals
from hearthkeeper.capabilities.moderation import staff
from hearthkeeper.cli import app
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import ExampleSource, Store, StoreError
from tests.capabilities.appeals.test_appeals import AD, say, start
from tests.web_auth_setup import Site, Tea, tea

LATER = datetime.now(UTC) + timedelta(days=1)  # past whatever clock queued the outcome


def told(store: Store, appeal_id: int) -> list[str]:
    """The outcome messages queued for the member (each performed once by the engine)."""
    items = store.claim(50, LATER)
    return [i.action.get("text", "") for i in items if i.key == f"appeal:{appeal_id}:told"]


def test_an_appeal_is_listed_and_pardoned_from_the_command_line_once(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    c = start(store, store_clock)
    say(c, "bob", AD)
    say(c, "bob", AD + " 2")  # the second rung: muted
    say(c, "bob", "/appeal the second one was a friend's forward")
    [appeal] = SqlAppeals.on(store).waiting(c.runtime.community_id)
    env, runner = {"HEARTH_DATABASE_URL": database_url}, CliRunner()

    def hearth(*args: str) -> Result:  # the command at the store's time
        return runner.invoke(app, list(args), env=env, obj=store_clock)

    listed = hearth("appeals", "list", "--open")
    assert listed.exit_code == 0, listed.output
    row = next(line for line in listed.stdout.splitlines() if line.startswith(str(appeal.id)))
    for cell in ("bob", "g1", "strike for advertising", "the second one was a", "waiting"):
        assert cell in row, listed.stdout
    done = hearth("appeals", "pardon", str(appeal.id), "--note", "sorry, our bot misread it",
                  "--as", "ops")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert f"Appeal {appeal.id} of member" in done.stdout and "lifted" in done.stdout
    bob = c.member_id("bob")
    now = store_clock.now()
    assert store.live_strikes(c.runtime.community_id, bob, now) == 1
    assert store.active_sanctions(member_id=bob, now=now) == []
    examples = store.moderation_examples(community_id=c.runtime.community_id)
    assert [e.source for e in examples] == [ExampleSource.PARDON]  # ham learned
    assert hearth("appeals", "list", "--open").stdout.strip() == ("No appeals waiting.")
    assert "pardoned by ops" in hearth("appeals", "list").stdout
    # the console clicked a moment later: refused, readably, and nothing said again
    again = hearth("appeals", "uphold", str(appeal.id))
    assert again.exit_code == 1
    assert f"appeal {appeal.id} was already pardoned by ops" in again.stderr
    assert told(store, appeal.id) == [
        "bob, staff reviewed your appeal: your strike for advertising is taken back and your "
        "mute is lifted. Staff's note: sorry, our bot misread it"
    ]
    [entry] = [e for e in store.audit_log(c.runtime.community_id) if e.action == "appeal.pardoned"]
    assert entry.actor == "ops" and entry.detail["note"] == "sorry, our bot misread it"
    unknown = hearth("appeals", "pardon", "99999")
    assert unknown.exit_code == 1 and "there is no appeal with id 99999" in unknown.stderr
    long = hearth("appeals", "uphold", str(appeal.id), "--note", "x" * 501)
    assert long.exit_code == 1 and "keep it to 500" in long.stderr


def test_two_screens_deciding_at_once_decide_once_and_tell_once(
    store: Store, store_clock: FrozenClock
) -> None:
    c = start(store, store_clock)
    say(c, "bob", AD)
    say(c, "bob", "/appeal it was my own shop")
    [appeal] = SqlAppeals.on(store).waiting(c.runtime.community_id)
    ready = threading.Barrier(2)
    outcomes: list[object] = []

    def decide(work: object, by: str) -> None:
        ready.wait()
        try:
            outcomes.append(work(store, appeal.id, by, store_clock.now()))  # type: ignore[operator]
        except StoreError as refused:
            outcomes.append(refused)

    screens = [threading.Thread(target=decide, args=(decisions.pardon, "console:mei")),
               threading.Thread(target=decide, args=(decisions.uphold, "cli"))]  # fmt: skip
    for screen in screens:
        screen.start()
    for screen in screens:
        screen.join()
    [refused] = [o for o in outcomes if isinstance(o, StoreError)]
    [decided] = [o for o in outcomes if isinstance(o, decisions.Decided)]
    assert f"appeal {appeal.id} was already {decided.appeal.outcome}" in str(refused)
    [said] = told(store, appeal.id)
    assert said.startswith("bob, staff reviewed your appeal")
    entries = [e.action for e in store.audit_log(c.runtime.community_id)]
    assert entries.count("appeal.pardoned") + entries.count("appeal.upheld") == 1


@pytest.fixture
def t(site: Site) -> Tea:
    return tea(site)


def test_appeals_are_listed_and_decided_through_the_api(t: Tea) -> None:
    ev = t.chat.events
    t.chat.engine.process([ev.message("spam", "/appeal I sell my own tea", name="Spammer")])
    [waiting] = t.get("/communities/tea/appeals", open="true").json()
    assert waiting["member_name"] == "Spammer" and waiting["against"] == "strike"
    assert waiting["violation"] == "advertising" and waiting["status"] == "waiting"
    assert waiting["why"] == "I sell my own tea" and waiting["community"] == "tea"
    too_long = t.post(f"/appeals/{waiting['id']}/uphold", json={"note": "x" * 501})
    assert too_long.status_code == 422
    done = t.post(f"/appeals/{waiting['id']}/uphold", json={"note": "it was a price list"})
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["appeal"]["status"] == "upheld" and body["appeal"]["decided_by"] == "api:mei"
    assert body["lifted"] is False and body["appeal"]["note"] == "it was a price list"
    assert t.get("/communities/tea/appeals", open="true").json() == []
    assert [a["status"] for a in t.get("/communities/tea/appeals").json()] == ["upheld"]
    again = t.post(f"/appeals/{waiting['id']}/pardon")
    assert again.status_code == 409
    assert again.json()["detail"].startswith(
        f"Appeal {waiting['id']} was already upheld by api:mei"
    )
    assert t.post("/appeals/9999/pardon").json()["detail"] == "There is no appeal with id 9999."
    assert t.post(f"/appeals/{waiting['id']}/forgive").status_code == 422
    spam = t.chat.member_id("spam")
    assert t.site.store.live_strikes(t.id, spam, t.site.clock.now()) == 2, "upheld: both count"
    [said] = told(t.site.store, waiting["id"])
    assert said.endswith("upheld the decision (your strike for advertising). Staff's note: it "
                         "was a price list")  # fmt: skip
    assert t.get("/communities/nowhere/appeals").status_code == 404


def test_a_pardoned_ban_appeal_lifts_the_whole_decision_and_its_strike(
    store: Store, store_clock: FrozenClock
) -> None:
    """A blacklisting bans the member from every group they are in: one appeal (from either
    group's banned page) is against all of it, and its pardon lifts the blacklisting and
    every ban, and takes back the strike `/warn` gave with it."""
    c = start(store, store_clock)
    cid, bob = c.runtime.community_id, c.member_id("bob")
    g1 = store.group_for_carrier("fake", "g1")
    g2 = store.add_group(cid, "g2", "fake", "g2")
    assert g1 is not None
    store.join(bob, g2.id, at=store_clock.now())
    say(c, "boss", "/warn @bob spam")
    [strike] = store.strikes(member_id=bob)
    now = strike.at  # the strike, then the blacklisting: one decision (as a ladder's)
    staff.blacklist_member(store, bob, g1, "console:ops", now, everywhere=False, key="bl-1",
                           reason="spam")  # fmt: skip
    kinds = sorted(s.kind.value for s in store.active_sanctions(member_id=bob, now=now))
    assert kinds == ["ban", "ban", "blacklist"]
    filed = bans.file_ban_appeal(store, g2, bob, "  it was my own   shop ", now)
    assert filed.state is bans.BanAppeal.FILED and filed.appeal is not None
    assert filed.appeal.text == "it was my own shop"
    again = bans.file_ban_appeal(store, g1, bob, "please", now)  # the other group's page
    assert again.state is bans.BanAppeal.FILED and again.appeal == filed.appeal
    [waiting] = SqlAppeals.on(store).waiting(cid)
    assert [a.handler for a in store.staff_alerts(cid)] == ["appeals"]
    decided = decisions.pardon(store, waiting.id, "console:ops", now)
    assert decided.lifted
    assert store.active_sanctions(member_id=bob, now=now) == []
    assert store.live_strikes(cid, bob, now) == 0  # the strike given with the ban
    unbans = [i for i in store.claim(50, LATER) if i.action.get("kind") == "unban"]
    assert sorted(i.group_id or 0 for i in unbans) == sorted([g1.id, g2.id])
    assert told(store, waiting.id) == []  # a banned member is not told in the group
    assert bans.standing(store, g2, bob, now).state is bans.BanAppeal.PARDONED


def test_staff_lifting_a_blacklisting_by_hand_decides_the_appeal_against_its_bans(
    store: Store, store_clock: FrozenClock
) -> None:
    """An appeal against one of a blacklisting's group bans asks for the whole decision to go:
    lifting one group's ban leaves it with staff (the blacklisting still keeps the member
    out); lifting the blacklisting by hand (console, API, CLI, in-chat `/pardon`: each calls
    `staff.lift`) decides it as pardoned, its alert handled and the banned page saying so."""
    c = start(store, store_clock)
    cid, bob = c.runtime.community_id, c.member_id("bob")
    g1 = store.group_for_carrier("fake", "g1")
    assert g1 is not None
    g2 = store.add_group(cid, "g2", "fake", "g2")
    store.join(bob, g2.id, at=store_clock.now())
    now = store_clock.now()
    staff.blacklist_member(store, bob, g1, "console:ops", now, everywhere=False, key="bl-1",
                           reason="spam")  # fmt: skip
    filed = bans.file_ban_appeal(store, g2, bob, "it was my own shop", now)
    assert filed.appeal is not None and filed.ban is not None
    active = store.active_sanctions(member_id=bob, now=now)
    [blacklist] = [s for s in active if s.kind.value == "blacklist"]
    [g1_ban] = [s for s in active if s.group_id == g1.id]
    later = now + timedelta(minutes=5)
    staff.lift(store, g1_ban.id, "console:ops", later)
    assert [a.id for a in SqlAppeals.on(store).waiting(cid)] == [filed.appeal.id]
    assert bans.standing(store, g2, bob, later).state is bans.BanAppeal.FILED
    staff.lift(store, blacklist.id, "cli", later)  # its g2 ban lifted along
    assert SqlAppeals.on(store).waiting(cid) == []
    decided = SqlAppeals.on(store).get(filed.appeal.id)
    assert decided is not None and (decided.outcome, decided.decided_by) == ("pardoned", "cli")
    assert [a for a in store.staff_alerts(cid) if a.handler == "appeals"] == []
    assert bans.standing(store, g2, bob, later).state is bans.BanAppeal.PARDONED
    entries = [e for e in store.audit_log(cid) if e.action == "appeal.pardoned"]
    assert [e.detail["with"] for e in entries] == ["lift"]
    assert told(store, filed.appeal.id) == []  # the fake carrier's banned member reads the page
