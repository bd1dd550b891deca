"""`hearth strikes ...` and `hearth sanctions ...`: review and undo moderation by hand."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from hearthkeeper import staff
from hearthkeeper.cli.context import ConfigOption, open_store, settings_from
from hearthkeeper.cli.output import console, fail
from hearthkeeper.clock import SystemClock
from hearthkeeper.store import Store, StoreError

strikes_app = typer.Typer(help="List and pardon strikes.", no_args_is_help=True)
sanctions_app = typer.Typer(
    help="List and lift mutes, bans and blacklistings.", no_args_is_help=True
)

MemberOption = Annotated[
    str | None, typer.Option("--member", "-m", help="Only this member, as CARRIER:USER_ID.")
]
ActorOption = Annotated[str, typer.Option("--as", help="Who does it, for the audit log.")]


def register(app: typer.Typer) -> None:
    """Add `strikes` and `sanctions` to the top-level command."""
    app.add_typer(strikes_app, name="strikes")
    app.add_typer(sanctions_app, name="sanctions")


def _member(store: Store, member: str | None) -> int | None:
    if member is None:
        return None
    carrier, sep, user = member.partition(":")
    if not sep or not carrier or not user:
        fail(f"--member {member!r}: write CARRIER:USER_ID, e.g. webchat:u42")
    found = store.find_member(carrier, user)
    if found is None:
        fail(f"no member {user!r} is known on {carrier!r}")
    return found.id


@strikes_app.command("list")
def list_strikes(
    member: MemberOption = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Include expired and pardoned strikes.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Strikes that count now (or all of them), newest last."""
    store = open_store(settings_from(config))
    now = SystemClock().now()
    table = Table("id", "member", "violation", "when", "expires", "state", "why", box=None)
    for strike in store.strikes(member_id=_member(store, member), include_dead=everything, now=now):
        state = ("pardoned by " + (strike.pardoned_by or "?")) if strike.pardoned_at else (
            "live" if strike.live(now) else "expired")  # fmt: skip
        table.add_row(str(strike.id), str(strike.member_id), strike.violation,
                      f"{strike.at:%Y-%m-%d %H:%M}",
                      f"{strike.expires_at:%Y-%m-%d}" if strike.expires_at else "never",
                      state, escape(strike.explanation[:80]))  # fmt: skip
    console.print(table)


@strikes_app.command("pardon")
def pardon(
    strike_id: Annotated[int, typer.Argument(help="The strike's id (see `hearth strikes list`).")],
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Take a strike back: it stays on record but no longer counts."""
    store = open_store(settings_from(config))
    try:
        strike = staff.pardon(store, strike_id, actor, SystemClock().now())
    except StoreError as exc:
        fail(str(exc))
    console.print(
        f"Strike {strike.id} ({escape(strike.violation)}) of member {strike.member_id} pardoned."
    )


@sanctions_app.command("list")
def list_sanctions(member: MemberOption = None, config: ConfigOption = None) -> None:
    """Mutes, bans and blacklistings in force."""
    store = open_store(settings_from(config))
    table = Table("id", "kind", "member", "group", "since", "until", "why", box=None)
    for item in store.active_sanctions(member_id=_member(store, member), now=SystemClock().now()):
        table.add_row(str(item.id), item.kind.value, str(item.member_id),
                      str(item.group_id) if item.group_id else "-",
                      f"{item.at:%Y-%m-%d %H:%M}",
                      f"{item.until:%Y-%m-%d %H:%M}" if item.until else "-",
                      escape(item.reason[:80]))  # fmt: skip
    console.print(table)


@sanctions_app.command("lift")
def lift(
    sanction_id: Annotated[
        int, typer.Argument(help="The sanction's id (see `hearth sanctions list`).")
    ],
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """End a mute, ban or blacklisting now; the unmute or unban is sent by the engine."""
    store = open_store(settings_from(config))
    try:
        sanction, queued = staff.lift(store, sanction_id, actor, SystemClock().now())
    except StoreError as exc:
        fail(str(exc))
    console.print(f"{sanction.kind.value.capitalize()} {sanction.id} of member "
                  f"{sanction.member_id} lifted; {queued} undo action(s) queued.")  # fmt: skip
