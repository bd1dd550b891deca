"""`hearth groups ...`: open a community's groups in bulk, for a matrix of groups run from one
playbook. Each group is opened as the console's Groups page opens one (`carriers/opening.py`)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from hearthkeeper.cli.context import ActorOption, ConfigOption, open_store, settings_from
from hearthkeeper.cli.output import console, fail
from hearthkeeper.store import Group

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
    from hearthkeeper.store import StoreError

    if count < 1 or count > MAX_COUNT:
        fail(f"--count {count}: open between 1 and {MAX_COUNT} groups in one run (run it "
             "again for more)")  # fmt: skip
    if carrier != WEBCHAT:
        if carrier in installed_kinds():
            fail(f"{carrier} groups cannot be opened by this command: "
                 f"{_CANNOT.get(carrier, 'its bot cannot create groups')}")  # fmt: skip
        fail(f"no carrier {carrier!r}; installed: {', '.join(sorted(installed_kinds()))}")
    store = open_store(settings_from(config))
    communities = store.list_communities()
    found = next((c for c in communities if c.slug == community), None) or next(
        (c for c in communities if c.name == community), None
    )  # its slug, else its name
    if found is None:
        names = ", ".join(f"{c.slug} ({c.name})" if c.name != c.slug else c.slug
                          for c in communities) or "none yet"  # fmt: skip
        fail(f"no community {community!r} (there are: {names}); `hearth apply` its playbook "
             "first")  # fmt: skip
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
    if problem:
        fail(f"opened {len(opened)} of {count} groups of {community}; group "
             f"{len(opened) + 1} failed and none after it was tried: {problem}. Each opened "
             "group is kept; run the command again for the rest (the numbering continues "
             "after the last group).")  # fmt: skip
    console.print(escape(f"Opened {len(opened)} {carrier} group(s) of {community}; their "
                         "invite links are on the console's Groups page."))  # fmt: skip
