"""`hearth bench ...`: measured speed, printed."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from hearthkeeper.bench import engine_bench
from hearthkeeper.cli.output import console, fail
from hearthkeeper.store.errors import StoreError

app = typer.Typer()  # `hearth bench`, its help in root.py


@app.command("engine")
def engine(
    messages: Annotated[
        int, typer.Option("--messages", "-n", min=1, help="Messages to push through.")
    ] = 200_000,
    batch: Annotated[int, typer.Option("--batch", min=1, help="Events per transaction.")] = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    mechanisms: Annotated[
        str | None,
        typer.Option(
            "--mechanisms",
            help="Only these of the template's mechanisms, comma-"
            f"separated ({', '.join(engine_bench.MECHANISMS)}), or `none`.",
        ),
    ] = None,
    each: Annotated[
        bool,
        typer.Option("--each", help="Also run with no mechanism and with each one alone."),
    ] = False,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            metavar="URL",
            help="Run on this empty database (a throwaway PostgreSQL one, say: it is migrated "
            "and filled) instead of a new SQLite file.",
        ),
    ] = None,
) -> None:
    """The full pipeline (normalise, moderate, persist, outbox) on SQLite, or on an empty
    database: messages/s, latency."""
    chosen = None if mechanisms is None else _mechanisms(mechanisms)
    if database_url is not None:
        if each:
            fail("--each runs the benchmark several times, each on a new database: run it "
                 "without --database-url, or one --mechanisms at a time on a new database each")  # fmt: skip
        try:
            engine_bench.require_empty(database_url)
        except StoreError as exc:
            fail(f"--database-url: {exc}")
    figures = engine_bench.run(messages, batch=batch, mechanisms=chosen, database_url=database_url)
    alone: dict[str, engine_bench.EngineFigures] = {}
    if each:
        for name in ("none", *engine_bench.MECHANISMS):
            on = [] if name == "none" else [name]
            alone[name] = engine_bench.run(messages, batch=batch, mechanisms=on)
    if as_json:
        out: dict[str, object] = dict(figures.to_json())
        if alone:
            out["per_mechanism"] = {n: f.messages_per_s for n, f in alone.items()}
        typer.echo(json.dumps(out))
        return
    console.print(
        f"engine ({figures.mechanisms} mechanisms{_on(figures.database)}): "
        f"{figures.messages:,} messages in "
        f"{figures.seconds:.1f} s = "
        f"{figures.messages_per_s:,.0f} messages/s (batches of {figures.batch}); "
        f"decision p50 {figures.p50_ms:.3f} ms, p99 {figures.p99_ms:.3f} ms; "
        f"batch commit p50 {figures.batch_p50_ms:.1f} ms, p99 {figures.batch_p99_ms:.1f} ms; "
        f"{figures.actions:,} actions"
    )
    for name, f in alone.items():
        label = "no mechanism" if name == "none" else f"{name} alone"
        console.print(f"  {label:<18} {f.messages_per_s:>9,.0f} messages/s   "
                      f"decision p99 {f.p99_ms:.3f} ms   {f.actions:,} actions")  # fmt: skip


def _on(database: str) -> str:
    return (
        ""
        if database == "sqlite"
        else ", PostgreSQL"
        if database == "postgresql"
        else f", {database}"
    )


def _mechanisms(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip() and n.strip() != "none"]
    unknown = sorted(set(names) - set(engine_bench.MECHANISMS))
    if unknown:
        raise typer.BadParameter(
            f"unknown {', '.join(unknown)}; choose from {', '.join(engine_bench.MECHANISMS)}",
            param_hint="--mechanisms",
        )
    return names
