"""`hearth demo`: the most complete demo the code allows, on the embedded default (SQLite)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from hearthkeeper.apply import apply_playbook
from hearthkeeper.cli.output import console, fail
from hearthkeeper.cli.playbook_cmds import print_summary
from hearthkeeper.cli.setup_cmds import print_applied
from hearthkeeper.clock import SystemClock
from hearthkeeper.config import sqlite_url_for
from hearthkeeper.demo.conversation import play
from hearthkeeper.engine.actions import BOOKKEEPING
from hearthkeeper.engine.executor import Runtime
from hearthkeeper.handlers import build_registry
from hearthkeeper.playbook import Playbook, PlaybookError, parse_playbook
from hearthkeeper.playbook.templates import UnknownTemplate, copy_content, template_text
from hearthkeeper.store import Store, StoreError, create_engine_for, upgrade
from hearthkeeper.testing import FakeCarrier

MARKER = ".hearth-demo"
DEMO_GROUPS = 3


def register(app: typer.Typer) -> None:
    """Add `demo` to the top-level command."""
    app.command("demo")(demo)


def demo(
    data_dir: Annotated[
        Path, typer.Option("--data-dir", help="Demo data directory; recreated on every run.")
    ] = Path(".demo"),
    template: Annotated[
        str, typer.Option("--template", "-t", help="Template of the demo community.")
    ] = "skincare",
) -> None:
    """Create a demo community from a template in a fresh data directory and show it."""
    _fresh(data_dir)
    try:
        text = template_text(template)
        loaded = parse_playbook(text, str(data_dir / "playbook.yaml"))
    except (UnknownTemplate, PlaybookError) as exc:
        fail(str(exc))
    (data_dir / "playbook.yaml").write_text(text, encoding="utf-8")
    copy_content(template, data_dir)
    url = sqlite_url_for(data_dir)
    try:
        upgrade(url)
        store = Store(create_engine_for(url), SystemClock())
        applied = apply_playbook(store, loaded, actor="demo")
        pb = loaded.playbook
        carrier = "webchat"  # the embedded default, whatever carriers the template lists
        for n in range(1, DEMO_GROUPS + 1):
            name = pb.replication.naming.format(name=pb.community.name, n=n)
            store.add_group(
                applied.community.id, name, carrier, f"demo-{n}", pb.structure.groups.capacity
            )
        groups = store.list_groups(applied.community.id)
    except StoreError as exc:
        fail(str(exc))
    console.rule(f"[bold]Hearthkeeper demo: {escape(pb.community.name)}")
    print_applied(applied)
    console.print(f"Groups ({carrier}): " + ", ".join(escape(g.name) for g in groups))
    print_summary(pb)
    _conversation(store, pb, applied.community.id, data_dir)
    console.print(f"\nData directory: {escape(str(data_dir.resolve()))} (SQLite: hearth.db)")
    console.print(
        "Try: "
        + escape(f"hearth playbook show {data_dir / 'playbook.yaml'}")
        + " · "
        + escape(f"HEARTH_DATA_DIR={data_dir} hearth apply {data_dir / 'playbook.yaml'}")
    )


def _conversation(store: Store, pb: Playbook, community_id: int, data_dir: Path) -> None:
    """Run a short conversation through the engine and show what it did."""
    carrier = FakeCarrier("webchat")  # stands in for the web chat until it ships (step 5)
    runtime = Runtime(community_id, pb.community.slug, pb, build_registry(pb, data_dir))
    played = play(store, SystemClock(), runtime, carrier)
    console.print("\n[bold]The engine at work[/] (a short conversation, performed once each):")
    names = {g.carrier_group_id: g.name for g in store.list_groups(community_id)}
    for item in played:
        event = item.recorded.event
        said = getattr(event, "text", "")
        who = event.sender.display_name or event.sender.user_id
        line = f"{names.get(event.group, event.group)} · {who} [{event.type.value}]"
        console.print(f"  {escape(line)}" + (f": {escape(said)}" if said else ""))
        for action in item.processed.actions:
            if action.kind in BOOKKEEPING:
                continue
            text = f" {action.text!r}" if action.text else ""
            if len(text) > 90:
                text = text[:87] + "…'"
            when = " (later)" if action.not_before else ""
            console.print(f"      → {action.kind.value}{when}{escape(text)}")
    done = sum(1 for _ in carrier.performed)
    console.print(f"  {done} action(s) performed; strikes, sanctions and the audit log are in the "
                  "database (try `hearth strikes list --all`).")  # fmt: skip


def _fresh(data_dir: Path) -> None:
    """Recreate the demo directory, refusing to wipe anything that is not a previous demo."""
    if data_dir.exists():
        if not (data_dir / MARKER).exists() and any(data_dir.iterdir()):
            fail(
                f"{data_dir} exists and is not a Hearthkeeper demo directory; "
                "pass another --data-dir"
            )
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    (data_dir / MARKER).write_text("created by `hearth demo`; removed on the next run\n")
