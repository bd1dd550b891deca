"""The server: building it from the configuration, new playbook versions going live, and
serving the web and the engine in one loop until told to stop."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx
import pytest
import websockets

from hearthkeeper.apply import apply_playbook
from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
from hearthkeeper.clock import FrozenClock
from hearthkeeper.config import ConfigError, Settings
from hearthkeeper.playbook import PlaybookError, load_playbook, parse_playbook
from hearthkeeper.serve import Host, ServeError, open_socket, serve
from hearthkeeper.serve import host as host_module
from hearthkeeper.store import Store, StoreError, create_engine_for, sqlite_url
from tests.serve_setup import bot_messages, build, eventually, project, settings_for

WELCOME = "欢迎 {nickname} 加入{community}！💧"


def test_build_starts_the_community_with_a_web_chat_group_and_applies_a_file_once(
    tmp_path: Path, database_url: str, store_clock: FrozenClock
) -> None:
    playbook = project(tmp_path / "site")
    host = build(playbook, database_url, store_clock)
    try:
        [running] = host.running
        assert running.applied_now and running.version.version == 1
        assert "applied" in running.describe() and "version 1" in running.describe()
        community = running.community
        [group] = host.store.list_groups(community.id)
        assert (group.name, group.carrier, group.carrier_group_id, group.capacity) == (
            "颜学院护肤社 1群", "webchat", "yan-academy-skincare-1", 500,
        )  # fmt: skip
        assert host.runtimes[community.id].playbook.community.name == "颜学院护肤社"
        [invite] = host.invites()
        assert invite.url.startswith("http://127.0.0.1:8470/join/")
        assert host.carrier(WebChatCarrier).group_for_code(invite.url.rsplit("/", 1)[1]) == group
        assert host.store.next_due() is not None, "the calendar is planned at start"
    finally:
        host.close()
    settings, web_settings = settings_for(playbook, database_url)
    again = Host.build(settings, web_settings, clock=store_clock)
    try:
        [running] = again.running
        assert not running.applied_now and running.is_file
        assert len(again.store.playbook_versions(running.community.id)) == 1
        assert len(again.store.list_groups(running.community.id)) == 1
    finally:
        again.close()


def test_a_new_version_runs_at_once_and_survives_a_restart(
    tmp_path: Path, store_clock: FrozenClock
) -> None:
    playbook = project(tmp_path / "site")
    url = sqlite_url(tmp_path / "site" / "data")
    host = build(playbook, url, store_clock)
    community = host.running[0].community.id
    [group] = host.store.list_groups(community)
    text = playbook.read_text(encoding="utf-8").replace(WELCOME, "Hello {nickname}, this is v2!")
    # v2 also names the bot: its messages in the web chat are sent under that name at once
    text = text.replace("  name: 颜学院护肤社", "  name: 颜学院护肤社\n  bot_name: Tea Club Bot", 1)
    version = host.replace(community, parse_playbook(text, str(playbook)), by="alice")
    assert version.version == 2
    asyncio.run(_join(host, group.id, "上海-小鹿-混油皮"))
    welcome = [
        m for m in bot_messages(host, group.id) if "Hello 上海-小鹿-混油皮, this is v2!" in m.text
    ]
    assert [m.nickname for m in welcome] == ["Tea Club Bot"]
    host.close()

    settings, web_settings = settings_for(playbook, url)
    restarted = Host.build(settings, web_settings, clock=store_clock)
    try:
        [running] = restarted.running
        assert running.version.version == 2 and not running.applied_now and not running.is_file
        assert "version 2, applied by alice" in running.describe()
        asyncio.run(_join(restarted, group.id, "北京-晴天-干皮"))
        assert any("Hello 北京-晴天-干皮" in m.text for m in bot_messages(restarted, group.id))
    finally:
        restarted.close()


def test_a_version_applied_from_the_command_line_runs_in_the_serving_host_at_once(
    tmp_path: Path, store_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`hearth apply` beside a running `hearth serve` on SQLite: the server runs the new
    version within moments, without a restart (before, only PostgreSQL nodes followed)."""
    monkeypatch.setattr(host_module, "FOLLOW_EVERY", 0.05)
    playbook = project(tmp_path / "site")
    url = sqlite_url(tmp_path / "site" / "data")
    host = build(playbook, url, store_clock)
    try:
        community = host.running[0].community.id
        [group] = host.store.list_groups(community)
        text = playbook.read_text(encoding="utf-8").replace(WELCOME, "Hello {nickname}, from v2")
        playbook.write_text(text, encoding="utf-8")
        cli = Store(create_engine_for(url), store_clock)  # `hearth apply`: its own connection
        try:
            assert apply_playbook(cli, load_playbook(playbook), "cli").version.version == 2
        finally:
            cli.engine.dispose()

        async def serve_until_it_runs_v2() -> bool:
            stop = asyncio.Event()
            tasks = [asyncio.create_task(work(stop)) for work in host.background()]
            try:
                for _ in range(400):
                    welcome = host.runtimes[community].playbook.joining.ceremony.welcome
                    if welcome is not None and "from v2" in welcome:
                        return True
                    await asyncio.sleep(0.05)
                return False
            finally:
                stop.set()
                await asyncio.gather(*tasks)

        assert asyncio.run(serve_until_it_runs_v2()), "the server still runs version 1"
        asyncio.run(_join(host, group.id, "上海-小鹿-混油皮"))
        assert any(
            "Hello 上海-小鹿-混油皮, from v2" in m.text for m in bot_messages(host, group.id)
        )
    finally:
        host.close()


def test_a_version_applied_from_the_command_line_is_planned_as_one_applied_in_the_server(
    tmp_path: Path, store_clock: FrozenClock
) -> None:
    """`hearth apply` beside a running server: the server ran the new version but did not
    plan it, so a smaller `structure.groups.capacity` did not reach the groups already open
    (the web chat kept seating up to the old 500, and the matrix showed 3/500) until a
    restart or the hourly watch; a version applied in the server (the console) did."""
    playbook = project(tmp_path / "site")
    url = sqlite_url(tmp_path / "site" / "data")
    host = build(playbook, url, store_clock)
    try:
        community = host.running[0].community.id
        [group] = host.store.list_groups(community)
        assert group.capacity == 500
        text = playbook.read_text(encoding="utf-8")
        assert "capacity: 500" in text
        playbook.write_text(text.replace("capacity: 500, join_by_code_cap: 200",
                                          "capacity: 40, join_by_code_cap: 40", 1),
                             encoding="utf-8")  # fmt: skip
        cli = Store(create_engine_for(url), store_clock)  # `hearth apply`: its own connection
        try:
            assert apply_playbook(cli, load_playbook(playbook), "cli").version.version == 2
        finally:
            cli.engine.dispose()
        assert host.follow_playbooks() == 1
        assert host.runtimes[community].playbook.structure.groups.capacity == 40
        [group] = host.store.list_groups(community)
        assert group.capacity == 40, "the group open already holds the new capacity"
    finally:
        host.close()


def test_a_playbook_for_another_community_is_refused_with_its_place(
    tmp_path: Path, store_clock: FrozenClock
) -> None:
    playbook = project(tmp_path / "site")
    host = build(playbook, sqlite_url(tmp_path / "site" / "data"), store_clock)
    try:
        community = host.running[0].community.id
        text = playbook.read_text(encoding="utf-8").replace(
            "slug: yan-academy-skincare", "slug: someone-else"
        )
        with pytest.raises(PlaybookError) as refused:
            host.replace(community, parse_playbook(text, "new.yaml"), by="alice")
        [problem] = refused.value.problems
        assert (problem.file, problem.line, problem.path) == ("new.yaml", 17, "community.slug")
        assert "someone-else" in problem.message
        assert len(host.store.playbook_versions(community)) == 1
    finally:
        host.close()


def test_nothing_starts_on_a_broken_playbook_or_an_old_database(
    tmp_path: Path, store_clock: FrozenClock
) -> None:
    playbook = project(tmp_path / "site")
    url = sqlite_url(tmp_path / "site" / "data")
    settings, web_settings = settings_for(playbook, url)
    with pytest.raises(StoreError, match="hearth db upgrade"):
        Host.build(settings, web_settings, clock=store_clock)
    playbook.write_text(playbook.read_text().replace("Asia/Shanghai", "Asia/Atlantis"))
    with pytest.raises(PlaybookError) as broken:
        Host.build(settings, web_settings, clock=store_clock)
    assert str(broken.value.problems[0]).startswith(f"{playbook}:20:13: community.timezone")
    empty = Settings(data_dir=settings.data_dir, database_url=url, playbooks=(), config_file=None)
    with pytest.raises(ConfigError, match="no playbooks"):
        Host.build(empty, web_settings, clock=store_clock)


def test_serve_answers_the_web_and_the_chat_and_stops_cleanly(
    tmp_path: Path, store_clock: FrozenClock
) -> None:
    playbook = project(tmp_path / "site")
    host = build(playbook, sqlite_url(tmp_path / "site" / "data"), store_clock)
    [group] = host.store.list_groups(host.running[0].community.id)

    async def scenario() -> None:
        stop = asyncio.Event()
        ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        server = asyncio.create_task(
            serve(host, port=0, stop=stop, on_ready=lambda port: ready.set_result(port))
        )
        port = await asyncio.wait_for(ready, 30)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            page = await client.get("/console/sign-in")
            assert page.status_code == 200
        user, token = host.carrier(WebChatCarrier).create_user("上海-小鹿-混油皮")
        await host.carrier(WebChatCarrier).join(group.id, user.user_id)
        await eventually(
            lambda: any("上海-小鹿-混油皮" in m.text for m in bot_messages(host, group.id))
        )
        code = host.carrier(WebChatCarrier).invite_code(group.id)
        chat = await websockets.connect(
            f"ws://127.0.0.1:{port}/chat/{code}/ws",
            additional_headers={"Cookie": f"hearth_member={token}"},
        )
        hello = await asyncio.wait_for(chat.recv(), 10)
        assert '"hello"' in str(hello)
        stop.set()  # with a member's chat still open
        await asyncio.wait_for(server, 30)
        assert not host.carrier(WebChatCarrier).connected, "the carrier was disconnected"
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(chat.recv(), 10)

    try:
        asyncio.run(scenario())
    finally:
        host.close()


def test_a_busy_port_is_reported_with_what_to_do() -> None:
    taken = open_socket("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        with pytest.raises(ServeError, match=f"port {port} on 127.0.0.1 is already in use.*--port"):
            open_socket("127.0.0.1", port)
    finally:
        taken.close()
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))  # port 0 still gives a free port
    assert open_socket("127.0.0.1", 0).getsockname()[1] > 0


async def _join(host: Host, group_id: int, nickname: str) -> None:
    """A member joins through the carrier; the engine decides and performs, once."""
    user, _token = host.carrier(WebChatCarrier).create_user(nickname)
    await host.carrier(WebChatCarrier).join(group_id, user.user_id)
    host.engine.process(host.carrier(WebChatCarrier).take_events())
    await host.engine.drain()
