"""`hearth moderate` and `hearth replay`: try a playbook on messages without touching any group."""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO
from zoneinfo import ZoneInfo

import typer

from hearthkeeper.cli.context import clock_of

if TYPE_CHECKING:
    from hearthkeeper.engine.actions import Action
    from hearthkeeper.recorded import BadLine

# A top-level command: this module is imported by every `hearth` command, so what the command
# needs is imported when it runs.

START = datetime(2000, 1, 1, tzinfo=UTC)


def register(app: typer.Typer) -> None:
    """Add `moderate` and `replay` to the top-level command."""
    app.command("moderate")(moderate)
    app.command("replay")(replay)


@contextmanager
def _input(path: Path | None) -> Iterator[TextIO]:
    if path is None or str(path) == "-":
        yield sys.stdin
        return
    from hearthkeeper.cli.output import fail

    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            yield handle
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")


def _bad(source: str, bad: BadLine) -> None:
    from hearthkeeper.cli.output import errors

    errors.print(f"{source}:{bad.line}: skipped: {bad.message}", markup=False)


def moderate(
    ctx: typer.Context,
    playbook: Annotated[
        Path | None, typer.Option("--playbook", "-p", help="The playbook whose rules apply.")
    ] = None,
    input_file: Annotated[
        Path | None,
        typer.Argument(metavar="[INPUT]", help="Messages file; default: standard input."),
    ] = None,
    evaluate: Annotated[
        Path | None,
        typer.Option(
            "--evaluate",
            help="A labelled corpus (JSON lines: text, label spam|ham, family, variant, split): "
            "print recall and false-positive rate per family instead of verdicts.",
        ),
    ] = None,
    template: Annotated[
        str | None,
        typer.Option("--template", "-t", help="With --evaluate: a template's rules, or 'default'."),
    ] = None,
    split: Annotated[
        str, typer.Option("--split", help="With --evaluate: all, tune or held-out rows.")
    ] = "all",
    as_json: Annotated[bool, typer.Option("--json", help="With --evaluate: JSON output.")] = False,
    show: Annotated[
        int, typer.Option("--show", min=0, help="With --evaluate: print N misses and false alarms.")
    ] = 0,
    cross_validate: Annotated[
        bool,
        typer.Option(
            "--cross-validate/--no-cross-validate",
            help="With --evaluate: beside each figure, the same with every row the shipped "
            "scorer was trained on read by one trained without it (5 folds).",
        ),
    ] = True,
) -> None:
    """Judge messages (text lines or JSON lines) and print one JSON verdict per message."""
    from hearthkeeper.cli.evaluate_cmd import run_evaluation
    from hearthkeeper.cli.output import errors, fail, load_or_exit
    from hearthkeeper.dryrun import DryRun, Fired, verdict_of
    from hearthkeeper.recorded import BadLine, read_messages

    if evaluate is not None:
        now = clock_of(ctx).now()
        run_evaluation(evaluate, playbook, template, split, as_json, show, cross_validate, now=now)
        return
    if playbook is None:
        fail("--playbook is required (or --evaluate CORPUS with --playbook or --template)")
    loaded = load_or_exit(playbook, now=clock_of(ctx).now())
    zone = ZoneInfo(loaded.playbook.community.timezone)
    source = str(input_file) if input_file else "<stdin>"
    skipped = 0
    with (
        tempfile.TemporaryDirectory(prefix="hearth-moderate-") as work,
        _input(input_file) as handle,
    ):
        trial = DryRun(loaded.playbook, Path(work), playbook.resolve().parent, judge_each=True)
        for item in trial.run(read_messages(handle, zone, START)):
            if isinstance(item, BadLine):
                skipped += 1
                _bad(source, item)
                continue
            if isinstance(item, Fired):
                continue
            _, processed = item
            typer.echo(json.dumps(verdict_of(processed.actions).to_json(), ensure_ascii=False))
    if skipped:
        errors.print(f"{skipped} line(s) skipped", markup=False)


def replay(
    ctx: typer.Context,
    input_file: Annotated[
        Path, typer.Argument(metavar="INPUT", help="Recorded events, JSON lines.")
    ],
    playbook: Annotated[Path, typer.Option("--playbook", "-p", help="The playbook to try.")],
    output_format: Annotated[str, typer.Option("--format", "-f", help="text or jsonl.")] = "text",
) -> None:
    """Run a recorded conversation through the engine on a scratch database; report what it did."""
    from hearthkeeper.cli.output import errors, fail, load_or_exit
    from hearthkeeper.cli.zones import times_in
    from hearthkeeper.dryrun import DryRun, Fired
    from hearthkeeper.engine.actions import BOOKKEEPING
    from hearthkeeper.recorded import BadLine, read_events

    if output_format not in ("text", "jsonl"):
        fail(f"--format {output_format!r}: use text or jsonl")
    loaded = load_or_exit(playbook, now=clock_of(ctx).now())
    zone = ZoneInfo(loaded.playbook.community.timezone)
    counts: Counter[str] = Counter()
    events = skipped = 0
    if output_format == "text":
        typer.echo(times_in(zone))
    with tempfile.TemporaryDirectory(prefix="hearth-replay-") as work, _input(input_file) as handle:
        trial = DryRun(loaded.playbook, Path(work), playbook.resolve().parent)
        for item in trial.run(read_events(handle, zone, START)):
            if isinstance(item, BadLine):
                skipped += 1
                _bad(str(input_file), item)
                continue
            if isinstance(item, Fired):
                fired = [a for a in item.actions if a.kind not in BOOKKEEPING]
                for action in fired:
                    counts[action.kind.value] += 1
                    if output_format == "jsonl":
                        typer.echo(json.dumps(_action_json(action, item.at, zone),
                                              ensure_ascii=False))  # fmt: skip
                if output_format == "text" and fired:
                    when = item.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
                    typer.echo(f"{when}  [scheduled: {item.effect}]")
                    for action in fired:
                        typer.echo(f"    → {_describe(action, zone)}")
                continue
            recorded, processed = item
            events += 1
            shown = [a for a in processed.actions if a.kind not in BOOKKEEPING]
            for action in shown:
                counts[action.kind.value] += 1
                if output_format == "jsonl":
                    line = _action_json(action, recorded.event.at, zone)
                    typer.echo(json.dumps(line, ensure_ascii=False))
            if output_format == "text" and shown:
                event = recorded.event
                when = event.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
                said = f": {getattr(event, 'text', '')}" if getattr(event, "text", "") else ""
                typer.echo(f"{when}  {event.group}  {event.sender.display_name or event.sender.user_id}"
                           f" [{event.type.value}]{said}")  # fmt: skip
                for action in shown:
                    typer.echo(f"    → {_describe(action, zone)}")
    if output_format == "text":
        summary = ", ".join(f"{kind} {n}" for kind, n in counts.most_common()) or "no actions"
        typer.echo(f"\n{events} event(s) replayed: {summary}.")
    if skipped:
        errors.print(f"{skipped} line(s) skipped", markup=False)


def _action_json(action: Action, at: datetime, zone: ZoneInfo) -> dict[str, object]:
    """One action as `--format jsonl` prints it; `at` in ISO 8601 with the community's offset
    (as `hearth calendar --format json` gives it)."""
    when = (action.not_before or at).astimezone(zone).isoformat()
    data: dict[str, object] = {"type": action.kind.value, "group": action.group, "member": action.member,
                               "text": action.text, "at": when}  # fmt: skip
    for key in ("violation", "reason", "tag", "points"):
        value = getattr(action, key)
        if value:
            data[key] = value
    if action.duration is not None:
        data["duration_s"] = int(action.duration.total_seconds())
    return data


def _describe(action: Action, zone: ZoneInfo) -> str:
    parts = [action.kind.value]
    if action.duration is not None:
        parts.append(f"{int(action.duration.total_seconds() // 60)} min")
    if action.text:
        parts.append(repr(action.text if len(action.text) < 120 else action.text[:117] + "…"))
    if action.not_before is not None:
        parts.append(f"at {action.not_before.astimezone(zone):%Y-%m-%d %H:%M:%S}")
    if action.explained and action.kind.value in ("strike", "alert_staff"):
        parts.append(f"({action.explained})")
    return " ".join(parts)
