"""`hearth appeals list|pardon|uphold`: members' appeals decided from the command line, the
same way as from the console's inbox (`decisions.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.markup import escape

from hearthkeeper.capabilities.appeals import decisions
from hearthkeeper.capabilities.appeals.listing import Listed, listed
from hearthkeeper.cli.context import (
    ActorOption,
    ConfigOption,
    EveryCommunityOption,
    UndecidedOption,
    clock_of,
    open_store,
    settings_from,
)
from hearthkeeper.cli.inbox import print_inbox
from hearthkeeper.cli.output import age, console, fail
from hearthkeeper.clock import Clock
from hearthkeeper.store import StoreError
from hearthkeeper.store.ids import MAX_ID
from hearthkeeper.text.controls import without_controls

appeals_app = typer.Typer()  # its help: capabilities/appeals/__init__.py

WHY_SHOWN = 60  # characters of the member's words a row shows

AppealId = Annotated[
    int, typer.Argument(min=1, max=MAX_ID, help="The appeal's id (see `hearth appeals list`).")
]
NoteOption = Annotated[
    str,
    typer.Option("--note", help="Your words to the member, said with the decision (and kept "
                 f"in the audit log); at most {decisions.MAX_NOTE} characters."),
]  # fmt: skip


def _row(found: Listed, now: datetime, communities: bool) -> list[str]:
    appeal = found.appeal
    why = " ".join(without_controls(appeal.text).split())
    why = why if len(why) <= WHY_SHOWN else why[: WHY_SHOWN - 1] + "…"
    status = found.status
    if appeal.decided_at is not None:
        status = f"{status} by {appeal.decided_by} {age(appeal.decided_at, now)} ago"
    cells = [str(appeal.id), found.member, found.group, found.against.words, why,
             age(appeal.at, now), status]  # fmt: skip
    return ([found.community] if communities else []) + [escape(c) for c in cells]


@appeals_app.command("list")
def list_appeals(
    ctx: typer.Context,
    open_only: UndecidedOption = False,
    community: EveryCommunityOption = None,
    config: ConfigOption = None,
) -> None:
    """Members' appeals, newest last: who, where, against what, why, how long ago, and
    whether staff pardoned or upheld it."""
    print_inbox(ctx, config, community, open_only, listed=listed, row=_row,
                columns=["Id", "Member", "Group", "Appealed", "Why", "Age", "Status"],
                none=("No appeals waiting.", "No appeals."))  # fmt: skip


def _decide(
    clock: Clock, appeal_id: int, pardon: bool, note: str, actor: str, config: ConfigOption
) -> None:
    store = open_store(settings_from(config), clock)
    work = decisions.pardon if pardon else decisions.uphold
    try:
        decided = work(store, appeal_id, actor, clock.now(), note=note)
    except (StoreError, ValueError) as exc:
        fail(str(exc))
    appeal = decided.appeal
    done = "pardoned" if pardon else "upheld"
    lifted = " (the ban or mute lifted)" if decided.lifted else ""
    console.print(f"Appeal {appeal.id} of member {appeal.member_id} {done}{lifted}; the member "
                  "is told by the running engine.")  # fmt: skip


@appeals_app.command("pardon")
def pardon(ctx: typer.Context, appeal_id: AppealId, note: NoteOption = "",
           actor: ActorOption = "cli", config: ConfigOption = None) -> None:  # fmt: skip
    """Grant an appeal: the strike is taken back (its message kept as acceptable for the
    learned scorer), the mute or ban lifted; the member is told."""
    _decide(clock_of(ctx), appeal_id, True, note, actor, config)


@appeals_app.command("uphold")
def uphold(ctx: typer.Context, appeal_id: AppealId, note: NoteOption = "",
           actor: ActorOption = "cli", config: ConfigOption = None) -> None:  # fmt: skip
    """Refuse an appeal: the decision stands; the member is told."""
    _decide(clock_of(ctx), appeal_id, False, note, actor, config)
