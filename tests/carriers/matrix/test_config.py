"""The `[matrix]` table: read, checked, secrets from the environment; `hearth serve` builds the
bot from it and makes each mapped room a group of its community."""

from __future__ import annotations

import asyncio
import re
import socket
from pathlib import Path

import pytest

from hearthkeeper.carriers.installed import CARRIERS
from hearthkeeper.carriers.matrix import MatrixAccount, MatrixCarrier, RoomMap, SyncPosition
from hearthkeeper.carriers.matrix.plugin import adopt_rooms, matrix_settings
from hearthkeeper.clock import FrozenClock
from hearthkeeper.config import ConfigError, Settings, load_settings
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.serve import Host
from hearthkeeper.store import Store, create_engine_for, sqlite_url
from hearthkeeper.web.context import WebSettings
from tests.migrated import migrate
from tests.serve_setup import project

DOCS = Path(__file__).resolve().parents[3] / "docs"
SLUG = "yan-academy-skincare"  # the skincare template's community
ROOM_A = "!roomA:example.org"
ROOM_B = "!roomB:example.org"
MATRIX = f'''
[matrix]
homeserver = "https://matrix.example.org/"
user_id = "@hearth:example.org"

[matrix.rooms]
"{ROOM_A}" = "{SLUG}"
"{ROOM_B}" = "{SLUG}"
'''


def settings(root: Path, text: str, env: dict[str, str] | None = None) -> Settings:
    config = root / "hearth.toml"
    config.write_text(text, encoding="utf-8")
    return load_settings(config, env or {}, root, CARRIERS)


def test_the_table_is_read_with_the_token_from_the_environment(tmp_path: Path) -> None:
    read = settings(tmp_path, 'data_dir = "state"\n' + MATRIX, {"HEARTH_MATRIX_TOKEN": "syt_x"})
    matrix = matrix_settings(read)
    assert matrix is not None
    assert matrix.homeserver == "https://matrix.example.org"  # no trailing slash
    assert matrix.user_id == "@hearth:example.org"
    assert (matrix.access_token, matrix.password) == ("syt_x", None)
    assert dict(matrix.rooms) == {ROOM_A: SLUG, ROOM_B: SLUG}
    assert matrix.sync_position == tmp_path / "state" / "matrix-sync.json"


def test_the_environment_wins_over_the_file_and_a_password_will_do(tmp_path: Path) -> None:
    text = MATRIX.replace("[matrix.rooms]", 'access_token = "old"\n\n[matrix.rooms]')
    new = matrix_settings(settings(tmp_path, text, {"HEARTH_MATRIX_TOKEN": "new"}))
    assert new is not None and new.access_token == "new"
    old = matrix_settings(settings(tmp_path, text))
    assert old is not None and old.access_token == "old"
    by_password = matrix_settings(settings(tmp_path, MATRIX, {"HEARTH_MATRIX_PASSWORD": "pw"}))
    assert by_password is not None
    assert (by_password.access_token, by_password.password) == (None, "pw")
    assert by_password.credential() == "a password"


def test_no_table_no_bot(tmp_path: Path) -> None:
    read = settings(tmp_path, 'data_dir = "data"\n', {"HEARTH_MATRIX_TOKEN": "t"})
    assert matrix_settings(read) is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("", ""), "needs an access token or a password; set HEARTH_MATRIX_TOKEN"),
        (("https://matrix.example.org/", "matrix.example.org"), "matrix.homeserver: .* not a URL"),
        (('"@hearth:example.org"', '"hearth"'), "matrix.user_id: 'hearth' is not a Matrix user"),
        ((ROOM_A, "#lounge:example.org"), "'#lounge:example.org' is not a room id"),
        (
            (ROOM_A, "!" + "r" * 300 + ":example.org"),
            "'!r+'… is not a room id: it is 313 characters long, and a Matrix room id is at most 255",
        ),
        (('user_id = "', 'userid = "'), r"matrix\.userid: unknown setting"),
    ],
)
def test_mistakes_are_reported_with_the_field_and_the_fix(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    env = {} if change == ("", "") else {"HEARTH_MATRIX_TOKEN": "t"}
    with pytest.raises(ConfigError, match=message) as raised:
        settings(tmp_path, MATRIX.replace(*change), env)
    assert str(raised.value).startswith(str(tmp_path / "hearth.toml"))


def test_the_docs_recipe_is_a_valid_configuration(tmp_path: Path) -> None:
    for doc in (DOCS / "carriers" / "matrix.md", DOCS / "cli.md"):
        blocks = re.findall(r"```toml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
        [block] = [b for b in blocks if "[carriers.matrix]" in b]
        matrix = matrix_settings(settings(tmp_path, block, {"HEARTH_MATRIX_TOKEN": "t"}))
        assert matrix is not None and set(matrix.rooms.values()) == {SLUG}


def build_host(root: Path, text: str, clock: FrozenClock) -> Host:
    playbook = project(root)
    url = sqlite_url(root / "data")
    migrate(url)
    config = f'playbooks = ["{playbook.name}"]\ndatabase_url = "{url}"\n' + text
    read = settings(root, config, {"HEARTH_MATRIX_TOKEN": "syt_x"})
    return Host.build(read, WebSettings(data_dir=read.data_dir), clock=clock)


def test_serve_runs_the_bot_and_makes_each_mapped_room_a_group_once(
    tmp_path: Path, store_clock: FrozenClock
) -> None:
    for start in (1, 2):  # the second start keeps the groups of the first
        host = build_host(tmp_path, MATRIX, store_clock)
        try:
            carrier = host.carriers["matrix"]
            assert isinstance(carrier, MatrixCarrier) and carrier is host.carrier(MatrixCarrier)
            assert carrier.account.access_token == "syt_x"
            assert carrier.rooms.rooms_of(SLUG) == [ROOM_A, ROOM_B]
            assert carrier.position.path == tmp_path / "data" / "matrix-sync.json"
            assert set(host.engine.carriers) == {"webchat", "matrix"}
            [running] = host.running
            groups = [g for g in host.store.list_groups(running.community.id)
                      if g.carrier == "matrix"]  # fmt: skip
            assert [(g.carrier_group_id, g.name) for g in groups] == [
                (ROOM_A, ROOM_A), (ROOM_B, ROOM_B),
            ], f"start {start}"  # fmt: skip
        finally:
            host.close()


def test_a_room_of_a_community_not_run_here_stops_the_start(
    tmp_path: Path, store_clock: FrozenClock
) -> None:
    text = MATRIX.replace(f'"{ROOM_B}" = "{SLUG}"', f'"{ROOM_B}" = "book-club"')
    with pytest.raises(ConfigError, match=f"{re.escape(ROOM_B)} is mapped to community "
                                          f"'book-club', which no playbook"):  # fmt: skip
        build_host(tmp_path, text, store_clock)


def test_no_matrix_table_no_matrix_carrier(tmp_path: Path, store_clock: FrozenClock) -> None:
    host = build_host(tmp_path, "", store_clock)
    try:
        assert "matrix" not in host.carriers and set(host.carriers) == {"webchat"}
    finally:
        host.close()


def test_a_room_already_a_group_of_another_community_stops_the_start(
    tmp_path: Path, store_clock: FrozenClock
) -> None:
    url = sqlite_url(tmp_path / "data")
    migrate(url)
    engine = create_engine_for(url)
    try:
        store = Store(engine, store_clock)
        other = store.ensure_community("book-club", "Book club")
        store.add_group(other.id, "Readers", "matrix", ROOM_A)
    finally:
        engine.dispose()
    with pytest.raises(ConfigError) as refused:
        build_host(tmp_path, MATRIX, store_clock)
    assert str(refused.value).endswith(
        f"rooms: {ROOM_A} is mapped to '{SLUG}', but it is already a group of community "
        "book-club (Book club); a group belongs to one community (map it to 'book-club')"
    )


def test_a_room_mapped_to_a_community_name_or_an_unknown_one_is_told_slug_and_name(
    tmp_path: Path, store_clock: FrozenClock
) -> None:
    named = MATRIX.replace(f'"{ROOM_B}" = "{SLUG}"', f'"{ROOM_B}" = "颜学院护肤社"')
    with pytest.raises(ConfigError) as refused:
        build_host(tmp_path, named, store_clock)
    assert str(refused.value).endswith(
        f"rooms: {ROOM_B} is mapped to community '颜学院护肤社', which no playbook of this "
        f"server runs: that is the name of {SLUG} (颜学院护肤社); map it to its slug, '{SLUG}'"
    )
    unknown = MATRIX.replace(f'"{ROOM_B}" = "{SLUG}"', f'"{ROOM_B}" = "book-club"')
    with pytest.raises(ConfigError) as refused:
        build_host(tmp_path, unknown, store_clock)
    assert str(refused.value).endswith(f"(communities run here: {SLUG} (颜学院护肤社))")


def test_a_homeserver_that_cannot_be_reached_is_a_readable_carrier_error(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    account = MatrixAccount(homeserver=f"http://127.0.0.1:{port}", user_id="@hearth:localhost",
                            access_token="syt_token")  # fmt: skip
    carrier = MatrixCarrier(account, RoomMap({}), SyncPosition(tmp_path / "sync.json"))
    with pytest.raises(CarrierError, match=rf"cannot reach http://127.0.0.1:{port} .*homeserver"):
        asyncio.run(carrier.connect())


def test_a_room_id_as_long_as_matrix_allows_becomes_a_group_on_either_database(
    store: Store, tmp_path: Path
) -> None:
    """A room id of 201-255 characters (Matrix allows 255) named its group: on PostgreSQL the
    name column (200) refused it and `hearth serve` stopped with a database error."""
    room = "!" + "r" * 240 + ":example.org"  # 253 characters
    matrix = matrix_settings(
        settings(tmp_path, MATRIX.replace(ROOM_A, room), {"HEARTH_MATRIX_TOKEN": "t"})
    )
    assert matrix is not None
    community = store.ensure_community(SLUG, "Skincare")
    adopt_rooms(store, matrix, {SLUG: community})
    adopted = {g.carrier_group_id: g.name for g in store.list_groups(community.id)}
    assert adopted == {room: room[:200], ROOM_B: ROOM_B}
    assert [g.id for g in adopt_rooms(store, matrix, {SLUG: community})] == [
        g.id for g in store.list_groups(community.id)
    ], "taken up once: the second start finds the same groups"
