"""`hearth reports list|decide`: members' reports of a message decided from the command line,
the same way as from the console's inbox and the REST API (`decisions.decide`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.markup import escape

from hearthkeeper.capabilities.reports import decisions
from hearthkeeper.capabilities.reports.listing import Listed, listed
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
from hearthkeeper.store import StoreError
from hearthkeeper.store.ids import MAX_ID
from hearthkeeper.text.controls import one_line

reports_app = typer.Typer()  # its help: capabilities/reports/__init__.py

TEXT_SHOWN = 60  # characters of the reported message a row shows

ReportedId = Annotated[
    int,
    typer.Argument(
        min=1, max=MAX_ID, help="The reported message's id (see `hearth reports list`)."
    ),
]
DecisionArgument = Annotated[
    decisions.Decision,
    typer.Argument(help="uphold: delete the message and strike its author on --rule; dismiss: "
                   "close the reports, strike nobody."),
]  # fmt: skip
RuleOption = Annotated[
    str,
    typer.Option("--rule", help="With uphold: the rule broken (a violation kind of the "
                 "playbook that is on, or staff_warning)."),
]  # fmt: skip


def _row(found: Listed, now: datetime, communities: bool) -> list[str]:
    reported = found.reported
    status = found.status
    if reported.decided_at is not None:
        status = f"{status} by {reported.decided_by} {age(reported.decided_at, now)} ago"
    elif found.hidden:
        status = f"{status} (hidden by reports)"
    cells = [str(reported.id), found.author, found.group, one_line(found.text, TEXT_SHOWN),
             f"{found.reports} ({found.counting} counted)", age(reported.at, now), status]  # fmt: skip
    return ([found.community] if communities else []) + [escape(c) for c in cells]


@reports_app.command("list")
def list_reports(
    ctx: typer.Context,
    open_only: UndecidedOption = False,
    community: EveryCommunityOption = None,
    config: ConfigOption = None,
) -> None:
    """Messages members reported, newest last: id, whose, where, what it says, how many
    reported it (how many of those count toward hiding it), how long ago, and whether staff
    upheld or dismissed the reports."""
    print_inbox(ctx, config, community, open_only, listed=listed, row=_row,
                columns=["Id", "Author", "Group", "Message", "Reports", "Age", "Status"],
                none=("No reports waiting.", "No reports."))  # fmt: skip


@reports_app.command("decide")
def decide(
    ctx: typer.Context,
    reported_id: ReportedId,
    decision: DecisionArgument,
    rule: RuleOption = "",
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Uphold or dismiss members' reports of a message, exactly as Delete & strike or Dismiss
    on its alert in the console's inbox."""
    if rule and decision is decisions.Decision.DISMISS:
        fail("--rule is for uphold: dismissing strikes nobody (nothing was decided)")
    clock = clock_of(ctx)
    store = open_store(settings_from(config), clock)
    try:
        reported = decisions.decide(store, reported_id, decision, actor, clock.now(),
                                    violation=rule.strip())  # fmt: skip
    except (StoreError, ValueError) as exc:
        fail(str(exc))
    author = store.member_names([reported.author_id]).get(reported.author_id, "its author")
    if decision is decisions.Decision.UPHOLD:
        console.print(escape(
            f"Reported message {reported.id} upheld: {author}'s message is deleted and "
            f"{author} struck for {rule.strip()} (the ladder's step follows); the running "
            "engine warns them in the group."
        ))  # fmt: skip
    else:
        back = (" The message reports hid is kept again and shown again in the group by the "
                "running engine where its carrier can (the web chat)."
                if reported.hidden_at is not None else "")  # fmt: skip
        console.print(escape(f"Reports of message {reported.id} ({author}'s) dismissed: nobody "
                             f"is struck.{back}"))  # fmt: skip
