"""`hearth init` and `hearth apply`: start a deployment, and store a playbook version."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hearthkeeper.cli.context import ConfigOption, actor_fits, clock_of

if TYPE_CHECKING:
    from collections.abc import Callable

    from hearthkeeper.apply import Applied
    from hearthkeeper.playbook.output import ScheduledPost

# A top-level command: this module is imported by every `hearth` command, so what the command
# needs is imported when it runs.


def register(app: typer.Typer) -> None:
    """Add `init` and `apply` to the top-level command."""
    app.command("init")(init)
    app.command("apply")(apply)


def init(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Directory for the new deployment.")],
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            "-t",
            help="Playbook template (see `hearth playbook templates`); default skincare.",
            show_default=False,
        ),
    ] = None,
    playbook: Annotated[
        Path | None,
        typer.Option(
            "--playbook",
            "-p",
            help="Start from this playbook, already written (validated, then copied in with "
            "its content folders) instead of a template.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Create a deployment: hearth.toml, playbook.yaml (from a template, or a copy of the
    playbook given), and the database."""
    from rich.markup import escape

    from hearthkeeper.carriers.installed import CARRIERS
    from hearthkeeper.cli.context import prepare, settings_from
    from hearthkeeper.cli.output import console, fail, load_or_exit
    from hearthkeeper.config import CONFIG_NAME, config_text
    from hearthkeeper.playbook import parse_playbook
    from hearthkeeper.playbook.templates import UnknownTemplate, copy_content, template_text
    from hearthkeeper.store import StoreError, upgrade

    if template is not None and playbook is not None:
        raise typer.BadParameter("give --template or --playbook, not both",
                                 param_hint="'--playbook'")  # fmt: skip
    config_path, playbook_path = directory / CONFIG_NAME, directory / "playbook.yaml"
    in_place = playbook is not None and _same_file(playbook, playbook_path)
    posts: list[ScheduledPost] = []
    if playbook is not None:
        # its located problems, and exit 1
        written = load_or_exit(playbook, now=clock_of(ctx).now()).playbook
        slug, posts = written.community.slug, written.calendar.posts
    else:
        try:
            text = template_text(template or DEFAULT_TEMPLATE)
        except UnknownTemplate as exc:
            fail(str(exc))
        slug = parse_playbook(text).playbook.community.slug
    for path in (config_path, playbook_path):
        if path.exists() and not (in_place and path == playbook_path):
            fail(
                f"{path} already exists; `hearth init` never overwrites: choose an empty directory"
            )
    held = _community_held(directory, slug)
    if held is not None:
        fail(f"{held} already holds the community {slug!r}: `hearth init` starts a new "
             "deployment and never touches an existing one; to store this playbook as that "
             "community's next version run `hearth apply PLAYBOOK` with its configuration "
             "(-c PATH/hearth.toml), or choose another directory or database")  # fmt: skip
    notes: list[str] = []
    # what was there before: a failure part way takes back what this run made (a half-made
    # directory was then refused: 'playbook.yaml already exists; never overwrites')
    before = {p.name for p in directory.iterdir()} if directory.is_dir() else None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if playbook is None:
            playbook_path.write_text(text, encoding="utf-8")
            copy_content(template or DEFAULT_TEMPLATE, directory)
        elif not in_place:
            playbook_path.write_bytes(playbook.read_bytes())
            notes = _copy_libraries(posts, playbook, directory)
        config_path.write_text(config_text("playbook.yaml", carriers=CARRIERS), encoding="utf-8")
    except OSError as exc:
        _take_back(directory, before)
        fail(f"cannot write to {directory}: {exc.strerror or exc}")
    settings = settings_from(config_path)
    prepare(settings)
    try:
        upgrade(settings.database_url)
    except StoreError as exc:
        _take_back(directory, before)
        fail(str(exc))
    source = (f"{template or DEFAULT_TEMPLATE} template" if playbook is None
              else "yours, as written" if in_place else f"a copy of {playbook}")  # fmt: skip
    console.print(
        f"Created {escape(str(config_path))} and {escape(str(playbook_path))} "
        f"({escape(source)}); database ready in {escape(str(settings.data_dir))}."
    )
    for note in notes:
        console.print(f"note: {escape(note)}")
    apply_it = (f"`hearth apply {escape(str(playbook_path))} --config "
                f"{escape(str(config_path))}`")  # fmt: skip
    if playbook is None:
        console.print(f"Next: edit the playbook, then {apply_it}.")
    else:
        copied = "" if in_place else f" (edit this copy from now on, not {escape(str(playbook))})"
        console.print(f"Next: {apply_it} stores it as the community's first version{copied}.")


DEFAULT_TEMPLATE = "skincare"


def _take_back(directory: Path, before: set[str] | None) -> None:
    """Remove what this init made in `directory`: the entries that were not there `before`,
    or the directory itself when it was made (`before` None). As far as it can: the error
    that stopped init is what is said."""
    import shutil

    try:
        if before is None:
            shutil.rmtree(directory)
            return
        for entry in directory.iterdir():
            if entry.name in before:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    except OSError:
        pass


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        return False


def _community_held(directory: Path, slug: str) -> str | None:
    """The database the new deployment would use, named, when it exists and already holds the
    community `slug` (a deployment whose hearth.toml was lost, or HEARTH_DATABASE_URL pointing
    at a database in use); None otherwise. Read only: nothing is made or migrated here."""
    import os

    import sqlalchemy as sa

    from hearthkeeper.cli.output import fail
    from hearthkeeper.config import DATABASE_NAME, ENV_DATA_DIR, ENV_DATABASE_URL, sqlite_url_for
    from hearthkeeper.store import StoreError, create_engine_for

    url = os.environ.get(ENV_DATABASE_URL)
    if not url:
        data_dir = (directory.resolve() / (os.environ.get(ENV_DATA_DIR) or "data")).resolve()
        if not (data_dir / DATABASE_NAME).is_file():
            return None
        url = sqlite_url_for(data_dir)
    try:
        engine = create_engine_for(url)  # connects: an unreachable database fails here
    except StoreError as exc:  # said before anything is made
        fail(str(exc))
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("communities"):
                return None
            name = connection.execute(sa.text("SELECT name FROM communities WHERE slug = :slug"),
                                      {"slug": slug}).scalar()  # fmt: skip
    except StoreError as exc:
        fail(str(exc))
    except sa.exc.SQLAlchemyError:
        return None  # the migration below says why
    finally:
        engine.dispose()
    if name is None:
        return None
    return f"the database at {engine.url.render_as_string(hide_password=True)}"


def _copy_libraries(posts: list[ScheduledPost], playbook: Path, directory: Path) -> list[str]:
    """Copy the content folders the playbook's posts read (relative to it) beside its copy in
    `directory`, unless there already; a note for each folder that cannot come along."""
    import shutil

    notes = []
    for folder in dict.fromkeys(p.library for p in posts if p.library):
        source, target = playbook.parent / folder, directory / folder
        if Path(folder).is_absolute():
            continue  # read from where it is, whichever the playbook's folder
        if not target.resolve().is_relative_to(directory.resolve()):
            notes.append(_outside(folder, source, target, playbook, directory))
        elif not source.is_dir():
            notes.append(f"the content folder {folder} is not beside {playbook}: nothing to copy")
        elif not target.exists():
            try:
                shutil.copytree(source, target, ignore=_leaving_out(directory))
            except shutil.Error as exc:  # each file that could not be copied; the rest was
                failed: list[tuple[str, str, str]] = exc.args[0]
                first, _, why = failed[0]
                notes.append(f"the content folder {folder} was copied without {len(failed)} "
                             f"file(s) that could not be read, the first {first}: {why}")  # fmt: skip
    return notes


def _outside(folder: str, source: Path, target: Path, playbook: Path, directory: Path) -> str:
    """The note for a content folder outside the new `directory`: where the copy reads it
    from, and whether it is there; if not, what to do."""
    import os

    where = os.path.normpath(target)
    said = (f"the content folder {folder} lies outside {directory}: not copied; the copy "
            f"reads it from {where}")  # fmt: skip
    if target.is_dir():
        return f"{said}, which is there"
    if source.is_dir():
        fix = f"Copy {os.path.normpath(source)} there (the folder beside {playbook})"
    else:
        fix = "Make it and put the posts' files in it"
    return (f"{said}, which does not exist: its posts would find nothing to send. {fix}, "
            f"or keep the folder inside {directory} and set calendar.posts[].content.library "
            "to its path from there")  # fmt: skip


def _leaving_out(directory: Path) -> Callable[[str, list[str]], set[str]]:
    """What `shutil.copytree` leaves out: the new deployment itself, when it lies inside the
    content folder copied (`hearth init content/site` of a playbook whose posts read `content`
    copied the copy into itself until the path was too long), and a link to a folder it is
    in (`up -> ..`: followed, it was copied into itself until the path was too long, and init
    failed with a list of hundreds of paths)."""

    def ignored(folder: str, names: list[str]) -> set[str]:
        return {name for name in names if _same_file(Path(folder) / name, directory)
                or _loops(Path(folder), name) or _dangling(Path(folder) / name)}  # fmt: skip

    return ignored


def _dangling(path: Path) -> bool:
    """Whether `path` is a link to nothing (a file moved away): the library skips it, and
    copying it failed the whole init, leaving a half-made directory init then refused."""
    return path.is_symlink() and not path.exists()


def _loops(folder: Path, name: str) -> bool:
    """Whether `folder/name` is a link to `folder` or to a folder `folder` is in, as it is
    or as the copy reached it (`a/to-b -> ../b` beside `b/to-a -> ../a`: walked through
    `a/to-b`, `to-a` leads back to `a`)."""
    path = folder / name
    try:
        if not path.is_symlink():
            return False
        target = path.resolve()
        return folder.resolve().is_relative_to(target) or any(
            walked.resolve() == target for walked in folder.parents
        )
    except (OSError, RuntimeError):  # a link to itself: left out too
        return True


def apply(
    ctx: typer.Context,
    playbook: Annotated[Path, typer.Argument(help="The playbook file to apply.")],
    config: ConfigOption = None,
    actor: Annotated[
        str, typer.Option("--as", help="Who applies it, for the audit log.", callback=actor_fits)
    ] = "cli",
) -> None:
    """Store a playbook as the next version of its community and print the diff."""
    from rich.markup import escape

    from hearthkeeper.apply import apply_playbook, stored_group_names
    from hearthkeeper.cli.context import open_store, settings_from
    from hearthkeeper.cli.output import console, fail, installed, load_or_exit
    from hearthkeeper.playbook.checks import GroupsOf
    from hearthkeeper.store import Store, StoreError

    opened: list[Store] = []
    settings = settings_from(config)

    def known() -> GroupsOf:  # the groups that exist: a post naming one is no slip
        opened.append(open_store(settings, clock_of(ctx)))
        return stored_group_names(opened[0])

    # With a hearth.toml, a carrier the playbook names that it does not run is a warning, as
    # `hearth serve` gives it; without one, what the server will run is not known here.
    kinds = installed(settings) if settings.config_file is not None else None
    loaded = load_or_exit(playbook, known, kinds, now=clock_of(ctx).now())
    store = opened[0]
    try:
        applied = apply_playbook(store, loaded, actor, now=clock_of(ctx).now())
    except StoreError as exc:
        fail(str(exc))
    print_applied(applied)
    if applied.previous is None and not applied.unchanged:
        with_config = f" --config {escape(str(config))}" if config is not None else ""
        if not store.list_operators():
            console.print(f"Next: `hearth operator add NAME{with_config}` makes a console "
                          "sign-in, then")  # fmt: skip
        else:
            console.print("Next:")
        console.print(f"`hearth serve{with_config}` runs it: the console, the engine and a web "
                      "chat group, whose invite link it prints.")  # fmt: skip
    groups = store.list_groups(applied.community.id)
    for line in unmatched_overrides(list(loaded.playbook.groups),
                                    [g.name for g in groups],
                                    [g.carrier_group_id for g in groups]):  # fmt: skip
        console.print(escape(line))
    staff = loaded.playbook.alerts.staff_group
    if staff and not any(staff in (g.name, g.carrier_group_id) for g in groups):
        from hearthkeeper.capabilities.alerts.cli import missing_channel

        console.print(escape(f"note: alerts.staff_group “{staff}” names no group of "
                             f"{applied.community.slug} yet: {missing_channel(loaded.playbook)}."))  # fmt: skip


def unmatched_overrides(overrides: list[str], names: list[str], ids: list[str]) -> list[str]:
    """A note for each `groups:` override naming none of the community's groups by name or
    carrier id (a typo among hundreds of groups, or a group not opened yet), with the group it
    would name but for width, case, spaces or a leading zero ("07群" for "7群")."""
    import re
    import unicodedata

    from hearthkeeper.text.folding import fold

    def loose(text: str) -> str:
        return re.sub(r"\d+", plain_number, re.sub(r"\s+", "", fold(text)))

    def plain_number(digits: re.Match[str]) -> str:
        """The digits in ASCII without leading zeros, as text (int() refuses a run of over
        4,300 digits: a 5,000-digit key ended `hearth apply` as a bug)."""
        return "".join(str(unicodedata.digit(c)) for c in digits.group()).lstrip("0") or "0"

    known = set(names) | set(ids)
    near = {loose(name): name for name in [*ids, *names]}  # a name wins over an id
    found = []
    for key in overrides:
        if key in known:
            continue
        hint = f" Did you mean “{near[loose(key)]}”?" if loose(key) in near else ""
        found.append(f"note: groups: “{key}” names no group yet (by name or carrier id); it "
                     f"applies to a group opened later under that name.{hint}")  # fmt: skip
    return found


def print_applied(applied: Applied) -> None:
    """Say which version was stored and what changed."""
    from rich.markup import escape

    from hearthkeeper.cli.output import console

    name = escape(f"{applied.community.name} [{applied.community.slug}]")
    if applied.unchanged:
        console.print(f"{name}: identical to version {applied.version.version}; nothing stored.")
        return
    if applied.previous is None:
        console.print(f"{name}: stored version {applied.version.version} (first version).")
        return
    console.print(
        f"{name}: stored version {applied.version.version} "
        f"(changes against version {applied.previous.version}):"
    )
    if not applied.changes:
        console.print("  no change in effect (only comments or layout differ)")
    for change in applied.changes:
        console.print(f"  {escape(str(change))}")
    for warning in applied.warnings:
        console.print(f"warning: {escape(warning)}")
