"""`hearth alerts show`: where a community's staff alerts go — the staff channel, who
receives them and on which carriers, quiet hours, the weekly report, and the alerts held
until quiet hours end."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from hearthkeeper.apply import community_playbook
from hearthkeeper.capabilities.alerts.decide import (
    direct_note,
    recipient_roles,
    recipients,
    staff_channel,
)
from hearthkeeper.capabilities.alerts.repository import SqlAlerts
from hearthkeeper.capabilities.health.weekly import weekly_status
from hearthkeeper.cli.context import (
    ConfigOption,
    clock_of,
    open_store,
    pick_community,
    settings_from,
)
from hearthkeeper.cli.output import console, fail
from hearthkeeper.cli.zones import local_time, named_zone
from hearthkeeper.playbook import Playbook

alerts_app = typer.Typer()  # its help: capabilities/alerts/__init__.py


@alerts_app.command("show")
def show(
    ctx: typer.Context,
    community: Annotated[
        str | None,
        typer.Option("--community", help="Community slug or name (needed when there are several)."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """The staff channel, the recipients and where each is reached, quiet hours, and the
    alerts held until quiet hours end."""
    store = open_store(settings_from(config), clock_of(ctx))
    chosen = pick_community(store, community)
    pb = community_playbook(store, chosen.id)
    if pb is None:  # none applied, or a stored version this release cannot read (warned above)
        read = store.latest_playbook_version(chosen.id) is None
        fail(f"{chosen.slug} has no playbook; `hearth apply` one first" if read else
             f"{chosen.slug}'s playbook does not load with this release (above); fix the file "
             "and apply it")  # fmt: skip
    groups = store.list_groups(chosen.id)
    channel = staff_channel(groups, pb)
    wanted = pb.alerts.staff_group
    if channel is not None:
        console.print(escape(f"Staff channel: {channel.name} ({channel.carrier})"))
    elif wanted:
        console.print(escape(f"Staff channel: none — no group of {chosen.slug} is named "
                             f"{wanted!r} (alerts.staff_group); {missing_channel(pb)}"))  # fmt: skip
    else:
        console.print("Staff channel: none (set alerts.staff_group)")
    roles = ", ".join(sorted(recipient_roles(pb))) or "none"
    console.print(escape(f"Recipient roles: {roles}"))
    repo = SqlAlerts.on(store)
    who = recipients(repo.staff(chosen.id, sorted({g.carrier for g in groups})), pb)
    # a recipient outside the staff channel never sees the alerts posted there
    seated = set() if channel is None else {m.member_id for m in store.active_members(channel.id)}
    for person in who:
        where = ", ".join(f"{c}:{u}" for c, u in sorted(person.users.items())) or "no identity"
        away = ("" if channel is None or person.member_id in seated else
                f" — not in the staff channel: add them to {channel.name} to see its alerts")  # fmt: skip
        console.print(escape(f"  {person.name} (member {person.member_id}; "
                             f"{', '.join(sorted(person.roles))}): {where}{away}"))  # fmt: skip
    if not who:
        console.print("  nobody holds a recipient role: `hearth staff set CARRIER:USER ROLE`")
    kinds = {g.carrier for g in groups} | {c.kind.value for c in pb.structure.carriers}
    console.print(escape(f"Direct messages: {direct_note(pb.alerts.direct, kinds)}"))
    quiet = pb.alerts.quiet_hours or "none"
    console.print(escape(f"Quiet hours: {quiet} ({pb.community.timezone}); urgent: "
                         f"{', '.join(pb.alerts.urgent) or 'only alerts marked urgent'}"))  # fmt: skip
    console.print(escape(weekly_status(store, chosen.id, pb, clock_of(ctx).now())))
    held = repo.waiting(chosen.id)
    zone = named_zone(pb.community.timezone)
    console.print(f"Held until quiet hours end: {len(held)}"
                  + (f" (times in {zone.key})" if held else ""))  # fmt: skip
    for h in held:
        console.print(escape(f"  {local_time(h.release_at, zone)} — {h.text[:80]}"))


def missing_channel(pb: Playbook) -> str:
    """How the staff channel the playbook names comes to exist."""
    others = sorted({c.kind.value for c in pb.structure.carriers} - {"webchat"})
    if not others:  # carriers/webchat/groups.ensure_staff_channel
        return (
            "the web chat opens it under that name when `hearth serve` runs this playbook "
            "(at start, or when it is applied); its invite link is then on the console's "
            "Groups page"
        )
    return (
        f"name a group of {', '.join(others)} so in hearth.toml (its carriers table), or "
        "the name or carrier id of a group the community has (the console's Groups page); "
        "the web chat opens it itself only when it is the only platform in "
        "structure.carriers"
    )
