"""`hearth staff ...`: who is staff — give and take the playbook's staff roles."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from hearthkeeper.cli.context import (
    ActorOption,
    ConfigOption,
    clock_of,
    member_option,
    open_store,
    pick_community,
    settings_from,
)
from hearthkeeper.cli.output import console, fail
from hearthkeeper.playbook.structure import default_role_alias
from hearthkeeper.store import Store
from hearthkeeper.store.records import STAFF_ROLE, StaffStay
from hearthkeeper.text.counts import groups_named

staff_app = typer.Typer()  # `hearth staff`, its help in root.py


CommunityOption = Annotated[
    str | None,
    typer.Option("--community", help="Community slug or name (needed when there are several)."),
]


def _community(store: Store, slug: str | None) -> tuple[int, dict[str, str]]:
    """The community and the roles its latest playbook defines, id → title, as the running
    server reads them: the stored text parsed by this release (a default title renamed by an
    upgrade, Manager → 管理员, is the new one, as members see it), else the normalised copy
    stored at apply."""
    from hearthkeeper.apply import community_playbook

    community = pick_community(store, slug)
    playbook = community_playbook(store, community.id)
    if playbook is not None:
        return community.id, {rid: role.title for rid, role in playbook.structure.roles.items()}
    version = store.latest_playbook_version(community.id)
    roles = dict(version.content.get("structure", {}).get("roles", {})) if version else {}
    return community.id, {rid: _title(role) for rid, role in roles.items()}


def _title(role: object) -> str:
    return str(role.get("title") or "") if isinstance(role, dict) else ""


def _role_id(roles: dict[str, str], typed: str) -> str:
    """The `structure.roles` id `typed` names: the id itself, else the role's title as
    members read it (班长), else the id in another case, else a default title in another
    language (Growth for 拉新专员); or exit listing ids and titles."""
    if typed in roles:
        return typed
    said = typed.strip()
    for role_id, title in roles.items():
        if said and (title.strip() == said or role_id.casefold() == said.casefold()):
            return role_id
    alias = default_role_alias(roles, said)
    if alias:
        return alias
    known = ", ".join(f"{rid} ({title})" if title else rid for rid, title in roles.items())
    fail(f"role {typed!r} is not in the playbook's structure.roles (defined: {known or 'none'})")


@staff_app.command("set")
def set_role(
    ctx: typer.Context,
    member: Annotated[str, typer.Argument(help="The member, as CARRIER:USER_ID.")],
    role: Annotated[
        str,
        typer.Argument(
            help="A structure.roles id from the playbook, or its title; 'none' takes it away."
        ),
    ],
    community: CommunityOption = None,
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Give a member a staff role in every group of the community they are in (or take it)."""
    store = open_store(settings_from(config), clock_of(ctx))
    community_id, roles = _community(store, community)
    wanted = None if role.lower() == "none" else _role_id(roles, role)
    member_id = member_option(store, member, name="MEMBER")
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
        tx.audit(actor, STAFF_ROLE, community_id, target=f"member {member_id}",
                 detail={"role": wanted, "groups": len(stays)})  # fmt: skip
    title = roles.get(wanted, "") if wanted else ""
    shown = f"{wanted} ({title})" if title and title != wanted else wanted
    console.print(f"{escape(member)} is now {escape(shown or 'an ordinary member')} in "
                  f"{len(stays)} group(s); a running engine notices within a minute.")  # fmt: skip


@staff_app.command("list")
def list_staff(
    ctx: typer.Context, community: CommunityOption = None, config: ConfigOption = None
) -> None:
    """Members holding a staff role: one line per person and role, with its groups."""
    store = open_store(settings_from(config), clock_of(ctx))
    community_id, _ = _community(store, community)
    # a monitor of 40 groups is one line, not 40: the stays are read in one query
    held: dict[tuple[int, str], list[StaffStay]] = {}
    for stay in store.staff_stays(community_id):
        held.setdefault((stay.member_id, stay.role), []).append(stay)
    for (member_id, role), stays in held.items():
        # the ids `hearth staff set` takes, to change or take away the role
        ids = sorted({f"{s.carrier}:{s.carrier_user_id}" for s in stays
                      if s.carrier_user_id is not None}) or [f"member {member_id}"]  # fmt: skip
        groups = list(dict.fromkeys(s.group for s in stays))
        console.print(escape(f"{stays[0].name} ({', '.join(ids)}) — {role} in "
                             f"{groups_named(groups)}"))  # fmt: skip
    if not held:
        console.print("No staff yet: `hearth staff set CARRIER:USER_ID ROLE`.")
