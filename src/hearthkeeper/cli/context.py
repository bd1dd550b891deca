"""Building settings and the store from command-line options and the environment."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hearthkeeper.cli.output import fail

if TYPE_CHECKING:
    from hearthkeeper.clock import Clock
    from hearthkeeper.config import Settings
    from hearthkeeper.store import Community, Store

# Every command module imports the options below, so this module imports the configuration and
# the store (SQLAlchemy) only when a command opens them.

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", help="Configuration file (default: $HEARTH_CONFIG or ./hearth.toml)."
    ),
]
# Where a command writing CSV writes it (exports of the matrix, sign-up lists, billing).
CsvOutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="CSV file to write (UTF-8 with BOM, for Excel); default: standard output.",
    ),
]
# The listing commands' filters (sanctions, appeals, reports).
EveryCommunityOption = Annotated[
    str | None,
    typer.Option("--community", help="Only this community (its slug or name); default: every one."),
]
UndecidedOption = Annotated[
    bool, typer.Option("--open", help="Only those staff have not decided yet.")
]
ACTOR_LENGTH = 200  # the store's NAME: who did what is kept in columns of this size


def actor_fits(actor: str) -> str:
    """`--as`, refused when it is longer than the store keeps (PostgreSQL failed the write)."""
    if len(actor) > ACTOR_LENGTH:
        raise typer.BadParameter(
            f"it is {len(actor)} characters long; at most {ACTOR_LENGTH} characters"
        )
    return actor


ActorOption = Annotated[
    str, typer.Option("--as", help="Who does it, for the audit log.", callback=actor_fits)
]


def clock_of(ctx: typer.Context) -> Clock:
    """The clock a command reads the time from: the object the run of `hearth` was given
    (`CliRunner().invoke(app, args, obj=FrozenClock(at))` runs a command at `at`), else the
    wall clock."""
    from hearthkeeper.clock import Clock, SystemClock

    given = ctx.find_root().obj
    return given if isinstance(given, Clock) else SystemClock()


def settings_from(config: Path | None) -> Settings:
    """Resolve settings, or exit with the configuration problem."""
    from hearthkeeper.carriers.installed import CARRIERS
    from hearthkeeper.config import ConfigError, load_settings

    try:
        return load_settings(config, os.environ, Path.cwd(), CARRIERS)
    except ConfigError as exc:
        fail(str(exc))


def prepare(settings: Settings) -> None:
    """Create the data directory, where the default SQLite database lives."""
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"cannot create the data directory {settings.data_dir}: {exc.strerror or exc}")


def open_store(settings: Settings, clock: Clock | None = None) -> Store:
    """Open the configured database, which must be migrated to the current schema. Run where
    no configuration is found and no database is either, it exits saying so (most likely the
    command was run outside the deployment's folder) instead of making an empty `./data`.
    `clock`: the command's (`clock_of`), which the store stamps what it writes with."""
    from hearthkeeper.clock import SystemClock
    from hearthkeeper.config import CONFIG_NAME, DATABASE_NAME, ENV_CONFIG, sqlite_url_for
    from hearthkeeper.store import Store, StoreError, create_engine_for, require_current

    default = sqlite_url_for(settings.data_dir)
    if (settings.config_file is None and settings.database_url == default
            and not (settings.data_dir / DATABASE_NAME).exists()):  # fmt: skip
        fail(f"no {CONFIG_NAME} in {Path.cwd()} (nor ${ENV_CONFIG}) and no database in "
             f"{settings.data_dir}: run the command in your deployment's folder or pass "
             f"-c PATH/{CONFIG_NAME}; `hearth init DIR` makes a new deployment, `hearth db "
             "upgrade` a database here")  # fmt: skip
    prepare(settings)
    try:
        engine = create_engine_for(settings.database_url)
        require_current(engine)
    except StoreError as exc:
        fail(str(exc))
    return Store(engine, clock or SystemClock())


def member_option(store: Store, member: str | None, *, name: str = "--member") -> int | None:
    """The member a `--member CARRIER:USER_ID` option (or the argument `name`, e.g. MEMBER)
    names (None without one), or exit saying what was wrong. A nickname typed alone, without
    the carrier (`小王`), is answered with the `CARRIER:USER_ID` to write when a member of
    that name is known."""
    if member is None:
        return None
    from hearthkeeper.store.ids import split_reference, typed_id
    from hearthkeeper.text.controls import quoted

    # `member:3` (as lists print a member), `WebChat: w-1`: the prefix in any case, spaces
    # around either part, as `hearth events pay` reads who paid
    carrier, user, sep = split_reference(member)
    if not sep or not carrier or not user:
        ids = _ids_of_named(store, None, member) if member.strip() else []
        if ids:  # the nickname seen in the chat, typed alone
            fail(f"{name} {quoted(member)} is a member's name; write their CARRIER:USER_ID: "
                 f"{' or '.join(ids)}")  # fmt: skip
        fail(f"{name} {quoted(member)}: write CARRIER:USER_ID, e.g. webchat:w-1a2b3c4d5e6f7a8b "
             "(the console's member page shows it under Identities)")  # fmt: skip
    if carrier == "member":
        number = typed_id(user)
        if number is not None and store.get_member(number) is not None:
            return number
        fail(f"{name} {quoted(member)}: there is no member {quoted(user)} (member:ID is a "
             "member's number, beside their name in `hearth billing list` and on the console's "
             "member pages)")  # fmt: skip
    found = store.find_member(carrier, user)
    if found is None:
        ids = _ids_of_named(store, carrier, user)
        if ids:  # the nickname seen in the chat, typed for the id
            fail(f"{quoted(user)} is a member's name, not their id on {quoted(carrier)}: write "
                 f"{' or '.join(ids)} (USER_ID is the carrier's id, not the name)")  # fmt: skip
        fail(f"no member {quoted(user)} is known on {quoted(carrier)} (USER_ID is the carrier's "
             "id, not the name: the console's member page shows it under Identities)")  # fmt: skip
    return found.id


def _ids_of_named(store: Store, carrier: str | None, typed: str) -> list[str]:
    """`CARRIER:USER_ID` of each member named `typed` (any case) on `carrier` (None: on any
    carrier): what to write when a member's name was typed for the carrier's id of them (web
    chat ids look like w-1a2b…)."""
    wanted = typed.strip().casefold()
    ids: list[str] = []
    for community in store.list_communities():
        for summary in store.search_members(community.id, query=typed.strip(), limit=20):
            if summary.display_name.strip().casefold() != wanted:
                continue
            ids += [f"{i.carrier}:{i.carrier_user_id}" for i in store.identities(summary.member_id)
                    if carrier in (None, i.carrier)
                    and f"{i.carrier}:{i.carrier_user_id}" not in ids]  # fmt: skip
    return ids


def pick_community(store: Store, slug: str | None) -> Community:
    """The community `--community` names by its slug or its name (as typed, else whatever the
    case and the spaces around it), or the only one when none is given; otherwise exit saying
    which exist, as `slug (name)`, and the nearest slug or name to what was typed. Every
    command that takes `--community` finds it here."""
    communities = store.list_communities()
    if slug is None:
        if len(communities) != 1:
            names = ", ".join(c.shown for c in communities) or "none yet"
            fail(f"say which community with --community, its slug or its name (there are: "
                 f"{names})")  # fmt: skip
        return communities[0]
    from hearthkeeper.store.records import find_community, several_meant

    found = find_community(communities, slug)
    if found is None:
        fail(several_meant(communities, slug) or unknown_community(communities, slug))
    return found


def unknown_community(communities: Sequence[Community], typed: str) -> str:
    """The refusal of a community `typed` names none of `communities`: which there are, and
    the nearest slug or name (a typo), else how a community comes to be."""
    from hearthkeeper.cli.output import typed as shown
    from hearthkeeper.playbook.suggest import did_you_mean

    names = ", ".join(c.shown for c in communities) or "none yet"
    said = f"no community {shown(typed)} (there are: {names})"
    near = did_you_mean(typed.strip(), [n for c in communities for n in (c.slug, c.name)])
    return f"{said}{near}" if near else f"{said}; `hearth apply` its playbook first"


def communities_named(store: Store, slug: str | None) -> list[Community]:
    """Every community, or only the one `--community` names (`pick_community`)."""
    return store.list_communities() if slug is None else [pick_community(store, slug)]


def community_of(store: Store, slug: str | None, community_id: int | None,
                 unknown: str) -> Community:  # fmt: skip
    """The community `--community SLUG` names; without it, the one `community_id` is of (the
    community of what the command names by an id unique on the server: a subscription, an
    order, an event), else the only one. `unknown`: the refusal when the id names nothing and
    there are several communities."""
    if slug is None:
        communities = store.list_communities()
        found = next((c for c in communities if c.id == community_id), None)
        if found is not None:
            return found
        if len(communities) > 1:
            fail(unknown)
    return pick_community(store, slug)
