"""`hearth demo`: the embedded default, live — SQLite, the demo playbook, the web chat, the
console and simulated members chatting, until Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hearthkeeper.cli.context import clock_of
from hearthkeeper.config import DEFAULT_PORT

if TYPE_CHECKING:
    from hearthkeeper.clock import Clock
    from hearthkeeper.playbook import LoadedPlaybook
    from hearthkeeper.serve import Host

# A top-level command: this module is imported by every `hearth` command, so what the command
# needs is imported when it runs.

MARKER = ".hearth-demo"
DEMO_GROUPS = 3
DEMO_LIVE_CODE = "demo-poster"
OPERATOR = "operator"
PLAYBOOK = "playbook.yaml"
CONFIG = "hearth.toml"
# So that the commands of the README and docs/cli.md work on the demo's database meanwhile:
# `hearth strikes list --all -c .demo/hearth.toml`.
DEMO_CONFIG = f"""# Written by `hearth demo` (and recreated with the directory on its next run): the
# settings other `hearth` commands need to work on the demo, e.g.
#   hearth strikes list --all -c PATH/TO/THIS/{CONFIG}
data_dir = "."
playbooks = ["{PLAYBOOK}"]
"""


def register(app: typer.Typer) -> None:
    """Add `demo` to the top-level command."""
    app.command("demo")(demo)


def demo(
    ctx: typer.Context,
    port: Annotated[
        int, typer.Option("--port", "-p", min=0, max=65535, help="Port; 0 picks a free one.")
    ] = DEFAULT_PORT,
    data_dir: Annotated[
        Path, typer.Option("--data-dir", help="Demo data directory; recreated on every run.")
    ] = Path(".demo"),
    template: Annotated[
        str, typer.Option("--template", "-t", help="Template of the demo community.")
    ] = "skincare",
    no_simulator: Annotated[
        bool, typer.Option("--no-simulator", help="No simulated members: the groups stay quiet.")
    ] = False,
    minutes: Annotated[
        float | None, typer.Option("--minutes", min=0, help="Stop by itself after this long.")
    ] = None,
) -> None:
    """Run a live demo: console, web chat and simulated members, on a fresh SQLite database."""
    from hearthkeeper.cli.output import console, fail
    from hearthkeeper.cli.serve_cmd import build_host
    from hearthkeeper.config import DEFAULT_HOST, ServerSettings, Settings, sqlite_url_for
    from hearthkeeper.listening import listening_at
    from hearthkeeper.playbook import PlaybookError, parse_playbook
    from hearthkeeper.playbook.templates import UnknownTemplate, copy_content, template_text
    from hearthkeeper.serve import ServeError, open_socket
    from hearthkeeper.serve.runner import bound_port, stopping_quietly
    from hearthkeeper.web.context import WebSettings

    try:
        text = template_text(template)
        loaded = parse_playbook(text, str(data_dir / PLAYBOOK))
    except (UnknownTemplate, PlaybookError) as exc:
        fail(str(exc))
    try:
        sock = open_socket(DEFAULT_HOST, port)
    except ServeError as exc:
        fail(str(exc))
    try:
        _fresh(data_dir)
        playbook_file = data_dir.resolve() / PLAYBOOK
        playbook_file.write_text(text, encoding="utf-8")
        # The port too: links the commands print (`hearth livecodes create`) are the demo's.
        (data_dir / CONFIG).write_text(f"{DEMO_CONFIG}\n[server]\nport = {bound_port(sock)}\n",
                                       encoding="utf-8")  # fmt: skip
        copy_content(template, data_dir)
        url = sqlite_url_for(data_dir.resolve())
        password = _prepare_store(clock_of(ctx), url, loaded)
        server = ServerSettings(host=DEFAULT_HOST, port=bound_port(sock))
        settings = Settings(data_dir=data_dir.resolve(), database_url=url,
                            playbooks=(playbook_file,), config_file=None, server=server)  # fmt: skip
        web_settings = WebSettings(data_dir=settings.data_dir, public_url=server.url())
        host = build_host(settings, web_settings)
    except BaseException:
        sock.close()
        raise
    with stopping_quietly():
        try:
            _panel(host, password, simulate=not no_simulator)
            # recorded as `hearth serve` does: the commands' links reach the demo's address
            with listening_at(settings.data_dir, web_settings.public_url):
                asyncio.run(_live(host, sock, simulate=not no_simulator, minutes=minutes))
        finally:
            host.close()
    console.print("stopped")


def _prepare_store(clock: Clock, url: str, loaded: LoadedPlaybook) -> str:
    """Migrate the fresh database, apply the playbook, open the groups, add the operator;
    the operator's generated password."""
    from hearthkeeper.apply import apply_playbook
    from hearthkeeper.capabilities.livecodes.records import ChannelKind
    from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
    from hearthkeeper.carriers.webchat.groups import WEBCHAT, add_webchat_group
    from hearthkeeper.cli.output import fail
    from hearthkeeper.store import Store, StoreError, create_engine_for, upgrade
    from hearthkeeper.web.auth import hash_password

    password = secrets.token_urlsafe(12)
    try:
        upgrade(url)
        store = Store(create_engine_for(url), clock)
        try:
            applied = apply_playbook(store, loaded, actor="demo")
            for n in range(1, DEMO_GROUPS + 1):
                add_webchat_group(store, applied.community.id, loaded.playbook, n)
            SqlLiveCodes.on(store).add_channel(
                applied.community.id, DEMO_LIVE_CODE, "Demo poster", ChannelKind.POSTER,
                notes="made by hearth demo", carrier=WEBCHAT, by="demo",
                at=clock.now())  # fmt: skip
            store.add_operator(OPERATOR, hash_password(password))
        finally:
            store.engine.dispose()
    except StoreError as exc:
        fail(str(exc))
    return password


def _panel(host: Host, password: str, *, simulate: bool) -> None:
    from rich.markup import escape

    from hearthkeeper.cli.output import console
    from hearthkeeper.playbook.joining import ThresholdKind

    [running] = host.running
    console.rule(f"[bold]Hearthkeeper demo: {escape(running.community.name)}")
    console.print(f"Console:   [bold]{escape(host.console_url())}[/]")
    console.print(f"  sign in: {OPERATOR} / {escape(password)}")
    console.print("Web chat (open an invite link in another browser or a private window):")
    for invite in host.invites():
        console.print(f"  {escape(invite.group.name)}: {escape(invite.url)}")
    base = host.web_settings.public_url.rstrip("/")
    console.print(f"Live code (a poster's QR: {escape(base)}/go/{DEMO_LIVE_CODE}.png), routing "
                  f"each newcomer to a group with room: {escape(base)}/go/{DEMO_LIVE_CODE}")  # fmt: skip
    threshold = host.runtimes[running.community.id].playbook.joining.threshold
    if threshold.kind is ThresholdKind.PAID:
        console.print(f"The community is paid (plan {escape(threshold.plan or '')}): its join page "
                      "gives you a payment reference; record it on the console's Billing page "
                      "to let yourself in.")  # fmt: skip
    if simulate:
        console.print("Simulated members are chatting in these groups (--no-simulator: quiet).")
    data_dir = host.web_settings.data_dir
    console.print(f"Data: {escape(str(data_dir))} (SQLite: hearth.db; playbook: {PLAYBOOK})")
    console.print(
        f"Other commands work on the demo with -c: hearth strikes list --all -c "
        f"{escape(str(data_dir / CONFIG))}",
        soft_wrap=True,
    )  # one line: copied whole
    console.print("[bold]Ctrl-C stops the demo.[/]")


async def _live(host: Host, sock: socket.socket, *, simulate: bool, minutes: float | None) -> None:
    """Serve until Ctrl-C (or `minutes`), with the simulator acting once the server is up."""
    from hearthkeeper.serve import serve

    stop = asyncio.Event()
    ready = asyncio.Event()
    helpers: list[asyncio.Task[None]] = []
    if simulate:
        helpers.append(asyncio.create_task(_simulate(host, stop, ready)))
    if minutes is not None:
        helpers.append(asyncio.create_task(_stop_after(stop, minutes * 60)))
    try:
        await serve(host, sock=sock, stop=stop, on_ready=lambda _port: ready.set())
    finally:
        for task in helpers:
            task.cancel()
        await asyncio.gather(*helpers, return_exceptions=True)


async def _simulate(host: Host, stop: asyncio.Event, ready: asyncio.Event) -> None:
    from rich.markup import escape

    from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
    from hearthkeeper.carriers.webchat.groups import WEBCHAT
    from hearthkeeper.cli.output import errors
    from hearthkeeper.demo.simulator import Simulator

    await ready.wait()
    [runtime] = host.runtimes.values()
    groups = [g for g in host.store.list_groups(runtime.community_id) if g.carrier == WEBCHAT]
    simulator = Simulator(host.carrier(WebChatCarrier), host.store, runtime.playbook, groups)
    try:
        await simulator.run(stop)
    except Exception as exc:  # the demo goes on without it; the server is what matters
        if os.environ.get("HEARTH_DEBUG"):
            raise
        errors.print(f"[yellow]the simulator stopped:[/] {escape(f'{type(exc).__name__}: {exc}')}")


async def _stop_after(stop: asyncio.Event, seconds: float) -> None:
    await asyncio.sleep(seconds)
    stop.set()


def _fresh(data_dir: Path) -> None:
    """Recreate the demo directory, refusing to wipe anything that is not a previous demo."""
    from hearthkeeper.cli.output import fail

    if data_dir.exists():
        if not (data_dir / MARKER).exists() and any(data_dir.iterdir()):
            fail(
                f"{data_dir} exists and is not a Hearthkeeper demo directory; "
                "pass another --data-dir"
            )
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    (data_dir / MARKER).write_text("created by `hearth demo`; removed on the next run\n")
