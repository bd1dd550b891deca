"""Members' reports of a message decided from the command line (`hearth reports`) and the REST
API, the way the console's inbox decides them (one function, `decisions.decide`): the author
struck and warned once, audited; a second decision, a staff author, a rule the playbook does
not have — refused readably, nothing decided."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hearthkeeper.apply import apply_playbook
from hearthkeeper.capabilities.reports.repository import SqlReports
from hearthkeeper.cli import app
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store
from tests.capabilities.reports.test_reports import ACCEPTED, RULES, reports_alerts, say, sent
from tests.capabilities.reports.test_reports import start as start_reports
from tests.playbook_samples import MINIMAL
from tests.web_auth_setup import Site, Tea, tea

LATER = datetime.now(UTC) + timedelta(days=1)  # past whatever clock queued the actions


def queued(store: Store) -> list[dict[str, Any]]:
    """The actions queued for the running engine since the last look (claimed here)."""
    return [dict(i.action) for i in store.claim(50, LATER)]


def test_reports_are_listed_and_decided_from_the_command_line_once(
    store: Store, store_clock: FrozenClock, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    c, _ = start_reports(store, store_clock)
    # the community's playbook as `hearth apply` stores it: the rules to strike on
    apply_playbook(store, parse_playbook(MINIMAL + RULES + ACCEPTED), "setup")
    cid = c.runtime.community_id
    say(c, "bob", "honestly this group is useless, nobody here ever answers", event_id="m-bob")
    say(c, "mei", "/report rude to everyone", reply_to="m-bob")
    say(c, "ann", "/report rude", reply_to="hi-boss")  # against staff: only dismissed
    sent(c)
    bob_id = next(r.id for r in SqlReports.on(store).waiting(cid)
                  if r.author_id == c.member_id("bob"))  # fmt: skip
    boss_id = next(r.id for r in SqlReports.on(store).waiting(cid) if r.id != bob_id)
    env, runner = {"HEARTH_DATABASE_URL": database_url}, CliRunner()
    listed = runner.invoke(app, ["reports", "list", "--open"], env=env, obj=store_clock)
    assert listed.exit_code == 0, listed.output
    row = next(line for line in listed.stdout.splitlines() if line.startswith(str(bob_id)))
    for cell in ("bob", "g1", "honestly this group is useless", "1 (1 counted)", "waiting"):
        assert cell in row, listed.stdout
    typed = runner.invoke(app, ["reports", "uphold", str(bob_id)], env=env, obj=store_clock)
    assert typed.exit_code == 2 and "Did you mean 'decide'?" in typed.stderr
    # an uphold names the rule: without one, or with one the playbook lacks, nothing happens
    bare = runner.invoke(
        app, ["reports", "decide", str(bob_id), "uphold"], env=env, obj=store_clock
    )
    assert bare.exit_code == 1
    assert "name a rule to strike the author on: one of advertising" in bare.stderr
    assert "staff_warning (nothing was decided)" in bare.stderr
    wrong = runner.invoke(app, ["reports", "decide", str(bob_id), "uphold", "--rule", "murder"],
                          env=env, obj=store_clock)  # fmt: skip
    assert wrong.exit_code == 1 and "'murder' is not a rule of this playbook" in wrong.stderr
    assert store.strikes(member_id=c.member_id("bob")) == []
    mixed = runner.invoke(app, ["reports", "decide", str(bob_id), "dismiss", "--rule", "insults"],
                          env=env, obj=store_clock)  # fmt: skip
    assert mixed.exit_code == 1 and "--rule is for uphold" in mixed.stderr
    done = runner.invoke(app, ["reports", "decide", str(bob_id), "uphold", "--rule", "insults",
                               "--as", "ops"], env=env, obj=store_clock)  # fmt: skip
    assert done.exit_code == 0, done.output
    assert f"Reported message {bob_id} upheld: bob's message is deleted and bob struck for " \
        "insults" in " ".join(done.stdout.split())  # fmt: skip
    [strike] = store.strikes(member_id=c.member_id("bob"))
    assert (strike.violation, strike.explanation) == (
        "insults", "warned by ops: your reported message: insults or a quarrel"
    )  # fmt: skip
    performed = queued(store)  # for the running engine: delete it and warn bob, once
    assert [a["kind"] for a in performed] == [ActionKind.DELETE, ActionKind.WARN]
    assert performed[1]["text"].startswith("bob, a moderator warned you (your reported "
                                           "message: insults or a quarrel)")  # fmt: skip
    assert not any("bob's message" in a.text for a in reports_alerts(store, cid))
    # the console clicked a moment later: refused, readably, and nothing done again
    again = runner.invoke(
        app, ["reports", "decide", str(bob_id), "dismiss"], env=env, obj=store_clock
    )
    assert again.exit_code == 1
    assert f"reported message {bob_id} was already upheld by ops at" in again.stderr
    assert queued(store) == [] and len(store.strikes(member_id=c.member_id("bob"))) == 1
    # staff are not struck through reports, as in the console: dismissed instead
    staff = runner.invoke(app, ["reports", "decide", str(boss_id), "uphold", "--rule",
                                "insults"], env=env, obj=store_clock)  # fmt: skip
    assert staff.exit_code == 1
    assert "is by staff (manager): staff are not struck through reports" in staff.stderr
    dismissed = runner.invoke(
        app, ["reports", "decide", str(boss_id), "dismiss"], env=env, obj=store_clock
    )
    assert dismissed.exit_code == 0, dismissed.output
    assert f"Reports of message {boss_id} (boss's) dismissed: nobody is struck." in (
        " ".join(dismissed.stdout.split())
    )
    assert runner.invoke(
        app, ["reports", "list", "--open"], env=env, obj=store_clock
    ).stdout.strip() == ("No reports waiting.")
    everything = runner.invoke(app, ["reports", "list"], env=env, obj=store_clock).stdout
    assert "upheld by ops" in everything and "dismissed by cli" in everything
    entries = [(e.action, e.actor) for e in store.audit_log(cid) if e.action.startswith("report.")]
    assert sorted(entries) == [("report.dismissed", "cli"), ("report.upheld", "ops")]
    unknown = runner.invoke(
        app, ["reports", "decide", "99999", "dismiss"], env=env, obj=store_clock
    )
    assert unknown.exit_code == 1
    assert "there is no reported message with id 99999" in unknown.stderr


@pytest.fixture
def t(site: Site) -> Tea:
    return tea(site)


def test_reports_are_listed_and_decided_through_the_api(t: Tea) -> None:
    ev = t.chat.events
    t.chat.engine.process([
        ev.message("bob", "agree", name="Bob"),
        replace(ev.message("bob", "you are all idiots", name="Bob"), event_id="m-bob"),
    ])  # fmt: skip
    t.chat.engine.process([
        replace(ev.message("mei", "/report insulting", name="Mei"), reply_to="m-bob"),
    ])  # fmt: skip
    [waiting] = t.get("/communities/tea/reports", open="true").json()
    assert waiting["author_name"] == "Bob" and waiting["text"] == "you are all idiots"
    assert (waiting["reports"], waiting["status"], waiting["hidden"]) == (1, "waiting", False)
    # marked handled alone, the reports would leave the inbox undecided: the refusal says
    # where they are decided now
    [alert] = [a for a in t.get("/communities/tea/inbox").json()["alerts"]
               if a["handler"] == "reports"]  # fmt: skip
    handled = t.post(f"/alerts/{alert['id']}/handle")
    assert handled.status_code == 409
    assert f"POST /api/v1/reports/{waiting['id']}/uphold" in handled.json()["detail"]
    no_rule = t.post(f"/reports/{waiting['id']}/uphold")
    assert no_rule.status_code == 422 and "Name a rule" in no_rule.json()["detail"]
    wrong = t.post(f"/reports/{waiting['id']}/uphold", json={"violation": "murder"})
    assert wrong.status_code == 422 and "'murder' is not a rule" in wrong.json()["detail"]
    done = t.post(f"/reports/{waiting['id']}/uphold", json={"violation": "insults"})
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["status"], body["decided_by"]) == ("upheld", "api:mei")
    bob = t.chat.member_id("bob")
    assert [s.violation for s in t.site.store.strikes(member_id=bob)] == ["insults"]
    assert t.get("/communities/tea/reports", open="true").json() == []
    assert [r["status"] for r in t.get("/communities/tea/reports").json()] == ["upheld"]
    again = t.post(f"/reports/{waiting['id']}/dismiss")
    assert again.status_code == 409
    assert again.json()["detail"].startswith(
        f"Reported message {waiting['id']} was already upheld by api:mei"
    )
    missing = t.post("/reports/9999/dismiss")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "There is no reported message with id 9999."
    assert t.post(f"/reports/{waiting['id']}/forgive").status_code == 422
    assert t.get("/communities/nowhere/reports").status_code == 404
