"""Carriers plug in through the list in `carriers/installed.py`: their `[carriers.<kind>]`
tables (the older top-level spelling still read, never both), the host serving exactly the
listed plug-ins, and a carrier a playbook names that cannot run here said where it is."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from hearthkeeper.carriers.installed import CARRIERS, installed_kinds
from hearthkeeper.carriers.matrix.plugin import matrix_settings
from hearthkeeper.carriers.plugin import CarrierTable, ServedCarrier, ServerParts
from hearthkeeper.carriers.webchat.plugin import WebChatLimits, webchat_limits
from hearthkeeper.cli import app
from hearthkeeper.clock import FrozenClock
from hearthkeeper.config import ConfigError, Settings, config_text, load_settings
from hearthkeeper.playbook import CarrierKinds, Playbook, parse_playbook
from hearthkeeper.serve import Host
from hearthkeeper.store import Store, sqlite_url
from hearthkeeper.testing import FakeCarrier
from hearthkeeper.web.context import Web
from tests.migrated import migrate
from tests.playbook_samples import MINIMAL
from tests.serve_setup import project, settings_for

MATRIX_TABLE = """
[{table}]
homeserver = "https://matrix.example.org"
user_id = "@hearth:example.org"

[{table}.rooms]
"!roomA:example.org" = "yan-academy-skincare"
"""
WECOM = MINIMAL + "structure:\n  carriers:\n    - kind: webchat\n    - kind: wecom\n"
PROBLEM = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<path>\S+): warning: ")


def read(root: Path, text: str, env: dict[str, str] | None = None) -> Settings:
    config = root / "hearth.toml"
    config.write_text(text, encoding="utf-8")
    token = {"HEARTH_MATRIX_TOKEN": "t"}
    return load_settings(config, token if env is None else env, root, CARRIERS)


# --- the tables -------------------------------------------------------------------------------


def test_the_new_and_the_older_spelling_are_the_same_settings(tmp_path: Path) -> None:
    new = read(tmp_path, MATRIX_TABLE.format(table="carriers.matrix")
               + "[carriers.webchat]\njoins_per_minute = 50\n")  # fmt: skip
    old = read(tmp_path, MATRIX_TABLE.format(table="matrix") + "[webchat]\njoins_per_minute = 50\n")
    read_new, read_old = matrix_settings(new), matrix_settings(old)
    assert read_new is not None and read_old is not None
    assert (read_new.table, read_old.table) == ("carriers.matrix", "matrix")  # for messages
    assert read_new == replace(read_old, table="carriers.matrix")
    assert webchat_limits(new) == webchat_limits(old) == WebChatLimits(joins_per_minute=50)


def test_both_spellings_of_one_carrier_are_refused(tmp_path: Path) -> None:
    text = "[webchat]\njoins_per_minute = 5\n[carriers.webchat]\njoins_per_minute = 6\n"
    with pytest.raises(ConfigError) as refused:
        read(tmp_path, text)
    message = str(refused.value)
    assert message.startswith(str(tmp_path / "hearth.toml"))
    assert "both [carriers.webchat] and [webchat] are set; keep one" in message


def test_a_table_for_a_carrier_not_installed_is_refused_with_the_installed_kinds(
    tmp_path: Path,
) -> None:
    with pytest.raises(ConfigError) as refused:
        read(tmp_path, '[carriers.discord]\nbot_token_env = "T"\n')
    assert "carriers.discord: no carrier of this kind is installed (installed: webchat, " in str(
        refused.value
    )
    with pytest.raises(ConfigError, match=r"carriers\.matrx: .*did you mean 'matrix'\?"):
        read(tmp_path, MATRIX_TABLE.format(table="carriers.matrx"))


def test_mistakes_in_the_new_spelling_name_its_table(tmp_path: Path) -> None:
    text = MATRIX_TABLE.format(table="carriers.matrix").replace("https://", "")
    with pytest.raises(ConfigError, match=r"carriers\.matrix\.homeserver: .* is not a URL"):
        read(tmp_path, text)
    with pytest.raises(ConfigError, match=r"carriers\.webchat\.messages_per_10s: Input should"):
        read(tmp_path, "[carriers.webchat]\nmessages_per_10s = 0\n")
    with pytest.raises(ConfigError, match=r"access_token in \[carriers\.matrix\]"):
        read(tmp_path, MATRIX_TABLE.format(table="carriers.matrix"), env={})


def test_without_the_installed_list_no_carrier_table_is_read(tmp_path: Path) -> None:
    config = tmp_path / "hearth.toml"
    config.write_text("[carriers.webchat]\njoins_per_minute = 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"installed: none"):
        load_settings(config, {}, tmp_path)


def test_hearth_init_writes_the_carriers_tables(tmp_path: Path) -> None:
    sample = config_text("playbook.yaml", carriers=CARRIERS)
    assert "# [carriers.webchat]\n" in sample and "# [carriers.matrix]\n" in sample
    assert "# [webchat]" not in sample and "# [matrix]" not in sample
    config = tmp_path / "hearth.toml"
    config.write_text(sample, encoding="utf-8")
    assert load_settings(config, {}, tmp_path, CARRIERS).carriers == {}


# --- the plug-in list drives the host -----------------------------------------------------------


@dataclass
class Parrot:
    """A plug-in of a made-up kind, recording what the host asked of it."""

    adopted: list[int] = field(default_factory=list)
    kind: str = "parrot"

    def configure(self, table: CarrierTable) -> Parrot:
        return self

    def default(self) -> Parrot:
        return self

    def sample(self) -> str:
        return "# [carriers.parrot]\n"

    def commands(self) -> None:
        return None

    def adopt(self, store: Store, community_id: int, playbook: Playbook) -> None:
        self.adopted.append(community_id)

    def serve(self, server: ServerParts) -> ServedCarrier:
        def routes(web: Web) -> APIRouter:
            router = APIRouter()
            router.add_api_route("/parrot", lambda: {"carriers": sorted(web.carriers)})
            return router

        communities = ", ".join(sorted(server.communities))
        return ServedCarrier(carrier=FakeCarrier(self.kind), routes=routes,
                             status=(f"Parrot: {communities}",))  # fmt: skip


def build_with(root: Path, clock: FrozenClock, *plugins: Parrot) -> Host:
    playbook = project(root)
    url = sqlite_url(root / "data")
    migrate(url)
    settings, web_settings = settings_for(playbook, url)
    return Host.build(settings, web_settings, clock=clock, carriers=plugins)


def test_the_host_runs_exactly_the_listed_plugins(tmp_path: Path, store_clock: FrozenClock) -> None:
    parrot = Parrot()
    host = build_with(tmp_path, store_clock, parrot)
    try:
        [running] = host.running
        assert set(host.carriers) == set(host.engine.carriers) == {"parrot"}
        assert parrot.adopted == [running.community.id]
        assert host.store.list_groups(running.community.id) == []  # no web chat, no group
        assert host.invites() == [] and host.status() == ["Parrot: yan-academy-skincare"]
        with TestClient(host.app) as client:
            assert client.get("/parrot").json() == {"carriers": ["parrot"]}
            assert client.get("/join/abc").status_code == 404  # the web chat's pages are absent
        # The playbook declares the web chat, which this list does not have.
        [warning] = host.warnings
        assert warning.path == "structure.carriers[0].kind" and warning.is_warning
        assert "no 'webchat' carrier is installed in this Hearthkeeper (installed: parrot)" in (
            warning.message
        )
    finally:
        host.close()


def test_the_installed_list_serves_the_web_chat_first(
    tmp_path: Path, store_clock: FrozenClock
) -> None:
    kinds = [p.kind for p in CARRIERS]
    assert kinds[0] == "webchat" and {"matrix", "qq"} <= set(kinds)  # the others in any order
    host = Host.build(*settings_for(project(tmp_path), _migrated(tmp_path)), clock=store_clock)
    try:
        assert list(host.carriers) == ["webchat"] and host.warnings == ()
        [invite] = host.invites()
        assert host.web.invite_url(invite.group) == invite.url
        assert invite.url.startswith("http://127.0.0.1:8470/join/")
    finally:
        host.close()


def _migrated(root: Path) -> str:
    url = sqlite_url(root / "data")
    migrate(url)
    return url


def test_serve_warns_of_a_playbook_carrier_not_configured_here(
    tmp_path: Path, store_clock: FrozenClock
) -> None:
    playbook = project(tmp_path)
    text = playbook.read_text(encoding="utf-8")
    playbook.write_text(text.replace("- kind: webchat", "- kind: matrix"), "utf-8")
    host = Host.build(*settings_for(playbook, _migrated(tmp_path)), clock=store_clock)
    try:
        [warning] = host.warnings
        line = next(n for n, t in enumerate(playbook.read_text().splitlines(), 1)
                    if "kind: matrix" in t)  # fmt: skip
        assert (warning.file, warning.line, warning.path) == (
            str(playbook), line, "structure.carriers[0].kind",
        )  # fmt: skip
        assert "'matrix' carrier is not configured on this server" in warning.message
        assert "add a [carriers.matrix] table to hearth.toml" in warning.message
        assert list(host.carriers) == ["webchat"]  # the community still runs on the web chat
    finally:
        host.close()


# --- the playbook's structure.carriers ------------------------------------------------------


def test_a_carrier_not_installed_is_a_located_warning_the_playbook_stays_valid() -> None:
    kinds = CarrierKinds(installed_kinds())
    loaded = parse_playbook(WECOM, "pb.yaml", carriers=kinds)
    [warning] = loaded.warnings
    assert (warning.line, warning.column, warning.path) == (13, 13, "structure.carriers[1].kind")
    assert str(warning).startswith("pb.yaml:13:13: structure.carriers[1].kind: warning: no "
                                   "'wecom' carrier is installed")  # fmt: skip
    assert parse_playbook(WECOM, "pb.yaml").warnings == ()  # unchecked without the kinds
    configured = CarrierKinds(installed_kinds(), frozenset({"webchat"}))
    assert parse_playbook(MINIMAL, carriers=configured).warnings == ()  # default: the web chat


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_validate_locates_a_carrier_not_installed(here: Path) -> None:
    (here / "pb.yaml").write_text(WECOM, encoding="utf-8")
    code, out = run("playbook", "validate", "pb.yaml")
    assert code == 0
    first, last = out.splitlines()
    found = PROBLEM.match(first)
    assert found and (found["file"], found["line"], found["path"]) == (
        "pb.yaml", "13", "structure.carriers[1].kind",
    )  # fmt: skip
    assert last == "pb.yaml: ok (1 warning)"


def test_show_names_a_carrier_not_installed_as_a_gap(here: Path) -> None:
    (here / "pb.yaml").write_text(WECOM, encoding="utf-8")
    code, out = run("playbook", "show", "pb.yaml")
    assert code == 0
    assert "No gaps found" not in out
    assert "Gap: structure.carriers[1]: no 'wecom' carrier is installed" in out
    (here / "plain.yaml").write_text(MINIMAL, encoding="utf-8")
    assert "structure.carriers" not in run("playbook", "show", "plain.yaml")[1]


def test_each_plugin_adds_its_commands(here: Path) -> None:
    code, out = run("matrix", "--help")
    assert code == 0 and "rooms" in out
