"""`hearth posts`: how each scheduled firing is going across the groups it goes to."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

import typer
from rich.markup import escape

from hearthkeeper.capabilities.calendar.repository import SqlPosts
from hearthkeeper.cli.context import ConfigOption, open_store, settings_from
from hearthkeeper.cli.output import console, fail


def register(app: typer.Typer) -> None:
    """Add `posts` to the top-level command."""
    app.command("posts")(posts)


def posts(
    community: Annotated[
        str | None,
        typer.Option("--community", help="Community slug (needed when there are several)."),
    ] = None,
    post: Annotated[
        str | None, typer.Option("--post", help="Only this post id (calendar.posts[].id).")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="How many of the latest firings.")
    ] = 20,
    config: ConfigOption = None,
) -> None:
    """Progress of the latest scheduled firings: per firing, groups posted, waiting in the
    outbound queue (carrier quotas), failed, skipped, or waiting for staff to confirm."""
    store = open_store(settings_from(config))
    communities = store.list_communities()
    chosen = [c for c in communities if community is None or c.slug == community]
    if len(chosen) != 1:
        names = ", ".join(c.slug for c in communities) or "none yet"
        fail(f"say which community with --community (there are: {names})")
    records = SqlPosts.on(store).post_records(chosen[0].id, post_id=post)
    delivery = store.outbox_statuses([f"calendar:post:{r.id}" for r in records])
    firings: dict[tuple[str, str], Counter[str]] = {}
    for record in records:
        counts = firings.setdefault((record.post_id, record.scheduled_for.isoformat()), Counter())
        if record.status in ("posted", "confirmed"):
            state = delivery.get(f"calendar:post:{record.id}", "pending")
            counts[
                "delivered"
                if state == "done"
                else "queued"
                if state in ("pending", "sending")
                else state
            ] += 1
        else:
            counts[record.status] += 1
    if not firings:
        console.print("No scheduled firings yet.")
        return
    for (post_id, at), counts in list(firings.items())[-limit:]:
        total = sum(counts.values())
        parts = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
        console.print(escape(f"{at}  {post_id}: {total} group(s) — {parts}"))
