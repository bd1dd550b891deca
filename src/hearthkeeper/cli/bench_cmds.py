"""`hearth bench ...`: measured speed, printed."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from hearthkeeper.bench import engine_bench
from hearthkeeper.cli.output import console

app = typer.Typer()  # `hearth bench`, its help in root.py


@app.command("engine")
def engine(
    messages: Annotated[
        int, typer.Option("--messages", "-n", min=1, help="Messages to push through.")
    ] = 200_000,
    batch: Annotated[int, typer.Option("--batch", min=1, help="Events per transaction.")] = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """The full pipeline (normalise, moderate, persist, outbox) on SQLite: messages/s, latency."""
    figures = engine_bench.run(messages, batch=batch)
    if as_json:
        typer.echo(json.dumps(figures.to_json()))
        return
    console.print(
        f"engine: {figures.messages:,} messages in {figures.seconds:.1f} s = "
        f"{figures.messages_per_s:,.0f} messages/s (batches of {figures.batch}); "
        f"decision p50 {figures.p50_ms:.3f} ms, p99 {figures.p99_ms:.3f} ms; "
        f"batch commit p50 {figures.batch_p50_ms:.1f} ms, p99 {figures.batch_p99_ms:.1f} ms; "
        f"{figures.actions:,} actions"
    )
