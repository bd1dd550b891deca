"""`hearth groups ...`: open a community's groups in bulk, for a matrix of groups run from one
playbook. Each group is opened as the console's Groups page opens one (`carriers/opening.py`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from hearthkeeper.cli.context import (
    ActorOption,
    ConfigOption,
    clock_of,
    communities_named,
    open_store,
    pick_community,
    settings_from,
)
from hearthkeeper.cli.output import console, errors, fail, typed
from hearthkeeper.store import Group, Store

if TYPE_CHECKING:
    from hearthkeeper.listening import SiteUrl

groups_app = typer.Typer()  # `hearth groups`, its help in root.py

MAX_COUNT = 1000  # groups opened by one run; a larger matrix is opened in several runs
_BAR_FROM = 10  # runs opening at least this many show a progress bar

# Carriers whose groups a bot cannot create from the command line, and what to do instead.
_CANNOT = {
    "matrix": "Matrix rooms are created by the running server's bot (a live code opens one "
    "when the newest is nearly full); open web chat groups here with --carrier webchat",
    "telegram": "a Telegram bot cannot create groups: create the group in Telegram, add the "
    "bot and name the group in hearth.toml",
    "qq": "a QQ bot cannot create groups: create the group in QQ, add the bot and name the "
    "group in hearth.toml",
}


@groups_app.command("open")
def open_groups(
    ctx: typer.Context,
    community: Annotated[str, typer.Argument(help="The community's slug or name.")],
    count: Annotated[int, typer.Option("--count", "-n", help="How many groups to open.")] = 1,
    carrier: Annotated[
        str, typer.Option("--carrier", help="The carrier whose groups to open.")
    ] = "webchat",
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Open the community's next COUNT groups, named by the playbook's copy.naming."""
    from hearthkeeper.apply import community_playbook
    from hearthkeeper.carriers.installed import installed_kinds
    from hearthkeeper.carriers.opening import StoredGroups, open_by_hand
    from hearthkeeper.carriers.webchat.groups import WEBCHAT
    from hearthkeeper.listening import site_url
    from hearthkeeper.store import StoreError

    if count < 1 or count > MAX_COUNT:
        fail(f"--count {count}: open between 1 and {MAX_COUNT} groups in one run (run it "
             "again for more)")  # fmt: skip
    if carrier != WEBCHAT:
        if carrier in installed_kinds():
            fail(f"{carrier} groups cannot be opened by this command: "
                 f"{_CANNOT.get(carrier, 'its bot cannot create groups')}")  # fmt: skip
        fail(f"no carrier {carrier!r}; installed: {', '.join(sorted(installed_kinds()))}")
    settings = settings_from(config)
    store = open_store(settings, clock_of(ctx))
    found = pick_community(store, community)  # its slug, else its name
    playbook = community_playbook(store, found.id)
    if playbook is None:
        fail(f"{community} has no playbook to name its groups after; `hearth apply` one first")
    opener = StoredGroups(carrier)
    opened: list[Group] = []
    problem = ""
    from rich.progress import Progress

    with Progress(console=console, transient=True, disable=count < _BAR_FROM) as progress:
        task = progress.add_task("Opening groups", total=count)
        for _ in range(count):
            try:
                with store.transaction() as tx:
                    tx.lock_community(found.id)  # one opening at a time, as in the console
                    opened.append(open_by_hand(tx, found.id, playbook, opener, actor))
            except StoreError as exc:
                problem = str(exc)
                break
            progress.advance(task)
    for group in opened:
        console.print(escape(f"opened {group.name} ({group.carrier} {group.carrier_group_id}, "
                             f"capacity {group.capacity})"))  # fmt: skip
    _print_links(store, opened, site_url(settings))  # also those opened before a failure
    if problem:
        fail(f"opened {len(opened)} of {count} groups of {community}; group "
             f"{len(opened) + 1} failed and none after it was tried: {problem}. Each opened "
             "group is kept; run the command again for the rest (the numbering continues "
             "after the last group).")  # fmt: skip
    console.print(escape(f"Opened {len(opened)} {carrier} group(s) of {community}; their "
                         "invite links are also on the console's Groups page."))  # fmt: skip


def _print_links(store: Store, opened: list[Group], site: SiteUrl) -> None:
    """Each new group's invite link, as `hearth serve` prints them at start (only for the
    carriers that have links)."""
    from hearthkeeper.carriers.closing import join_link

    links = [(g, join_link(store, g, site.url)) for g in opened]
    for group, link in links:
        if link is not None:
            label = "Web chat" if group.carrier == "webchat" else group.carrier
            console.print(escape(f"{label} {group.name}: {link}"))
    if site.assumed and any(link is not None for _, link in links):
        errors.print(escape(site.note()))


CommunityOption = Annotated[
    str | None,
    typer.Option(
        "--community",
        help="The community's slug or name (needed when several have a group of that name).",
    ),
]


def _group_named(store: Store, name: str, community: str | None) -> Group:
    """The group called `name` (its name or carrier id) in `community` (None: any); a clear
    error naming the nearest name when there is none, or asking which when several."""
    from hearthkeeper.playbook.suggest import did_you_mean

    communities = communities_named(store, community)
    found = [g for c in communities for g in store.groups_called(c.id, name.strip())]
    if len(found) == 1:
        return found[0]
    if found:
        shown = {c.id: c.shown for c in communities}
        fail(f"{len(found)} groups are called {typed(name)} (in "
             f"{', '.join(sorted({shown[g.community_id] for g in found}))}): say which with "
             "--community, its slug or its name")  # fmt: skip
    names = [g.name for c in communities for g in store.list_groups(c.id)]
    fail(f"there is no group {typed(name)} (by name or carrier id){did_you_mean(name, names)}")


@groups_app.command("close")
def close(
    ctx: typer.Context,
    group: Annotated[str, typer.Argument(help="The group's name or carrier id.")],
    into: Annotated[
        str | None,
        typer.Option(
            "--into",
            help="Another group of the community its members are told "
            "to join (a last post in the group, with the link).",
        ),
    ] = None,
    community: CommunityOption = None,
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Close GROUP: it takes no newcomers and gets no scheduled posts; its history stays."""
    from hearthkeeper.apply import community_playbook
    from hearthkeeper.carriers.closing import SHORT, close_group
    from hearthkeeper.listening import site_url
    from hearthkeeper.playbook.positioning import Language
    from hearthkeeper.store import StoreError

    settings = settings_from(config)
    store = open_store(settings, clock_of(ctx))
    closing = _group_named(store, group, community)
    other = None
    if into is not None:
        slug = next(c.slug for c in store.list_communities() if c.id == closing.community_id)
        other = _group_named(store, into, slug)
    playbook = community_playbook(store, closing.community_id)
    language = Language.EN if playbook is None else playbook.community.language
    site = site_url(settings)
    try:
        closed = close_group(store, closing, actor, clock_of(ctx).now(), into=other,
                             site=site.url, language=language)  # fmt: skip
    except StoreError as exc:
        fail(f"{closing.name} was not closed: {exc}")
    if closed.again:
        from hearthkeeper.engine.not_closed import PLATFORMS

        platform = PLATFORMS.get(closed.group.carrier, closed.group.carrier)
        console.print(escape(f"{closed.group.name} is closed already; asking {platform} again "
                             "to stop members posting"))  # fmt: skip
        return
    if closed.group.imported:  # history only: closing changes nothing anyone can see
        told = (f"; its members were not told of {other.name}: no carrier serves it, so say it "
                "in the chat yourself" if other is not None else "")  # fmt: skip
        console.print(escape(f"closed {closed.group.name} ({closed.group.carrier} "
                             f"{closed.group.carrier_group_id}), an imported history no carrier "
                             "serves: the matrix and alerts stop warning of it, its history "
                             f"stays{told} (hearth groups reopen undoes it)"))  # fmt: skip
        return
    console.print(escape(f"closed {closed.group.name} ({closed.group.carrier} "
                         f"{closed.group.carrier_group_id}): it takes no newcomers and gets no "
                         "scheduled posts; its history stays (hearth groups reopen undoes it)"))  # fmt: skip
    if closed.post is not None:
        console.print(escape(f"last post queued in it: {closed.post}"))
        if closed.short and other is not None:
            errors.print(escape(f"note: {other.name} has no room for {closed.short} of its "
                                f"members: {SHORT}"))  # fmt: skip
        if site.assumed:
            console.print(escape(site.note()))


@groups_app.command("reopen")
def reopen(
    ctx: typer.Context,
    group: Annotated[str, typer.Argument(help="The group's name or carrier id.")],
    community: CommunityOption = None,
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Open a closed GROUP again: newcomers and scheduled posts reach it once more."""
    from hearthkeeper.apply import community_playbook
    from hearthkeeper.carriers.closing import reopen_group
    from hearthkeeper.playbook.positioning import Language
    from hearthkeeper.store import StoreError

    store = open_store(settings_from(config), clock_of(ctx))
    found = _group_named(store, group, community)
    playbook = community_playbook(store, found.community_id)
    language = Language.EN if playbook is None else playbook.community.language
    try:
        opened = reopen_group(store, found, actor, language)
    except StoreError as exc:
        fail(f"{found.name} was not reopened: {exc}")
    if opened.imported:  # an import's history never took newcomers or posts
        console.print(escape(f"reopened {opened.name}: an imported history, counted and warned "
                             "of again; no carrier serves it, so it takes no newcomers and gets "
                             "no scheduled posts"))  # fmt: skip
        return
    console.print(escape(f"reopened {opened.name}: it takes newcomers and gets scheduled "
                         "posts again"))  # fmt: skip
