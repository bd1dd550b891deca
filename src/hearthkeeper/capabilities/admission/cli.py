"""`hearth codes ...` (invite codes: create, list, revoke) and `hearth applications ...`
(list, approve, refuse)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape

from hearthkeeper.apply import community_playbook
from hearthkeeper.capabilities.admission import review
from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
from hearthkeeper.capabilities.admission.codes import MAX_USES, BadCode, create_code, revoke_code
from hearthkeeper.capabilities.admission.codes_repository import SqlInviteCodes
from hearthkeeper.cli.context import (
    ConfigOption,
    clock_of,
    open_store,
    pick_community,
    settings_from,
)
from hearthkeeper.cli.days import DayError, parse_day
from hearthkeeper.cli.output import console, errors, fail, shown_safely
from hearthkeeper.cli.zones import community_zone, local_day, local_time, times_in
from hearthkeeper.clock import Clock
from hearthkeeper.store import Community, Store, StoreError
from hearthkeeper.store.ids import MAX_ID

codes_app = typer.Typer()  # its help: capabilities/admission/__init__.py
applications_app = typer.Typer()
CommunityOption = Annotated[
    str | None,
    typer.Option("--community", help="The community (its slug or name); needed if several."),
]
BY = "cli"
REVIEWED_LISTED = 200  # the latest reviewed applications `applications list` shows


def _community(store: Store, slug: str | None) -> Community:
    return pick_community(store, slug)


def _say(text: str) -> None:
    console.print(escape(shown_safely(text)))


def _unasked(store: Store, found: Community) -> None:
    """Say when the community's threshold never asks for a code (as the console's Invite
    codes page does): a code made for an application or open community lets nobody in."""
    playbook = community_playbook(store, found.id)
    kind = None if playbook is None else playbook.joining.threshold.kind.value
    if kind is not None and kind != "invite_code":
        errors.print(escape(f"note: {found.name}'s joining.threshold.kind is {kind}: its join "
                            "pages do not ask for a code, so codes let nobody in until the "
                            "playbook says joining.threshold.kind: invite_code"))  # fmt: skip


@codes_app.command("create")
def create(
    ctx: typer.Context,
    community: CommunityOption = None,
    label: Annotated[str, typer.Option("--label", help="What the code is for, e.g. 'spring poster'.")] = "",
    max_uses: Annotated[int | None, typer.Option("--max-uses", max=MAX_USES, help="How many people it may let in (default: no limit).")] = None,
    expires: Annotated[str | None, typer.Option("--expires", help="Last day it works, YYYY-MM-DD, in the community's time zone (default: never).")] = None,
    code: Annotated[str | None, typer.Option("--code", help="Spell the code yourself (default: 8 random letters and digits).")] = None,
    config: ConfigOption = None,
) -> None:  # fmt: skip
    """Make an invite code; prints it."""
    store = open_store(settings_from(config), clock_of(ctx))
    found = _community(store, community)
    zone, now = community_zone(store, found.id), clock_of(ctx).now()
    until = None if expires is None else _end_of(expires, zone)
    if until is not None and until <= now:  # said in the day the operator gave, on its clock
        fail(f"--expires {expires}: that day has passed already in {zone.key} (the community's "
             f"time zone; it is {local_day(now, zone)} there); give a later day, or leave "
             "--expires out for a code that never expires")  # fmt: skip
    try:
        made = create_code(store, found.id, BY, now, label=label,
                           max_uses=max_uses, expires_at=until, code=code)  # fmt: skip
    except (BadCode, StoreError) as exc:
        fail(str(exc))
    _say(f"{made.code}  {made.label or '(no label)'}  "
         f"{'no limit' if made.max_uses is None else f'up to {made.max_uses} ' + ('person' if made.max_uses == 1 else 'people')}"
         + ("" if until is None else f", until {expires}"))  # fmt: skip
    _unasked(store, found)


@codes_app.command("list")
def list_codes(
    ctx: typer.Context, community: CommunityOption = None, config: ConfigOption = None
) -> None:
    """The community's codes, newest first: code, state, uses, label."""
    store = open_store(settings_from(config), clock_of(ctx))
    found = _community(store, community)
    now = clock_of(ctx).now()
    codes = SqlInviteCodes.on(store).codes(found.id)
    zone = community_zone(store, found.id)
    if any(c.expires_at is not None for c in codes):
        console.print(times_in(zone))
    for c in codes:
        most = "∞" if c.max_uses is None else str(c.max_uses)
        until = "" if c.expires_at is None else f"  until {local_time(c.expires_at, zone)}"
        _say(f"{c.code}  {c.state(now)}  {c.uses}/{most} used  {c.label}{until}")
    if not codes:
        console.print("No invite codes yet; `hearth codes create` makes one.")
    _unasked(store, found)


@codes_app.command("revoke")
def revoke(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The code to withdraw.")],
    community: CommunityOption = None,
    config: ConfigOption = None,
) -> None:
    """Withdraw a code: nobody else gets in with it (those it let in stay)."""
    store = open_store(settings_from(config), clock_of(ctx))
    found = _community(store, community)
    try:
        revoked = revoke_code(store, found.id, code, BY, clock_of(ctx).now())
    except StoreError as exc:
        fail(str(exc))
    _say(f"Revoked {revoked.code} (it let in {revoked.uses}).")


@applications_app.command("list")
def list_applications(
    ctx: typer.Context, community: CommunityOption = None, config: ConfigOption = None
) -> None:
    """Applications, pending first (every one): id, status (who decided, when), who applied,
    when and to which group, their answers; then the latest reviewed ones."""
    store = open_store(settings_from(config), clock_of(ctx))
    found = _community(store, community)
    stored = SqlApplications.on(store)
    waiting, decided = stored.application_counts(found.id)
    applications = (stored.applications(found.id, pending=True, limit=max(1, waiting))
                    + stored.applications(found.id, pending=False, limit=REVIEWED_LISTED))  # fmt: skip
    zone = community_zone(store, found.id)
    groups = {g.id: g.name for g in store.list_groups(found.id)}
    if applications:
        console.print(times_in(zone))
    for a in applications:  # the decision's own time beside it; the application's labelled
        reviewed = "" if a.reviewed_by is None else f" by {a.reviewed_by}"
        if a.reviewed_at is not None:
            reviewed += f" on {local_time(a.reviewed_at, zone)}"
        group = groups.get(a.group_id, f"group {a.group_id}")
        _say(f"#{a.id}  {a.status.value}{reviewed}  {a.display_name}  "
             f"applied {local_time(a.created_at, zone)} to join {group}")  # fmt: skip
        for question, answer in a.answered:
            _say(f"    {question}\n      → {answer}")
        if a.message:
            _say(f"    message: {a.message}")
    if decided > REVIEWED_LISTED:
        _say(f"({decided - REVIEWED_LISTED} earlier reviewed applications not listed)")
    if not applications:
        console.print("No applications.")


def _review(clock: Clock, application_id: int, message: str, config: ConfigOption, approve: bool,
            reconsider: bool = False) -> None:  # fmt: skip
    store = open_store(settings_from(config), clock)
    try:
        if approve:
            done = review.approve(store, application_id, BY, clock.now(), message,
                                  reconsider=reconsider)  # fmt: skip
        else:
            done = review.refuse(store, application_id, BY, clock.now(), message)
    except StoreError as exc:
        fail(str(exc))
    _say(f"#{done.id} {done.display_name}: {done.status.value}; their carrier is asked to "
         f"{'let them in' if approve else 'turn the request down'}.")  # fmt: skip


MessageOption = Annotated[str, typer.Option("--message", "-m", help="What the applicant is told.")]
IdArgument = Annotated[
    int,
    typer.Argument(min=1, max=MAX_ID, help="The application's id (`hearth applications list`)."),
]


@applications_app.command("approve")
def approve(ctx: typer.Context, application_id: IdArgument, message: MessageOption = "",
            reconsider: Annotated[bool, typer.Option("--reconsider", help="Approve it though it was refused before (staff changed their mind).")] = False,
            config: ConfigOption = None) -> None:  # fmt: skip
    """Approve a pending application (or, with --reconsider, a refused one): the applicant
    is let in."""
    _review(clock_of(ctx), application_id, message, config, approve=True, reconsider=reconsider)


@applications_app.command("refuse")
def refuse(ctx: typer.Context, application_id: IdArgument, message: MessageOption = "",
           config: ConfigOption = None) -> None:  # fmt: skip
    """Refuse a pending application; the applicant sees `--message` when they come back."""
    _review(clock_of(ctx), application_id, message, config, approve=False)


def _end_of(day: str, zone: ZoneInfo) -> datetime:
    """The end of `day` (YYYY-MM-DD) in `zone`, in UTC."""
    try:
        parsed = parse_day(day, "--expires")
    except DayError as exc:
        fail(str(exc))
    return datetime.combine(parsed, time(23, 59, 59), zone).astimezone(UTC)
