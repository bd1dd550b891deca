"""`hearth strikes ...` and `hearth sanctions ...`: review and undo moderation by hand."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, partial
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape

from hearthkeeper.capabilities.moderation import staff
from hearthkeeper.capabilities.moderation.decisions import sanction_line, strike_line
from hearthkeeper.cli.context import (
    ActorOption,
    ConfigOption,
    EveryCommunityOption,
    clock_of,
    member_option,
    open_store,
    pick_community,
    settings_from,
)
from hearthkeeper.cli.output import console, fail
from hearthkeeper.cli.zones import community_zone, one_zone, server_zone, times_in
from hearthkeeper.store import Community, Store, StoreError
from hearthkeeper.store.ids import MAX_ID

strikes_app = typer.Typer()  # its help: capabilities/moderation/__init__.py
sanctions_app = typer.Typer()

MemberOption = Annotated[
    str | None, typer.Option("--member", "-m", help="Only this member, as CARRIER:USER_ID.")
]


def _print(rows: list[tuple[ZoneInfo, Callable[[bool], str]]], empty: str,
           why: str = "the community's time zone") -> None:  # fmt: skip
    """Each row in its community's time zone: the zone named once above the rows when they
    share one, else after each time."""
    if not rows:
        console.print(empty)
        return
    shared = one_zone(zone for zone, _ in rows)
    if shared is not None:
        console.print(times_in(shared, why))
    for _, line in rows:
        console.print(escape(line(shared is None)))


def _zones(
    store: Store, only: Community | None = None
) -> Callable[[int | None, int | None], ZoneInfo]:
    """The time zone of a row's community (by its community, else its group's); a row of
    every community (a blacklist from all of them) in `server_zone`'s, or in the community
    `only` when the rows are that community's."""
    if only is not None:
        zone_of_only = community_zone(store, only.id)
        return lambda _community, _group: zone_of_only

    @cache
    def of_community(community_id: int | None) -> ZoneInfo:
        return (
            server_zone(store)[0] if community_id is None else community_zone(store, community_id)
        )

    @cache
    def of_group(group_id: int) -> int | None:
        group = store.get_group(group_id)
        return None if group is None else group.community_id

    def zone(community_id: int | None, group_id: int | None) -> ZoneInfo:
        if community_id is None and group_id is not None:
            community_id = of_group(group_id)
        return of_community(community_id)

    return zone


@strikes_app.command("list")
def list_strikes(
    ctx: typer.Context,
    member: MemberOption = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Include expired and pardoned strikes.")
    ] = False,
    community: EveryCommunityOption = None,
    config: ConfigOption = None,
) -> None:
    """Strikes that count now (or all of them), newest last."""
    store = open_store(settings_from(config), clock_of(ctx))
    now = clock_of(ctx).now()
    only = None if community is None else pick_community(store, community)
    found = store.strikes(only.id if only else None, member_option(store, member),
                          include_dead=everything, now=now)  # fmt: skip
    names = store.member_names(s.member_id for s in found)
    zone = _zones(store, only)
    zoned = [(zone(s.community_id, s.group_id), s) for s in found]
    _print([(z, partial(strike_line, s, now, names.get(s.member_id), z)) for z, s in zoned],
           "No strikes." if everything else "No live strikes (--all shows every one).")  # fmt: skip


@strikes_app.command("pardon")
def pardon(
    ctx: typer.Context,
    strike_id: Annotated[
        int, typer.Argument(min=1, max=MAX_ID, help="The strike's id (see `hearth strikes list`).")
    ],
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Take a strike back: it stays on record but no longer counts."""
    store = open_store(settings_from(config), clock_of(ctx))
    try:
        strike = staff.pardon(store, strike_id, actor, clock_of(ctx).now())
    except StoreError as exc:
        fail(str(exc))
    console.print(
        f"Strike {strike.id} ({escape(strike.violation)}) of member {strike.member_id} pardoned."
    )


@sanctions_app.command("list")
def list_sanctions(
    ctx: typer.Context,
    member: MemberOption = None,
    community: EveryCommunityOption = None,
    config: ConfigOption = None,
) -> None:
    """Mutes, bans, blacklistings and kicks under way, in force."""
    store = open_store(settings_from(config), clock_of(ctx))
    now, member_id = clock_of(ctx).now(), member_option(store, member)
    only = None if community is None else pick_community(store, community)
    if only is None:
        found = store.active_sanctions(member_id=member_id, now=now)
    else:  # the community's own, and blacklists from every community of its members
        found = store.community_sanctions(only.id, True, now, member_id=member_id, limit=None)
        found.reverse()  # oldest first, as without --community
    names = store.member_names(s.member_id for s in found)
    zone = _zones(store, only)
    zoned = [(zone(s.community_id, s.group_id), s) for s in found]
    everywhere = only is None and all(s.community_id is None and s.group_id is None
                                      for s in found)  # fmt: skip
    _print([(z, partial(sanction_line, s, names.get(s.member_id), z)) for z, s in zoned],
           "No mutes, bans, blacklistings or kicks in force.",
           server_zone(store)[1] if everywhere else "the community's time zone")  # fmt: skip


@sanctions_app.command("lift")
def lift(
    ctx: typer.Context,
    sanction_id: Annotated[
        int,
        typer.Argument(min=1, max=MAX_ID, help="The sanction's id (see `hearth sanctions list`)."),
    ],
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """End a mute, ban or blacklisting now; the unmute or unban is sent by the engine."""
    store = open_store(settings_from(config), clock_of(ctx))
    try:
        sanction, queued = staff.lift(store, sanction_id, actor, clock_of(ctx).now())
    except StoreError as exc:
        fail(str(exc))
    console.print(f"{sanction.kind.value.capitalize()} {sanction.id} of member "
                  f"{sanction.member_id} lifted; {queued} undo action(s) queued.")  # fmt: skip
