"""`hearth report`: a community's health report as a self-contained HTML page or as JSON."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hearthkeeper.cli.context import ConfigOption, clock_of
from hearthkeeper.cli.output import fail

if TYPE_CHECKING:
    from hearthkeeper.analytics.report import Report
    from hearthkeeper.store import Store

# A top-level command: this module is imported by every `hearth` command, so what the command
# needs is imported when it runs.

DEFAULT_HTML = Path("report.html")


class ReportFormat(StrEnum):
    """What `hearth report` writes."""

    HTML = "html"
    JSON = "json"


def register(app: typer.Typer) -> None:
    """Add `report` to the top-level command."""
    app.command("report")(report)


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    from hearthkeeper.cli.days import DayError, parse_day

    try:
        return parse_day(value, option)
    except DayError as exc:
        fail(str(exc))


def report(
    ctx: typer.Context,
    community: Annotated[
        str, typer.Option("--community", help="The community: its slug or its name.")
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="File to write: .html, .htm or .json (HTML default: report.html; JSON "
            "default: standard output).",
        ),
    ] = None,
    output_format: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="html (a self-contained page with charts) or json (machine-readable). "
            "Default: what --out's extension names, else html.",
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--from", help="First local day (YYYY-MM-DD); default: the first message."),
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last local day (YYYY-MM-DD); default: today.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Write a community's health report: messages, members, daily activity, segments,
    cohorts, health scores, lifecycle stage and heat-death warnings, per group and overall;
    the live codes' channels and the money figures of paid membership."""
    from rich.markup import escape

    from hearthkeeper.analytics.report import ReportError, build_report
    from hearthkeeper.analytics.report_html import render_html
    from hearthkeeper.cli.context import open_store, pick_community, settings_from
    from hearthkeeper.cli.output import console
    from hearthkeeper.text.counts import counted

    first, last = _day(start, "--from"), _day(end, "--to")
    chosen = _format_for(out, output_format)
    store = open_store(settings_from(config), clock_of(ctx))
    found = pick_community(store, community)
    try:
        made = build_report(store, found.id, now=clock_of(ctx).now(), start=first, end=last)
    except ReportError as exc:
        fail(str(exc))
    if first is None:
        _say_if_shortened(store, made)
    if chosen is ReportFormat.JSON:
        text = json.dumps(made.to_json(), ensure_ascii=False, indent=2) + "\n"
        if out is None:
            typer.echo(text, nl=False)
            return
        _write(out, text)
        console.print(escape(f"Wrote the JSON report of {found.name} to {out}."))
        return
    target = out or DEFAULT_HTML
    _write(target, render_html(made))
    console.print(escape(
        f"Wrote the report of {found.name} ({made.start} to {made.end}, "
        f"{counted(made.overall.messages, 'message')} in {counted(len(made.groups), 'group')})"
        f" to {target}; "
        "open it in a browser, no network needed."
    ))  # fmt: skip


SUFFIXES = {".html": ReportFormat.HTML, ".htm": ReportFormat.HTML, ".json": ReportFormat.JSON}


def _format_for(out: Path | None, asked: ReportFormat | None) -> ReportFormat:
    """What to write to `out`: the format its extension names (.html, .htm, .json), which
    `--format` must agree with; another extension is refused, never written as HTML under a
    name that says otherwise (r.pdf). No extension: what `--format` says, else HTML."""
    if out is None:
        return asked or ReportFormat.HTML
    suffix = out.suffix.lower()
    named = SUFFIXES.get(suffix)
    if named is None and suffix:
        fail(f"--out {out}: hearth report writes HTML (.html, .htm) or JSON (.json), not "
             f"{suffix}; for a PDF, open the HTML report in a browser and print it to PDF")  # fmt: skip
    if named is not None and asked is not None and asked is not named:
        fail(f"--out {out} names a {named.value.upper()} file but --format is {asked.value}; "
             f"give the file a .{asked.value} name, or leave --format out")  # fmt: skip
    return named or asked or ReportFormat.HTML


def _say_if_shortened(store: Store, made: Report) -> None:
    """Without --from a report starts at the first message, unless so many groups make that
    more than one report measures (`most_days`): say where it starts instead, on stderr."""
    from zoneinfo import ZoneInfo

    from rich.markup import escape

    from hearthkeeper.analytics.report import default_start
    from hearthkeeper.cli.output import errors

    first = default_start(store, made.community.id, ZoneInfo(made.timezone), made.end)
    if first < made.start:
        errors.print(escape(
            f"note: the report starts on {made.start}, not at the first message ({first}): "
            f"{len(made.groups)} groups allow at most {(made.end - made.start).days + 1} days "
            "in one report; give --from and --to for an earlier period"
        ))  # fmt: skip


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
