"""`hearth strikes ...` and `hearth sanctions ...`: review and undo moderation by hand."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

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
    app.add_typer(staff_app, name="staff")


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
    found = store.strikes(member_id=_member(store, member), include_dead=everything, now=now)
    for strike in found:
        state = ("pardoned by " + (strike.pardoned_by or "?")) if strike.pardoned_at else (
            "live" if strike.live(now) else "expired")  # fmt: skip
        expires = f"{strike.expires_at:%Y-%m-%d}" if strike.expires_at else "never"
        console.print(escape(
            f"#{strike.id}  member {strike.member_id}  {strike.violation}  "
            f"{strike.at:%Y-%m-%d %H:%M}  expires {expires}  {state} — {strike.explanation}"
        ))  # fmt: skip
    if not found:
        console.print("No strikes." if everything else "No live strikes (--all shows every one).")


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
    found = store.active_sanctions(member_id=_member(store, member), now=SystemClock().now())
    for item in found:
        where = f"group {item.group_id}" if item.group_id else (
            f"community {item.community_id}" if item.community_id else "all communities")  # fmt: skip
        until = f" until {item.until:%Y-%m-%d %H:%M}" if item.until else ""
        console.print(escape(
            f"#{item.id}  {item.kind.value}  member {item.member_id}  {where}  "
            f"since {item.at:%Y-%m-%d %H:%M}{until} — {item.reason}"
        ))  # fmt: skip
    if not found:
        console.print("No mutes, bans or blacklistings in force.")


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


staff_app = typer.Typer(help="Who is staff: give and take staff roles.", no_args_is_help=True)
CommunityOption = Annotated[
    str | None, typer.Option("--community", help="Community slug (needed when there are several).")
]


def _community(store: Store, slug: str | None) -> tuple[int, dict[str, object]]:
    """The community and the roles its latest playbook defines."""
    communities = store.list_communities()
    if slug is None:
        if len(communities) != 1:
            names = ", ".join(c.slug for c in communities) or "none yet"
            fail(f"say which community with --community (there are: {names})")
        community = communities[0]
    else:
        found = store.get_community(slug)
        if found is None:
            fail(f"no community {slug!r}; `hearth apply` its playbook first")
        community = found
    version = store.latest_playbook_version(community.id)
    roles = dict(version.content.get("structure", {}).get("roles", {})) if version else {}
    return community.id, roles


@staff_app.command("set")
def set_role(
    member: Annotated[str, typer.Argument(help="The member, as CARRIER:USER_ID.")],
    role: Annotated[str, typer.Argument(help="A structure.roles id from the playbook, or 'none'.")],
    community: CommunityOption = None,
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Give a member a staff role in every group of the community they are in (or take it)."""
    store = open_store(settings_from(config))
    community_id, roles = _community(store, community)
    wanted = None if role.lower() == "none" else role
    if wanted is not None and wanted not in roles:
        fail(f"role {role!r} is not in the playbook's structure.roles (defined: "
             f"{', '.join(roles) or 'none'})")  # fmt: skip
    member_id = _member(store, member)
    assert member_id is not None
    groups = {g.id for g in store.list_groups(community_id)}
    stays = [
        m for m in store.membership_history(member_id) if m.left_at is None and m.group_id in groups
    ]
    if not stays:
        fail(f"{member} is in no group of this community yet")
    with store.transaction() as tx:
        for stay in stays:
            tx.set_role(member_id, stay.group_id, wanted)
        tx.audit(actor, "staff role", community_id, target=f"member {member_id}",
                 detail={"role": wanted, "groups": len(stays)})  # fmt: skip
    console.print(f"{escape(member)} is now {escape(wanted or 'an ordinary member')} in "
                  f"{len(stays)} group(s); a running engine notices within a minute.")  # fmt: skip


@staff_app.command("list")
def list_staff(community: CommunityOption = None, config: ConfigOption = None) -> None:
    """Members holding a staff role, by group."""
    store = open_store(settings_from(config))
    community_id, _ = _community(store, community)
    shown = 0
    for group in store.list_groups(community_id):
        for stay in store.active_members(group.id):
            if stay.role:
                member = store.get_member(stay.member_id)
                name = member.display_name if member else str(stay.member_id)
                console.print(
                    escape(f"{group.name}: {name} (member {stay.member_id}) — {stay.role}")
                )
                shown += 1
    if not shown:
        console.print("No staff yet: `hearth staff set CARRIER:USER_ID ROLE`.")
