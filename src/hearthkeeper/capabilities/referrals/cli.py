"""`hearth referrals top`: who brought the most friends who stayed, this month and ever."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from hearthkeeper.apply import community_playbook
from hearthkeeper.capabilities.referrals.decide import TOP, month_start
from hearthkeeper.capabilities.referrals.repository import Ranked, SqlReferrals
from hearthkeeper.cli.context import (
    ConfigOption,
    clock_of,
    open_store,
    pick_community,
    settings_from,
)
from hearthkeeper.cli.output import console
from hearthkeeper.store import Store
from hearthkeeper.store.ids import MAX_ID

referrals_app = typer.Typer()  # its help: capabilities/referrals/__init__.py


def timezone_of(store: Store, community_id: int) -> str:
    """The community's time zone, from the playbook it runs (UTC when it has none)."""
    playbook = community_playbook(store, community_id)
    return "UTC" if playbook is None else playbook.community.timezone


def ranking(title: str, ranked: list[Ranked]) -> None:
    console.print(escape(title))
    if not ranked:
        console.print("  (none yet)")
    for i, r in enumerate(ranked, start=1):
        console.print(escape(f"  {i}. {r.display_name} (member {r.member_id}): {r.credited}"))


@referrals_app.command("top")
def top(
    ctx: typer.Context,
    community: Annotated[
        str | None,
        typer.Option(
            "--community", help="The community's slug or name (needed when there are several)."
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=MAX_ID, help="How many members.")
    ] = TOP,
    config: ConfigOption = None,
) -> None:
    """Members with the most credited referrals (friends who joined by their link and stayed
    the task's time), this month in the community's time zone and of all time."""
    store = open_store(settings_from(config), clock_of(ctx))
    found = pick_community(store, community)
    referrals = SqlReferrals.on(store)
    zone = timezone_of(store, found.id)
    since = month_start(clock_of(ctx).now(), zone)
    ranking(f"{found.name}: this month in {zone} (since {since:%Y-%m-%d})",
            referrals.top(found.id, since, limit))  # fmt: skip
    ranking(f"{found.name}: all time", referrals.top(found.id, None, limit))
