"""The calendar's `hearth` commands: `hearth posts` (how each scheduled firing is going across
the groups it goes to) and `hearth calendar PLAYBOOK` (the next firings per group, and how long
the content lasts)."""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer

from hearthkeeper.cli.context import ConfigOption, clock_of
from hearthkeeper.store.ids import MAX_ID

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hearthkeeper.capabilities.calendar.agenda import Agenda, Firing, LibraryReport
    from hearthkeeper.clock import Clock
    from hearthkeeper.playbook import Playbook

# These are top-level commands, so this module is imported by every `hearth` command: what
# the commands need (the store, the playbook, Rich) is imported when one of them runs.


def register(app: typer.Typer) -> None:
    """Add `posts` and `calendar` to the top-level command."""
    app.command("posts")(posts)
    app.command("calendar")(calendar)


def posts(
    ctx: typer.Context,
    community: Annotated[
        str | None,
        typer.Option("--community", help="Community slug or name (needed when there are several)."),
    ] = None,
    post: Annotated[
        str | None, typer.Option("--post", help="Only this post id (calendar.posts[].id).")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=MAX_ID, help="How many of the latest firings.")
    ] = 20,
    config: ConfigOption = None,
) -> None:
    """Progress of the latest scheduled firings: per firing, groups posted, waiting in the
    outbound queue (carrier quotas), failed, skipped (and why), or waiting for staff to
    confirm."""
    from rich.markup import escape

    from hearthkeeper.capabilities.calendar.repository import SqlPosts
    from hearthkeeper.capabilities.calendar.skips import (
        UNSERVED,
        post_graces,
        skip_reason,
        unserved,
    )
    from hearthkeeper.cli.context import open_store, pick_community, settings_from
    from hearthkeeper.cli.output import console
    from hearthkeeper.cli.zones import community_zone, local_time, times_in
    from hearthkeeper.text.counts import groups_named

    store = open_store(settings_from(config), clock_of(ctx))
    chosen = [pick_community(store, community)]
    found = SqlPosts.on(store)  # the latest firings' records alone, not the calendar's years
    since = found.latest_firings_since(chosen[0].id, limit, post_id=post)
    records = found.post_records(chosen[0].id, post_id=post, since=since)
    delivery = store.outbox_statuses([f"calendar:post:{r.id}" for r in records])
    zone = community_zone(store, chosen[0].id)  # as `hearth calendar` and `/calendar` say it
    applied = store.latest_playbook_version(chosen[0].id)
    graces = post_graces(applied.content if applied is not None else None)
    listed = store.list_groups(chosen[0].id)
    imported = {g.id for g in listed if g.imported}
    names = {g.id: g.name for g in listed}
    firings: dict[tuple[str, datetime], Counter[str]] = {}
    where: dict[tuple[str, datetime, str], list[str]] = {}  # (post, time, state) → groups
    for record in records:
        counts = firings.setdefault((record.post_id, record.scheduled_for), Counter())
        if record.status in ("posted", "confirmed"):
            state = delivery.get(f"calendar:post:{record.id}", "pending")
            if unserved(record, imported, state):
                said = f"skipped ({UNSERVED})"
            else:
                said = ("delivered" if state == "done"
                        else "queued" if state in ("pending", "sending") else state)  # fmt: skip
        elif record.status == "skipped":
            said = f"skipped ({skip_reason(record, store, graces)})"
        else:
            said = record.status
        counts[said] += 1
        group = names.get(record.group_id, f"group {record.group_id}")
        where.setdefault((record.post_id, record.scheduled_for, said), []).append(group)
    if not firings:
        console.print("No scheduled firings yet.")
        return
    console.print(times_in(zone))
    for (post_id, at), counts in list(firings.items())[-limit:]:
        total = sum(counts.values())
        parts = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
        console.print(escape(f"{local_time(at, zone)}  {post_id}: {total} group(s) — {parts}"))
        # Where it did not arrive (yet), by name: "3 failed" among forty groups is not enough
        # to act on; the delivered ones are the rest
        for state in sorted(counts):
            if state != "delivered":
                console.print(escape(f"    {state}: {groups_named(where[post_id, at, state])}"))


EVERY_GROUP = "*"


class CalendarFormat(StrEnum):
    """Output formats of `hearth calendar`."""

    TEXT = "text"
    JSON = "json"


def calendar(
    ctx: typer.Context,
    playbook: Annotated[Path, typer.Argument(help="The playbook whose calendar to print.")],
    days: Annotated[int, typer.Option("--days", min=1, max=366, help="How many days ahead.")] = 7,
    output_format: Annotated[
        CalendarFormat, typer.Option("--format", help="text, or json (a list of firings).")
    ] = CalendarFormat.TEXT,
    groups: Annotated[
        list[str] | None,
        typer.Option("--group", help="Only firings for this group (repeatable)."),
    ] = None,
    start_day: Annotated[
        str | None,
        typer.Option("--from", help="First day (YYYY-MM-DD, community time); default: now."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="Configuration file (default: $HEARTH_CONFIG or "
            "./hearth.toml): its database gives each --group its carrier id, which "
            "a `groups:` entry may be keyed by.",
        ),
    ] = None,
) -> None:
    """Print the next firings per group (posts, rituals, live sessions) and the content coverage."""
    from hearthkeeper.capabilities.calendar.agenda import build_agenda
    from hearthkeeper.cli.output import load_or_exit

    loaded = load_or_exit(playbook, now=clock_of(ctx).now())
    zone = ZoneInfo(loaded.playbook.community.timezone)
    start = _start(start_day, zone)
    end = start + timedelta(days=days)
    agenda = build_agenda(loaded.playbook, playbook.parent, start, end)
    rows = _rows(agenda.firings)
    own = [] if groups else _own_posts(loaded.playbook)
    if groups:
        ids = _carrier_ids(clock_of(ctx), loaded.playbook, groups, config)
        rows = _for_groups(loaded.playbook, playbook.parent, start, end, rows, groups, ids)
    elif own:  # "every group" is not theirs: what they receive is shown under their name
        rows += _for_groups(loaded.playbook, playbook.parent, start, end, [], own, None)
    if output_format is CalendarFormat.JSON:
        typer.echo(json.dumps([_json(g, f, zone) for g, f in rows], ensure_ascii=False, indent=2))
        return
    alert = loaded.playbook.calendar.exhaustion_alert
    _print_text(loaded.playbook.community.name, agenda, rows, zone, start, days, alert, own)


def _own_posts(pb: Playbook) -> list[str]:
    """The `groups:` entries listing their own `calendar_posts`: those groups receive exactly
    those posts, whatever the posts' `groups` say, so "every group" does not speak for them."""
    return [key for key, override in pb.groups.items() if override.calendar_posts is not None]


def _start(start_day: str | None, zone: ZoneInfo) -> datetime:
    if start_day is None:
        return datetime.now(UTC).replace(second=0, microsecond=0)
    from hearthkeeper.cli.days import DayError, parse_day

    try:
        day = parse_day(start_day, "--from")
    except DayError as exc:
        raise typer.BadParameter(str(exc)) from None
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def _rows(firings: list[Firing]) -> list[tuple[str, Firing]]:
    return [(group, f) for f in firings for group in (f.groups or (EVERY_GROUP,))]


def _carrier_ids(
    clock: Clock, pb: Playbook, wanted: list[str], config: Path | None
) -> dict[str, str] | None:
    """Each wanted group's carrier id, by its name or id, from the configured database (the
    community the playbook's slug names); None when no database is configured here (the
    command then reads the playbook alone)."""
    from hearthkeeper.carriers.installed import CARRIERS
    from hearthkeeper.config import DATABASE_NAME, ConfigError, load_settings, sqlite_url_for

    if config is None:  # a database only when one is configured: the playbook alone otherwise
        try:
            settings = load_settings(None, os.environ, Path.cwd(), CARRIERS)
        except ConfigError:  # a broken configuration: the playbook alone, as before
            return None
        if (settings.config_file is None
                and settings.database_url == sqlite_url_for(settings.data_dir)
                and not (settings.data_dir / DATABASE_NAME).exists()):  # fmt: skip
            return None
    from hearthkeeper.cli.context import open_store, settings_from

    store = open_store(settings_from(config), clock)
    community = store.get_community(pb.community.slug)
    if community is None:
        return {}
    found: dict[str, str] = {}
    for group in store.list_groups(community.id):
        for name in wanted:
            if name in (group.name, group.carrier_group_id):
                found.setdefault(name, group.carrier_group_id)
    return found


def _for_groups(
    pb: Playbook, base: Path, start: datetime, end: datetime,
    rows: list[tuple[str, Firing]], wanted: list[str], ids: dict[str, str] | None,
) -> list[tuple[str, Firing]]:  # fmt: skip
    """The firings the `wanted` groups receive. A group whose `groups:` entry (by its name, or
    by its carrier id from `ids`) lists its own `calendar_posts`, and the staff channel,
    receive what their own playbook says, shown under their name; the others, their own
    firings and those for every group."""
    from hearthkeeper.capabilities.calendar.agenda import build_agenda
    from hearthkeeper.playbook.groups import group_playbook, is_staff_channel, override_for

    kept: list[tuple[str, Firing]] = []
    plain: set[str] = set()
    for name in dict.fromkeys(wanted):
        carrier_id = (ids or {}).get(name, name)
        override = override_for(pb, name, carrier_id)
        if not is_staff_channel(pb, name, carrier_id) and (
            override is None or override.calendar_posts is None
        ):
            plain.add(name)
            continue
        own = build_agenda(group_playbook(pb, name, carrier_id), base, start, end).firings
        kept += [(name, f) for f in own if not f.groups or name in f.groups]
    if plain:
        kept += [(g, f) for g, f in rows if g in plain or g == EVERY_GROUP]
    _name_unknown(pb, plain, ids)
    return sorted(kept, key=lambda row: (row[1].at, row[1].post))


def _name_unknown(pb: Playbook, names: set[str], ids: dict[str, str] | None) -> None:
    """A `--group` no post, live session or `groups:` entry names is likely a typo: say so
    (a group the database has is none). Without a database, a `groups:` entry may name it by
    its carrier id, which the playbook alone cannot tell: say that too."""
    known = set(pb.groups) | {pb.alerts.staff_group or ""} | set(ids or {})
    for post in pb.calendar.posts:
        known.update(post.groups)
    for session in pb.calendar.live_sessions:
        known.update(session.groups)
    for name in sorted(names - known):
        by_id = (" (a `groups:` entry keyed by the group's carrier id is not seen without its "
                 "database: pass --config)" if ids is None and pb.groups else "")  # fmt: skip
        typer.echo(
            f"note: no post, live session or `groups:` entry names the group {name!r}"
            f"{by_id}; shown: what every group receives",
            err=True,
        )


def _json(group: str, firing: Firing, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "group": group,
        "at": firing.at.astimezone(zone).isoformat(),
        "item": firing.item,
        "item_id": firing.item_id,
        "post": firing.post,
        "kind": firing.kind,
        "mode": firing.mode,
        "content_kind": firing.content_kind.value,
    }


def _print_text(
    name: str,
    agenda: Agenda,
    rows: list[tuple[str, Firing]],
    zone: ZoneInfo,
    start: datetime,
    days: int,
    alert: timedelta,
    own: Sequence[str] = (),
) -> None:
    from rich.markup import escape

    from hearthkeeper.cli.output import console
    from hearthkeeper.playbook.base import format_duration
    from hearthkeeper.playbook.output import ContentKind

    first = start.astimezone(zone)
    console.print(
        f"[bold]{escape(name)}[/]: the next {days} day(s) from {first:%Y-%m-%d %H:%M} "
        f"({zone.key}, UTC{first:%z})"
    )
    for group in sorted({g for g, _ in rows}, key=lambda g: (g != EVERY_GROUP, g)):
        title = group
        if group == EVERY_GROUP:
            title = f"every group but {', '.join(own)} (below)" if own else "every group"
        console.print(f"\n[bold]{escape(title)}[/]")
        for _, f in (row for row in rows if row[0] == group):
            when = f.at.astimezone(zone)
            mode = " [yellow](remind staff)[/]" if f.mode == "remind" else ""
            shown = f.item if f.content_kind is ContentKind.TEXT else f"[{f.content_kind}] {f.item}"
            console.print(
                f"  {when:%a %Y-%m-%d %H:%M}  {escape(f.post)} [dim]{f.kind}[/]{mode}  "
                f"{escape(shown)}"
            )
    if not rows:
        console.print("\nNothing fires in this window.")
    if agenda.libraries:
        console.print("\n[bold]Content coverage[/]")
    for report in agenda.libraries:
        console.print(f"  {escape(report.post)}: {escape(_coverage_line(report, zone))}")
        if report.coverage is not None and report.coverage.alert_due(start, alert):
            console.print(
                f"    [yellow]alert: less than {format_duration(alert)} of content left[/]"
            )
        for problem in report.library.problems:
            if not report.library.missing:
                console.print(f"    [red]{escape(str(problem))}[/]")


def _coverage_line(report: LibraryReport, zone: ZoneInfo) -> str:
    folder = report.library.folder
    cover = report.coverage
    if report.library.missing or cover is None:
        return f"content folder {folder} not found: create it and add Markdown or YAML items"
    if cover.runs_out is None:
        return f"{cover.remaining} item(s) ({report.order.value}); never runs out"
    runs_out = cover.runs_out.astimezone(zone)
    return (
        f"{cover.remaining} item(s) cover {cover.days} day(s); "
        f"runs out on {runs_out:%Y-%m-%d %H:%M}"
    )
