"""`hearth livecodes create|list|stats|retire` as an operator runs them, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from hearthkeeper.apply import apply_playbook
from hearthkeeper.capabilities.livecodes.records import ChannelKind
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.cli import app
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store
from hearthkeeper.text.qr import read_qr_codes
from tests.playbook_samples import MINIMAL


def test_an_operator_makes_lists_measures_and_retires_a_live_code(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    apply_playbook(store, parse_playbook(MINIMAL), "test")
    env = {"HEARTH_DATABASE_URL": database_url}
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, ["livecodes", *args], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    qr = tmp_path / "poster.png"
    made = run("create", "poster", "--community", "tea", "--label", "Spring poster",
               "--qr", str(qr))  # fmt: skip
    assert "/go/poster" in made and "Wrote its QR image" in made
    [link] = read_qr_codes(qr.read_bytes())
    assert link.endswith("/go/poster") and link in made
    assert "poster  poster  Spring poster" in run("list", "--community", "tea")
    # the only community needs no --community, as with billing and events
    assert "poster  poster  Spring poster" in run("list")
    stats = run("stats", "--community", "tea")
    assert "poster  arrived 0  stayed 0 of 0" in stats and "paid 0" in stats
    assert run("stats") == stats
    [tea] = store.list_communities()  # a Matrix code made while this server ran Matrix
    SqlLiveCodes.on(store).add_channel(tea.id, "room-poster", "Room", ChannelKind.POSTER,
                                       notes="", carrier="matrix", by="test", at=tea.created_at)  # fmt: skip
    stats = run("stats", "--community", "tea")
    assert "room-poster  arrived 0  stayed 0 of 0" in stats  # Matrix joins say their code too
    assert "not available" not in stats
    assert "retired" in run("retire", "poster")
    assert "retired" in run("list", "--community", "tea")

    taken = runner.invoke(app, ["livecodes", "create", "poster", "--community", "tea"], env=env)
    assert taken.exit_code != 0 and "exists already" in taken.output
    bad = runner.invoke(app, ["livecodes", "create", "A B", "--community", "tea"], env=env)
    assert bad.exit_code != 0 and "lower-case letters" in bad.output
    # pasted with its line end: stored so, its printed link /go/poster led nowhere
    pasted = runner.invoke(app, ["livecodes", "create", "flyer\n", "--community", "tea"], env=env)
    assert pasted.exit_code != 0 and "lower-case letters" in pasted.output
    assert "flyer" not in run("list", "--community", "tea")
    missing = runner.invoke(app, ["livecodes", "retire", "nothing"], env=env)
    assert missing.exit_code != 0 and "no live code 'nothing'" in missing.output


def test_a_live_code_for_a_carrier_the_server_does_not_run_is_refused_naming_those_it_runs(
    store: Store, database_url: str
) -> None:
    """A code for a carrier that does not run sent every newcomer to a page saying the groups
    were full; now `create` refuses it, saying which carriers a code can route to."""
    apply_playbook(store, parse_playbook(MINIMAL), "test")
    env = {"HEARTH_DATABASE_URL": database_url}
    runner = CliRunner()

    def refused(carrier: str) -> str:
        result = runner.invoke(app, ["livecodes", "create", "poster", "--community", "tea",
                                     "--carrier", carrier], env=env)  # fmt: skip
        assert result.exit_code != 0, result.output
        return " ".join(result.output.split())

    unknown = refused("nope")
    assert "--carrier nope: 'nope' is not a carrier of this Hearthkeeper" in unknown
    assert "routes to the groups of a carrier it runs: webchat" in unknown
    assert "(hearth.toml has no [carriers.onebot] table)" in refused("qq")
    listed = runner.invoke(app, ["livecodes", "list", "--community", "tea"], env=env)
    assert "No live codes yet" in listed.output


def test_a_label_or_an_actor_longer_than_the_store_keeps_is_refused_naming_the_limit(
    store: Store, database_url: str
) -> None:
    # on PostgreSQL both failed with a database traceback (value too long for varchar(200))
    apply_playbook(store, parse_playbook(MINIMAL), "test")
    env = {"HEARTH_DATABASE_URL": database_url}
    runner = CliRunner()
    long_label = runner.invoke(app, ["livecodes", "create", "poster", "--community", "tea",
                                     "--label", "海报" * 101], env=env)  # fmt: skip
    assert long_label.exit_code != 0
    assert "label is 202 characters long; at most 200" in long_label.output
    long_actor = runner.invoke(app, ["livecodes", "create", "poster", "--community", "tea",
                                     "--as", "x" * 201], env=env)  # fmt: skip
    assert long_actor.exit_code != 0 and "at most 200 characters" in long_actor.output
    assert SqlLiveCodes.on(store).channels(store.list_communities()[0].id) == []


def test_a_retired_code_is_listed_with_when_on_the_communitys_clock_named_once(
    store: Store, database_url: str
) -> None:
    """Retired at 01:30 on 6 December in Shanghai: the list said "retired 2026-12-05", the UTC
    day, and never said whose."""
    apply_playbook(store, parse_playbook(MINIMAL.replace("Europe/London", "Asia/Shanghai")),
                   "test")  # fmt: skip
    [tea] = store.list_communities()
    codes = SqlLiveCodes.on(store)
    codes.add_channel(tea.id, "poster", "Poster", ChannelKind.POSTER, notes="",
                      carrier="webchat", by="test", at=tea.created_at)  # fmt: skip
    codes.retire("poster", datetime(2026, 12, 5, 17, 30, tzinfo=UTC))
    result = CliRunner().invoke(app, ["livecodes", "list", "--community", "tea"],
                                env={"HEARTH_DATABASE_URL": database_url})  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Times in Asia/Shanghai (the community's time zone).", result.output
    assert lines[1].endswith("/go/poster  retired 2026-12-06 01:30"), result.output
