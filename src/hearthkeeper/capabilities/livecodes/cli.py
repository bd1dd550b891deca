"""`hearth livecodes ...`: make a channel's live code, list them, retire one, see who each
brought."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from hearthkeeper.capabilities.livecodes.decide import carrier_problem, slug_problem
from hearthkeeper.capabilities.livecodes.qr import qr_image
from hearthkeeper.capabilities.livecodes.records import ChannelKind
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.capabilities.livecodes.routing import stable_link
from hearthkeeper.capabilities.livecodes.stats import STAY_DAYS, channel_stats
from hearthkeeper.carriers.installed import CARRIERS, installed_tables
from hearthkeeper.cli.context import (
    ActorOption,
    ConfigOption,
    clock_of,
    open_store,
    pick_community,
    settings_from,
)
from hearthkeeper.cli.output import console, errors, fail
from hearthkeeper.cli.zones import community_zone, local_time, times_in
from hearthkeeper.config import Settings
from hearthkeeper.listening import site_url
from hearthkeeper.store import Community, Store, StoreError

livecodes_app = typer.Typer()  # its help: capabilities/livecodes/__init__.py
CommunityOption = Annotated[
    str | None,
    typer.Option("--community", help="The community (its slug or name); needed if several."),
]


def _community(store: Store, slug: str | None) -> Community:
    return pick_community(store, slug)


@livecodes_app.command("create")
def create(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The link's name: /go/SLUG (a-z, 0-9, -).")],
    community: CommunityOption = None,
    label: Annotated[str, typer.Option("--label", help="What staff call it.")] = "",
    kind: Annotated[ChannelKind, typer.Option("--kind", help="Where it is shown.")] = (
        ChannelKind.POSTER
    ),
    notes: Annotated[str, typer.Option("--notes", help="Anything staff should know.")] = "",
    carrier: Annotated[
        str, typer.Option("--carrier", help="The groups it routes to (their carrier).")
    ] = "webchat",
    qr: Annotated[
        Path | None, typer.Option("--qr", help="Also write its QR image (.png or .svg) here.")
    ] = None,
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Make a channel's live code; print its stable link (and write its QR image)."""
    problem = slug_problem(slug)
    if problem is not None:
        fail(problem)
    settings = settings_from(config)
    problem = carrier_problem(carrier, _running(settings), installed_tables())
    if problem is not None:
        fail(f"--carrier {carrier}: {problem}")
    store = open_store(settings, clock_of(ctx))
    found = _community(store, community)
    with store.transaction() as tx:
        try:
            channel = SqlLiveCodes.on(tx).add_channel(
                found.id, slug, label.strip() or slug, kind, notes=notes, carrier=carrier,
                by=actor, at=clock_of(ctx).now())  # fmt: skip
        except StoreError as exc:
            fail(str(exc))
        tx.audit(actor, "livecode.create", found.id, target=f"livecode {slug}",
                 detail={"label": channel.label, "kind": kind.value, "carrier": carrier})  # fmt: skip
    site = site_url(settings)  # the running server's address when no public_url is set
    link = stable_link(site.url, slug)
    console.print(escape(f"Live code {slug} of {found.name}: {link}"))
    if site.assumed:
        errors.print(escape(site.note()))
    if qr is not None:
        _write_qr(qr, link)


def _running(settings: Settings) -> list[str]:
    """The carriers `hearth serve` runs with this configuration."""
    from hearthkeeper.serve.host import carrier_setups

    return list(carrier_setups(settings, CARRIERS))


def _write_qr(path: Path, link: str) -> None:
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        fail(f"--qr {path}: name a .png or .svg file")
    try:
        path.write_bytes(qr_image(link, "png" if suffix == ".png" else "svg"))
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
    console.print(escape(f"Wrote its QR image to {path}."))


@livecodes_app.command("list")
def list_codes(
    ctx: typer.Context, community: CommunityOption = None, config: ConfigOption = None
) -> None:
    """The community's live codes, oldest first: name, kind, link, and whether retired."""
    settings = settings_from(config)
    store = open_store(settings, clock_of(ctx))
    found = _community(store, community)
    channels = SqlLiveCodes.on(store).channels(found.id)
    zone = community_zone(store, found.id)
    if any(c.retired_at is not None for c in channels):
        console.print(times_in(zone))
    site = site_url(settings)
    for c in channels:
        state = f"retired {local_time(c.retired_at, zone)}" if c.retired_at else "live"
        console.print(escape(f"{c.slug}  {c.kind.value}  {c.label}  "
                             f"{stable_link(site.url, c.slug)}  {state}"))  # fmt: skip
    if not channels:
        console.print(
            f"No live codes yet; `hearth livecodes create SLUG --community {found.slug}`."
        )
    elif site.assumed:
        errors.print(escape(site.note()))


@livecodes_app.command("retire")
def retire(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The live code's name.")],
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Stop a live code routing newcomers (its link then says it is no longer in use; its
    figures stay)."""
    store = open_store(settings_from(config), clock_of(ctx))
    with store.transaction() as tx:
        channel = SqlLiveCodes.on(tx).retire(slug, clock_of(ctx).now())
        if channel is None:
            fail(f"there is no live code {slug!r}; `hearth livecodes list` shows them")
        tx.audit(actor, "livecode.retire", channel.community_id, target=f"livecode {slug}",
                 detail={})  # fmt: skip
    console.print(escape(f"Live code {slug} retired; /go/{slug} no longer routes anyone."))


@livecodes_app.command("stats")
def stats(
    ctx: typer.Context, community: CommunityOption = None, config: ConfigOption = None
) -> None:
    """Who each live code brought: arrived, stayed (still in after 7 days), spoke, paid."""
    store = open_store(settings_from(config), clock_of(ctx))
    found = _community(store, community)
    figures = channel_stats(store, found.id, clock_of(ctx).now())
    for s in figures:
        console.print(escape(
            f"{s.channel.slug}  arrived {s.arrived}  stayed {s.stayed} of {s.settled} "
            f"(in after {STAY_DAYS} days)  spoke {s.spoke}  paid {s.paid}"
        ))  # fmt: skip
    if not figures:
        console.print("No live codes yet.")
