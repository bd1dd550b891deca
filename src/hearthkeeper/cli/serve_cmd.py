"""`hearth serve`: run the configured playbooks with the engine, the console and the web chat."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hearthkeeper.cli.context import ConfigOption
from hearthkeeper.roles import Role

if TYPE_CHECKING:
    from hearthkeeper.config import Settings
    from hearthkeeper.playbook import Playbook
    from hearthkeeper.serve import Host
    from hearthkeeper.serve.host import Invite
    from hearthkeeper.web.context import WebSettings

INVITES_SHOWN = 3  # a community's invite links printed at start; the Groups page has them all

# A top-level command: this module is imported by every `hearth` command, so what the command
# needs is imported when it runs.


def register(app: typer.Typer) -> None:
    """Add `serve` to the top-level command."""
    app.command("serve")(serve_command)


def serve_command(
    config: ConfigOption = None,
    host: Annotated[
        str | None, typer.Option("--host", help="Address to listen on (default: [server] host).")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            "--port", "-p", min=0, max=65535, help="Port; 0 picks a free one (default: [server])."
        ),
    ] = None,
    role: Annotated[
        Role,
        typer.Option(
            "--role",
            help="all: web and engine in one process; web: console, API and web chat only; "
            "engine: an engine worker, no port. web and engine share a PostgreSQL database "
            "with the other nodes (docs/deploy.md).",
        ),
    ] = Role.ALL,
) -> None:
    """Run the playbooks of the configuration: engine, operator console, REST API, web chat."""
    from rich.markup import escape

    from hearthkeeper.cli.context import prepare, settings_from
    from hearthkeeper.cli.output import console, errors, fail
    from hearthkeeper.engine.carrier import CarrierError
    from hearthkeeper.listening import listening_at
    from hearthkeeper.serve import ServeError, open_socket, serve
    from hearthkeeper.serve.runner import bound_port, stopping_quietly
    from hearthkeeper.web.clientaddr import parse_proxies
    from hearthkeeper.web.context import WebSettings

    settings = settings_from(config)
    prepare(settings)
    address = host or settings.server.host
    wanted = settings.server.port if port is None else port
    sock = None
    if role is not Role.ENGINE:  # an engine worker serves no web pages
        try:
            sock = open_socket(address, wanted)
        except ServeError as exc:
            fail(str(exc))
    web_settings = WebSettings(
        data_dir=settings.data_dir,
        public_url=settings.server.url(address, wanted if sock is None else bound_port(sock)),
        secure_cookies=settings.server.secure_cookies,
        trusted_proxies=parse_proxies(settings.server.trusted_proxies),
        trial_limit_exempt=parse_proxies(settings.server.trial_limit_exempt),
        billing=settings.billing,
    )
    try:
        running = build_host(settings, web_settings, role)
    except BaseException:
        if sock is not None:
            sock.close()
        raise
    for warning in running.warnings:  # e.g. a carrier the playbook names that cannot run
        typer.echo(str(warning), err=True)
    for (
        note
    ) in running.stored_notes:  # a stored version passing a bound or check added since: it runs
        errors.print(f"[yellow]warning:[/] {escape(note)}")
    show(running)
    if role is not Role.ENGINE:
        for note in local_trial_notes([r.playbook for r in running.runtimes.values()],
                                      address, web_settings):  # fmt: skip
            errors.print(f"[yellow]note:[/] {escape(note)}")
        for caution in exempt_trial_warnings([r.playbook for r in running.runtimes.values()],
                                             web_settings):  # fmt: skip
            errors.print(f"[yellow]warning:[/] {escape(caution)}")
    if not running.store.list_operators():
        errors.print(
            "[yellow]warning:[/] no operator can sign in to the console yet; create one with "
            f"`hearth operator add NAME{_config_hint(settings.config_file)}`"
        )
    console.print("Ctrl-C stops the server.")
    with stopping_quietly():
        try:
            if sock is None:  # an engine worker: no address to record
                asyncio.run(serve(running, sock=sock))
            else:  # the commands' links use the address served, e.g. with --port 0
                with listening_at(settings.data_dir, web_settings.public_url):
                    asyncio.run(serve(running, sock=sock))
        except CarrierError as exc:  # a carrier could not connect (a wrong token, a server down)
            fail(f"a chat carrier could not start: {exc}")
        finally:
            running.close()
    console.print("stopped")


def build_host(settings: Settings, web_settings: WebSettings, role: Role = Role.ALL) -> Host:
    """The `Host`, or exit 1 with the problem (playbook problems one per line)."""
    from hearthkeeper.cli.output import fail
    from hearthkeeper.config import ConfigError
    from hearthkeeper.playbook import PlaybookError
    from hearthkeeper.serve import Host
    from hearthkeeper.store import StoreError

    try:
        return Host.build(settings, web_settings, role=role)
    except PlaybookError as exc:
        for problem in exc.problems:
            typer.echo(str(problem))
        raise typer.Exit(1) from None
    except (ConfigError, StoreError) as exc:
        fail(str(exc))


def show(host: Host) -> None:
    """What runs and where to reach it."""
    from rich.markup import escape

    from hearthkeeper.cli.output import console

    for running in host.running:
        console.print(escape(running.describe()))
    if host.cluster is not None:
        console.print(f"Role: {host.role.value}; worker {host.cluster.worker}, one of "
                      f"{host.cluster.workers()} on this database")  # fmt: skip
    if host.role is Role.ENGINE:
        return
    console.print(f"Console: {escape(host.console_url())}")
    by_community: dict[int, list[Invite]] = {}
    for invite in host.invites():
        if invite.group.closed:  # its link seats nobody new: not one to copy to a poster
            continue
        by_community.setdefault(invite.community.id, []).append(invite)
    for invites in by_community.values():
        for invite in invites[:INVITES_SHOWN]:
            console.print(f"Web chat {escape(invite.group.name)}: {escape(invite.url)}")
        if len(invites) > INVITES_SHOWN:  # a matrix of hundreds: not a screen of links each start
            community = invites[0].community
            console.print(escape(
                f"… and {len(invites) - INVITES_SHOWN} more web chat groups of {community.name}: "
                f"every invite link is on {host.console_url()}/c/{community.slug}/groups"))  # fmt: skip
    for line in host.status():  # e.g. the Matrix bot's account and rooms
        console.print(escape(line))
    for line in host.alerts_unsaid():  # a web chat only community: where staff must look
        console.print(escape(line))


def local_trial_notes(playbooks: list[Playbook], host: str, web: WebSettings) -> list[str]:
    """A note for each paid community with a free trial when the server listens on this
    machine only and no network is exempt from the one trial per network: whoever tries it
    in several browsers here gets one trial (they all share 127.0.0.1)."""
    import ipaddress

    try:
        local = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = False
    if not local or web.trusted_proxies or web.trial_limit_exempt:
        return []
    notes = []
    for pb in playbooks:
        if _gives_trials(pb):
            notes.append(
                f"{pb.community.name} gives one free trial per client network in 30 days, and "
                "every browser on this machine is 127.0.0.1: only the first you try it in gets "
                'a trial. To test with several, set [server] trial_limit_exempt = ["127.0.0.1", '
                '"::1"] in hearth.toml (docs/membership.md)'
            )
    return notes


def _gives_trials(playbook: Playbook) -> bool:
    """Whether the community's door is paid and its plan has a free trial."""
    from hearthkeeper.playbook.joining import ThresholdKind

    threshold = playbook.joining.threshold
    plan = next((p for p in playbook.monetisation.plans if p.id == threshold.plan), None)
    return threshold.kind is ThresholdKind.PAID and plan is not None and bool(plan.trial)


def exempt_trial_warnings(playbooks: list[Playbook], web: WebSettings) -> list[str]:
    """What `[server] trial_limit_exempt` gives beyond testers, for a server with a paid
    community with a free trial: a network of every address, or this machine while the server
    is reached from elsewhere with no proxy trusted (behind a reverse proxy on this machine
    every visitor is 127.0.0.1: the setting left from testing gave the internet unlimited
    trials without a word)."""
    import ipaddress
    from urllib.parse import urlsplit

    if not web.trial_limit_exempt or not any(_gives_trials(pb) for pb in playbooks):
        return []
    said = [f"[server] trial_limit_exempt names {network}, every client address: every "
            "newcomer from anywhere may start a free trial; name only the networks testers "
            "use (docs/membership.md)"
            for network in web.trial_limit_exempt if network.prefixlen == 0]  # fmt: skip
    here = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]
    local = [str(n) for n in web.trial_limit_exempt if n.prefixlen
             and any(n.version == h.version and n.overlaps(h) for h in here)]  # fmt: skip
    host = urlsplit(web.public_url).hostname or ""
    try:
        reached_here = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        reached_here = False
    if local and not reached_here and not web.trusted_proxies:
        said.append(
            f"[server] trial_limit_exempt exempts this machine ({', '.join(local)}) while the "
            f"server is reached at {web.public_url}: behind a reverse proxy on this machine "
            "that [server] trusted_proxies does not name, every visitor is 127.0.0.1 and may "
            "start a free trial. Name the proxy in trusted_proxies, or remove the exemption "
            "before the community opens (docs/membership.md)"
        )
    return said


def _config_hint(config_file: Path | None) -> str:
    return f" --config {config_file}" if config_file is not None else ""
