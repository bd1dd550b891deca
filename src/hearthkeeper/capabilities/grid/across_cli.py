"""`hearth grid poll|checkin|skip`: one action across many groups (`across.py`), the groups
chosen the same way by all three: `--all`, `--group` (repeatable), `--find`, `--stage`."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape

from hearthkeeper.capabilities.grid.across import (
    AcrossError,
    Choice,
    Reach,
    choose,
    plan_polls,
    plan_prompts,
    prompt_asked,
    push_prompts,
    read_poll_asked,
    skip_posts,
    start_polls,
)
from hearthkeeper.capabilities.grid.stage import Stage
from hearthkeeper.cli.context import (
    ActorOption,
    ConfigOption,
    clock_of,
    open_store,
    pick_community,
    settings_from,
)
from hearthkeeper.cli.output import console, fail
from hearthkeeper.clock import Clock
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Group, Store
from hearthkeeper.text.counts import counted, groups_named

CommunityOption = Annotated[
    str | None,
    typer.Option("--community", help="Community slug or name (needed when there are several)."),
]
AllOption = Annotated[bool, typer.Option("--all", help="Every group of the community.")]
GroupOption = Annotated[
    list[str] | None,
    typer.Option("--group", help="A group by name, carrier id or number (repeatable)."),
]
FindOption = Annotated[
    str | None,
    typer.Option("--find", help="The groups whose name or carrier id holds this."),
]
StageOption = Annotated[
    Stage | None, typer.Option("--stage", help="The groups at this stage (dying, declining, …).")
]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do it without asking first.")]


def _chosen(clock: Clock, community: str | None, config: Path | None, every: bool,
            names: list[str] | None, find: str | None,
            stage: Stage | None) -> tuple[Store, Playbook, list[Group], datetime]:  # fmt: skip
    """The store, the community's playbook, the groups the options pick and the time they were
    picked at; exits saying why when the community has no playbook or the options pick none."""
    from hearthkeeper.apply import community_playbook

    store = open_store(settings_from(config), clock)
    found = pick_community(store, community)
    playbook = community_playbook(store, found.id)
    if playbook is None:
        fail(f"{found.slug} has no playbook applied: apply one first (`hearth apply`)")
    now = clock.now()
    choice = Choice(every=every, names=tuple(names or ()), stage=stage, find=(find or "")[:100])
    try:
        return store, playbook, choose(store, found.id, playbook, choice, now), now
    except AcrossError as exc:
        fail(str(exc))


def _missed(reach: Reach) -> None:
    """The chosen groups left out, each with why (grouped by why)."""
    if not reach.missed:
        return
    whys: dict[str, list[str]] = {}
    for missed in reach.missed:
        whys.setdefault(missed.why, []).append(missed.group.name)
    console.print(escape(f"Not in {counted(len(reach.missed), 'group')}:"))
    for why, names in whys.items():
        console.print(escape(f"  {groups_named(names)}: {why}"))


def _confirm(reach: Reach, doing: str, yes: bool) -> None:
    """Say what will happen; ask unless `yes`; exit when nothing can be reached."""
    if not reach.reached:
        _missed(reach)
        fail(f"no chosen group can take the {reach.what}: nothing was done")
    console.print(escape(f"{doing} in {groups_named([g.name for g in reach.reached])}."))
    _missed(reach)
    if not yes and not typer.confirm("Go ahead?", default=False):
        console.print("Nothing was done.")
        raise typer.Exit(1)


def _done(reach: Reach, done: str) -> None:
    console.print(escape(f"{done} in {counted(len(reach.reached), 'group')}; the engine sends "
                         "it through the outbound queue, within each carrier's quotas (a "
                         "running `hearth serve`).") if reach.reached else "Nothing was done.")  # fmt: skip
    _missed(reach)


def poll(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(
            help="The poll as after /poll in a group: the question, then the options "
            "(several words, or one text with `|` between them; `多选`, `匿名`, "
            "`截止 21:00` as in the chat).",
            show_default=False,
        ),
    ],
    every: AllOption = False,
    groups: GroupOption = None,
    find: FindOption = None,
    stage: StageOption = None,
    yes: YesOption = False,
    community: CommunityOption = None,
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Start one poll in many groups at once; says where it will go and asks first."""
    store, playbook, chosen, now = _chosen(
        clock_of(ctx), community, config, every, groups, find, stage
    )
    text = words[0] if len(words) == 1 else " | ".join(words)
    try:
        asked = read_poll_asked(playbook, text, now)
    except AcrossError as exc:
        fail(str(exc))
    zone = ZoneInfo(playbook.community.timezone)
    until = asked.deadline.astimezone(zone)
    kind = "multiple choice" if asked.multiple else "single choice"
    _confirm(plan_polls(store, playbook, chosen, asked, now),
             f"Start the poll {asked.question!r} ({', '.join(asked.options)}; {kind}"
             f"{', anonymous' if asked.anonymous else ''}; until {until:%a %Y-%m-%d %H:%M})",
             yes)  # fmt: skip
    _done(start_polls(store, playbook, chosen, asked, actor, clock_of(ctx).now()), "Started")


def checkin(
    ctx: typer.Context,
    text: Annotated[
        str,
        typer.Argument(
            help="What the prompt says (empty: the default call to check in); "
            "a line on how to check in follows it.",
            show_default=False,
        ),
    ] = "",
    every: AllOption = False,
    groups: GroupOption = None,
    find: FindOption = None,
    stage: StageOption = None,
    yes: YesOption = False,
    community: CommunityOption = None,
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Push a check-in (打卡) prompt to many groups at once; says where and asks first."""
    store, playbook, chosen, now = _chosen(
        clock_of(ctx), community, config, every, groups, find, stage
    )
    try:
        asked = prompt_asked(playbook, text, now)
    except AcrossError as exc:
        fail(str(exc))
    _confirm(plan_prompts(store, playbook, chosen, asked, now), "Push the check-in prompt", yes)
    _done(push_prompts(store, playbook, chosen, asked, actor, clock_of(ctx).now()), "Pushed")


def skip(
    ctx: typer.Context,
    post: Annotated[str, typer.Argument(help="The post's id (calendar.posts[].id).")],
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            help="Its firings on this day (YYYY-MM-DD, community time) instead of its next one.",
        ),
    ] = None,
    every: AllOption = False,
    groups: GroupOption = None,
    find: FindOption = None,
    stage: StageOption = None,
    community: CommunityOption = None,
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Call off a scheduled post's next firing (or its firings on a day) in many groups, as
    `/skip` does in one; done at once."""
    from hearthkeeper.cli.days import DayError, parse_day

    day: date | None = None
    if on is not None:
        try:
            day = parse_day(on, "--on")
        except DayError as exc:
            fail(str(exc))
    store, playbook, chosen, now = _chosen(
        clock_of(ctx), community, config, every, groups, find, stage
    )
    try:
        reach = skip_posts(store, playbook, chosen, post.strip().lower(), day, actor, actor, now)
    except AcrossError as exc:
        fail(str(exc))
    zone = ZoneInfo(playbook.community.timezone)
    if reach.reached:
        when = ", ".join(f"{at.astimezone(zone):%a %Y-%m-%d %H:%M}" for at in reach.instants[:5])
        console.print(escape(f"Skipped {post!r} ({when}) in "
                             f"{groups_named([g.name for g in reach.reached])}. It will not be "
                             "sent there; the firing after it will."))  # fmt: skip
    _missed(reach)
    if not reach.reached:
        fail(f"{post!r} was skipped in no group")
